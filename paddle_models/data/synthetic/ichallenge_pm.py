"""A synthetic iChallenge-PM (PALM) in the official layout, and its archives as distributed.

    PALM-Training400/PALM-Training400/P0001.jpg, H0001.jpg, N0001.jpg ...   (the name is the label)
    PALM-Validation400/V0001.jpg ...
    PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx (and/or labels.csv)
    PALM-Testing400-Images/T0001.jpg ...                                      (unlabeled)

Difficulty controls (the defaults give the plain images, and only a control that is switched on
draws extra random numbers, so the default datasets do not change):

    pm_signal     0..1, how strong the PM signs are (tessellation, crescent size, patches): 1 as
                  above; 0.3 a subtle crescent that is much harder to see at 64x64
    label_noise   share of *training* images filed under the wrong class (P <-> H/N): wrong labels
                  a model can only memorise (validation and test labels stay correct)
    illumination  0..1, uneven lighting: a random brightness gradient across the field
    color_cast    0..1, a random colour balance per image (camera white balance)
    blur          0..1, random defocus up to ``blur`` x 2% of the field radius
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Dict, Sequence, Tuple, Union

import numpy as np

from ... import files
from .fundus import synthetic_fundus
from .writing import Photo, frame_size, mark_synthetic, write_split, zip_folder

PM_TABLE_COLUMNS = ("ID", "imgName", "Label", "Fovea_X", "Fovea_Y")
PREFIXES = {"pathologic": "P", "high": "H", "normal": "N"}  # a training image's name starts with its class


def make_synthetic_ichallenge_pm(
    root,
    per_class: int = 10,
    image_size: Union[int, str, Tuple[int, int]] = 512,
    seed: int = 0,
    splits: Sequence[str] = ("train", "valid", "test"),
    nested: bool = True,
    label_format: str = "xlsx",
    quality: int = 92,
    pm_signal: float = 1.0,
    label_noise: float = 0.0,
    illumination: float = 0.0,
    color_cast: float = 0.0,
    blur: float = 0.0,
) -> Path:
    """Write a synthetic iChallenge-PM in the official layout under ``root``; returns ``root``.

    Each split gets ``per_class`` PM images and ``per_class`` non-PM images (half high myopia 'H',
    half normal 'N').  Training files are P0001.jpg, H0001.jpg, N0001.jpg ...; validation files
    V0001.jpg ... with labels in PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx
    (``label_format`` 'xlsx', 'csv' for labels.csv, or 'both'); test files T0001.jpg, unlabeled.
    ``nested`` puts training images in PALM-Training400/PALM-Training400/ as the nested zip does.
    ``pm_signal``, ``label_noise``, ``illumination``, ``color_cast``, ``blur``: the difficulty
    controls of the module docstring (defaults: none).
    """
    if label_format not in ("xlsx", "csv", "both"):
        raise ValueError(f"label_format must be 'xlsx', 'csv' or 'both', got {label_format!r}")
    if not 0.0 <= label_noise <= 1.0 or not 0.0 <= pm_signal <= 1.0:
        raise ValueError(f"label_noise and pm_signal must lie in 0..1, got {label_noise}, {pm_signal}")
    nuisance = {"illumination": illumination, "color_cast": color_cast, "blur": blur}
    root = Path(root)
    width, height = frame_size(image_size)
    kinds = ["pathologic"] * per_class + ["high"] * ((per_class + 1) // 2) + ["normal"] * (per_class // 2)
    for split_number, split in enumerate(("train", "valid", "test")):
        if split not in splits:
            continue
        order = np.random.default_rng([seed, split_number]).permutation(len(kinds))
        flipped = np.zeros(len(kinds), bool)
        if split == "train" and label_noise:  # wrong labels for a share of the training images
            flipped = np.random.default_rng([seed, split_number, 99]).uniform(size=len(kinds)) < label_noise
        counters = {"P": 0, "H": 0, "N": 0}

        def paint(rng, number, kind):
            image, eye = synthetic_fundus(rng, width, height, kind, pm_signal=pm_signal, nuisance=nuisance)
            if split == "train":
                prefix = PREFIXES[kind]
                if flipped[number - 1]:
                    prefix = "H" if kind == "pathologic" else "P"
                counters[prefix] += 1
                folder = Path("PALM-Training400") / ("PALM-Training400" if nested else "")
                return Photo(folder / f"{prefix}{counters[prefix]:04d}.jpg", image)
            if split == "valid":
                name = f"V{number:04d}.jpg"
                fovea = (round(eye.macula[0], 2), round(eye.macula[1], 2))
                return Photo(Path("PALM-Validation400") / name, image, (number, name, int(kind == "pathologic"), *fovea))
            return Photo(Path("PALM-Testing400-Images") / f"T{number:04d}.jpg", image)

        rows = write_split(root, [kinds[index] for index in order], paint, seed, (split_number,), quality)
        if split == "valid":
            write_pm_label_table(root / "PALM-Validation-GT", rows, label_format)
    mark_synthetic(root)
    return root


def write_pm_label_table(folder: Path, rows, label_format: str = "xlsx") -> None:
    """PM_Label_and_Fovea_Location.xlsx and/or labels.csv with columns ID, imgName, Label, Fovea_X, Fovea_Y."""
    folder.mkdir(parents=True, exist_ok=True)
    if label_format in ("xlsx", "both"):
        import openpyxl  # here, not at the top: it takes a while to load and only this writer needs it

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(PM_TABLE_COLUMNS)
        for row in rows:
            sheet.append(list(row))
        files.atomic_write(folder / "PM_Label_and_Fovea_Location.xlsx", workbook.save)
    if label_format in ("csv", "both"):
        files.write_csv(folder / "labels.csv", PM_TABLE_COLUMNS, rows)


def make_synthetic_ichallenge_pm_archives(
    out_dir,
    per_class: int = 10,
    image_size: Union[int, str, Tuple[int, int]] = 512,
    seed: int = 0,
) -> Dict[str, Path]:
    """Write training.zip, validation.zip and valid_gt.zip as iChallenge-PM is distributed.

    training.zip holds PALM-Training400/PALM-Training400.zip (a zip inside the zip, which in turn
    holds PALM-Training400/*.jpg); validation.zip holds PALM-Validation400/*.jpg; valid_gt.zip
    holds PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx.  For testing ``prepare_ichallenge_pm``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="synthetic_palm_"))
    try:
        make_synthetic_ichallenge_pm(staging, per_class, image_size, seed, splits=("train", "valid"), nested=False)
        inner = staging / "inner" / "PALM-Training400" / "PALM-Training400.zip"
        inner.parent.mkdir(parents=True)
        zip_folder(inner, staging, "PALM-Training400")
        archives = {
            "training.zip": zip_folder(out_dir / "training.zip", staging / "inner", "PALM-Training400"),
            "validation.zip": zip_folder(out_dir / "validation.zip", staging, "PALM-Validation400"),
            "valid_gt.zip": zip_folder(out_dir / "valid_gt.zip", staging, "PALM-Validation-GT"),
        }
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return archives
