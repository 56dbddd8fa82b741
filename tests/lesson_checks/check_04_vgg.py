"""Lesson 4: a narrow VGG-16 without batch norm does not start learning; with batch norm it does.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "04_vgg".
"""


def check(results):
    plain_loss, bn_loss = results["plain_train_loss"], results["bn_train_loss"]
    plain_acc, bn_acc = results["plain_val_acc"], results["bn_val_acc"]
    assert len(plain_loss) >= 8, plain_loss
    assert min(plain_loss[1:]) >= 0.6, f"the plain VGG-16 learned after all: {plain_loss}"
    assert sorted(plain_acc)[len(plain_acc) // 2] <= 0.55, f"the plain VGG-16 left chance: {plain_acc}"
    assert max(plain_acc) <= 0.8, plain_acc
    assert min(bn_loss) <= min(plain_loss) - 0.2, (bn_loss, plain_loss)
    assert max(bn_acc) >= max(plain_acc) + 0.1, (bn_acc, plain_acc)
