"""Ensembles: several models vote, and the errors of one are outvoted by the others.

Two ways to combine C-class predictions of M models for N images:

* ``average_probs``  -- the mean (optionally weighted) of the probability matrices [N, C]; the
  predicted class is the argmax of the mean.  Keeps each model's confidence.
* ``majority_vote``  -- each model votes for its argmax class; the class with most votes wins.
  **Tie-break**: among the tied classes, the one with the highest mean probability (when the
  members' probabilities are given); with bare labels, the lowest class index (``np.argmax``).

``Ensemble(members)`` runs every member on the same images.  Each member preprocesses the images
*its own way* (its saved ``PreprocessConfig``), so models trained at different input sizes combine.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np

from ..errors import WrongValueError
from .predictor import BasePredictor, DygraphPredictor, PredictionResult, Predictor


def _stack(arrays: Sequence, ndim: int, what: str) -> np.ndarray:
    if len(arrays) == 0:
        raise ValueError(f"need at least one {what}")
    stacked = np.stack([np.asarray(a) for a in arrays])  # [M, N(, C)]; fails if the shapes differ
    if stacked.ndim != ndim + 1:
        raise ValueError(f"expected {what} with {ndim} dimension(s), got shape {stacked.shape[1:]}")
    return stacked


def average_probs(probs_list: Sequence[np.ndarray], weights: Optional[Sequence[float]] = None) -> np.ndarray:
    """Mean of M probability matrices [N, C] -> [N, C]; ``weights`` (M numbers) give a weighted mean."""
    probs = _stack(probs_list, 2, "probability matrix [N, C]").astype(np.float64)  # [M, N, C]
    if weights is None:
        return probs.mean(axis=0)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(probs),) or weights.sum() <= 0:
        raise ValueError(f"need {len(probs)} non-negative weights with a positive sum, got {weights}")
    return np.tensordot(weights / weights.sum(), probs, axes=1)  # sum_m w_m * probs_m


def majority_vote(predictions: Sequence[np.ndarray], num_classes: Optional[int] = None) -> np.ndarray:
    """Most-voted class per image -> int64 [N].

    predictions: M probability matrices [N, C] (each votes for its argmax; ties are broken by the
    highest mean probability) or M label arrays [N] (ties go to the lowest class index).
    """
    first = np.asarray(predictions[0]) if len(predictions) else None
    if first is not None and first.ndim == 2:
        probs = _stack(predictions, 2, "probability matrix [N, C]")  # [M, N, C]
        labels, num_classes = probs.argmax(axis=2), probs.shape[2]
        tie_break = probs.mean(axis=0)  # [N, C]
    else:
        labels = _stack(predictions, 1, "label array [N]").astype(np.int64)  # [M, N]
        num_classes = num_classes or int(labels.max()) + 1
        tie_break = np.zeros((labels.shape[1], num_classes))  # no information: lowest index wins
    votes = np.zeros((labels.shape[1], num_classes), np.int64)  # [N, C]
    for member_labels in labels:
        votes[np.arange(len(member_labels)), member_labels] += 1
    is_top = votes == votes.max(axis=1, keepdims=True)  # the tied leaders
    return np.where(is_top, tie_break, -np.inf).argmax(axis=1).astype(np.int64)


def as_member(member) -> BasePredictor:
    """A Predictor, an export prefix, a dygraph model, or a (model, meta) pair -> a predictor."""
    if isinstance(member, BasePredictor):
        return member
    if isinstance(member, (str, Path)):
        return Predictor(member)
    if isinstance(member, tuple) and len(member) == 2:
        return DygraphPredictor(*member)
    return DygraphPredictor(member)


class Ensemble:
    """Several predictors on the same images, combined by ``method`` 'average' or 'vote'::

        ensemble = Ensemble(["export/resnet50", "export/convmixer"])       # exported models
        ensemble = Ensemble([(model_a, record_a), (model_b, record_b)])   # or dygraph models
        result = ensemble.predict_images(paths)      # PredictionResult; result.probs = mean probs
    """

    def __init__(self, members: Sequence, method: str = "average", weights: Optional[Sequence[float]] = None):
        if method not in ("average", "vote"):
            raise ValueError(f"method must be 'average' or 'vote', got {method!r}")
        self.members: List[BasePredictor] = [as_member(m) for m in members]
        if not self.members:
            raise ValueError("an ensemble needs at least one member")
        counts = {len(m.class_names) for m in self.members}
        if len(counts) != 1:
            raise WrongValueError(f"members predict different numbers of classes: {sorted(counts)}")
        self.method, self.weights = method, weights
        self.class_names = self.members[0].class_names

    def member_probs(self, images, batch_size: int = 8) -> List[PredictionResult]:
        """Each member's predictions for ``images``."""
        return [member.predict_images(images, batch_size) for member in self.members]

    def predict_images(self, images, batch_size: int = 8) -> PredictionResult:
        """Combined predictions: probs are the (weighted) mean; classes by mean or by vote."""
        results = self.member_probs(images, batch_size)
        probs = average_probs([r.probs for r in results], self.weights)
        if self.method == "vote":
            classes = majority_vote([r.probs for r in results])
        else:
            classes = probs.argmax(axis=1)
        return PredictionResult(probs, classes, self.class_names, results[0].files)

    def predict(self, images, batch_size: int = 8) -> PredictionResult:
        """Alias of ``predict_images``."""
        return self.predict_images(images, batch_size)
