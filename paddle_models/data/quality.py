"""Image quality: find the blank, dark, over-exposed, blurred and empty photographs in a dataset.

Every real fundus set holds photographs nobody can grade: the camera fired before the eye was in
place (a black frame), the flash saturated it (a white one), the patient moved (a blur), the pupil
was too small (a dark disc).  DDR even has a class for them: grade 5, "ungradable" (8% of its
13,673 images).  A model trained on such images learns noise, and an accuracy measured on them says
little, so look for them *before* training and leave them out reproducibly.

``assess_image(bgr)`` scores one photograph (``ImageQuality``):

    brightness       mean grey level of the whole frame, 0-255
    near_black       fraction of the frame at or below NEAR_BLACK_LEVEL
    near_white       fraction of the frame at or above NEAR_WHITE_LEVEL
    fov_fraction     fraction of the frame lit by the fundus (the field of view, 视野)
    fov_brightness   mean grey level inside the field of view
    contrast         standard deviation of the grey levels inside the field of view
    sharpness        variance of the Laplacian inside the field of view, measured after cropping the
                     dark border and resizing to QUALITY_SIZE x QUALITY_SIZE, so a 2124-pixel and a
                     512-pixel photograph of the same eye score alike

and flags it ``blank``, ``underexposed``, ``overexposed``, ``blurred`` or ``no_fov`` by the
thresholds below.  Only the blank rule comes from a study (the PCam case study); the others are
this course's choices, calibrated on the synthetic generator: read the audit's CSV of *your* data
and move them if its distribution says so (each is a keyword of ``flag_reasons``).

``audit_dataset(dataset, output_dir)`` scores every image of a dataset and writes

    <prefix>-quality.csv    one row per image: path, label, every score, every flag
    <prefix>-flagged.png    a contact sheet of the flagged images, titled with their flags

and ``python -m paddle_models audit --data ddr --data-root datasets/DDR --split train`` does the same
from the command line.  Every reader then accepts ``exclude=`` -- a list of file names or paths, or
the audit CSV itself (its flagged rows are left out) -- and lists what it left out in
``dataset.excluded``::

    train = DDR("datasets/DDR", "train", exclude="audit/ddr-train-quality.csv")
"""
from __future__ import annotations

import csv
import os
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from tqdm.auto import tqdm

from ..errors import MissingFileError, WrongValueError
from ..files import make_folder, write_csv
from .errors import BadSampleError
from .imageio import read_image_for_size
from .preprocess import dark_border_box

# ----------------------------------------------------------------------------- the thresholds

QUALITY_SIZE = 256
"""Side (pixels) of the square every score is measured on, whatever the photograph's resolution.

The Laplacian responds to detail per *pixel*: the same eye photographed at twice the resolution has
smoother pixel-to-pixel changes and a smaller variance.  Resizing first makes the scores comparable
across cameras; 256 keeps vessels a few pixels wide, so a sharp photograph still shows them.
A photograph *smaller* than this is enlarged, which smooths it: RetinaMNIST's 28-pixel images score
as blurred more often than not (audit its 224-pixel file instead; ``audit_dataset`` warns)."""

BLANK_LOW, BLANK_HIGH = 10.0, 245.0
"""A frame whose mean grey level is below 10 or above 245 is blank (all black or all white).

From the PCam case study this course draws on, which dropped histology patches as blank when their
mean intensity was above 245 or below 10.  A fundus photograph is a disc on a dark
frame, so its mean is lower than a patch's; a real fundus still scores well above 10."""

NEAR_BLACK_LEVEL, NEAR_WHITE_LEVEL = 10, 245
"""Grey levels counted as near black / near white, the per-pixel versions of the blank rule.

10 is also the default ``PreprocessConfig.border_tolerance``: the dark frame of a real fundus
photograph is 1-8, not exactly 0."""

FOV_LEVEL = 10
"""A pixel belongs to the field of view when its brightest channel is above this (as in
``dark_border_box``, which the border crop uses)."""

MIN_FOV_FRACTION = 0.2
"""Flag ``no_fov`` when less than a fifth of the frame is lit.  A whole fundus disc in a square frame
covers pi/4 = 79% of it, a clipped one more; a fifth is a small pupil or a missed shot.  Course's
choice."""

UNDEREXPOSED_LEVEL = 45.0
"""Flag ``underexposed`` when the field of view's mean grey level is below this.  Course's choice,
calibrated on the synthetic generator (measured): its well-exposed photographs score 60-87, its
under-exposed ungradable ones (exposure x0.25-0.45) 19-36."""

OVEREXPOSED_LEVEL = 170.0
"""Flag ``overexposed`` when the field of view's mean grey level is above this: the red retina has
turned yellow-white.  Course's choice; the synthetic well-exposed photographs score at most 87 and
its over-exposed ungradable ones (x1.5-1.9) 100-135, which their blur flags instead."""

OVEREXPOSED_WHITE_FRACTION = 0.25
"""... or when more than a quarter of the field of view is near white (a flash reflex). Course's choice."""

NOISE_SIGMA = 1.0
"""Gaussian blur (pixels at QUALITY_SIZE) applied before the Laplacian, so sensor noise -- which has
the most pixel-to-pixel change of all -- does not pass for detail in a blurred photograph."""

BLUR_THRESHOLD = 2.0
"""Flag ``blurred`` when the sharpness (variance of the Laplacian, see ``sharpness``) is below this.

Course's choice, calibrated on the synthetic generator (measured at 160, 512 and 1024 pixels wide):
sharp photographs score 4.7-25, the blurred ungradable ones (Gaussian blur of 3-6% of the disc
radius) 0.1-1.4.  Real photographs are smoother than synthetic ones and cameras differ: plot the
``sharpness`` column of the audit CSV and choose the threshold from its lower tail (the popular
blur-detection rule of thumb, 100 without smoothing, is for sharp natural scenes, not fundus
photographs)."""

FLAG_NAMES = ("blank", "underexposed", "overexposed", "blurred", "no_fov")


# ----------------------------------------------------------------------------- one image


@dataclass
class ImageQuality:
    """The scores of one photograph (see the module docstring) and the flags they raise."""

    brightness: float
    near_black: float
    near_white: float
    fov_fraction: float
    fov_brightness: float
    contrast: float
    sharpness: float
    flags: Tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def scores(self) -> Dict[str, float]:
        """The seven scores, rounded for the CSV."""
        return {f.name: round(float(getattr(self, f.name)), 4) for f in fields(self) if f.name != "flags"}


def grey(image_bgr: np.ndarray) -> np.ndarray:
    return image_bgr if image_bgr.ndim == 2 else cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)


def field_of_view(image_bgr: np.ndarray) -> np.ndarray:
    """Boolean mask [H, W] of the pixels whose brightest channel is above FOV_LEVEL."""
    brightest = image_bgr if image_bgr.ndim == 2 else image_bgr.max(axis=2)
    return brightest > FOV_LEVEL


def sharpness(image_bgr: np.ndarray) -> float:
    """Variance of the Laplacian inside the field of view, after a border crop and a resize to QUALITY_SIZE.

    The grey image is smoothed by NOISE_SIGMA first (noise is not detail), and the mask is eroded so
    the rim of the disc -- the sharpest edge of every photograph, blurred or not -- does not count.
    """
    x0, y0, x1, y1 = dark_border_box(image_bgr, FOV_LEVEL)
    fundus = cv2.resize(image_bgr[y0:y1, x0:x1], (QUALITY_SIZE, QUALITY_SIZE), interpolation=cv2.INTER_AREA)
    smooth = cv2.GaussianBlur(grey(fundus).astype(np.float32), (0, 0), NOISE_SIGMA)
    laplacian = cv2.Laplacian(smooth, cv2.CV_32F)
    inside = cv2.erode(field_of_view(fundus).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    values = laplacian[inside] if inside.any() else laplacian.ravel()
    return float(values.var())


def assess_image(image_bgr: np.ndarray) -> ImageQuality:
    """Score one photograph (BGR or grey uint8, any size) and flag it by the module's thresholds."""
    if image_bgr.dtype != np.uint8 or image_bgr.ndim not in (2, 3):
        raise ValueError(f"expected a uint8 image [H, W(, 3)], got {image_bgr.dtype} {image_bgr.shape}")
    frame = cv2.resize(image_bgr, (QUALITY_SIZE, QUALITY_SIZE), interpolation=cv2.INTER_AREA)
    levels = grey(frame)
    fov = field_of_view(frame)
    inside = levels[fov]
    quality = ImageQuality(
        brightness=float(levels.mean()),
        near_black=float((levels <= NEAR_BLACK_LEVEL).mean()),
        near_white=float((levels >= NEAR_WHITE_LEVEL).mean()),
        fov_fraction=float(fov.mean()),
        fov_brightness=float(inside.mean()) if inside.size else 0.0,
        contrast=float(inside.std()) if inside.size else 0.0,
        sharpness=sharpness(image_bgr),
    )
    fov_white = float((inside >= NEAR_WHITE_LEVEL).mean()) if inside.size else 0.0
    quality.flags = flag_reasons(quality, fov_white_fraction=fov_white)
    return quality


def flag_reasons(quality: ImageQuality, *, fov_white_fraction: float = 0.0,
                 blank=(BLANK_LOW, BLANK_HIGH), underexposed: float = UNDEREXPOSED_LEVEL,
                 overexposed: float = OVEREXPOSED_LEVEL, blur: float = BLUR_THRESHOLD,
                 min_fov: float = MIN_FOV_FRACTION) -> Tuple[str, ...]:
    """The names (FLAG_NAMES) of the rules ``quality`` breaks; thresholds default to the constants."""
    lit = quality.fov_fraction > 0
    rules = {
        "blank": not blank[0] <= quality.brightness <= blank[1],
        "underexposed": lit and quality.fov_brightness < underexposed,
        "overexposed": lit and (quality.fov_brightness > overexposed
                                or fov_white_fraction > OVEREXPOSED_WHITE_FRACTION),
        "blurred": quality.sharpness < blur,
        "no_fov": quality.fov_fraction < min_fov,
    }
    return tuple(name for name in FLAG_NAMES if rules[name])


def assess_file(path) -> ImageQuality:
    """``assess_image`` of an image file (decoded at reduced scale when it is much larger than needed)."""
    image, _ = read_image_for_size(path, QUALITY_SIZE)
    return assess_image(image)


# ----------------------------------------------------------------------------- a whole dataset

SCORE_NAMES = tuple(f.name for f in fields(ImageQuality) if f.name != "flags")
CSV_COLUMNS = ("path", "name", "label", *SCORE_NAMES, *FLAG_NAMES, "unreadable", "flagged", "flags")


@dataclass
class AuditResult:
    """What ``audit_dataset`` wrote, and its rows."""

    csv_path: Path
    sheet_path: Optional[Path]  # None when no image was flagged
    rows: List[dict]

    @property
    def flagged(self) -> List[dict]:
        return [row for row in self.rows if row["flagged"]]

    def summary(self) -> str:
        counts = {name: sum(bool(row[name]) for row in self.rows) for name in (*FLAG_NAMES, "unreadable")}
        detail = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
        return (f"{len(self.flagged)} of {len(self.rows)} images flagged" + (f" ({detail})" if detail else "")
                + f"\nscores and flags: {self.csv_path}"
                + (f"\nflagged images:   {self.sheet_path}" if self.sheet_path else ""))


def original_image(dataset, index: int) -> np.ndarray:
    """Sample ``index`` as photographed (BGR), before any preprocessing.

    Readers of image files decode the file; RetinaMNIST, whose pixels are rows of an array, has its
    own ``source_image(index)``.
    """
    if hasattr(dataset, "source_image"):
        return dataset.source_image(index)
    return read_image_for_size(dataset.samples[index][0], QUALITY_SIZE)[0]


def audit_row(path: str, label: int, quality: Optional[ImageQuality], problem: str = "") -> dict:
    """One CSV row: the sample, its scores and flags (or ``unreadable`` and why)."""
    row = {"path": path, "name": Path(path).name, "label": int(label)}
    scores = quality.scores() if quality else {}
    row.update({name: scores.get(name, "") for name in SCORE_NAMES})  # empty when unreadable
    flags = quality.flags if quality else ("unreadable",)
    row.update({name: int(name in flags) for name in (*FLAG_NAMES, "unreadable")})
    row["flagged"] = int(bool(flags))
    row["flags"] = ";".join(flags) if quality else f"unreadable: {problem}"
    return row


def audit_dataset(dataset, output_dir, prefix: str = "audit", progress: bool = True,
                  max_sheet_images: int = 48) -> AuditResult:
    """Score every image of ``dataset``; write ``<prefix>-quality.csv`` and ``<prefix>-flagged.png``.

    Images that cannot be read, and samples the reader skipped as bad (``skip_bad=True``: missing or
    undecodable files), get a row flagged ``unreadable``, so the CSV accounts for every listed image.
    """
    # heavy: matplotlib only when a figure is drawn
    import matplotlib.pyplot as plt

    from ..figures import save_figure

    output_dir = make_folder(output_dir, "audit output folder")
    rows, thumbnails, smallest = [], [], QUALITY_SIZE
    for index in tqdm(range(len(dataset)), desc=f"auditing {prefix}", disable=not progress):
        path, label = dataset.samples[index]
        try:
            image = original_image(dataset, index)
        except BadSampleError as error:  # missing or undecodable: the message names the file
            rows.append(audit_row(path, label, None, str(error)))
            continue
        smallest = min(smallest, *image.shape[:2])
        quality = assess_image(image)
        rows.append(audit_row(path, label, quality))
        if quality.flagged and len(thumbnails) < max_sheet_images:
            thumbnails.append((image, rows[-1]))
    for bad in getattr(dataset, "skipped", []):
        rows.append(audit_row(bad.path, -1, None, bad.reason))
    csv_path = output_dir / f"{prefix}-quality.csv"
    write_csv(csv_path, CSV_COLUMNS, [[row.get(column, "") for column in CSV_COLUMNS] for row in rows])
    if smallest < QUALITY_SIZE // 4:  # (synthetic 92-pixel photographs still score as calibrated)
        warnings.warn(f"{prefix}: some images are only {smallest} pixels wide; enlarged to {QUALITY_SIZE} for "
                      "the sharpness score they look smooth, so their 'blurred' flags mean little "
                      "(audit a larger version of the images if there is one)", stacklevel=2)
    sheet_path = None
    if thumbnails:
        figure = contact_sheet(thumbnails)
        sheet_path = save_figure(figure, output_dir / f"{prefix}-flagged.png")
        plt.close(figure)
    return AuditResult(csv_path, sheet_path, rows)


def contact_sheet(thumbnails: Sequence[Tuple[np.ndarray, dict]], columns: int = 6):
    """A grid of (BGR image, audit row) pairs, each titled with its file name and flags.

    The figure uses matplotlib's constrained layout, which reserves room for every title above its
    own image, so no title covers a neighbouring picture.
    """
    # heavy: matplotlib only when a figure is drawn
    import matplotlib.pyplot as plt

    columns = min(columns, len(thumbnails))
    rows = -(-len(thumbnails) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.5 * rows), squeeze=False,
                                layout="constrained")
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (image, row) in zip(axes.ravel(), thumbnails):
        scale = 160 / max(image.shape[:2])  # longer side 160 pixels, aspect ratio kept
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        ax.imshow(cv2.cvtColor(small, cv2.COLOR_BGR2RGB) if small.ndim == 3 else small, cmap="gray")
        name = row["name"] if len(row["name"]) <= 24 else "..." + row["name"][-21:]  # the end tells them apart
        ax.set_title(f"{name} (label {row['label']})\n{row['flags'].replace(';', ', ')}", fontsize=7)
    figure.suptitle(f"{len(thumbnails)} flagged image(s)")
    return figure


# ----------------------------------------------------------------------------- leaving images out


def read_exclusions(exclude: Union[None, str, os.PathLike, Iterable[str]]) -> List[str]:
    """The entries of ``exclude``: a list of file names / paths, or an audit CSV (its flagged rows)."""
    if exclude is None:
        return []
    if isinstance(exclude, (str, os.PathLike)):
        path = Path(exclude)
        if path.suffix.lower() != ".csv":
            raise WrongValueError(f"exclude={str(exclude)!r}: give a list of file names or paths, or the CSV "
                             "written by `python -m paddle_models audit`")
        return flagged_paths(path)
    return [str(entry) for entry in exclude]


def flagged_paths(csv_path: Path) -> List[str]:
    """The ``path`` of every row of an audit CSV whose ``flagged`` column is 1."""
    if not csv_path.is_file():
        raise MissingFileError(f"audit CSV not found: {csv_path} (write it with "
                                "`python -m paddle_models audit --data NAME --data-root ROOT`)")
    with open(csv_path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        missing = {"path", "flagged"} - set(reader.fieldnames or ())
        if missing:
            raise WrongValueError(f"{csv_path}:1: not an audit CSV: no column(s) {sorted(missing)} "
                             f"(found {reader.fieldnames})")
        return [row["path"] for row in reader if row["flagged"].strip() not in ("", "0")]


def exclude_samples(samples: Sequence[Tuple[str, int]], exclude) -> Tuple[List[Tuple[str, int]], List[str]]:
    """(kept samples, excluded paths): a sample goes when its path, absolute path or file name is listed.

    An entry with a folder in it matches that path only; a bare file name matches the file in any
    folder (DDR's names are unique within a split).
    """
    entries = read_exclusions(exclude)
    names = {entry for entry in entries if os.path.basename(entry) == entry}
    paths = {os.path.abspath(entry) for entry in entries if entry not in names}
    kept, excluded = [], []
    for path, label in samples:
        if os.path.basename(path) in names or os.path.abspath(path) in paths:
            excluded.append(path)
        else:
            kept.append((path, label))
    return kept, excluded


class UnmatchedExclusionWarning(UserWarning):
    """An exclusion list that names images, none of which a run's datasets hold."""


def warn_if_nothing_excluded(exclude, datasets: Sequence) -> None:
    """Warn when ``exclude`` lists images but none of ``datasets`` (a run's splits) held one of them.

    One split matching nothing is normal (an audit of 'train' names no image of 'valid'); all of them
    matching nothing means the list belongs to another dataset, or to the same data in another folder.
    """
    entries = read_exclusions(exclude)
    if entries and not any(getattr(dataset, "excluded", None) for dataset in datasets):
        warnings.warn(f"exclude={str(exclude)!r}: none of its {len(entries)} image(s) (e.g. {entries[0]}) is in this "
                      "run's data, so nothing was left out: is it the audit of another dataset, or of a copy "
                      "in another folder?", UnmatchedExclusionWarning, stacklevel=2)

