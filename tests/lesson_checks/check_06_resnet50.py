"""Lesson 6: a 50-layer plain network trains worse than the same depth with shortcuts; five models differ.

Fast mode (synthetic iChallenge-PM, 48 training and 48 validation images at 64x64, 8 epochs, Adam
1e-3, batch 16), seeds 0 / 1 / 2, on two CPUs: A (the earlier sessions' machine) and B (an Intel Xeon
with AVX-512, 2026-12-02). The same seed takes a different course on another CPU (other vector
instructions, other floating-point sums), so the margins hold on both:

* plain-50 against residual-50 (He et al.'s CIFAR design, n = 8), lowest training loss:
  A 0.648 / 0.180 / 0.187 against 0.023 / 0.075 / 0.018; B 0.614 / 0.378 / 0.288 against
  0.024 / 0.077 / 0.018. Best validation accuracy: A 0.604 / 0.500 / 0.604 against
  0.833 / 0.750 / 0.979; B 0.500 / 0.521 / 0.812 against 0.854 / 0.792 / 0.938;
* five models, best validation accuracy (LeNet 0.50 in every epoch everywhere). The lesson seeds these
  runs' weights and batches with 0 whatever its SEED, which changes their images only: with the
  weights seeded by SEED too (tried on B, 2026-12-02), seed 1 held every margin but seed 2 did not
  (AlexNet best 0.625, GoogLeNet 0.50 in every epoch, ResNet-50 0.94 in its last epoch):

      CPU seed  AlexNet  GoogLeNet  VGG-16 (narrow, no BN)  ResNet-50 (first five epochs)
      A   0     0.854    0.896      0.625                   0.50 (0.50)
      A   1     0.729    0.854      0.542                   0.50 (0.50)
      A   2     0.979    0.771      0.750                   0.50 (0.50)
      B   0     0.875    0.917      0.708                   0.875 (0.50)
      B   1     0.854    0.896      0.542                   0.50 (0.50)
      B   2     0.896    0.500      0.688                   0.50 (0.50)

Margins: the plain network's lowest training loss at least twice the residual one's and 0.05 above
it; the residual best validation accuracy at least 0.1 above the plain one's; LeNet at or below 0.55
in every epoch; AlexNet's best at least 0.7; the better of AlexNet and GoogLeNet at least 0.1 above
the VGG-16 without batch norm; ResNet-50 at or below 0.55 in each of the first five epochs.
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
