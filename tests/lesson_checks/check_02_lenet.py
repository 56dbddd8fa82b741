"""Lesson 2: the sigmoid LeNet stays at chance, the ReLU LeNet learns; a softmax in forward stops learning.

Fast mode (synthetic iChallenge-PM, 80 training and 80 validation images at 64x64, 10 epochs, Adam
1e-3), validation accuracy per epoch, seeds 0 / 1 / 2:

* sigmoid LeNet: max 0.50 / 0.50 / 0.61, mean of the last five epochs 0.50 / 0.50 / 0.52;
* ReLU LeNet: best 0.963 / 0.963 / 0.975, mean of the last five epochs 0.953 / 0.795 / 0.960;
* course LeNet (ReLU) with softmax in forward: 0.50 in every epoch for all three seeds, its
  training loss never below 0.776 / 0.761 / 0.808 (the floor is ln(1 + 1/e) = 0.313);
* the same network returning logits: best 0.975 / 0.975 / 0.975, mean over the ten epochs
  0.835 / 0.843 / 0.764, lowest training loss 0.149 / 0.220 / 0.397.

Margins: sigmoid at most 0.65 in every epoch; ReLU best at least 0.85 and its last five epochs at
least 0.2 above the sigmoid's; softmax at most 0.65 in every epoch, logits best at least 0.85 and
mean over all epochs at least 0.2 above the softmax run's.
"""
import numpy as np


def last(values, n=5):
    return float(np.mean(values[-n:]))


def check(results):
    sigmoid, relu = results["sigmoid_val_acc"], results["relu_val_acc"]
    softmax, logits = results["softmax_val_acc"], results["logits_val_acc"]
    assert len(sigmoid) == results["epochs"] >= 10, results["epochs"]
    assert max(sigmoid) <= 0.65, f"the sigmoid LeNet left chance: {sigmoid}"
    assert max(relu) >= 0.85, f"the ReLU LeNet did not learn: {relu}"
    assert last(relu) - last(sigmoid) >= 0.2, (relu, sigmoid)
    assert max(softmax) <= 0.65, f"softmax in forward learned after all: {softmax}"
    assert max(logits) >= 0.85, f"the logits version did not learn: {logits}"
    assert np.mean(logits) - np.mean(softmax) >= 0.2, (logits, softmax)
    assert results["softmax_min_train_loss"] > results["logits_min_train_loss"] + 0.3, results
