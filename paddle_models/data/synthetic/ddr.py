"""A synthetic DDR (its DR grading part) in the official layout, and its archive as distributed.

    DDR-dataset/DR_grading/train.txt          "<file name> <grade>" lines, grade 5 = ungradable
    DDR-dataset/DR_grading/train/007-0004-000.jpg ...    (and valid/, test/ alike)

How hard the task is can be set: ``lesion_scale`` and ``lesion_contrast`` make the lesions bigger
or more visible (at 64x64 pixels the default lesions are a pixel or less); ``grade_overlap`` paints
each eye at a severity scattered around its grade, so neighbouring grades overlap as real disease
does (grading cuts a continuum into five bins); ``label_noise`` moves a fraction of the written
grades one step (graders disagree too); and ``images=`` writes DDR's real, heavily imbalanced grade
proportions (``DDR_CLASS_COUNTS``) instead of the same count per grade.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from ... import files
from .fundus import synthetic_fundus
from .writing import Photo, grade_counts, mark_synthetic, painted_severities, write_split, zip_folder

# DDR comes from several cameras: (width / height, fundus radius / height)
DDR_CAMERAS = ((1.0, 0.47), (1.5, 0.49), (1.33, 0.46))
# The whole DDR (Li et al. 2019), images per class: grades 0-4 and 5 = ungradable (46/5/33/2/7/8 %)
DDR_CLASS_COUNTS = (6266, 630, 4477, 236, 913, 1151)


def ddr_file_name(rng: np.random.Generator, number: int) -> str:
    """DDR-style names: mostly '007-0004-000.jpg' (hospital-patient-image), some timestamps."""
    if rng.uniform() < 0.25:
        return f"2017{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}{rng.integers(0, 24):02d}" \
               f"{rng.integers(0, 60):02d}{rng.integers(0, 60):02d}{number % 1000:03d}.jpg"
    return f"{rng.integers(1, 50):03d}-{number:04d}-{rng.integers(0, 3):03d}.jpg"


def ddr_proportion_counts(images: int, minimum: int = 1) -> list:
    """``images`` split into DDR's six classes in its real proportions (``DDR_CLASS_COUNTS``).

    Largest remainders, so the counts add up to ``images``; every class gets at least ``minimum``
    (taken from the largest class), so even a small set has a few severe (grade 3) images.

    >>> ddr_proportion_counts(100)
    [46, 4, 33, 2, 7, 8]
    """
    if images < 6 * minimum:
        raise ValueError(f"images={images} is too few for six classes of at least {minimum}")
    share = np.asarray(DDR_CLASS_COUNTS, np.float64) / sum(DDR_CLASS_COUNTS) * images
    counts = np.floor(share).astype(int)
    counts[np.argsort(counts - share)[: images - counts.sum()]] += 1  # largest remainders first
    for label in np.flatnonzero(counts < minimum):
        counts[counts.argmax()] -= minimum - counts[label]
        counts[label] = minimum
    return counts.tolist()


def noisy_grades(labels: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A fraction ``rate`` of the gradable labels (0-4) moved one grade up or down (within 0-4)."""
    labels = labels.copy()
    flip = (labels < 5) & (rng.uniform(size=len(labels)) < rate)
    step = rng.choice([-1, 1], size=len(labels))
    step[labels == 0], step[labels == 4] = 1, -1
    labels[flip] += step[flip]
    return labels


def make_synthetic_ddr(
    root,
    per_class: Union[int, Sequence[int]] = 10,
    image_size: int = 512,
    seed: int = 0,
    splits: Sequence[str] = ("train", "valid", "test"),
    ungradable: Optional[int] = None,
    quality: int = 92,
    images: Union[None, int, Sequence[int]] = None,
    lesion_scale: float = 1.0,
    lesion_contrast: float = 1.0,
    label_noise: float = 0.0,
    grade_overlap: float = 0.0,
) -> Path:
    """Write a synthetic DDR (DR grading part) under ``root``/DDR-dataset/DR_grading; returns ``root``.

    Each split gets ``per_class`` images of every grade 0-4 (an int, or five counts for an
    imbalanced set) and ``ungradable`` images labelled 5 (default: half of per_class, at least 1).
    ``images`` instead writes DDR's real class proportions (46/5/33/2/7 % for grades 0-4, 8 %
    ungradable; ``ddr_proportion_counts``): an int for every split, or three (train, valid, test).
    Image sizes vary as they do between DDR's cameras; ``image_size`` is the widest width.

    Difficulty: ``lesion_scale`` and ``lesion_contrast`` multiply the lesions' size and opacity;
    ``grade_overlap`` (in grades) is the spread of the painted severity around the label: with 0.4
    some grade-2 eyes look like a mild grade 3 and vice versa; ``label_noise`` is the fraction of
    gradable images whose *written* grade is one step off the painted one (the images stay the
    same, only the label files change).
    """
    root = Path(root)
    if images is None:
        counts = grade_counts(per_class, 5)
        if ungradable is None:
            ungradable = max(1, min(counts) // 2)
        split_counts = [counts + [ungradable]] * 3
    else:
        sizes = [images] * 3 if isinstance(images, (int, np.integer)) else list(images)
        if len(sizes) != 3:
            raise ValueError(f"images must be an int or three counts (train, valid, test), got {images!r}")
        split_counts = [ddr_proportion_counts(int(size)) for size in sizes]
    grading = root / "DDR-dataset" / "DR_grading"
    for split_number, split in enumerate(("train", "valid", "test")):
        if split not in splits:
            continue
        labels = np.repeat(np.arange(6), split_counts[split_number])
        labels = np.random.default_rng([seed, 10 + split_number]).permutation(labels)
        written = noisy_grades(labels, label_noise, np.random.default_rng([seed, 40 + split_number]))
        severities = painted_severities(np.minimum(labels, 4), grade_overlap,
                                        np.random.default_rng([seed, 50 + split_number]))
        used = set()

        def paint(rng, number, label_written_severity):
            label, label_written, severity = label_written_severity
            aspect, radius_fraction = DDR_CAMERAS[int(rng.integers(len(DDR_CAMERAS)))]
            width = int(image_size * rng.uniform(0.85, 1.0))
            image, _ = synthetic_fundus(rng, width, int(width / aspect), dr_grade=float(severity),
                                        ungradable=label == 5, radius_fraction=radius_fraction,
                                        lesion_scale=lesion_scale, lesion_contrast=lesion_contrast)
            name = ddr_file_name(rng, number)
            while name in used:
                name = ddr_file_name(rng, number)
            used.add(name)
            return Photo(Path(split) / name, image, f"{name} {label_written}\n")

        lines = write_split(grading, zip(labels, written, severities), paint, seed, (10 + split_number,), quality)
        files.write_text(grading / f"{split}.txt", "".join(lines))
    mark_synthetic(root)
    return root


def make_synthetic_ddr_archives(
    out_dir,
    per_class: Union[int, Sequence[int]] = 4,
    image_size: int = 256,
    seed: int = 0,
    parts: int = 1,
) -> list:
    """Write a synthetic DDR as an archive: DDR-dataset.zip holding DDR-dataset/DR_grading/...

    ``parts`` > 1 cuts the zip into that many numbered pieces DDR-dataset.zip.001, .002 ... (the
    multi-part form DDR is downloaded in; joined in order they are the zip again).  Also holds a
    small DDR-dataset/lesion_segmentation/ file that ``prepare_ddr`` must skip.  For testing
    ``prepare_ddr`` and the AI Studio data search.  Returns the written files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="synthetic_ddr_"))
    try:
        make_synthetic_ddr(staging, per_class, image_size, seed)
        other = staging / "DDR-dataset" / "lesion_segmentation" / "README.txt"
        other.parent.mkdir(parents=True)
        files.write_text(other, "not part of DR grading\n")
        archive = zip_folder(out_dir / "DDR-dataset.zip", staging, "DDR-dataset")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if parts <= 1:
        return [archive]
    data = archive.read_bytes()
    archive.unlink()
    size = -(-len(data) // parts)  # ceiling division: the last piece may be shorter
    pieces = []
    for number in range(parts):
        piece = out_dir / f"DDR-dataset.zip.{number + 1:03d}"
        files.write_bytes(piece, data[number * size:(number + 1) * size])
        pieces.append(piece)
    return pieces
