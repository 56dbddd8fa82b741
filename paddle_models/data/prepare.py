"""Unpack the iChallenge-PM archives, as distributed, into the layout the reader expects.

The AI Studio / PALM download is three archives::

    training.zip    -> PALM-Training400/PALM-Training400.zip   (a zip inside the zip!)
                       which unpacks to PALM-Training400/PALM-Training400/*.jpg
    validation.zip  -> PALM-Validation400/V0001.jpg ...
    valid_gt.zip    -> PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx

``prepare_ichallenge_pm(archive_dir, root)`` extracts them (and any zip found inside them, in the
folder where it lies, as the course does by hand with ``unzip``), then checks the result by
reading it with ``ICHallengePM`` and prints the class counts.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import List, Optional

from .errors import DatasetNotFoundError

PM_ARCHIVES = ("training.zip", "validation.zip", "valid_gt.zip")


def extract_zip(archive: Path, destination: Path) -> List[Path]:
    """Extract ``archive`` into ``destination``; returns the extracted files.

    macOS metadata (``__MACOSX/``, ``.DS_Store``) is left out.  ``ZipFile.extract`` already refuses
    to write outside ``destination`` (absolute paths and ``..`` are stripped).
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.namelist()
                       if not m.startswith("__MACOSX/") and not m.endswith(".DS_Store")]
            extracted = [Path(zf.extract(member, destination)) for member in members]
    except zipfile.BadZipFile as error:
        raise zipfile.BadZipFile(f"{archive} is not a valid zip archive ({error}): the download "
                                 "is probably incomplete; download it again") from None
    return [path for path in extracted if path.is_file()]


def extract_with_nested(archive: Path, destination: Path, depth: int = 3) -> List[Path]:
    """Extract ``archive`` and, recursively, every .zip it contained, each next to itself."""
    files = extract_zip(archive, destination)
    for inner in [path for path in files if path.suffix.lower() == ".zip"]:
        if depth > 0:
            files += extract_with_nested(inner, inner.parent, depth - 1)
    return files


def prepare_ichallenge_pm(archive_dir, root=None, verbose: bool = True) -> Path:
    """Extract training.zip, validation.zip and valid_gt.zip from ``archive_dir`` into ``root``.

    ``root`` defaults to ``archive_dir``.  training.zip is required; without validation.zip or
    valid_gt.zip only the training split is available (you are told).  Returns ``root``.
    """
    from .ichallenge_pm import ICHallengePM

    archive_dir = Path(archive_dir)
    root = Path(root) if root is not None else archive_dir
    present = [name for name in PM_ARCHIVES if (archive_dir / name).is_file()]
    if "training.zip" not in present:
        raise DatasetNotFoundError(
            f"training.zip not found in {archive_dir}\nExpected the iChallenge-PM archives as "
            f"distributed: {', '.join(PM_ARCHIVES)} (see datasets/README.md for where to get them).")
    root.mkdir(parents=True, exist_ok=True)
    for name in present:
        files = extract_with_nested(archive_dir / name, root)
        _say(verbose, f"extracted {name}: {len(files)} files")
    missing = [name for name in PM_ARCHIVES if name not in present]
    if missing:
        _say(verbose, f"not found in {archive_dir}: {', '.join(missing)} -> no validation split")

    splits = ["train"] + (["valid"] if not missing else [])
    for split in splits:
        dataset = ICHallengePM(root, split)
        _say(verbose, f"{split}: {len(dataset)} images, " + ", ".join(
            f"{name} {count}" for name, count in zip(dataset.class_names, dataset.class_counts())))
    return root


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(message)


def prepare(dataset: str, archive_dir, root: Optional[str] = None, verbose: bool = True) -> Path:
    """Prepare a dataset by name (for the command line); only 'ichallenge_pm' ships as archives we know."""
    if dataset.lower().replace("-", "_") in ("ichallenge_pm", "pm", "palm"):
        return prepare_ichallenge_pm(archive_dir, root, verbose)
    raise ValueError(f"no automatic preparation for {dataset!r}: DDR and APTOS are unpacked by hand, "
                     "see datasets/README.md for the expected layouts")
