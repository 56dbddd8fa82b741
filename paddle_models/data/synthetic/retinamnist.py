"""A synthetic RetinaMNIST: MedMNIST's six arrays (train/val/test images and grades) in one ``.npz``."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence, Union

import cv2
import numpy as np

from ... import files
from ..medmnist_files import SPLIT_PREFIX, file_name
from .fundus import synthetic_fundus
from .writing import grade_counts, mark_synthetic, paint_split, painted_severities


def make_synthetic_retinamnist(
    root,
    per_class: Union[int, Sequence[int]] = 10,
    image_size: int = 28,
    seed: int = 0,
    valid_per_class: Union[None, int, Sequence[int]] = None,
    test_per_class: Union[None, int, Sequence[int]] = None,
    grade_overlap: float = 0.0,
) -> Path:
    """Write a synthetic RetinaMNIST ``.npz`` (MedMNIST's six arrays) under ``root``; returns the file.

    ``image_size`` is one of MedMNIST's sizes (28 -> retinamnist.npz, 64 -> retinamnist_64.npz, ...).
    Each photograph is painted in a square frame at 4x the size (at least 128 px) -- the disc on a
    dark frame, as MedMNIST's centre crop of the DeepDRiD photographs leaves it -- and shrunk with
    INTER_AREA.  The train split gets ``per_class`` images of every
    grade (or five counts); valid and test a third as many unless given (at least one per grade).
    ``grade_overlap`` (in grades, as for ``make_synthetic_ddr``) paints each eye at a severity
    scattered around its grade, so neighbouring grades overlap; 0 (the default) draws no extra
    random numbers, so the default file does not change.
    """
    path = Path(root) / file_name(image_size)  # raises for a size MedMNIST does not have
    counts = {"train": grade_counts(per_class, 5)}
    for split, given in (("valid", valid_per_class), ("test", test_per_class)):
        counts[split] = grade_counts(given, 5) if given is not None else [max(1, n // 3) for n in counts["train"]]
    paint_side = max(128, 4 * image_size)

    def paint(rng, number, severity):  # painted large on a dark frame, shrunk as MedMNIST shrank the photographs
        image, _ = synthetic_fundus(rng, paint_side, paint_side, dr_grade=float(severity))
        small = cv2.resize(image, (image_size, image_size), interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(small, cv2.COLOR_BGR2RGB)

    arrays = {}
    for split_number, (split, split_counts) in enumerate(counts.items()):
        labels = np.random.default_rng([seed, 40 + split_number]).permutation(np.repeat(np.arange(5), split_counts))
        severities = painted_severities(labels, grade_overlap, np.random.default_rng([seed, 50 + split_number]))
        images = np.empty((len(labels), image_size, image_size, 3), np.uint8)
        for number, image in enumerate(paint_split(severities, paint, seed, (40 + split_number,), first=0)):
            images[number] = image
        arrays[f"{SPLIT_PREFIX[split]}_images"] = images
        arrays[f"{SPLIT_PREFIX[split]}_labels"] = labels.astype(np.uint8).reshape(-1, 1)

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as file:  # an open file: np.savez would append '.npz' to a name
            np.savez_compressed(file, **arrays)

    mark_synthetic(path.parent)
    return files.atomic_write(path, write)
