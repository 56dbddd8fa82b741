"""What a dataset declares besides how to read it: where it is looked for, and how its archives unpack.

Each reader class declares these once, next to the code that reads the files (``DDR.location``,
``DDR.preparer``); ``registry.py`` collects the declarations into the tables that ``locate``,
``prepare`` and the command line use.  This module sits below the readers and ``locate`` alike, so
both can import it without a circle.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Tuple


@dataclass(frozen=True)
class Layout:
    """Where one dataset is looked for, and how a folder is recognised as its root."""

    folder: str  # under datasets/
    work_folder: str  # under AI Studio's work/
    markers: Tuple[Tuple[str, ...], ...]  # a root holds all paths (glob patterns) of one of the groups


@dataclass(frozen=True)
class Preparer:
    """How a dataset's archives, as distributed, are recognised and unpacked into its layout."""

    archives: str  # their file names, for messages ("training.zip, validation.zip, valid_gt.zip")
    find: Callable[[Path], List[Path]]  # the archives in a folder that ``unpack`` would use; [] when none
    unpack: Callable[..., Path]  # unpack(archive_dir, root=None, verbose=True) -> root, read back and counted
