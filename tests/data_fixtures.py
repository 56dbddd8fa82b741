"""Session-scoped synthetic datasets for the data tests (small images, a few per class).

Register with ``pytest_plugins = ["tests.data_fixtures"]`` in tests/conftest.py, or import them:
``from tests.data_fixtures import *``.  Tests that modify a dataset first copy it with
``copy_dataset(root, tmp_path)``; the session copies stay untouched.
"""
import shutil
from pathlib import Path

import numpy as np
import pytest

from paddle_models.data import synthetic

__all__ = [
    "pm_root", "pm_csv_root", "ddr_root", "aptos_root", "image_folder_root", "pm_archives",
    "real_size_jpeg", "copy_dataset", "DDR_TRAIN_COUNTS", "DDR_UNGRADABLE", "PM_PER_CLASS",
]

PM_PER_CLASS = 6
DDR_TRAIN_COUNTS = [6, 3, 3, 2, 2]  # imbalanced, like the real DDR
DDR_UNGRADABLE = 2


def copy_dataset(root: Path, tmp_path: Path) -> Path:
    """A private copy of a session dataset that a test may damage."""
    target = Path(tmp_path) / Path(root).name
    shutil.copytree(root, target)
    return target


@pytest.fixture(scope="session")
def pm_root(tmp_path_factory) -> Path:
    """iChallenge-PM, nested training folder, xlsx and labels.csv, all three splits, 160 px wide."""
    root = tmp_path_factory.mktemp("data") / "palm"
    return synthetic.make_synthetic_ichallenge_pm(root, per_class=PM_PER_CLASS, image_size=160,
                                                  label_format="both", seed=0)


@pytest.fixture(scope="session")
def pm_csv_root(tmp_path_factory) -> Path:
    """iChallenge-PM with a flat training folder and only labels.csv (the course's conversion)."""
    root = tmp_path_factory.mktemp("data") / "palm_csv"
    return synthetic.make_synthetic_ichallenge_pm(root, per_class=3, image_size=128, nested=False,
                                                  label_format="csv", splits=("train", "valid"), seed=1)


@pytest.fixture(scope="session")
def ddr_root(tmp_path_factory) -> Path:
    """DDR with imbalanced grades and ungradable images, three splits, up to 160 px wide."""
    root = tmp_path_factory.mktemp("data") / "ddr"
    return synthetic.make_synthetic_ddr(root, per_class=DDR_TRAIN_COUNTS, image_size=160,
                                        ungradable=DDR_UNGRADABLE, seed=0)


@pytest.fixture(scope="session")
def aptos_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("data") / "aptos"
    return synthetic.make_synthetic_aptos(root, per_class=2, image_size=128, test_images=3, seed=0)


@pytest.fixture(scope="session")
def image_folder_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("data") / "folders"
    return synthetic.make_synthetic_image_folder(root, per_class=3, image_size=128, seed=0)


@pytest.fixture(scope="session")
def pm_archives(tmp_path_factory) -> Path:
    """A folder with training.zip, validation.zip, valid_gt.zip as distributed (nested zip inside)."""
    folder = tmp_path_factory.mktemp("archives")
    synthetic.make_synthetic_ichallenge_pm_archives(folder, per_class=3, image_size=128, seed=3)
    return folder


@pytest.fixture(scope="session")
def real_size_jpeg(tmp_path_factory) -> Path:
    """One 2124x2056 synthetic fundus JPEG, the size of an iChallenge-PM photograph."""
    path = tmp_path_factory.mktemp("real") / "P0001.jpg"
    image, _ = synthetic.synthetic_fundus(np.random.default_rng(0), *synthetic.PALM_SIZE, myopia="pathologic")
    synthetic.write_image(path, image)
    return path
