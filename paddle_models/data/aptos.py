"""APTOS 2019 Blindness Detection (Kaggle): diabetic retinopathy grades 0-4 from ``train.csv``.

Layout::

    <root>/train.csv          columns id_code,diagnosis   (diagnosis = DR grade 0-4)
    <root>/train_images/<id_code>.png
    <root>/test.csv           column id_code (no labels; optional)
    <root>/test_images/<id_code>.png

The competition metric is the quadratic weighted kappa.  Ben Graham's preprocessing
(``PreprocessConfig(ben_graham=True, circular_mask=True)``) comes from the same community.
"""
from __future__ import annotations

from pathlib import Path

from .base import UNLABELED, FundusDataset, missing_file_problem, normalize_split
from .ddr import GRADE_NAMES
from .errors import BadSample, missing_layout_error
from .tables import parse_int, read_table

LAYOUT = """\
<root>/
  train.csv                 id_code,diagnosis   (diagnosis: DR grade 0-4)
  train_images/             <id_code>.png
  test.csv                  id_code             (optional, no labels)
  test_images/              <id_code>.png
"""


class APTOS(FundusDataset):
    """APTOS 2019: ``split`` is 'train' (labelled, grades 0-4) or 'test' (unlabeled, labels -1).

    Other keywords: see FundusDataset.  There is no official validation split: experiments hold out a
    stratified, seeded share of 'train' (``train_valid_split``).
    """

    name = "aptos"
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
        samples, bad = [], []
        for line, row in read_table(self.label_file, required):
            id_code = str(row["id_code"] or "").strip()
            try:
                if not id_code:
                    raise ValueError("id_code is empty")
                label = parse_int(row["diagnosis"], "diagnosis") if labelled else UNLABELED
                if labelled and not 0 <= label <= 4:
                    raise ValueError(f"diagnosis {label} is out of range 0..4")
            except ValueError as error:
                bad.append(BadSample(id_code or "?", str(error), str(self.label_file), line))
                continue
            path = self.image_folder / f"{id_code}{image_extension}"
            problem = missing_file_problem(path, self.label_file, line)
            if problem:
                bad.append(problem)
            else:
                samples.append((path, label))
        super().__init__(samples, GRADE_NAMES, root=root, split=split, bad_samples=bad, **options)
