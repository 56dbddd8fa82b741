"""MedMNIST's file naming, shared by the RetinaMNIST reader and its synthetic writer.

One ``.npz`` per image size: 28 -> ``retinamnist.npz``, 64 -> ``retinamnist_64.npz``, ...; inside it,
arrays named by MedMNIST's split prefixes (``train_images``, ``val_labels``, ...).
"""
from __future__ import annotations

from ..errors import WrongValueError

SIZES = (28, 64, 128, 224)
SPLIT_PREFIX = {"train": "train", "valid": "val", "test": "test"}  # our split name -> MedMNIST's


def file_name(size: int) -> str:
    """28 -> 'retinamnist.npz'; 64 -> 'retinamnist_64.npz' (MedMNIST's naming)."""
    if size not in SIZES:
        raise WrongValueError(f"RetinaMNIST comes in sizes {list(SIZES)}, not {size}")
    return "retinamnist.npz" if size == 28 else f"retinamnist_{size}.npz"
