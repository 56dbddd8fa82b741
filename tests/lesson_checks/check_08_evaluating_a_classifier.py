"""Lesson 8: on a DR test set with DDR's proportions, the errors pile up on the rare grades.

Measured in fast mode (synthetic ``ddr_imbalanced`` data, ResNet-18 with ordinal targets, 2 epochs,
64x64), recall of grades 0-4 on the test split:

    seed 0: [0.85, 0.03, 0.87, 0.00, 0.64]  common (0, 2) 0.86  rare (1, 3) 0.01
            accuracy 0.78, kappa 0.80, 75 under-graded, 24 referable eyes called no/mild DR
    seed 1: [0.89, 0.00, 0.82, 0.14, 0.89]  common 0.86  rare 0.07
            accuracy 0.81, kappa 0.85, 69 under-graded, 25 referable eyes called no/mild DR
    seed 2: [0.97, 0.00, 0.72, 0.00, 0.92]  common 0.85  rare 0.00
            accuracy 0.81, kappa 0.85, 84 under-graded, 47 referable eyes called no/mild DR
"""


def check(results):
    counts = results["dr_test_counts"]
    assert counts[0] / sum(counts) > 0.4 and counts[3] / sum(counts) < 0.05, f"not DDR's proportions: {counts}"
    common, rare = results["common_recall"], results["rare_recall"]
    assert rare < common - 0.3, f"rare grades' recall {rare:.2f} should be far below the common grades' {common:.2f}"
    assert results["under_graded"] >= 10 and results["referable_missed"] >= 1, results
