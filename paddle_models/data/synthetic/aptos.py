"""A synthetic APTOS 2019, with the real set's nuisances: four framings and varied cameras.

    train.csv (id_code,diagnosis) + train_images/<id_code>.png
    test.csv  (id_code)           + test_images/<id_code>.png          (only with test_images > 0)
    synthetic_truth.csv           what was done to each image (grade, framing, camera factors)

APTOS 2019 was collected at many clinics, with different cameras and framings; this writer paints
that variety (``framed_fundus``, ``vary_camera``), because handling it is what the APTOS reader's
``crop_type`` and lesson 13 are about.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence, Tuple, Union

import numpy as np

from ... import files
from .fundus import synthetic_fundus
from .writing import Photo, grade_counts, mark_synthetic, write_split

# The four framings of APTOS 2019 photographs, and roughly how often the synthetic set uses each.
APTOS_CROPS = ("full_circle", "clipped", "square", "odd_aspect")
APTOS_CROP_SHARES = (0.4, 0.3, 0.15, 0.15)
# APTOS 2019's training set per grade 0-4 (3,662 images).
APTOS_TRAIN_COUNTS = (1805, 370, 999, 193, 295)


def framed_fundus(rng: np.random.Generator, size: int, crop: str, dr_grade: int) -> np.ndarray:
    """One fundus painted in one of the ``APTOS_CROPS`` framings; ``size`` is the frame's width.

    full_circle  the whole circular field of view on a wider dark frame
    clipped      the circle is taller than the frame: its top and bottom are cut off
    square       a square cut from inside the circle: retina up to every edge, no dark frame
    odd_aspect   the whole circle on a very wide (2:1) frame
    """
    if crop == "full_circle":
        return synthetic_fundus(rng, size, int(size / 1.33), dr_grade=dr_grade, radius_fraction=0.47)[0]
    if crop == "clipped":
        return synthetic_fundus(rng, size, int(size / 1.5), dr_grade=dr_grade, radius_fraction=0.62)[0]
    if crop == "odd_aspect":
        return synthetic_fundus(rng, size, int(size / 2.0), dr_grade=dr_grade, radius_fraction=0.46)[0]
    if crop == "square":
        image, eye = synthetic_fundus(rng, int(size * 1.5), int(size * 1.5), dr_grade=dr_grade)
        half = int(eye.radius * 0.68)  # the inscribed square has half-side radius / sqrt(2) = 0.71 radius
        x, y = int(eye.center[0]), int(eye.center[1])
        return np.ascontiguousarray(image[y - half: y + half, x - half: x + half])
    raise ValueError(f"crop must be one of {APTOS_CROPS}, got {crop!r}")


def vary_camera(image: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> Tuple[np.ndarray, dict]:
    """Clinic-to-clinic variation on a finished photograph: exposure, colour cast, uneven light.

    ``strength`` 0 changes nothing; 1 gives dark and bright photographs (exposure x0.35-1.5), strong
    colour casts (each channel x0.6-1.4) and an illumination gradient across the image (up to +-50 %).
    The dark frame stays dark (it is multiplied too).  Returns (uint8 image, the factors used).
    """
    height, width = image.shape[:2]
    exposure = float(np.exp(strength * rng.uniform(np.log(0.35), np.log(1.5))))
    cast = np.exp(strength * rng.uniform(np.log(0.6), np.log(1.4), 3)).astype(np.float32)  # B, G, R
    angle, slope = rng.uniform(0, 2 * math.pi), strength * rng.uniform(0, 0.5)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    along = ((xs - width / 2) * math.cos(angle) + (ys - height / 2) * math.sin(angle)) / (max(width, height) / 2)
    light = np.clip(1.0 + slope * along, 0.3, 2.0) * exposure  # [H, W]
    varied = image.astype(np.float32) * light[:, :, None] * cast
    factors = {"exposure": exposure, "cast_b": float(cast[0]), "cast_g": float(cast[1]),
               "cast_r": float(cast[2]), "gradient": float(slope)}
    return np.clip(varied, 0, 255).astype(np.uint8), factors


def make_synthetic_aptos(
    root,
    per_class: Union[int, Sequence[int]] = 10,
    image_size: int = 256,
    seed: int = 0,
    test_images: int = 0,
    variation: float = 1.0,
    crop_shares: Sequence[float] = APTOS_CROP_SHARES,
) -> Path:
    """Write a synthetic APTOS 2019 under ``root``: train.csv + train_images/<id_code>.png; returns ``root``.

    The one APTOS writer, for ``synth --data aptos`` and the lessons alike.  Of the two writers APTOS
    once had, this is the one kept: it is what the lessons already used (lesson 13's data did not
    change), and it paints the real set's nuisances rather than clean photographs, because they are
    what a model trained on APTOS must cope with and what ``crop_type`` and the audit look for: each image gets a framing drawn from ``APTOS_CROPS`` with ``crop_shares`` and the
    camera variation of ``vary_camera(strength=variation)`` (``variation=0`` keeps the camera as
    painted).  ``per_class`` may be five counts, e.g. APTOS's proportions (``APTOS_TRAIN_COUNTS``).
    ``test_images`` > 0 also writes test.csv (id_code only) and test_images/, with random grades; the
    training images do not change with it.  What was done to each image is written to
    ``synthetic_truth.csv`` (id_code, diagnosis, crop, exposure, casts, gradient) so a lesson can
    check what it finds in the images (lesson 13).
    """
    root = Path(root)
    shares = np.asarray(crop_shares, dtype=np.float64)

    def paint(split):
        def paint_one(rng, number, label):
            id_code = "".join(rng.choice(list("0123456789abcdef"), 12))
            crop = APTOS_CROPS[int(rng.choice(len(APTOS_CROPS), p=shares / shares.sum()))]
            image = framed_fundus(rng, int(image_size * rng.uniform(0.8, 1.0)), crop, int(label))
            image, factors = vary_camera(image, rng, variation)
            return Photo(f"{split}_images/{id_code}.png", image,
                         {"id_code": id_code, "diagnosis": int(label), "crop": crop,
                          **{key: round(value, 3) for key, value in factors.items()}})
        return paint_one

    labels = np.random.default_rng([seed, 40]).permutation(np.repeat(np.arange(5), grade_counts(per_class, 5)))
    truth = write_split(root, labels, paint("train"), seed, (40,))
    files.write_csv(root / "train.csv", ("id_code", "diagnosis"), [(row["id_code"], row["diagnosis"]) for row in truth])
    if test_images:
        test_labels = np.random.default_rng([seed, 41]).integers(0, 5, test_images)
        test_truth = write_split(root, test_labels, paint("test"), seed, (41,))
        files.write_csv(root / "test.csv", ("id_code",), [(row["id_code"],) for row in test_truth])
        truth += test_truth
    files.write_csv(root / "synthetic_truth.csv", list(truth[0]), [list(row.values()) for row in truth])
    mark_synthetic(root)
    return root


# The name lessons and tests used when APTOS had two writers (the other one painted plain photographs).
make_synthetic_aptos_clinics = make_synthetic_aptos
