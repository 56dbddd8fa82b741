"""Unpack the datasets' archives, as distributed, into the layouts the readers expect.

The AI Studio / PALM download of iChallenge-PM is three archives::

    training.zip    -> PALM-Training400/PALM-Training400.zip   (a zip inside the zip!)
                       which unpacks to PALM-Training400/PALM-Training400/*.jpg
    validation.zip  -> PALM-Validation400/V0001.jpg ...
    valid_gt.zip    -> PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx

``prepare_ichallenge_pm(archive_dir, root)`` extracts them (and any zip found inside them, in the
folder where it lies, as the course does by hand with ``unzip``), then checks the result by
reading it with ``ICHallengePM`` and prints the class counts.

DDR comes as ``DDR-dataset.zip`` or as its numbered parts ``DDR-dataset.zip.001``, ``.002`` ...
(the pieces of one zip, joined in order).  ``prepare_ddr`` extracts only the ``DR_grading`` part
the course reads (the lesion segmentation and detection parts are skipped), then checks it with ``DDR``.

``find_archives(dataset, folder)`` says whether a folder holds a dataset's archives, by their file
names; ``paddle_models.data.locate`` uses it to recognise datasets mounted on AI Studio.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Callable, List, Optional

from tqdm.auto import tqdm

from ..errors import UserError
from ..files import atomic_write
from .errors import DatasetNotFoundError
from .registry import canonical_name

PM_ARCHIVES = ("training.zip", "validation.zip", "valid_gt.zip")
DDR_ARCHIVE = "DDR-dataset.zip"
DDR_PART = "DR_grading/"  # the members of the DDR archive the course reads


class BadArchiveError(zipfile.BadZipFile, UserError):
    """A downloaded archive that is not a valid zip (an incomplete download); the message names it."""


def open_zip(archive: Path) -> zipfile.ZipFile:
    """``zipfile.ZipFile(archive)``; a file that is not a valid zip is a ``BadArchiveError`` naming it."""
    try:
        return zipfile.ZipFile(archive)
    except zipfile.BadZipFile as error:
        raise BadArchiveError(f"{archive} is not a valid zip archive ({error}): the download is probably "
                              "incomplete; download it again") from None


def extract_zip(archive: Path, destination: Path, keep: Optional[Callable[[str], bool]] = None,
                progress: bool = False) -> List[Path]:
    """Extract ``archive`` into ``destination``; returns the extracted files.

    ``keep(member_name)`` chooses members (default: all); ``progress`` shows a tqdm bar in bytes.
    macOS metadata (``__MACOSX/``, ``.DS_Store``) is left out.  ``ZipFile.extract`` already refuses
    to write outside ``destination`` (absolute paths and ``..`` are stripped).
    """
    try:
        with open_zip(archive) as zf:
            members = [m for m in zf.infolist()
                       if not m.filename.startswith("__MACOSX/") and not m.filename.endswith(".DS_Store")
                       and (keep is None or keep(m.filename))]
            extracted = []
            with tqdm(total=sum(m.file_size for m in members), unit="B", unit_scale=True, leave=False,
                      desc=f"unpacking {Path(archive).name}", disable=not progress) as bar:
                for member in members:
                    extracted.append(Path(zf.extract(member, destination)))
                    bar.update(member.file_size)
    except BadArchiveError:
        raise
    except zipfile.BadZipFile as error:  # a damaged member, found while extracting it
        raise BadArchiveError(f"{archive} is damaged ({error}): the download is probably incomplete; "
                              "download it again") from None
    return [path for path in extracted if path.is_file()]


def extract_with_nested(archive: Path, destination: Path, depth: int = 3, progress: bool = False) -> List[Path]:
    """Extract ``archive`` and, recursively, every .zip it contained, each next to itself."""
    files = extract_zip(archive, destination, progress=progress)
    for inner in [path for path in files if path.suffix.lower() == ".zip"]:
        if depth > 0:
            files += extract_with_nested(inner, inner.parent, depth - 1, progress)
    return files


def find_archives(dataset: str, folder) -> List[Path]:
    """The archives of ``dataset`` in ``folder`` that ``prepare`` would unpack; [] when it holds none.

    Recognised by file name: iChallenge-PM needs training.zip (validation.zip and valid_gt.zip
    add the validation split); DDR needs DDR-dataset.zip or all of its numbered parts.
    """
    folder, key = Path(folder), _prepare_key(dataset)
    if key == "ichallenge_pm":
        present = [folder / name for name in PM_ARCHIVES if (folder / name).is_file()]
        return present if (folder / "training.zip").is_file() else []
    if key == "ddr":
        return ddr_archive_parts(folder)
    return []


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
        files = extract_with_nested(archive_dir / name, root, progress=verbose)
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


def prepare_ddr(archive_dir, root=None, verbose: bool = True) -> Path:
    """Extract the DR_grading part of DDR-dataset.zip (or its joined parts) into ``root``.

    ``root`` defaults to ``archive_dir``.  Numbered parts are first joined into one zip inside
    ``root`` (removed afterwards).  The result is read back with ``DDR`` and its counts printed.
    """
    from .ddr import DDR

    archive_dir = Path(archive_dir)
    root = Path(root) if root is not None else archive_dir
    parts = ddr_archive_parts(archive_dir)
    if not parts:
        raise DatasetNotFoundError(
            f"{DDR_ARCHIVE} (or its parts {DDR_ARCHIVE}.001, .002, ...) not found in {archive_dir}\n"
            "See datasets/README.md for where to get DDR.")
    root.mkdir(parents=True, exist_ok=True)
    archive = parts[0] if len(parts) == 1 else _join_parts(parts, root / f".{DDR_ARCHIVE}.joined")
    try:
        files = extract_zip(archive, root, keep=lambda member: DDR_PART in member, progress=verbose)
    finally:
        if archive not in parts:
            archive.unlink()
    _say(verbose, f"extracted {DDR_PART[:-1]} from {len(parts)} archive file(s): {len(files)} files")
    for split in ("train", "valid", "test"):
        dataset = DDR(root, split)
        _say(verbose, f"{split}: {len(dataset)} images, grades 0-4: " + " / ".join(
            str(count) for count in dataset.class_counts()))
    return root


def _join_parts(parts: List[Path], joined: Path) -> Path:
    """Concatenate the numbered parts of one zip into ``joined`` (streamed, not read into memory)."""
    def join(temporary: Path) -> None:
        with open(temporary, "wb") as out:
            for part in parts:
                with open(part, "rb") as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)

    return atomic_write(joined, join)


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(message)


PREPARERS = {"ichallenge_pm": prepare_ichallenge_pm, "ddr": prepare_ddr}


def _prepare_key(dataset: str) -> str:
    return canonical_name(dataset)  # the registry's spelling ('PALM', 'iChallenge-PM' -> 'ichallenge_pm')


def prepare(dataset: str, archive_dir, root: Optional[str] = None, verbose: bool = True) -> Path:
    """Prepare a dataset by name (for the command line): 'ichallenge_pm' or 'ddr' archives."""
    key = _prepare_key(dataset)
    if key in PREPARERS:
        return PREPARERS[key](archive_dir, root, verbose)
    raise ValueError(f"no automatic preparation for {dataset!r} (only {', '.join(PREPARERS)}): APTOS is "
                     "unpacked by hand, see datasets/README.md for the expected layouts")
