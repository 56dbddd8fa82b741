"""What every synthetic dataset writer shares: one generator per image, the split writer, provenance.

``write_split`` is the one loop that paints and writes a split: image ``number`` gets its own random
generator ``image_rng(seed, *keys, number)``, so an image depends only on the seed and its identity
(not on how many images came before it, or on which other splits were written).  The per-dataset
modules (``ichallenge_pm``, ``ddr``, ``aptos``, ``image_folder``, ``retinamnist``) only say how one
image is painted and named, and write their label files.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, List, Tuple, Union

import numpy as np

from ... import files
from ...errors import WrongValueError

PALM_SIZE = (2124, 2056)  # (width, height) of an iChallenge-PM photograph: image_size="real"


@dataclass
class Photo:
    """One painted image of a split: where it goes (relative to the split's folder), its pixels (BGR
    uint8) and its row of the label file (None when the label file does not list it)."""

    path: Union[str, Path]
    image: np.ndarray
    row: Any = None


def image_rng(seed: int, *keys: int) -> np.random.Generator:
    """The random generator of one image: depends on the seed and the image's identity only."""
    return np.random.default_rng([seed, *keys])


def paint_split(items: Iterable, paint: Callable[[np.random.Generator, int, Any], Any], seed: int,
                keys: Tuple[int, ...], first: int = 1) -> Iterator:
    """``paint(image_rng(seed, *keys, number), number, item)`` for each item, numbered from ``first``."""
    for number, item in enumerate(items, start=first):
        yield paint(image_rng(seed, *keys, number), number, item)


def write_split(folder, items: Iterable, paint: Callable[[np.random.Generator, int, Any], Photo], seed: int,
                keys: Tuple[int, ...], quality: int = 92, first: int = 1) -> List:
    """Paint one split (``paint_split``) and write each ``Photo`` under ``folder``; returns their rows.

    ``items`` are what ``paint`` needs per image (a label, a kind, a severity ...).  JPEG or PNG by
    the file's suffix (``quality`` for JPEG).
    """
    rows = []
    for photo in paint_split(items, paint, seed, keys, first):
        write_image(Path(folder) / photo.path, photo.image, quality)
        if photo.row is not None:
            rows.append(photo.row)
    return rows


def frame_size(image_size: Union[int, str, Tuple[int, int]], aspect: float = PALM_SIZE[0] / PALM_SIZE[1]):
    """'real' -> 2124x2056; an int -> that width with the given aspect; (w, h) -> itself."""
    if image_size == "real":
        return PALM_SIZE
    if isinstance(image_size, (tuple, list)):
        return int(image_size[0]), int(image_size[1])
    return int(image_size), int(round(image_size / aspect))


# ----------------------------------------------------------------------------- provenance

SYNTHETIC_MARKER = "SYNTHETIC.txt"


def mark_synthetic(root) -> None:
    """Leave a note in a synthetic dataset's folder, so that a model trained on it says so.

    The run record's ``synthetic`` field comes from it (``is_synthetic``): a model card then reads
    "trained on synthetic images", never as a score on real photographs.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    files.write_text(root / SYNTHETIC_MARKER, "Written by paddle_models' synthetic generator: painted look-alikes "
                     "in the official layout, not photographs of eyes. Scores on them say nothing about real data.\n")


def is_synthetic(data_root, levels: int = 3) -> bool:
    """True if ``data_root`` or one of its ``levels`` parents holds the synthetic generator's note."""
    if data_root is None:
        return False
    folder = Path(data_root).resolve()
    if folder.is_file():
        folder = folder.parent
    for place in [folder, *folder.parents][:levels + 1]:
        if (place / SYNTHETIC_MARKER).is_file():
            return True
    return False


def write_image(path: Path, image: np.ndarray, quality: int = 92) -> None:
    """Write a JPEG (quality ``quality``) or PNG, depending on the suffix (``files.write_image``)."""
    files.write_image(path, image, jpeg_quality=quality)


def grade_counts(per_class, grades: int) -> list:
    """``per_class`` as one count per class: an int for every class, or the counts themselves."""
    counts = [per_class] * grades if isinstance(per_class, (int, np.integer)) else list(per_class)
    if len(counts) != grades:
        raise WrongValueError(f"per_class must be an int or {grades} counts, got {per_class!r}")
    return counts


def painted_severities(grades, grade_overlap: float, rng: np.random.Generator) -> np.ndarray:
    """The severity each eye is painted at: its grade plus ``grade_overlap`` x N(0, 1), clipped to 0-4.

    Grading then cuts this continuum back into five bins, so with ``grade_overlap`` 0.4 some grade-2
    eyes look like a mild grade 3 and vice versa.  Lesson 7 simulates ideal graders on it.
    """
    grades = np.asarray(grades, dtype=np.float64)
    return np.clip(grades + grade_overlap * rng.standard_normal(len(grades)), 0, 4)


def zip_folder(archive: Path, base: Path, folder: str) -> Path:
    """Zip ``base/folder`` into ``archive`` with paths starting at ``folder/`` (JPEGs stored as is)."""
    def write(temporary: Path) -> None:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as zf:
            for path in sorted((base / folder).rglob("*")):
                zf.write(path, path.relative_to(base).as_posix())

    return files.atomic_write(archive, write)
