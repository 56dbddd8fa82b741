"""Lesson 2: the sigmoid LeNet stays at chance, the ReLU LeNet learns; a softmax in forward stops learning.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "02_lenet".
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
