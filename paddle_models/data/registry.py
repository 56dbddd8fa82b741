"""Datasets by name, for the command line and the recipes: ``build_dataset("ddr", root, "train")``.

This is the one place dataset names are normalised: ``canonical_name("iChallenge-PM")`` is
``"ichallenge_pm"``.  Everything else asks the reader class what it needs to know (its splits,
whether it has a validation split, the kind of labels) through ``dataset_class(name)``.

Each reader declares itself once, in its own module: its ``name`` and ``aliases``, its
``location`` (where ``locate_dataset`` looks), its ``preparer`` (unpacking its archives) and its
``write_synthetic``.  ``READERS`` lists the reader classes; every table below is derived from it,
so a new dataset is one reader module plus one line here.
"""
from __future__ import annotations

from typing import Callable, Dict

from ..errors import UserError, WrongValueError, did_you_mean
from .aptos import APTOS
from .ddr import DDR
from .ichallenge_pm import ICHallengePM
from .image_folder import ImageFolder
from .layout import Layout, Preparer
from .retinamnist import RetinaMNIST

READERS = (ICHallengePM, DDR, APTOS, ImageFolder, RetinaMNIST)

DATASETS = {reader.name: reader for reader in READERS}
ALIASES = {alias: reader.name for reader in READERS for alias in reader.aliases}  # other spellings people use
LAYOUTS: Dict[str, Layout] = {reader.name: reader.location for reader in READERS if reader.location}
PREPARERS: Dict[str, Preparer] = {reader.name: reader.preparer for reader in READERS if reader.preparer}
SYNTHETIC_WRITERS: Dict[str, Callable] = {reader.name: reader.write_synthetic for reader in READERS
                                          if reader.write_synthetic}


def canonical_name(name: str) -> str:
    """'iChallenge-PM', 'ichallenge pm', 'PALM' -> 'ichallenge_pm'; an unknown name is an error."""
    key = normalize_name(name)
    if key not in DATASETS:
        raise WrongValueError(f"unknown dataset {name!r}{did_you_mean(key, list_datasets())}; available: "
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


def synthetic_writer(name: str) -> Callable:
    """The function writing a synthetic copy of dataset ``name`` in its layout (``make_synthetic_*``)."""
    key = canonical_name(name)
    if key not in SYNTHETIC_WRITERS:
        raise UserError(f"no synthetic writer for dataset {name!r}; available: {', '.join(sorted(SYNTHETIC_WRITERS))}")
    return SYNTHETIC_WRITERS[key]
