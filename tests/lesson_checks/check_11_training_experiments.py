"""Lesson 11: the optimizer/learning-rate grid beats the seed noise; zeros never break symmetry; L1 sparsifies.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "11_training_experiments".
"""


def check(results):
    grid, spread = results["grid_acc"], results["seed_spread"]
    assert results["grid_range"] >= 0.15 and results["grid_range"] > 2.5 * spread, (results["grid_range"], spread)
    assert min(grid.values()) < max(results["seed_best_acc"]) - 2 * spread  # a setting clearly outside the noise
    assert grid["sgd lr=0.001"] < min(results["seed_best_acc"]) - 2 * spread, grid  # too small a step: the text says so

    inits, units = results["init_val_acc"], results["init_distinct_units"]
    assert units["zeros"] < 1e-7 and inits["zeros"] <= 0.55, (units["zeros"], inits["zeros"])
    for name in ("paddle default", "glorot", "lecun", "he"):
        assert inits[name] >= 0.75 and units[name] > 1e-3, (name, inits[name], units[name])

    sparsity, accuracy = results["sparsity"], results["regular_val_acc"]
    assert sparsity["L1 0.001"] > 1.6 * sparsity["L2 0.001"], sparsity
    assert sparsity["L1 0.0001"] > sparsity["L2 0.0001"] > sparsity["baseline"], sparsity
    assert accuracy["L1 0.01"] < accuracy["baseline"], accuracy

    crops = results["crop_auc"]  # the lesson says: on this synthetic set the crop hardly changes the AUC
    assert max(crops.values()) - min(crops.values()) < 0.1, crops

    losses = results["batch_train_loss"]
    assert losses["batch 128"] > losses["batch 32"] + 0.05, losses
    assert results["batch_steps"]["batch 128"] < results["batch_steps"]["batch 32"]
