"""Calibration: the reliability curve and ECE by hand and against scikit-learn; temperature scaling."""
import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from paddle_models import calibration
from paddle_models.calibration import (expected_calibration_error, fit_temperature, negative_log_likelihood,
                                       reliability_curve, scaled_probabilities)


def test_binary_ece_by_hand():
    # two bins hold predictions: (0.1, 0.1, 0.2 -> one positive of three) and (0.9, 0.9, 0.8 -> three of three)
    p = np.array([0.1, 0.1, 0.2, 0.9, 0.9, 0.8])
    y = np.array([0, 1, 0, 1, 1, 1])
    curve = reliability_curve(y, p, bins=2)
    assert np.allclose(curve.confidence, [0.4 / 3, 2.6 / 3]) and np.allclose(curve.accuracy, [1 / 3, 1])
    by_hand = 3 / 6 * abs(0.4 / 3 - 1 / 3) + 3 / 6 * abs(2.6 / 3 - 1)
    assert expected_calibration_error(y, p, bins=2) == pytest.approx(by_hand)  # 0.1667


def test_top_label_ece_by_hand():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.25, 0.25, 0.5], [0.9, 0.05, 0.05]])
    y = np.array([0, 2, 2, 0])  # right, wrong, right, right
    # bins of 0.1: 0.7 right | 0.6 wrong | 0.5 right | 0.9 right -> |0.7-1| + |0.6-0| + |0.5-1| + |0.9-1|
    assert expected_calibration_error(y, probs) == pytest.approx((0.3 + 0.6 + 0.5 + 0.1) / 4)


@pytest.mark.parametrize("bins", [5, 10, 15])
def test_reliability_curve_equals_sklearn_calibration_curve(bins):
    rng = np.random.default_rng(bins)
    p = np.concatenate([rng.uniform(size=300), [0.0, 0.2, 0.4, 1.0]])  # and values on bin edges
    y = (rng.uniform(size=len(p)) < p ** 2).astype(int)
    curve = reliability_curve(y, p, bins)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy="uniform")
    assert np.allclose(curve.accuracy, prob_true) and np.allclose(curve.confidence, prob_pred)


def test_a_calibrated_model_has_a_small_ece_and_an_overconfident_one_a_large_one():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=5000)
    y = (rng.uniform(size=5000) < p).astype(int)  # the probabilities are the truth
    assert expected_calibration_error(y, p) < 0.03
    overconfident = np.where(p > 0.5, 0.99, 0.01)
    assert expected_calibration_error(y, overconfident) > 0.2


@pytest.mark.parametrize("task, outputs", [("multiclass", 3), ("binary_logit", 1), ("ordinal", 5)])
def test_temperature_scaling_finds_the_temperature_that_made_logits_overconfident(task, outputs):
    rng = np.random.default_rng(1)
    honest = rng.normal(0, 1.5, (4000, outputs))
    probs = scaled_probabilities(honest, task)
    y = np.array([rng.choice(probs.shape[1], p=row / row.sum()) for row in probs])  # drawn from the honest probabilities
    temperature = fit_temperature(honest * 3.0, y, task)  # the model says 3x the honest logits
    assert temperature == pytest.approx(3.0, rel=0.1)
    before = expected_calibration_error(y, scaled_probabilities(honest * 3.0, task))
    after = expected_calibration_error(y, scaled_probabilities(honest * 3.0, task, temperature))
    assert after < before / 2
    assert (negative_log_likelihood(honest * 3.0, y, task, temperature)
            < negative_log_likelihood(honest * 3.0, y, task))


def test_temperature_keeps_the_predicted_class():
    logits = np.random.default_rng(2).normal(size=(50, 4))
    assert (scaled_probabilities(logits, "multiclass", 2.5).argmax(1) == logits.argmax(1)).all()
    with pytest.raises(ValueError, match="temperature"):
        scaled_probabilities(logits, "multiclass", 0.0)
    assert calibration.TEMPERATURE_RANGE[0] < fit_temperature(logits, logits.argmax(1), "multiclass") <= calibration.TEMPERATURE_RANGE[1]
