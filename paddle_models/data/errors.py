"""What can go wrong when reading a dataset, and how the readers say so.

Two kinds of problems, two exception types:

* ``DatasetNotFoundError`` -- a folder or label file is missing.  Nothing can be read, so the message
  says which path was expected and prints the whole expected layout.
* ``BadSampleError`` -- one image or one line is wrong: a malformed line, a label out of range, an
  unknown file-name prefix, a file listed but absent, an image that cannot be decoded.  The message
  names the file (and the line of the label file) and says what to do.

Per-sample problems are collected as ``BadSample`` records.  With ``skip_bad=True`` a dataset keeps
them in its ``skipped`` attribute and warns once, listing every one: nothing disappears silently.
"""
from __future__ import annotations


from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from ..errors import UserError
from ..files import write_lines

SKIPPED_LIST = "skipped_samples.txt"


class DatasetNotFoundError(UserError, FileNotFoundError):
    """A dataset folder or label file is missing; the message shows the expected layout."""


class BadSampleError(UserError, ValueError):
    """One or more samples (images or label-file lines) are invalid; the message names each one."""


class DegenerateDatasetError(UserError, ValueError):
    """The samples cannot teach anything: e.g. fewer than two classes have images."""


class EmptyClassWarning(UserWarning):
    """A class has no images (its folder is empty)."""


class SkippedSamplesWarning(UserWarning):
    """Issued once per dataset when ``skip_bad=True`` skipped samples; the message lists each one."""


@dataclass(frozen=True)
class BadSample:
    """One invalid sample: which file, where it was listed, and what is wrong with it."""

    path: str  # the image (or label file) concerned
    reason: str  # e.g. "file is listed but does not exist"
    source: Optional[str] = None  # the label file that lists it, if any
    line: Optional[int] = None  # 1-based line (or spreadsheet row) in ``source``

    def __str__(self) -> str:
        where = ""
        if self.source is not None:
            where = f"{self.source}:{self.line}: " if self.line is not None else f"{self.source}: "
        return f"{where}{self.reason} ({self.path})"


def describe_bad_samples(bad: Sequence[BadSample], limit: int = 20) -> str:
    """One line per bad sample (at most ``limit`` lines, then a count of the rest)."""
    lines = [f"  - {item}" for item in bad[:limit]]
    if len(bad) > limit:
        lines.append(f"  ... and {len(bad) - limit} more")
    return "\n".join(lines)


def raise_for_bad_samples(bad: Sequence[BadSample], dataset_name: str) -> None:
    """Raise one ``BadSampleError`` listing every bad sample (does nothing if there are none)."""
    if not bad:
        return
    raise BadSampleError(
        f"{dataset_name}: {len(bad)} bad sample(s):\n{describe_bad_samples(bad)}\n"
        "Fix or remove them, or pass skip_bad=True to skip them "
        "(each skipped sample is then listed in a warning and in dataset.skipped)."
    )


def missing_layout_error(what: str, expected_path, layout: str) -> DatasetNotFoundError:
    """The error for a missing folder or label file: what, where we looked, the expected layout."""
    return DatasetNotFoundError(
        f"{what} not found: {expected_path}\n"
        f"Expected layout:\n{layout.rstrip()}\n"
        "See datasets/README.md for how to download and unpack the data, or generate a synthetic "
        "copy with paddle_models.data.synthetic."
    )


def write_skipped_samples(folder, datasets: Sequence) -> Optional[Path]:
    """Write ``<folder>/skipped_samples.txt``, one line per sample the datasets skipped (``skip_bad``).

    Each line names the split, the file and the reason.  Nothing is written when nothing was
    skipped (and an older list is removed, so the folder never shows a stale one); returns the path
    written or None.
    """
    lines = [f"{getattr(dataset, 'split', None) or '-'}\t{item}"
             for dataset in datasets for item in getattr(dataset, "skipped", ())]
    path = Path(folder) / SKIPPED_LIST
    if not lines:
        if path.is_file():
            path.unlink()
        return None
    write_lines(path, lines, header="# split\tsample skipped by skip_bad=True: where it is listed, why, which file")
    print(f"{len(lines)} bad sample(s) skipped, listed in {path}")
    return path
