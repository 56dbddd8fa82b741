"""Datasets by name, for the command line and the recipes: ``build_dataset("ddr", root, "train")``."""
from __future__ import annotations

from .aptos import APTOS
from .ddr import DDR
from .ichallenge_pm import ICHallengePM
from .image_folder import ImageFolder
from .retinamnist import RetinaMNIST

DATASETS = {
    "ichallenge_pm": ICHallengePM,
    "ddr": DDR,
    "aptos": APTOS,
    "image_folder": ImageFolder,
    "retinamnist": RetinaMNIST,
}


def list_datasets():
    """The names ``build_dataset`` accepts."""
    return sorted(DATASETS)


def build_dataset(name: str, root, split: str = "train", **options):
    """``DATASETS[name](root, split, **options)``, with a clear error for an unknown name."""
    key = name.lower().replace("-", "_")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available: {list_datasets()}")
    return DATASETS[key](root, split, **options)
