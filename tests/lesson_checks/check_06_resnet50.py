"""Lesson 6: a 50-layer plain network trains worse than the same depth with shortcuts; five models differ.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "06_resnet50".
"""


def check(results):
    plain, residual = min(results["plain_train_loss"]), min(results["residual_train_loss"])
    assert plain >= 2 * residual and plain >= residual + 0.05, (plain, residual)
    plain_acc, residual_acc = max(results["plain_val_acc"]), max(results["residual_val_acc"])
    assert residual_acc >= plain_acc + 0.1, (plain_acc, residual_acc)

    best = {name: max(results[f"{name}_val_acc"]) for name in ("lenet", "alexnet", "vgg16", "googlenet", "resnet50")}
    assert best["lenet"] <= 0.55, results["lenet_val_acc"]
    assert best["alexnet"] >= 0.7, best
    assert max(best["alexnet"], best["googlenet"]) >= best["vgg16"] + 0.1, best
    assert max(results["resnet50_val_acc"][:5]) <= 0.55, results["resnet50_val_acc"]
