"""Finding a dataset on disk: an explicit path, datasets/<NAME>, and AI Studio's folders.

``locate_dataset(name, path=None)`` looks in this order and takes the first copy it finds:

1. ``path``, when one is given (``--data-root``, a lesson's ``DATA_ROOT``): used as it is;
2. the project's ``datasets/<FOLDER>`` (``datasets/README.md``): PALM, DDR, APTOS2019, RetinaMNIST;
3. on AI Studio, an unpacked copy in the persistent ``work/`` folder: ``work/palm`` (where the public
   course unzips iChallenge-PM), ``work/ddr``, ``work/aptos2019``, ``work/retinamnist``;
4. on AI Studio, a dataset mounted under ``data/data*/`` (see ``paddle_models.aistudio``):
   a folder already in the dataset's layout (RetinaMNIST's ``.npz`` files, say) is read where it
   is; archives recognised by their *file names* (not the dataset number: your own upload of the
   same files gets another one) -- iChallenge-PM's training.zip, validation.zip, valid_gt.zip,
   DDR's DDR-dataset.zip or its parts -- are unpacked by ``prepare`` into ``work/<folder>``: once,
   atomically (into a hidden staging folder that is renamed when complete), with a progress bar,
   never into the read-only mount.  The next search finds that copy at step 3.

Where to look is declared by each reader class (``DDR.location``, a ``Layout``: its folder names and
the files that mark its root; ``DDR.preparer``: its archives); ``registry.LAYOUTS`` and
``registry.PREPARERS`` collect them.

The answer, a :class:`Located`, says which copy and why: ``str(located)`` is the line a lesson
prints first.  ``resolve_data_root(name, "auto")`` is the same search for ``--data-root auto``.
"""
from __future__ import annotations

import datetime
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from .. import aistudio
from ..errors import UserError, WrongValueError
from ..files import write_text
from ..places import DATASETS_DIR
from .errors import DatasetNotFoundError
from .layout import Layout
from .prepare import open_zip
from .registry import LAYOUTS, PREPARERS, canonical_name

AUTO = "auto"
SOURCE_NOTE = ".unpacked_from"  # written into a copy unpacked from mounted archives
STALE_STAGING = 24 * 3600  # seconds after which a staging folder is an interrupted unpack's leftover


@dataclass
class Located:
    """The result of a search: ``root`` (None when nothing was found), ``how`` and ``reason``."""

    name: str
    root: Optional[Path]
    how: str  # explicit, datasets, work, mounted, unpacked, to unpack, missing
    reason: str

    @property
    def found(self) -> bool:
        return self.root is not None

    def __str__(self) -> str:
        return self.reason


def dataset_key(name: str) -> str:
    """The registry's name of a dataset with a known location: 'iChallenge-PM' -> 'ichallenge_pm'."""
    key = canonical_name(name)
    if key not in LAYOUTS:
        raise WrongValueError(f"no known location for dataset {name!r}; known: {', '.join(LAYOUTS)}")
    return key


def layout(name: str) -> Layout:
    """The Layout of a dataset name (any spelling the registry accepts)."""
    return LAYOUTS[dataset_key(name)]


def looks_like(name: str, folder) -> bool:
    """Whether ``folder`` holds the dataset's layout (its marker files and folders)."""
    folder = Path(folder)
    return folder.is_dir() and any(all(any(folder.glob(pattern)) for pattern in group)
                                   for group in layout(name).markers)


def locate_dataset(name: str, path=None, datasets_dir=None, unpack: bool = True,
                   verbose: bool = True) -> Located:
    """Find dataset ``name`` in the order of the module docstring.

    ``unpack=False`` only reports mounted archives (``how == "to unpack"``, ``root`` None) without
    unpacking them (what ``python -m paddle_models doctor`` does).  ``verbose`` prints what
    ``prepare`` does while unpacking.
    """
    key = dataset_key(name)
    spec = LAYOUTS[key]
    if path is not None and str(path).strip().lower() != AUTO:
        root = Path(path).expanduser()
        if not root.exists():
            raise DatasetNotFoundError(f"{root} does not exist (given as the {key} data root): "
                                       "check the path, or leave it unset to search (datasets/README.md)")
        return Located(key, root, "explicit", f"{key}: using {root} (given explicitly)")
    in_project = Path(datasets_dir or DATASETS_DIR) / spec.folder
    if looks_like(key, in_project):
        return Located(key, in_project, "datasets", f"{key}: using {in_project} (the project's datasets folder)")
    looked = [str(in_project)]
    if aistudio.on_aistudio():
        found = _search_aistudio(key, spec, unpack, verbose)
        if found:
            return found
        archives = f" ({PREPARERS[key].archives})" if key in PREPARERS else ""
        looked += [str(aistudio.work_dir() / spec.work_folder), f"{aistudio.aistudio_home() / 'data' / 'data*'}/{archives}"]
    return Located(key, None, "missing", f"{key}: not found (looked in {'; '.join(looked)})")


def _search_aistudio(key: str, spec: Layout, unpack: bool, verbose: bool) -> Optional[Located]:
    """Steps 3 and 4: an unpacked copy in work/, then the mounted datasets."""
    copy = aistudio.work_dir() / spec.work_folder
    if looks_like(key, copy):
        note = copy / SOURCE_NOTE
        why = (f"unpacked earlier from the archives mounted in {note.read_text().splitlines()[0]}"
               if note.is_file() else "an unpacked copy in AI Studio's persistent work folder")
        return Located(key, copy, "work", f"{key}: using {copy} ({why})")
    for mount in aistudio.mounted_dataset_dirs():
        if looks_like(key, mount):
            return Located(key, mount, "mounted", f"{key}: using {mount} (mounted on AI Studio, read in place)")
    for mount in aistudio.mounted_dataset_dirs():
        archives = find_archives(key, mount)
        if not archives:
            continue
        names = ", ".join(path.name for path in archives)
        if not unpack:
            return Located(key, None, "to unpack",
                           f"{key}: archives mounted in {mount} ({names}); unpacked into {copy} on first use")
        unpack_archives(key, mount, copy, verbose)
        return Located(key, copy, "unpacked",
                       f"{key}: using {copy}, just unpacked from the archives mounted in {mount} ({names}); "
                       "later runs find it there without unpacking")
    return None


def unpack_archives(name: str, archive_dir: Path, destination: Path, verbose: bool = True) -> Path:
    """``prepare`` the archives of ``archive_dir`` into ``destination``, atomically.

    Unpacks into a hidden staging folder beside ``destination`` and renames it into place when
    complete: an interrupted unpack never looks like a dataset, and of two processes unpacking at
    once one wins and the other uses its copy.  Staging folders a day old are leftovers of an
    interrupted unpack (on AI Studio they would fill the persistent folder) and are removed.
    ``archive_dir`` is only read.
    """
    key = dataset_key(name)
    if destination.exists():
        raise DatasetNotFoundError(
            f"{destination} exists but is not a complete {key} (expected {_expected(key)}): "
            f"remove it (rm -r {destination}) to unpack the mounted archives of {archive_dir} again")
    destination.parent.mkdir(parents=True, exist_ok=True)
    for leftover in destination.parent.glob(f".{destination.name}-unpacking-*"):  # interrupted unpacks
        if time.time() - leftover.stat().st_mtime > STALE_STAGING:
            shutil.rmtree(leftover, ignore_errors=True)
    _check_free_space(find_archives(key, archive_dir), destination.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}-unpacking-", dir=destination.parent))
    try:
        prepare(key, archive_dir, staging, verbose=verbose)
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        write_text(staging / SOURCE_NOTE, f"{archive_dir}\nunpacked {stamp} by paddle_models.data.locate\n")
        try:
            staging.rename(destination)
        except OSError:
            if not looks_like(key, destination):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination


def _expected(key: str) -> str:
    return " or ".join(" + ".join(group) for group in LAYOUTS[key].markers)


def _check_free_space(archives: List[Path], folder: Path) -> None:
    """A clear error before unpacking when ``folder``'s disk cannot hold the archives' contents."""
    needed = 0
    for archive in archives:
        if archive.suffix.lower() == ".zip":
            with open_zip(archive) as zf:
                needed += sum(member.file_size for member in zf.infolist())
        else:  # a numbered part of one zip: joined first, then unpacked (JPEGs barely compress)
            needed += 2 * archive.stat().st_size
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise OSError(f"not enough disk space in {folder} to unpack {', '.join(a.name for a in archives)}: "
                      f"{needed / 1e9:.1f} GB needed, {free / 1e9:.1f} GB free; free some space first")


def find_archives(dataset: str, folder) -> List[Path]:
    """The archives of ``dataset`` in ``folder`` that ``prepare`` would unpack; [] when it holds none.

    Recognised by file name, as the dataset's ``Preparer`` declares (iChallenge-PM needs
    training.zip; DDR needs DDR-dataset.zip or all of its numbered parts).
    """
    preparer = PREPARERS.get(canonical_name(dataset))
    return preparer.find(Path(folder)) if preparer else []


def prepare(dataset: str, archive_dir, root: Optional[str] = None, verbose: bool = True) -> Path:
    """Prepare a dataset by name (``python -m paddle_models prepare``): unpack its archives into ``root``."""
    key = canonical_name(dataset)
    if key not in PREPARERS:
        raise UserError(f"no automatic preparation for {dataset!r} (only {', '.join(PREPARERS)}): unpack it by "
                        "hand, see datasets/README.md for the expected layouts")
    return PREPARERS[key].unpack(archive_dir, root, verbose)


def resolve_data_root(name: str, value) -> Optional[str]:
    """The ``--data-root`` option: ``auto`` runs the search (printing which copy and why).

    Any other value (a path, or None when the option was not given) is returned unchanged.
    """
    if value is None or str(value).strip().lower() != AUTO:
        return value
    located = locate_dataset(name)
    print(located)
    if not located.found:
        raise DatasetNotFoundError(f"{located}\ndata_root='auto' found no copy of {located.name}: "
                                   "see datasets/README.md, or give the folder with data_root=...")
    return str(located.root)


def known_datasets() -> List[str]:
    """The datasets with a known location (every reader that declares one)."""
    return list(LAYOUTS)
