"""Datasets by name, for the command line and the recipes: ``build_dataset("ddr", root, "train")``.

This is the one place dataset names are normalised: ``canonical_name("iChallenge-PM")`` is
``"ichallenge_pm"``.  Everything else asks the reader class what it needs to know (its splits,
whether it has a validation split, the kind of labels) through ``dataset_class(name)``.
"""
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


# Other spellings people use for the same datasets.
ALIASES = {"palm": "ichallenge_pm", "ichallengepm": "ichallenge_pm", "imagefolder": "image_folder",
           "folder": "image_folder", "aptos2019": "aptos"}


def canonical_name(name: str) -> str:
    """'iChallenge-PM', 'ichallenge pm', 'PALM' -> 'ichallenge_pm'; an unknown name is an error."""
    key = normalize_name(name)
    if key not in DATASETS:
        from ..errors import did_you_mean

        raise ValueError(f"unknown dataset {name!r}{did_you_mean(key, list_datasets())}; available: "
                         f"{', '.join(list_datasets())}")
    return key


def dataset_class(name: str):
    """The reader class registered under ``name`` (any spelling ``canonical_name`` accepts)."""
    return DATASETS[canonical_name(name)]


def list_datasets():
    """The names ``build_dataset`` accepts."""
    return sorted(DATASETS)


def normalize_name(name: str) -> str:
    """A dataset name as the project spells it: 'iChallenge-PM' -> 'ichallenge_pm', 'DDR' -> 'ddr',
    'PALM' -> 'ichallenge_pm' (without checking that it is registered: ``canonical_name`` does)."""
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(key, key)


def build_dataset(name: str, root, split: str = "train", **options):
    """``DATASETS[name](root, split, **options)``, with a clear error for an unknown name."""
    return dataset_class(name)(root, split, **options)
