"""Lesson 8: on a DR test set with DDR's proportions, the errors pile up on the rare grades.

The measurements behind its margins (seeds, machines, dates): lessons/MEASUREMENTS.md,
section "08_evaluating_a_classifier".
"""


def check(results):
    counts = results["dr_test_counts"]
    assert counts[0] / sum(counts) > 0.4 and counts[3] / sum(counts) < 0.05, f"not DDR's proportions: {counts}"
    common, rare = results["common_recall"], results["rare_recall"]
    assert rare < common - 0.3, f"rare grades' recall {rare:.2f} should be far below the common grades' {common:.2f}"
    assert results["under_graded"] >= 10 and results["referable_missed"] >= 1, results
