"""APTOS 2019 Blindness Detection (Kaggle): diabetic retinopathy grades 0-4 from ``train.csv``.

Layout::

    <root>/train.csv          columns id_code,diagnosis   (diagnosis = DR grade 0-4)
    <root>/train_images/<id_code>.png
    <root>/test.csv           column id_code (no labels; optional)
    <root>/test_images/<id_code>.png

The competition metric is the quadratic weighted kappa.  Ben Graham's preprocessing
(``PreprocessConfig(ben_graham=True, circular_mask=True)``) comes from the same community.

The photographs come from many clinics and cameras, framed in four ways (``crop_type`` tells them
apart): the full circle on a wider dark frame, the circle clipped at top and bottom, a square cut
from inside the circle (no dark frame at all), and odd aspect ratios.  A plain resize stretches
each differently; cropping the dark border and padding to a square gives every eye the same shape.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .base import UNLABELED, FundusDataset, normalize_split
from .ddr import GRADE_NAMES
from .errors import missing_layout_error
from .layout import Layout
from .synthetic.aptos import make_synthetic_aptos
from .tables import parse_int, read_table, row_error, rows_to_samples

LAYOUT = """\
<root>/
  train.csv                 id_code,diagnosis   (diagnosis: DR grade 0-4)
  train_images/             <id_code>.png
  test.csv                  id_code             (optional, no labels)
  test_images/              <id_code>.png
"""


CROP_TYPES = ("full_circle", "clipped", "square", "odd_aspect")


def crop_type(image: np.ndarray, tolerance: int = 10) -> str:
    """Which of the four APTOS framings a BGR (or RGB) uint8 photograph has (``CROP_TYPES``).

    A pixel belongs to the fundus when its brightest channel exceeds ``tolerance``.  No dark frame
    at all: 'square'; fundus reaching the top and bottom rows: 'clipped'; a frame wider than 1.7:1
    (or taller than 1:1.4): 'odd_aspect'; otherwise the whole circle is visible: 'full_circle'.
    """
    height, width = image.shape[:2]
    bright = cv2.max(cv2.max(image[:, :, 0], image[:, :, 1]), image[:, :, 2]) > tolerance  # [H, W]
    if bright.mean() > 0.97:
        return "square"
    if min(bright[0].mean(), bright[-1].mean()) > 0.2:
        return "clipped"
    if not 0.7 <= width / height <= 1.7:
        return "odd_aspect"
    return "full_circle"


class APTOS(FundusDataset):
    """APTOS 2019: ``split`` is 'train' (labelled, grades 0-4) or 'test' (unlabeled, labels -1).

    Other keywords: see FundusDataset.  There is no official validation split: experiments hold out a
    stratified, seeded share of 'train' (``train_valid_split``).
    """

    name = "aptos"
    aliases = ("aptos2019",)
    location = Layout("APTOS2019", "aptos2019", (("train.csv", "train_images"),))  # no preparer: unzipped by hand
    write_synthetic = staticmethod(make_synthetic_aptos)
    label_kind = "grades"
    splits = ("train", "test")
    labelled_splits = ("train",)
    validation_split = None  # hold out a share of train

    def __init__(self, root, split: str = "train", *, image_extension: str = ".png", **options):
        root = Path(root)
        split = normalize_split(split, allowed=self.splits)
        self.label_file = root / f"{split}.csv"
        self.image_folder = root / f"{split}_images"
        if not self.label_file.is_file():
            raise missing_layout_error(f"APTOS label file for split {split!r}", self.label_file, LAYOUT)
        if not self.image_folder.is_dir():
            raise missing_layout_error(f"APTOS image folder for split {split!r}", self.image_folder, LAYOUT)
        labelled = split == "train"
        required = ("id_code", "diagnosis") if labelled else ("id_code",)
        found = rows_to_samples(read_table(self.label_file, required), self._row_parser(labelled),
                                self.label_file, lambda id_code: self.image_folder / f"{id_code}{image_extension}")
        super().__init__(found.samples, GRADE_NAMES, root=root, split=split, bad_samples=found.bad,
                         listed_at=found.listed_at, **options)

    @staticmethod
    def _row_parser(labelled: bool):
        """row -> (id_code, grade 0-4, or UNLABELED for the test split)."""
        def parse(row):
            id_code = str(row["id_code"] or "").strip()
            if not id_code:
                raise row_error("id_code is empty")
            if not labelled:
                return id_code, UNLABELED
            try:
                label = parse_int(row["diagnosis"], "diagnosis")
            except ValueError as error:
                raise row_error(str(error), id_code) from None
            if not 0 <= label <= 4:
                raise row_error(f"diagnosis {label} is out of range 0..4", id_code)
            return id_code, label
        return parse
