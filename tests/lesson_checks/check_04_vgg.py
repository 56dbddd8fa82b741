"""Lesson 4: a narrow VGG-16 without batch norm does not start learning; with batch norm it does.

Fast mode (synthetic iChallenge-PM, 80 + 80 images at 64x64, 8 epochs, Adam 1e-3, width 1/8,
hidden 256), seeds 0 / 1 / 2, on CPU A (the earlier sessions' machine) and on CPU B (an Intel Xeon with
AVX-512, 2026-12-02) as it computes and with MKL and oneDNN restricted to AVX2 and to AVX (see
README.md here):

* without BN: lowest training loss after the first epoch 0.685-0.689 everywhere (ln 2 = 0.693); best
  validation accuracy A 0.713 / 0.513 / 0.588, B 0.588 / 0.512 / 0.512, AVX2 0.600 / 0.512 / 0.613,
  AVX 0.762 / 0.512 / 0.575 (0.5 in most epochs: the median epoch 0.50 in every run; the AVX seed-0
  run jumped from 0.525 to 0.762 in its last epoch);
* with BN: lowest training loss A 0.094 / 0.269 / 0.396, B 0.141 / 0.274 / 0.475, AVX2 0.130 / 0.292 /
  0.429, AVX 0.155 / 0.272 / 0.385; best validation accuracy A 0.900 / 0.963 / 0.738, B 0.912 / 0.912 /
  0.738, AVX2 0.938 / 0.950 / 0.738, AVX 0.912 / 0.950 / 0.750.

Margins: without BN the training loss stays at or above 0.6 after epoch 1, the median epoch's
validation accuracy at or below 0.55 and the best at or below 0.8 (0.75 failed the AVX seed-0 run);
with BN the lowest training loss is at least 0.2 below the plain run's and the best validation
accuracy at least 0.1 above it.
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
