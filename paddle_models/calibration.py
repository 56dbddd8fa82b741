"""Do the probabilities mean what they say?  Reliability diagrams, ECE and temperature scaling.

A model is *calibrated* when, of all the eyes it calls "80 % referable", about 80 % are.  Networks
trained to a low training loss are usually over-confident (Guo et al., "On Calibration of Modern
Neural Networks", ICML 2017): they say 99 % and are right 90 % of the time.  A screening tool
that reports a probability, or an "uncertain" band around its threshold, needs them to be honest.

* ``reliability_curve``  the data of a reliability diagram: sort the predictions into ``bins``
  equal-width bins of confidence; per bin, the mean confidence and the share that was right.  A
  calibrated model lies on the diagonal.  Binned as ``sklearn.calibration.calibration_curve``
  (strategy 'uniform'), which the tests check it against.
* ``expected_calibration_error`` (ECE)  the bins' |confidence - accuracy|, weighted by how many
  predictions fall in each.  Binary tasks: the probability of class 1 against the share of class 1.
  Several classes: *top-label* ECE, the confidence of the predicted class against whether it was
  right (the usual definition since Guo et al.).
* ``fit_temperature``  temperature scaling: divide the logits by one number T > 0 chosen to
  minimise the negative log-likelihood on the *validation* split (never the test split).  T > 1
  softens over-confident probabilities; the predicted class never changes (dividing by T keeps the
  order of the logits), so accuracy and AUC stay as they were.  ``scaled_probabilities`` applies it.

The temperature is recorded with the model (field ``temperature``) and applied by the predictor.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize_scalar

from .metrics import as_probs
from .tasks import to_probabilities

DEFAULT_BINS = 10
TEMPERATURE_RANGE = (0.05, 50.0)  # searched on a log scale; the fitted T lies inside


class ReliabilityCurve(NamedTuple):
    """Per non-empty bin: mean confidence, observed frequency (accuracy), number of predictions."""

    confidence: np.ndarray  # [B] mean predicted probability in the bin
    accuracy: np.ndarray  # [B] share of the bin's predictions that were right (or positive)
    counts: np.ndarray  # [B] predictions in the bin
    edges: np.ndarray  # [bins + 1] the bins' edges, 0 ... 1


def confidence_and_outcome(y_true, probs):
    """(confidence [N], outcome [N] of 0/1) as calibration sees a prediction.

    Binary: P(class 1) and whether the sample is class 1.  Several classes: the top-label view --
    the predicted class's probability and whether the prediction was right.
    """
    probs, y_true = as_probs(probs), np.asarray(y_true)
    if probs.shape[1] == 2:
        return probs[:, 1], (y_true == 1).astype(np.float64)
    return probs.max(axis=1), (probs.argmax(axis=1) == y_true).astype(np.float64)


def reliability_curve(y_true, probs, bins: int = DEFAULT_BINS) -> ReliabilityCurve:
    """The data of a reliability diagram (empty bins are left out, as scikit-learn does)."""
    confidence, outcome = confidence_and_outcome(y_true, probs)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.searchsorted(edges[1:-1], confidence)  # bin b holds (edge b, edge b+1]; 0 is in bin 0
    counts = np.bincount(which, minlength=bins)
    filled = counts > 0
    mean_confidence = np.bincount(which, weights=confidence, minlength=bins)[filled] / counts[filled]
    accuracy = np.bincount(which, weights=outcome, minlength=bins)[filled] / counts[filled]
    return ReliabilityCurve(mean_confidence, accuracy, counts[filled], edges)


def expected_calibration_error(y_true, probs, bins: int = DEFAULT_BINS) -> float:
    """ECE = sum over bins of (n_b / N) |confidence_b - accuracy_b|; 0 is perfectly calibrated."""
    curve = reliability_curve(y_true, probs, bins)
    if not curve.counts.sum():
        return float("nan")
    return float(np.sum(curve.counts * np.abs(curve.confidence - curve.accuracy)) / curve.counts.sum())


def negative_log_likelihood(logits, y_true, task: str, temperature: float = 1.0) -> float:
    """Mean -log P(true class) of the probabilities of ``logits / temperature``."""
    probs = scaled_probabilities(logits, task, temperature)
    picked = probs[np.arange(len(probs)), np.asarray(y_true, dtype=int)]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def scaled_probabilities(logits, task: str, temperature: float = 1.0) -> np.ndarray:
    """Class probabilities [N, C] of ``logits / temperature`` (``tasks.to_probabilities``)."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    return to_probabilities(np.asarray(logits, dtype=np.float64) / temperature, task)


def fit_temperature(logits, y_true, task: str) -> float:
    """The T that minimises the validation negative log-likelihood of ``logits / T`` (scipy's bounded
    scalar minimiser, on log T).  Fit on the validation split; report calibration on another one.

    When every validation image is classified right, the likelihood keeps growing as T shrinks and
    the fit stops at ``TEMPERATURE_RANGE``'s lower end: a sign that the validation set is too small or
    too easy to calibrate on, not that the model is under-confident."""
    if len(np.asarray(y_true)) == 0:
        raise ValueError("fit_temperature needs at least one labelled prediction")
    low, high = np.log(TEMPERATURE_RANGE)
    result = minimize_scalar(lambda log_t: negative_log_likelihood(logits, y_true, task, float(np.exp(log_t))),
                             bounds=(low, high), method="bounded", options={"xatol": 1e-4})
    return float(np.exp(result.x))
