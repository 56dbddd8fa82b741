"""Operating points, their intervals and the screening decision."""
import numpy as np
import pytest

from paddle_models import referral
from paddle_models.referral import (OperatingPoint, choose_operating_point, decide, positive_labels, positive_view,
                                    rates_at, screening_intervals)


def scored(n_pos=100, n_neg=300, seed=0):
    rng = np.random.default_rng(seed)
    positive = np.r_[np.ones(n_pos, bool), np.zeros(n_neg, bool)]
    score = 1 / (1 + np.exp(-(rng.normal(0, 1, len(positive)) + 2.0 * positive - 1.0)))
    return positive, score


@pytest.mark.parametrize("target", [0.8, 0.9, 0.95])
def test_the_threshold_for_a_target_sensitivity_is_the_most_specific_that_reaches_it(target):
    positive, score = scored()
    point = choose_operating_point(positive, score, target_sensitivity=target)
    assert point.sensitivity >= target and point.target == "sensitivity"
    assert (point.sensitivity, point.specificity) == rates_at(positive, score, point.threshold)
    higher = np.sort(score[score > point.threshold])[0]  # the next candidate finds fewer eyes
    assert rates_at(positive, score, higher)[0] < target


def test_the_threshold_for_a_target_specificity_is_the_most_sensitive_that_reaches_it():
    positive, score = scored()
    point = choose_operating_point(positive, score, target_specificity=0.9)
    assert point.specificity >= 0.9
    lower = np.sort(score[score < point.threshold])[-1]
    assert rates_at(positive, score, lower)[1] < 0.9


def test_operating_point_defaults_checks_and_record():
    positive, score = scored()
    point = choose_operating_point(positive, score)
    assert point.target_value == referral.DEFAULT_TARGET_SENSITIVITY
    assert OperatingPoint.from_dict(point.to_dict()) == point and OperatingPoint.from_dict(None) is None
    assert (point.positives, point.negatives) == (100, 300)
    low, high = point.intervals()["sensitivity"]
    assert low < point.sensitivity < high and high - low > point.intervals()["specificity"][1] - point.intervals()["specificity"][0]
    with pytest.raises(ValueError, match="both kinds"):
        choose_operating_point(np.ones(5, bool), np.linspace(0, 1, 5))
    with pytest.raises(ValueError, match="not both"):
        choose_operating_point(positive, score, 0.9, 0.9)


def test_the_referable_view_of_a_dr_grader_sums_grades_two_to_four():
    probs = np.array([[0.5, 0.2, 0.2, 0.05, 0.05], [0.1, 0.1, 0.1, 0.3, 0.4]])
    p, view = positive_view(probs)
    assert np.allclose(p, [0.3, 0.8]) and view == "P(grade >= 2)"
    with_ungradable = np.array([[0.25, 0.1, 0.1, 0.025, 0.025, 0.5]])  # DDR's sixth class is left out
    assert np.allclose(positive_view(with_ungradable)[0], [0.3])
    positive, counts = positive_labels([0, 1, 2, 4, 5], 6)
    assert positive.tolist() == [False, False, True, True, False] and counts.tolist() == [True] * 4 + [False]
    assert np.allclose(positive_view(np.array([0.2, 0.7]))[0], [0.2, 0.7])


def test_screening_intervals_contain_the_value_shrink_with_more_images_and_are_seeded():
    small = screening_intervals(*scored(20, 60), threshold=0.5, n_resamples=300)
    large = screening_intervals(*scored(200, 600), threshold=0.5, n_resamples=300)
    for name in ("auc", "sensitivity", "specificity"):
        value, low, high = small[name]
        assert low <= value <= high
        assert large[name][2] - large[name][1] < high - low
    assert screening_intervals(*scored(20, 60), threshold=0.5, n_resamples=300) == small


def test_bootstrap_sensitivity_interval_is_near_the_binomial_one():
    """With the threshold fixed, the sensitivity is a proportion of the positives: its bootstrap
    interval lies near Wilson's, the known binomial interval."""
    from paddle_models.metrics import bootstrap_interval, proportion_interval

    found = np.r_[np.ones(45), np.zeros(5)]  # 45 of 50 positives above the threshold
    low, high = bootstrap_interval(np.mean, found, n_resamples=2000, seed=0)
    wilson = proportion_interval(45, 50)  # 0.786-0.957
    assert low == pytest.approx(wilson[0], abs=0.04) and high == pytest.approx(wilson[1], abs=0.04)


@pytest.mark.parametrize("p, views, expected", [
    (0.9, None, "refer"), (0.05, None, "no referral"), (0.52, None, "uncertain"),  # inside the band
    (0.9, [0.9, 0.3], "uncertain"),  # the views fall on both sides of the threshold
    (0.9, [0.95, 0.8], "refer"),
])
def test_decisions(p, views, expected):
    assert decide(p, 0.5, views=views) == expected


def test_ungradable_comes_first_and_pm_models_have_their_own_words():
    assert decide(0.99, 0.5, gradable=False) == "ungradable"
    assert decide(0.99, 0.5, kind="pm") == "PM likely" and decide(0.01, 0.5, kind="pm") == "PM unlikely"
    assert referral.vocabulary(("non-PM", "PM")) == "pm" and referral.vocabulary(("normal", "disease")) == "referral"


def test_the_band_is_in_log_odds_so_low_thresholds_keep_a_narrow_band():
    assert decide(0.05, 0.1) == "no referral" and decide(0.08, 0.1) == "uncertain" and decide(0.2, 0.1) == "refer"
