"""Lesson 4: a narrow VGG-16 without batch norm does not start learning; with batch norm it does.

Fast mode (synthetic iChallenge-PM, 80 + 80 images at 64x64, 8 epochs, Adam 1e-3, width 1/8,
hidden 256), seeds 0 / 1 / 2:

* without BN: lowest training loss after the first epoch 0.689 / 0.686 / 0.687 (ln 2 = 0.693),
  best validation accuracy 0.713 / 0.513 / 0.588;
* with BN: lowest training loss 0.094 / 0.269 / 0.396, best validation accuracy 0.900 / 0.963 / 0.738.

Margins: without BN the training loss stays at or above 0.6 after epoch 1 and validation accuracy at
or below 0.75; with BN the lowest training loss is at least 0.2 below the plain run's and the best
validation accuracy at least 0.1 above it.
"""


def check(results):
    plain_loss, bn_loss = results["plain_train_loss"], results["bn_train_loss"]
    plain_acc, bn_acc = results["plain_val_acc"], results["bn_val_acc"]
    assert len(plain_loss) >= 8, plain_loss
    assert min(plain_loss[1:]) >= 0.6, f"the plain VGG-16 learned after all: {plain_loss}"
    assert max(plain_acc) <= 0.75, plain_acc
    assert min(bn_loss) <= min(plain_loss) - 0.2, (bn_loss, plain_loss)
    assert max(bn_acc) >= max(plain_acc) + 0.1, (bn_acc, plain_acc)
