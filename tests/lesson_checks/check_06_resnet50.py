"""Lesson 6: a 50-layer plain network trains worse than the same depth with shortcuts; five models differ.

Fast mode (synthetic iChallenge-PM, 48 training and 48 validation images at 64x64, 8 epochs, Adam
1e-3, batch 16), seeds 0 / 1 / 2:

* plain-50 against residual-50 (He et al.'s CIFAR design, n = 8): lowest training loss 0.648 / 0.180 /
  0.187 against 0.023 / 0.075 / 0.018; best validation accuracy 0.604 / 0.500 / 0.604 against
  0.833 / 0.750 / 0.979;
* five models, best validation accuracy: LeNet 0.50 / 0.50 / 0.50 (0.50 in every epoch), AlexNet
  0.854 / 0.729 / 0.979, GoogLeNet 0.896 / 0.854 / 0.771, narrow VGG-16 0.625 / 0.542 / 0.750,
  ResNet-50 0.50 / 0.50 / 0.50 (its AUC rises only in the last two epochs).

Margins: the plain network's lowest training loss at least twice the residual one's and 0.05 above
it; residual best validation accuracy at least 0.15 above the plain one's, which stays at or below
0.65; LeNet at or below 0.55 in every epoch; AlexNet and GoogLeNet best at least 0.7; the better of
them at least 0.1 above the better of VGG-16 and ResNet-50.
"""


def check(results):
    plain, residual = min(results["plain_train_loss"]), min(results["residual_train_loss"])
    assert plain >= 2 * residual and plain >= residual + 0.05, (plain, residual)
    plain_acc, residual_acc = max(results["plain_val_acc"]), max(results["residual_val_acc"])
    assert plain_acc <= 0.65 and residual_acc >= plain_acc + 0.15, (plain_acc, residual_acc)

    best = {name: max(results[f"{name}_val_acc"]) for name in ("lenet", "alexnet", "vgg16", "googlenet", "resnet50")}
    assert best["lenet"] <= 0.55, results["lenet_val_acc"]
    assert min(best["alexnet"], best["googlenet"]) >= 0.7, best
    assert max(best["alexnet"], best["googlenet"]) >= max(best["vgg16"], best["resnet50"]) + 0.1, best
