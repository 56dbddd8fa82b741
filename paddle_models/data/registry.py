"""Datasets by name, for the command line and the recipes: ``build_dataset("ddr", root, "train")``."""
from __future__ import annotations

from .aptos import APTOS
from .ddr import DDR
from .ichallenge_pm import ICHallengePM
from .image_folder import ImageFolder

DATASETS = {
    "ichallenge_pm": ICHallengePM,
    "ddr": DDR,
    "aptos": APTOS,
    "image_folder": ImageFolder,
}


def list_datasets():
    """The names ``build_dataset`` accepts."""
    return sorted(DATASETS)


def normalize_name(name: str) -> str:
    """A dataset name as the project spells it: 'iChallenge-PM' -> 'ichallenge_pm', 'DDR' -> 'ddr'.

    The one place names are normalised (the registry, data location, preparation).
    """
    return str(name).strip().lower().replace("-", "_")


def build_dataset(name: str, root, split: str = "train", **options):
    """``DATASETS[name](root, split, **options)``, with a clear error for an unknown name."""
    key = normalize_name(name)
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available: {list_datasets()}")
    return DATASETS[key](root, split, **options)
