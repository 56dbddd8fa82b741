"""A fixed, seeded, stratified subset: the same few images every run, in the same class proportions.

Quick experiments train on a fraction of the data.  Comparing two models is only fair if both see
the *same* fraction, so the subset depends on the seed alone, and every class keeps its share.
"""
from __future__ import annotations

import csv
import warnings
from pathlib import Path
from typing import Union

import numpy as np

from ..errors import WrongValueError
from ..files import write_csv
from .errors import DegenerateDatasetError


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
            raise WrongValueError(f"a fractional subset must be in (0, 1], got {size}")
        return max(1, int(round(size * total)))
    if not 1 <= size <= total:
        raise WrongValueError(f"subset={size} but the split has {total} samples; use 1..{total}")
    return int(size)


def train_valid_split(dataset, valid_fraction: float = 0.2, seed: int = 0):
    """Split a dataset without a validation split (APTOS, ImageFolder) into (train, valid).

    Stratified and seeded like ``stratified_subset``; the validation part gets no augmentation.
    """
    valid_indices = stratified_subset(dataset.labels, valid_fraction, seed)
    train_indices = np.setdiff1d(np.arange(len(dataset)), valid_indices)
    if len(train_indices) == 0:
        most = f"at most {(len(dataset) - 1) / len(dataset):.2f}" if len(dataset) > 1 else "more images"
        raise DegenerateDatasetError(f"valid_fraction={valid_fraction} of the {len(dataset)} training image(s) "
                                     f"under {dataset.root} leaves none to train on: use a smaller "
                                     f"valid_fraction=... ({most} here)")
    train, valid = dataset.select(train_indices), dataset.select(valid_indices)
    valid.augment = None
    return train, valid


# The split file: one line per image, ``<image path relative to the dataset root>,<train|valid>``.
SPLIT_FILE_HEADER = ("image", "split")


def save_split(path, train, valid) -> Path:
    """Write which images are in ``train`` and which in ``valid`` to a CSV file; returns its path.

    Paths are stored relative to the datasets' root, so the file stays valid when the data moves.
    """
    rows = [(_relative(image, part.root), name) for name, part in (("train", train), ("valid", valid))
            for image, _ in part.samples]
    return write_csv(path, SPLIT_FILE_HEADER, rows)  # atomic and checked


def load_split(path, dataset):
    """(train, valid) parts of ``dataset`` as listed in a split file written by ``save_split``.

    Every listed image must be in ``dataset`` (a clear error names the file and line otherwise); an
    image of ``dataset`` that the file does not list is an error too: the file was made for other data.
    """
    path = Path(path)
    position = {_relative(image, dataset.root): i for i, (image, _) in enumerate(dataset.samples)}
    parts = {"train": [], "valid": []}
    with open(path, newline="") as file:
        rows = csv.reader(file)
        if tuple(next(rows, ())) != SPLIT_FILE_HEADER:
            raise WrongValueError(f"{path}, line 1: a split file starts with 'image,split'; write one with save_split")
        for line, row in enumerate(rows, start=2):
            if len(row) != 2 or row[1] not in parts:
                raise WrongValueError(f"{path}, line {line}: expected '<image>,train' or '<image>,valid', got {row}")
            if row[0] not in position:
                raise WrongValueError(f"{path}, line {line}: {row[0]} is not in the dataset under {dataset.root}; "
                                 "delete the split file to make a new one for this data")
            parts[row[1]].append(position.pop(row[0]))
    if position:
        raise WrongValueError(f"{path}: {len(position)} images of the dataset are not listed (e.g. "
                         f"{next(iter(position))}); delete the split file to make a new one for this data")
    train, valid = dataset.select(sorted(parts["train"])), dataset.select(sorted(parts["valid"]))
    valid.augment = None
    return train, valid


def split_with_file(dataset, path, valid_fraction: float = 0.2, seed: int = 0):
    """(train, valid) from the split file at ``path``; the first call makes it with ``train_valid_split``.

    Every later run -- tomorrow's, another model's, another preprocessing's -- reads the same file, so
    no image moves from validation to training between runs (a *leak* that inflates the scores).
    """
    if Path(path).exists():
        train, valid = load_split(path, dataset)
        total = max(1, len(train) + len(valid))
        share = len(valid) / total
        if abs(share - valid_fraction) > max(0.02, 1 / total):
            warnings.warn(f"{path} holds {share:.0%} of the images for validation: it wins over "
                          f"valid_fraction={valid_fraction}. Delete the file, or name another, for a new split",
                          UserWarning, stacklevel=2)
        return train, valid
    train, valid = train_valid_split(dataset, valid_fraction, seed)
    save_split(path, train, valid)
    return train, valid


def _relative(image, root) -> str:
    image = Path(image)
    try:
        return image.relative_to(root).as_posix() if root is not None else image.as_posix()
    except ValueError:
        return image.as_posix()
