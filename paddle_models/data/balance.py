"""Imbalanced classes (DDR: 3133 "no DR" images but 118 "severe" in train): two remedies.

1. Weight the loss: ``class_weights`` gives rare classes a larger weight, e.g. for
   ``paddle.nn.CrossEntropyLoss(weight=paddle.to_tensor(weights))``.
2. Sample differently: ``balanced_sampler`` draws rare images more often, so batches are balanced
   (``paddle.io.WeightedRandomSampler``); ``balanced_batch_sampler`` wraps it for ``DataLoader``.

Use one or the other, not both: together they over-correct.  ``power`` interpolates between no
correction (0), square-root balancing (0.5) and full balancing (1).
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import paddle

from ..errors import WrongValueError


def class_weights(labels, num_classes: int, power: float = 1.0) -> np.ndarray:
    """Per-class weights proportional to count**-power, scaled so the average sample weight is 1.

    With power=1 this is scikit-learn's "balanced" weighting, N / (num_classes * count).
    A class without samples gets weight 0.  Unlabeled samples (-1) are ignored.

    >>> class_weights([0, 0, 0, 1], 2)
    array([0.6666667, 2.       ], dtype=float32)
    """
    labels = np.asarray(labels)
    labels = labels[labels >= 0]
    counts = np.bincount(labels, minlength=num_classes)[:num_classes].astype(np.float64)
    weights = np.zeros(num_classes)
    present = counts > 0
    weights[present] = counts[present] ** -power
    weights *= len(labels) / (weights * counts).sum()  # mean weight over the samples = 1
    return weights.astype(np.float32)


def sample_weights(labels, num_classes: int, power: float = 1.0) -> np.ndarray:
    """The weight of each sample: the weight of its class (for WeightedRandomSampler)."""
    labels = np.asarray(labels)
    if (labels < 0).any():
        raise WrongValueError("cannot balance an unlabeled split (labels -1)")
    return class_weights(labels, num_classes, power)[labels].astype(np.float64)


def balanced_sampler(labels, num_classes: int, power: float = 1.0,
                     num_samples: Optional[int] = None) -> paddle.io.WeightedRandomSampler:
    """Draws ``num_samples`` indices (default: one epoch) with replacement, rare classes more often.

    With power=1 every class is drawn equally often on average.  It uses numpy's global random
    state, so ``np.random.seed`` makes it repeatable.
    """
    weights = sample_weights(labels, num_classes, power)
    return paddle.io.WeightedRandomSampler(weights, num_samples or len(weights), replacement=True)


def balanced_batch_sampler(labels, num_classes: int, batch_size: int, power: float = 1.0,
                           num_samples: Optional[int] = None,
                           drop_last: bool = False) -> paddle.io.BatchSampler:
    """Batches from ``balanced_sampler``: ``DataLoader(dataset, batch_sampler=...)``."""
    sampler = balanced_sampler(labels, num_classes, power, num_samples)
    return paddle.io.BatchSampler(sampler=sampler, batch_size=batch_size, drop_last=drop_last)
