"""Ordinal regression targets: DR grades are ordered, so predict "grade >= k" for every k.

A 5-grade label becomes 5 binary targets, column k meaning "grade >= k" (column 0 is always 1)::

    grade 0 -> [1, 0, 0, 0, 0]
    grade 2 -> [1, 1, 1, 0, 0]
    grade 4 -> [1, 1, 1, 1, 1]

A model with 5 outputs is trained with sigmoid binary cross-entropy on these targets.  Mistaking
grade 4 for grade 0 then costs four wrong columns, grade 4 for grade 3 only one -- the loss knows
that the classes are ordered, as the quadratic kappa metric does.
"""
from __future__ import annotations

import numpy as np

from ..errors import WrongValueError


def ordinal_encode(labels, num_classes: int) -> np.ndarray:
    """Integer grades [N] -> float32 targets [N, num_classes], column k = (grade >= k)."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise WrongValueError(f"labels must be in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}")
    thresholds = np.arange(num_classes)  # [K]
    return (labels[:, None] >= thresholds[None, :]).astype(np.float32)  # [N, K]


def ordinal_decode(probabilities, threshold: float = 0.5) -> np.ndarray:
    """Sigmoid outputs [N, K] -> grades [N]: how many of columns 1..K-1 pass ``threshold`` in a row.

    Counting stops at the first column below the threshold, so [1, .9, .2, .8, .1] decodes to 1.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    passed = probabilities[:, 1:] > threshold  # [N, K-1], column 0 ("grade >= 0") carries no information
    return np.cumprod(passed, axis=1).sum(axis=1).astype(np.int64)


def ordinal_to_class_probs(probabilities) -> np.ndarray:
    """Sigmoid outputs [N, K] ("grade >= k") -> class probabilities [N, K] (rows sum to 1).

    P(grade = k) = P(grade >= k) - P(grade >= k+1), with P(grade >= 0) = 1; the cumulative
    probabilities are first made non-increasing so no class gets a negative probability.
    """
    cumulative = np.asarray(probabilities, dtype=np.float64).copy()
    cumulative[:, 0] = 1.0
    cumulative = np.minimum.accumulate(cumulative, axis=1)  # enforce P(>=k) >= P(>=k+1)
    next_column = np.concatenate([cumulative[:, 1:], np.zeros((len(cumulative), 1))], axis=1)
    return (cumulative - next_column).astype(np.float32)  # [N, K]
