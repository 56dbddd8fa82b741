"""Lesson 5: the auxiliary heads add gradient below them only; GoogLeNet with and without them.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "05_googlenet".
"""


def check(results):
    assert results["stem_gradient_ratio"] > 1.03, results["stem_gradient_ratio"]
    assert abs(results["inception5_gradient_ratio"] - 1.0) < 1e-3, results["inception5_gradient_ratio"]
    best_with, best_without = max(results["with_aux_val_auc"]), max(results["without_aux_val_auc"])
    assert best_with >= 0.9 and best_without >= 0.9, (best_with, best_without)
    assert abs(best_with - best_without) <= 0.05, (best_with, best_without)
