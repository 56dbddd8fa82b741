"""Lesson 11: the optimizer/learning-rate grid beats the seed noise; zeros never break symmetry; L1 sparsifies.

Measured in fast mode (synthetic iChallenge-PM, 80 training images, LeNet-ReLU at 64 px, 6 epochs):

    SEED                                        0            1            2
    grid range (best - worst val acc)         0.450        0.238        0.288
    seed spread (3 seeds, max - min)          0.037        0.037        0.050
    worst grid setting (sgd lr=1e-3)          0.688        0.725        0.675
    zeros init: val acc / unit spread       0.500 / 0    0.500 / 0    0.500 / 0
    near-zero share L1 / L2 at 1e-3         0.293/0.123  0.247/0.114  0.238/0.108
    near-zero share L1 / L2 at 1e-4         0.147/0.117  0.176/0.111  0.178/0.107
    val acc L1 1e-2 / baseline              0.900/0.950  0.912/0.938  0.775/0.912
    crop AUC full / 70 % / 40 %         0.988/0.977/0.930  0.985/0.988/0.985  0.989/0.994/0.976
    train loss batch 32 / batch 128         0.417/0.617  0.617/0.837  0.523/0.647
"""


def check(results):
    grid, spread = results["grid_acc"], results["seed_spread"]
    assert results["grid_range"] >= 0.2 and results["grid_range"] > 2.5 * spread, (results["grid_range"], spread)
    assert min(grid.values()) < max(results["seed_best_acc"]) - 2 * spread  # a setting clearly outside the noise

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
