"""Lesson 5: the auxiliary heads add gradient below them only; GoogLeNet with and without them.

Fast mode (synthetic iChallenge-PM, 80 + 80 images at 64x64, 10 epochs, Adam 1e-3), seeds 0 / 1 / 2:

* stem gradient with aux weight 0.3 against 0 (untrained network, one batch, same dropout masks):
  x1.062 / x1.494 / x1.147; Inception 5's: x1.000 in all three (no auxiliary loss reaches it);
* best validation AUC with / without the heads: 1.000 / 1.000, 0.992 / 0.980, 0.989 / 0.986 --
  both runs learn to rank, at most 0.012 apart (8 epochs gave 0.999 / 0.998, 0.986 / 0.980,
  0.988 / 0.986);
* wall time 128-138 s per seed on the shared machine.

Margins: stem ratio > 1.03, Inception 5 ratio within 1e-3 of 1; both best AUCs at least 0.9 and
within 0.05 of each other.
"""


def check(results):
    assert results["stem_gradient_ratio"] > 1.03, results["stem_gradient_ratio"]
    assert abs(results["inception5_gradient_ratio"] - 1.0) < 1e-3, results["inception5_gradient_ratio"]
    best_with, best_without = max(results["with_aux_val_auc"]), max(results["without_aux_val_auc"])
    assert best_with >= 0.9 and best_without >= 0.9, (best_with, best_without)
    assert abs(best_with - best_without) <= 0.05, (best_with, best_without)
