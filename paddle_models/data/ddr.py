"""DDR (Li et al., Information Sciences 2019): diabetic retinopathy grading, 5 grades + ungradable.

Layout (only the DR_grading part is read)::

    DDR-dataset/DR_grading/train/*.jpg   train.txt
                           valid/*.jpg   valid.txt
                           test/*.jpg    test.txt

Each label file has one ``<file name> <label>`` per line, e.g. ``007-0004-000.jpg 0``.  Labels 0-4
are DR grades (none, mild, moderate, severe, proliferative); 5 means the image is ungradable.
Ungradable images are excluded by default (listed in ``excluded_ungradable``);
``keep_ungradable=True`` keeps them as a sixth class.  The data is heavily imbalanced: see
balance.py for class weights and a class-balanced sampler.

DDR comes as ``DDR-dataset.zip`` or as its numbered parts ``DDR-dataset.zip.001``, ``.002`` ... (the
pieces of one zip, joined in order).  ``prepare_ddr`` extracts only the ``DR_grading`` part read
here (the lesion segmentation and detection parts are skipped), then reads it back with ``DDR``.
``make_synthetic_ddr`` writes a synthetic copy; ``DDR`` declares both for the registry.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from .base import FundusDataset, normalize_split
from .errors import DatasetNotFoundError, missing_layout_error
from .layout import Layout, Preparer
from .prepare import extract_zip, join_parts, say
from .synthetic.ddr import make_synthetic_ddr
from .tables import LabelledRows, row_error, rows_to_samples, text_lines

GRADE_NAMES = ("No DR", "Mild", "Moderate", "Severe", "Proliferative DR")
UNGRADABLE = 5
UNGRADABLE_NAME = "Ungradable"
DDR_ARCHIVE = "DDR-dataset.zip"  # as distributed, whole or in numbered parts .001, .002 ...
DDR_PART = "DR_grading/"  # the members of the DDR archive the course reads

LAYOUT = """\
<root>/                           root may be this folder, DDR-dataset/ or DR_grading/ itself
  DDR-dataset/
    DR_grading/
      train/  007-0004-000.jpg ...
      valid/  ...
      test/   ...
      train.txt                   one "<file name> <label>" per line, label 0-4 or 5 (ungradable)
      valid.txt
      test.txt
"""


def find_grading_folder(root: Path) -> Path:
    """The DR_grading folder under ``root`` (root itself, root/DR_grading or root/DDR-dataset/DR_grading)."""
    candidates = [root, root / "DR_grading", root / "DDR-dataset" / "DR_grading"]
    for folder in candidates:
        if any((folder / f"{split}.txt").is_file() for split in ("train", "valid", "test")):
            return folder
    raise missing_layout_error(
        "DDR label files (looked in " + ", ".join(str(c) for c in candidates) + ")",
        root / "DDR-dataset" / "DR_grading" / "train.txt", LAYOUT)


def parse_label_line(text: str, num_labels: int = 6) -> Tuple[str, int]:
    """'007-0004-000.jpg 0' -> ('007-0004-000.jpg', 0); raises ValueError saying what is wrong."""
    fields = text.split()
    if len(fields) != 2:
        raise row_error(f"malformed line {text.strip()!r}: expected '<file name> <label>'", text.strip())
    name, label_text = fields
    try:
        label = int(label_text)
    except ValueError:
        raise row_error(f"malformed line {text.strip()!r}: label {label_text!r} is not an integer",
                        text.strip()) from None
    if not 0 <= label < num_labels:
        raise row_error(f"label {label} is out of range 0..{num_labels - 1} "
                        "(0-4 = DR grade, 5 = ungradable)", text.strip())
    return name, label


def ddr_archive_parts(folder: Path) -> List[Path]:
    """[DDR-dataset.zip], or its parts DDR-dataset.zip.001, .002 ... in order; [] if none.

    A gap in the numbering is an error naming the missing part.
    """
    if (folder / DDR_ARCHIVE).is_file():
        return [folder / DDR_ARCHIVE]
    parts = sorted((path for path in folder.glob(DDR_ARCHIVE + ".*") if path.suffix[1:].isdigit()),
                   key=lambda path: int(path.suffix[1:]))
    numbers = [int(path.suffix[1:]) for path in parts]
    if numbers != list(range(1, len(parts) + 1)):
        missing = min(set(range(1, len(parts) + 2)) - set(numbers))
        raise DatasetNotFoundError(f"{folder / f'{DDR_ARCHIVE}.{missing:03d}'} is missing: the DDR archive "
                                   "needs all its parts (.001, .002, ...); download the missing one")
    return parts


def prepare_ddr(archive_dir, root=None, verbose: bool = True) -> Path:
    """Extract the DR_grading part of DDR-dataset.zip (or its joined parts) into ``root``.

    ``root`` defaults to ``archive_dir``.  Numbered parts are first joined into one zip inside
    ``root`` (removed afterwards).  The result is read back with ``DDR`` and its counts printed.
    """
    archive_dir = Path(archive_dir)
    root = Path(root) if root is not None else archive_dir
    parts = ddr_archive_parts(archive_dir)
    if not parts:
        raise DatasetNotFoundError(
            f"{DDR_ARCHIVE} (or its parts {DDR_ARCHIVE}.001, .002, ...) not found in {archive_dir}\n"
            "See datasets/README.md for where to get DDR.")
    root.mkdir(parents=True, exist_ok=True)
    archive = parts[0] if len(parts) == 1 else join_parts(parts, root / f".{DDR_ARCHIVE}.joined")
    try:
        files = extract_zip(archive, root, keep=lambda member: DDR_PART in member, progress=verbose)
    finally:
        if archive not in parts:
            archive.unlink()
    say(verbose, f"extracted {DDR_PART[:-1]} from {len(parts)} archive file(s): {len(files)} files")
    for split in ("train", "valid", "test"):
        dataset = DDR(root, split)
        say(verbose, f"{split}: {len(dataset)} images, grades 0-4: " + " / ".join(
            str(count) for count in dataset.class_counts()))
    return root


class DDR(FundusDataset):
    """DDR DR grading: ``split`` is 'train', 'valid' or 'test'; labels 0-4 (and 5 if kept).

    Other keywords: see FundusDataset (image_size, preprocess, augment, subset, seed, skip_bad,
    cache_dir).

    >>> train = DDR("datasets", "train", keep_ungradable=False)   # doctest: +SKIP
    >>> train.class_counts()                                      # doctest: +SKIP
    array([3133,  315, 2238,  118,  456])
    """

    name = "ddr"
    label_kind = "grades"
    labelled_splits = ("train", "valid", "test")
    location = Layout("DDR", "ddr", (("DDR-dataset/DR_grading/train.txt",), ("DR_grading/train.txt",),
                                     ("train.txt", "train")))
    preparer = Preparer(f"{DDR_ARCHIVE} or {DDR_ARCHIVE}.001, ...", ddr_archive_parts, prepare_ddr)
    write_synthetic = staticmethod(make_synthetic_ddr)

    def __init__(self, root, split: str = "train", *, keep_ungradable: bool = False, **options):
        root = Path(root)
        split = normalize_split(split)
        if not root.is_dir():
            raise missing_layout_error("DDR root folder", root, LAYOUT)
        grading = find_grading_folder(root)
        self.keep_ungradable = keep_ungradable
        self.label_file = grading / f"{split}.txt"
        self.image_folder = grading / split
        if not self.label_file.is_file():
            raise missing_layout_error(f"DDR label file for split {split!r}", self.label_file, LAYOUT)
        if not self.image_folder.is_dir():
            raise missing_layout_error(f"DDR image folder for split {split!r}", self.image_folder, LAYOUT)
        found, self.excluded_ungradable = self._read_label_file()
        if self.excluded_ungradable and not found.samples and not found.bad:
            raise DatasetNotFoundError(
                f"{self.label_file}: every image it lists ({len(self.excluded_ungradable)}) is grade 5, ungradable, "
                "and ungradable images are left out: nothing is left. Keep them as a sixth class with "
                "keep_ungradable=True, or use another split")
        class_names = GRADE_NAMES + ((UNGRADABLE_NAME,) if keep_ungradable else ())
        super().__init__(found.samples, class_names, root=root, split=split, bad_samples=found.bad,
                         listed_at=found.listed_at, **options)

    def _read_label_file(self) -> Tuple[LabelledRows, List[str]]:
        """The label file's rows, ungradable images taken out (unless kept); and those taken out."""
        lines = [(number, text) for number, text in enumerate(text_lines(self.label_file), start=1)
                 if text.strip()]  # blank lines (e.g. at the end of the file) are fine
        found = rows_to_samples(lines, parse_label_line, self.label_file, lambda name: self.image_folder / name)
        if self.keep_ungradable:
            return found, []
        excluded = [str(path) for path, label in found.samples if label == UNGRADABLE]
        found.samples = [(path, label) for path, label in found.samples if label != UNGRADABLE]
        return found, excluded

    def __repr__(self) -> str:
        text = super().__repr__()
        if self.excluded_ungradable:
            text = text[:-1] + f", excluded {len(self.excluded_ungradable)} ungradable)"
        return text
