"""Unpacking downloaded archives: the zip handling every dataset's preparer shares.

A dataset that comes as archives declares a ``Preparer`` in its reader's module (iChallenge-PM's
three zips in ``ichallenge_pm.py``, DDR's one zip or its numbered parts in ``ddr.py``); the
preparer unpacks them with the functions here, then reads the result back with its reader and
prints the class counts.  ``paddle_models.data.locate.prepare("ddr", ...)`` prepares a dataset by
name (``python -m paddle_models prepare``).

* ``extract_zip`` extracts chosen members with a progress bar, leaving out macOS metadata;
* ``extract_with_nested`` also extracts the zips found inside (iChallenge-PM's training.zip holds one);
* ``join_parts`` joins the numbered pieces of one zip (DDR-dataset.zip.001, .002 ...);
* ``open_zip`` turns a damaged download into a ``BadArchiveError`` naming the file.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Callable, List, Optional

from tqdm.auto import tqdm

from ..errors import UserError
from ..files import atomic_write


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


def join_parts(parts: List[Path], joined: Path) -> Path:
    """Concatenate the numbered parts of one zip into ``joined`` (streamed, not read into memory)."""
    def join(temporary: Path) -> None:
        with open(temporary, "wb") as out:
            for part in parts:
                with open(part, "rb") as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)

    return atomic_write(joined, join)


def say(verbose: bool, message: str) -> None:
    """Print ``message`` when ``verbose`` (what a preparer reports as it goes)."""
    if verbose:
        print(message)
