"""A fixed, seeded, stratified subset: the same few images every run, in the same class proportions.

Quick experiments train on a fraction of the data.  Comparing two models is only fair if both see
the *same* fraction, so the subset depends on the seed alone, and every class keeps its share.
"""
from __future__ import annotations

from typing import Union

import numpy as np


def stratified_subset(labels, size: Union[int, float], seed: int = 0) -> np.ndarray:
    """Sorted indices of a stratified random subset of ``labels``.

    ``size`` is a number of samples (int) or a fraction of them (float in (0, 1]).  Each class gets
    its proportional share (largest remainders get the leftover places); which samples of a class
    are taken depends only on ``seed``.  Unlabeled samples (-1) form one group of their own.
    """
    labels = np.asarray(labels)
    total = len(labels)
    count = _subset_count(size, total)
    classes, class_sizes = np.unique(labels, return_counts=True)
    exact_shares = count * class_sizes / total
    quotas = np.floor(exact_shares).astype(int)
    leftover = count - quotas.sum()
    by_remainder = np.argsort(-(exact_shares - quotas), kind="stable")
    quotas[by_remainder[:leftover]] += 1

    rng = np.random.default_rng(seed)
    chosen = []
    for label, quota in zip(classes, quotas):
        members = np.flatnonzero(labels == label)
        chosen.append(rng.permutation(members)[:quota])
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)


def _subset_count(size: Union[int, float], total: int) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)):
        raise TypeError(f"subset must be an int (a count) or a float (a fraction), got {size!r}")
    if isinstance(size, (float, np.floating)):
        if not 0 < size <= 1:
            raise ValueError(f"a fractional subset must be in (0, 1], got {size}")
        return max(1, int(round(size * total)))
    if not 1 <= size <= total:
        raise ValueError(f"subset={size} but the split has {total} samples; use 1..{total}")
    return int(size)


def train_valid_split(dataset, valid_fraction: float = 0.2, seed: int = 0):
    """Split a dataset without a validation split (APTOS, ImageFolder) into (train, valid).

    Stratified and seeded like ``stratified_subset``; the validation part gets no augmentation.
    """
    valid_indices = stratified_subset(dataset.labels, valid_fraction, seed)
    train_indices = np.setdiff1d(np.arange(len(dataset)), valid_indices)
    train, valid = dataset.select(train_indices), dataset.select(valid_indices)
    valid.augment = None
    return train, valid
