"""iChallenge-PM (PALM, ISBI 2019): pathologic myopia, a binary task.

Where the labels come from:

* training   -- the file name: ``P0001.jpg`` is pathologic myopia (label 1); ``H0001.jpg`` (high
                myopia) and ``N0001.jpg`` (normal) are not (label 0).
* validation -- the Excel table ``PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx`` (columns
                ID, imgName, Label, Fovea_X, Fovea_Y), read directly; the same table as CSV
                (``labels.csv``, as in the public course) works too.
* test       -- no labels: every label is -1, the split is for prediction only.

The AI Studio / PALM download is three archives::

    training.zip    -> PALM-Training400/PALM-Training400.zip   (a zip inside the zip!)
                       which unpacks to PALM-Training400/PALM-Training400/*.jpg
    validation.zip  -> PALM-Validation400/V0001.jpg ...
    valid_gt.zip    -> PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx

``prepare_ichallenge_pm(archive_dir, root)`` unpacks them (and the zip inside, where it lies, as the
course does by hand with ``unzip``), then reads the result back and prints the class counts.
``make_synthetic_ichallenge_pm`` writes a synthetic copy.  ``ICHallengePM`` declares all of this
(``location``, ``preparer``, ``write_synthetic``) for the registry.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import List, Optional, Tuple

from ..errors import WrongValueError
from .base import UNLABELED, FundusDataset, normalize_split
from .errors import BadSample, DatasetNotFoundError, missing_layout_error
from .imageio import list_images
from .layout import Layout, Preparer
from .prepare import extract_with_nested, say
from .synthetic.ichallenge_pm import make_synthetic_ichallenge_pm
from .tables import LabelledRows, parse_int, read_table, row_error, rows_to_samples

CLASS_NAMES = ("non-PM", "PM")
PREFIX_LABELS = {"P": 1, "H": 0, "N": 0}  # pathologic myopia / high myopia / normal

TRAIN_FOLDER = "PALM-Training400"
VALID_FOLDER = "PALM-Validation400"
GT_FOLDER = "PALM-Validation-GT"
GT_XLSX = "PM_Label_and_Fovea_Location.xlsx"
# where validation labels are looked for, in this order (relative to the dataset root)
LABEL_TABLE_CANDIDATES = (
    f"{GT_FOLDER}/{GT_XLSX}",
    f"{GT_FOLDER}/labels.csv",
    f"{GT_FOLDER}/PM_Label_and_Fovea_Location.csv",
    "labels.csv",
)
TEST_FOLDERS = ("PALM-Testing400-Images", "PALM-Testing400")
PM_ARCHIVES = ("training.zip", "validation.zip", "valid_gt.zip")  # as distributed

LAYOUT = """\
<root>/
  PALM-Training400/                   training images: P0001.jpg (PM), H0001.jpg (high myopia),
    [PALM-Training400/]                 N0001.jpg (normal); the nested folder left by unzipping
                                        PALM-Training400.zip is accepted too
  PALM-Validation400/                 V0001.jpg ... V0400.jpg
  PALM-Validation-GT/
    PM_Label_and_Fovea_Location.xlsx  columns ID, imgName, Label, Fovea_X, Fovea_Y
                                      (or labels.csv with the same columns)
  PALM-Testing400-Images/             test images, no labels (optional)
"""


def find_image_folder(root: Path, names) -> Optional[Path]:
    """The first of root/<name> or root/<name>/<name> (nested unzip) that holds images."""
    for name in names:
        for folder in (root / name, root / name / name):
            if folder.is_dir() and list_images(folder, warn=False):
                return folder
    return None


def label_from_file_name(path: Path) -> int:
    """P* -> 1, H* / N* -> 0; any other first letter raises ValueError."""
    prefix = path.name[:1].upper()
    if prefix not in PREFIX_LABELS:
        raise WrongValueError(f"unknown file-name prefix {path.name[:1]!r}: training images must start "
                         "with P (pathologic myopia), H (high myopia) or N (normal)")
    return PREFIX_LABELS[prefix]


def parse_label_row(row: dict) -> Tuple[str, int]:
    """A validation-table row -> (image name, label 0 or 1); raises ValueError saying what is wrong."""
    name = str(row["imgname"] or "").strip()
    if not name:
        raise row_error("imgName is empty")
    try:
        label = parse_int(row["label"], "Label")
    except ValueError as error:
        raise row_error(str(error), name) from None
    if label not in (0, 1):
        raise row_error(f"Label {label} is out of range: must be 0 (non-PM) or 1 (PM)", name)
    return name, label


def pm_archives(folder) -> List[Path]:
    """The iChallenge-PM archives in ``folder``; [] without training.zip (the other two add validation)."""
    folder = Path(folder)
    present = [folder / name for name in PM_ARCHIVES if (folder / name).is_file()]
    return present if (folder / "training.zip").is_file() else []


def prepare_ichallenge_pm(archive_dir, root=None, verbose: bool = True) -> Path:
    """Extract training.zip, validation.zip and valid_gt.zip from ``archive_dir`` into ``root``.

    ``root`` defaults to ``archive_dir``.  training.zip is required; without validation.zip or
    valid_gt.zip only the training split is available (you are told).  Returns ``root``.
    """
    archive_dir = Path(archive_dir)
    root = Path(root) if root is not None else archive_dir
    present = [archive.name for archive in pm_archives(archive_dir)]
    if not present:
        raise DatasetNotFoundError(
            f"training.zip not found in {archive_dir}\nExpected the iChallenge-PM archives as "
            f"distributed: {', '.join(PM_ARCHIVES)} (see datasets/README.md for where to get them).")
    root.mkdir(parents=True, exist_ok=True)
    for name in present:
        files = extract_with_nested(archive_dir / name, root, progress=verbose)
        say(verbose, f"extracted {name}: {len(files)} files")
    missing = [name for name in PM_ARCHIVES if name not in present]
    if missing:
        say(verbose, f"not found in {archive_dir}: {', '.join(missing)} -> no validation split")

    splits = ["train"] + (["valid"] if not missing else [])
    for split in splits:
        dataset = ICHallengePM(root, split)
        say(verbose, f"{split}: {len(dataset)} images, " + ", ".join(
            f"{name} {count}" for name, count in zip(dataset.class_names, dataset.class_counts())))
    return root


class ICHallengePM(FundusDataset):
    """iChallenge-PM: ``split`` is 'train', 'valid' or 'test'; labels 0 = non-PM, 1 = PM.

    ``label_file`` overrides where the validation labels are read from (.xlsx or .csv); after
    reading, ``label_file`` is the table used (None for the other splits).
    Other keywords: see FundusDataset (image_size, preprocess, augment, subset, seed, skip_bad,
    cache_dir)::

        train = ICHallengePM("datasets/PALM", "train", image_size=224)
        image, label = train[0]          # float32 [3, 224, 224], int64 0 or 1
    """

    name = "ichallenge_pm"
    label_kind = "binary"
    aliases = ("palm", "ichallengepm")
    location = Layout("PALM", "palm", ((TRAIN_FOLDER, GT_FOLDER),))
    preparer = Preparer(", ".join(PM_ARCHIVES), pm_archives, prepare_ichallenge_pm)
    write_synthetic = staticmethod(make_synthetic_ichallenge_pm)

    def __init__(self, root, split: str = "train", *, label_file=None, labels_file=None, **options):
        root = Path(root)
        self.split = split = normalize_split(split)
        if not root.is_dir():
            raise missing_layout_error("iChallenge-PM root folder", root, LAYOUT)
        if labels_file is not None:
            warnings.warn("ICHallengePM(labels_file=...) is now label_file=... (as for DDR and APTOS)",
                          DeprecationWarning, stacklevel=2)
            label_file = label_file if label_file is not None else labels_file
        self.label_file: Optional[Path] = None
        if split == "train":
            found = self._read_train(root)
        elif split == "valid":
            found = self._read_valid(root, label_file)
        else:
            found = self._read_test(root)
        super().__init__(found.samples, CLASS_NAMES, root=root, split=split, bad_samples=found.bad,
                         listed_at=found.listed_at, **options)

    @staticmethod
    def _folder(root: Path, names, what: str) -> Path:
        folder = find_image_folder(root, names)
        if folder is None:
            hint = ""
            if root.name.startswith("PALM-"):
                hint = f" (root should be the folder that contains {root.name}, not {root.name} itself)"
            raise missing_layout_error(f"iChallenge-PM {what} images{hint}", root / names[0], LAYOUT)
        return folder

    def _read_train(self, root: Path) -> LabelledRows:
        """Training images are labelled by their file names' first letter (no label file)."""
        found = LabelledRows()
        for path in list_images(self._folder(root, [TRAIN_FOLDER], "training")):
            try:
                found.samples.append((path, label_from_file_name(path)))
            except ValueError as error:
                found.bad.append(BadSample(str(path), str(error)))
        return found

    def _read_valid(self, root: Path, label_file) -> LabelledRows:
        """Validation images are labelled by a table; an image the table does not list is a bad sample."""
        folder = self._folder(root, [VALID_FOLDER], "validation")
        table_path = self._find_label_table(root, label_file)
        self.label_file = table_path
        found = rows_to_samples(read_table(table_path, required=("imgName", "Label")), parse_label_row,
                                table_path, lambda name: folder / name)
        for path in list_images(folder):
            if path.name not in found.listed:
                found.bad.append(BadSample(str(path), "image has no row in the label table", str(table_path)))
        found.samples.sort(key=lambda sample: sample[0].name)
        return found

    @staticmethod
    def _find_label_table(root: Path, label_file) -> Path:
        if label_file is not None:
            path = Path(label_file)
            path = path if path.is_absolute() or path.exists() else root / path
            if not path.is_file():
                raise missing_layout_error("iChallenge-PM validation label file", path, LAYOUT)
            return path
        for candidate in LABEL_TABLE_CANDIDATES:
            if (root / candidate).is_file():
                return root / candidate
        raise missing_layout_error(
            "iChallenge-PM validation labels (looked for "
            + ", ".join(LABEL_TABLE_CANDIDATES) + ")", root / LABEL_TABLE_CANDIDATES[0], LAYOUT)

    def _read_test(self, root: Path) -> LabelledRows:
        """Test images have no labels."""
        folder = self._folder(root, list(TEST_FOLDERS), "test")
        return LabelledRows(samples=[(path, UNLABELED) for path in list_images(folder)])

    @property
    def labels_file(self) -> Optional[Path]:
        """Deprecated name of ``label_file``."""
        warnings.warn("ICHallengePM.labels_file is now label_file", DeprecationWarning, stacklevel=2)
        return self.label_file
