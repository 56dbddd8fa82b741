"""Synthetic fundus photographs, written in the exact layouts of the real datasets.

The real datasets need a registration and several GB of downloads.  Tests, the demo and the
lessons' fast mode use look-alikes instead.  A synthetic fundus is painted in layers, each a short
function below, in the order a real eye stacks them:

    retina background   orange-red, brighter in the middle (vignetting), uneven colour
    tessellation        the choroid showing through a thin retina: myopia
    macula              a darker spot with a bright foveal reflex
    optic disc          a bright yellowish disc with a paler cup
    atrophy             a pale crescent/ring around the disc: pathologic myopia (PPA)
    vessels             branching trees leaving the disc
    DR lesions          microaneurysms, haemorrhages, exudates, cotton-wool spots, new vessels
    camera              the dark, noisy, *near*-zero frame around the circular field of view

Class signal: pathologic myopia (PM) = strong tessellation + peripapillary atrophy (+ atrophic
patches); high myopia = mild tessellation, at most a thin crescent; normal = neither.  DR grade
g = lesions that grow in number and kind with g; "ungradable" = blurred and badly exposed.

Difficulty controls for iChallenge-PM (``make_synthetic_ichallenge_pm``; the defaults give the
images above, and only a control that is switched on draws extra random numbers, so the default
datasets do not change):

    pm_signal     0..1, how strong the PM signs are (tessellation, crescent size, patches): 1 as
                  above; 0.3 a subtle crescent that is much harder to see at 64x64
    label_noise   share of *training* images filed under the wrong class (P <-> H/N): wrong labels
                  a model can only memorise (validation and test labels stay correct)
    illumination  0..1, uneven lighting: a random brightness gradient across the field
    color_cast    0..1, a random colour balance per image (camera white balance)
    blur          0..1, random defocus up to ``blur`` x 2% of the field radius

How hard the DR task is can be set (``make_synthetic_ddr``): ``lesion_scale`` and
``lesion_contrast`` make the lesions bigger or more visible (at 64x64 pixels the default lesions
are a pixel or less); ``grade_overlap`` paints each eye at a severity scattered around its grade,
so neighbouring grades overlap as real disease does (grading cuts a continuum into five bins);
``label_noise`` moves a fraction of the written grades one step (graders disagree too); and
``images=`` writes DDR's real, heavily imbalanced grade proportions (``DDR_CLASS_COUNTS``) instead
of the same count per grade.  ``make_synthetic_retinamnist`` takes ``grade_overlap`` too (lesson 14).

Everything is deterministic for a seed.  Reduced resolution (the default) is fast: a few hundred
images in seconds.  ``image_size="real"`` gives iChallenge-PM's 2124x2056.
"""
from __future__ import annotations

import math
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from .. import files

PALM_SIZE = (2124, 2056)  # (width, height) of an iChallenge-PM photograph
# DDR comes from several cameras: (width / height, fundus radius / height)
DDR_CAMERAS = ((1.0, 0.47), (1.5, 0.49), (1.33, 0.46))
# The whole DDR (Li et al. 2019), images per class: grades 0-4 and 5 = ungradable (46/5/33/2/7/8 %)
DDR_CLASS_COUNTS = (6266, 630, 4477, 236, 913, 1151)

Color = Tuple[float, float, float]  # BGR, 0-255

# ---------------------------------------------------------------------------------------------
# Geometry of one eye
# ---------------------------------------------------------------------------------------------


@dataclass
class Eye:
    """Where things are in one synthetic photograph (pixels)."""

    width: int
    height: int
    center: Tuple[float, float]  # centre of the circular field of view
    radius: float  # radius of the field of view
    disc: Tuple[float, float]  # optic disc centre
    disc_radius: float
    macula: Tuple[float, float]  # fovea
    nasal: int  # +1 if the disc is right of the macula (a right eye), -1 otherwise


def random_eye(rng: np.random.Generator, width: int, height: int, radius_fraction: float = 0.48) -> Eye:
    """A field of view roughly centred in the frame, a macula near the centre, the disc to one side."""
    radius = min(width, height) * radius_fraction * rng.uniform(0.97, 1.03)
    cx = width / 2 + rng.normal(0, 0.01) * width
    cy = height / 2 + rng.normal(0, 0.01) * height
    nasal = int(rng.choice([-1, 1]))
    macula = (cx - nasal * radius * rng.uniform(0.0, 0.08), cy + radius * rng.normal(0, 0.03))
    disc = (macula[0] + nasal * radius * rng.uniform(0.42, 0.5), macula[1] - radius * rng.uniform(0.0, 0.06))
    return Eye(width, height, (cx, cy), radius, disc, radius * rng.uniform(0.085, 0.105), macula, nasal)


def distance_map(eye: Eye, point: Tuple[float, float]) -> np.ndarray:
    """Distance of every pixel from ``point``, in units of the field-of-view radius. [H, W]"""
    ys, xs = np.ogrid[: eye.height, : eye.width]
    return np.sqrt((xs - point[0]) ** 2 + (ys - point[1]) ** 2).astype(np.float32) / eye.radius


def smooth_noise(rng: np.random.Generator, eye: Eye, cells: int) -> np.ndarray:
    """Smooth random field (about ``cells`` blobs across), zero mean, unit-ish amplitude. [H, W]"""
    small = rng.standard_normal((cells, cells)).astype(np.float32)
    return cv2.resize(small, (eye.width, eye.height), interpolation=cv2.INTER_CUBIC)


def blend(image: np.ndarray, weight: np.ndarray, color: Color) -> None:
    """image = image * (1 - weight) + color * weight, in place (weight [H, W] in 0..1)."""
    for channel, value in enumerate(color):  # one channel at a time: 4x faster than broadcasting
        plane = image[:, :, channel]
        plane += (value - plane) * weight


def soft_mask(eye: Eye, draw, blur: float) -> np.ndarray:
    """A 0..1 float mask [H, W]: ``draw(mask)`` paints 1s with cv2 functions, then it is blurred."""
    mask = np.zeros((eye.height, eye.width), np.float32)
    draw(mask)
    if blur > 0.3:
        mask = cv2.GaussianBlur(mask, (0, 0), blur)
    return np.clip(mask, 0, 1)


def random_points(rng: np.random.Generator, eye: Eye, count: int, max_radius: float = 0.85):
    """``count`` random points inside the field of view, away from the optic disc."""
    points = []
    while len(points) < count:
        angle, r = rng.uniform(0, 2 * math.pi), max_radius * math.sqrt(rng.uniform(0.02, 1))
        x, y = eye.center[0] + r * eye.radius * math.cos(angle), eye.center[1] + r * eye.radius * math.sin(angle)
        if math.hypot(x - eye.disc[0], y - eye.disc[1]) > 2.2 * eye.disc_radius:
            points.append((x, y))
    return points


# ---------------------------------------------------------------------------------------------
# The layers
# ---------------------------------------------------------------------------------------------


def paint_retina(rng: np.random.Generator, eye: Eye) -> np.ndarray:
    """Orange-red background, darker towards the rim (vignetting), with uneven colour. [H, W, 3]"""
    base = np.array([rng.uniform(15, 35), rng.uniform(55, 85), rng.uniform(170, 215)], np.float32)  # BGR
    r = distance_map(eye, eye.center)
    vignetting = np.clip(1.0 - 0.55 * r ** 2.5, 0.15, 1.0)  # [H, W]
    unevenness = 1.0 + 0.08 * smooth_noise(rng, eye, 5)
    shading = vignetting * unevenness
    return cv2.merge([shading * value for value in base])  # [H, W, 3] float32


def paint_tessellation(image: np.ndarray, rng: np.random.Generator, eye: Eye, strength: float) -> None:
    """Myopic "tigroid" fundus: broad orange choroidal vessels with dark gaps between them.

    A thin myopic retina lets the choroid show through.  We draw broad wavy vessels radiating from
    the back of the eye, then darken everything *between* them.
    """
    choroid = np.zeros((eye.height, eye.width), np.float32)
    for angle in np.linspace(0, 2 * math.pi, 18, endpoint=False) + rng.uniform(0, 0.3):
        start = (eye.macula[0] + rng.normal(0, 0.1) * eye.radius, eye.macula[1] + rng.normal(0, 0.1) * eye.radius)
        grow_vessel(choroid, rng, start, angle, eye.radius * 1.1, eye.radius * 0.05, 2, rng.normal(0, 0.05))
    choroid = cv2.GaussianBlur(choroid, (0, 0), eye.radius * 0.012)
    gaps = 1.0 - np.clip(choroid, 0, 1)
    blend(image, strength * 0.55 * gaps, (25, 35, 85))  # dark brown-red gaps


def paint_macula(image: np.ndarray, eye: Eye) -> None:
    """The macula is darker; the fovea at its centre shows a small bright reflex."""
    d = distance_map(eye, eye.macula)
    blend(image, 0.45 * np.exp(-(d / 0.16) ** 2), (15, 30, 80))
    blend(image, 0.5 * np.exp(-(d / 0.012) ** 2), (150, 190, 230))


def paint_optic_disc(image: np.ndarray, eye: Eye) -> None:
    """A bright yellow-pink disc with a paler central cup."""
    d = distance_map(eye, eye.disc) * eye.radius / eye.disc_radius  # in disc radii
    blend(image, np.exp(-d ** 6), (120, 190, 240))
    blend(image, 0.8 * np.exp(-(d / 0.45) ** 4), (205, 235, 250))


def paint_atrophy(image: np.ndarray, rng: np.random.Generator, eye: Eye, size: float, patches: int = 0) -> None:
    """Peripapillary atrophy: a pale irregular crescent around the disc, widest on the macula side.

    ``size`` is the outer radius in disc radii (1 = none).  ``patches`` adds patchy chorioretinal
    atrophy near the macula, as in advanced pathologic myopia.
    """
    d = distance_map(eye, eye.disc) * eye.radius / eye.disc_radius  # in disc radii
    ys, xs = np.ogrid[: eye.height, : eye.width]
    towards_macula = math.atan2(eye.macula[1] - eye.disc[1], eye.macula[0] - eye.disc[0])
    angle = np.arctan2(ys - eye.disc[1], xs - eye.disc[0]) - towards_macula
    reach = 1.0 + (size - 1.0) * (0.1 + 0.9 * (0.5 + 0.5 * np.cos(angle)) ** 2)  # crescent outer edge
    reach = reach * (1.0 + 0.12 * smooth_noise(rng, eye, 9))  # irregular border
    ring = np.clip((reach - d) * 3.0, 0, 1) * np.clip((d - 0.8) * 5.0, 0, 1)
    blend(image, 0.8 * ring, (140, 190, 225))  # pale yellow-white
    for x, y in random_points(rng, eye, patches, max_radius=0.35):
        axes = (int(eye.radius * rng.uniform(0.04, 0.09)), int(eye.radius * rng.uniform(0.03, 0.06)))
        patch = soft_mask(eye, lambda m: cv2.ellipse(m, (int(x), int(y)), axes, rng.uniform(0, 180),
                                                     0, 360, 1.0, -1), blur=eye.radius * 0.012)
        patch *= np.clip(1.0 + 0.5 * smooth_noise(rng, eye, 20), 0, 1)  # ragged edges
        blend(image, 0.75 * patch, (150, 195, 225))


def grow_vessel(mask, rng, start, angle, length, width, depth, bend):
    """Draw one vessel as a wobbly polyline, then let it fork into two thinner ones (recursively)."""
    points, (x, y) = [start], start
    for _ in range(10):
        angle += bend + rng.normal(0, 0.12)
        x, y = x + math.cos(angle) * length / 10, y + math.sin(angle) * length / 10
        points.append((x, y))
    cv2.polylines(mask, [np.int32(points)], False, 1.0, max(1, int(round(width))), cv2.LINE_AA)
    if depth > 0 and width > 0.6:
        for side in (-1, 1):
            fork = points[int(rng.integers(3, 9))]
            grow_vessel(mask, rng, fork, angle + side * rng.uniform(0.3, 0.8), length * 0.6,
                        width * 0.7, depth - 1, bend * 0.5)


def paint_vessels(image: np.ndarray, rng: np.random.Generator, eye: Eye) -> None:
    """Arteries (lighter) and veins (darker): arcades leaving the disc and arching around the macula."""
    towards_macula = math.atan2(eye.macula[1] - eye.disc[1], eye.macula[0] - eye.disc[0])
    width = eye.radius * 0.014
    for color, width_scale in (((20, 25, 120), 0.8), ((25, 20, 85), 1.0)):  # artery, vein
        mask = np.zeros((eye.height, eye.width), np.float32)
        for side in (-1, 1):  # superior / inferior
            # temporal arcade: leaves the disc steeply, then bends back towards the macula
            temporal = towards_macula + side * rng.uniform(1.1, 1.4)
            grow_vessel(mask, rng, eye.disc, temporal, eye.radius * 1.0, width * width_scale, 3, -side * 0.1)
            nasal = towards_macula + math.pi - side * rng.uniform(0.4, 0.9)
            grow_vessel(mask, rng, eye.disc, nasal, eye.radius * 0.6, width * width_scale * 0.8, 2, side * 0.03)
        mask = cv2.GaussianBlur(mask, (0, 0), max(0.5, width * 0.25))
        blend(image, 0.75 * np.clip(mask, 0, 1), color)


def paint_dr_lesions(image: np.ndarray, rng: np.random.Generator, eye: Eye, grade: int,
                     scale: float = 1.0, contrast: float = 1.0) -> None:
    """Diabetic retinopathy findings growing with the grade (0 none ... 4 proliferative).

    ``grade`` may be fractional, a severity between two grades: the lesion counts are then
    interpolated (grade 2.5 has half of grade 3's cotton-wool spots).  ``scale`` multiplies the
    lesions' sizes, ``contrast`` their opacity (capped at fully opaque); 1 and 1 paint them at their
    real relative size, a pixel or two at 256 pixels wide.
    """
    R = eye.radius * scale

    def count(per_grade):
        return int(round(float(np.interp(grade, range(5), per_grade))))

    microaneurysms = count([0, 8, 16, 24, 24])
    haemorrhages = count([0, 0, 5, 14, 20])
    exudates = count([0, 0, 6, 12, 14])
    cotton_wool = count([0, 0, 0, 4, 5])
    new_vessel_tufts = count([0, 0, 0, 0, 3])

    def opacity(value):
        return min(1.0, value * contrast)

    def dots(points, radii):
        def draw(mask):
            for (x, y), r in zip(points, radii):
                cv2.circle(mask, (int(x), int(y)), max(1, int(r)), 1.0, -1, cv2.LINE_AA)
        return draw

    n = microaneurysms
    blend(image, opacity(0.9) * soft_mask(eye, dots(random_points(rng, eye, n), R * rng.uniform(0.006, 0.01, n)),
                                 blur=R * 0.002), (20, 15, 110))
    n = haemorrhages  # dark red blots
    blend(image, opacity(0.85) * soft_mask(eye, dots(random_points(rng, eye, n), R * rng.uniform(0.02, 0.045, n)),
                                  blur=R * 0.006), (15, 10, 90))
    n = exudates  # hard exudates: bright yellow, in small clusters
    centres = random_points(rng, eye, n, max_radius=0.6)
    points = [(x + rng.normal(0, R * 0.03), y + rng.normal(0, R * 0.03)) for x, y in centres for _ in range(3)]
    blend(image, opacity(0.9) * soft_mask(eye, dots(points, R * rng.uniform(0.01, 0.02, len(points))),
                                 blur=R * 0.003), (90, 215, 240))
    n = cotton_wool  # fluffy white patches
    blend(image, opacity(0.7) * soft_mask(eye, dots(random_points(rng, eye, n), R * rng.uniform(0.04, 0.06, n)),
                                 blur=R * 0.015), (200, 220, 235))
    if new_vessel_tufts:  # neovascularisation: tangles of fine vessels, at the disc and elsewhere
        mask = np.zeros((eye.height, eye.width), np.float32)
        sites = [eye.disc] + random_points(rng, eye, new_vessel_tufts - 1, max_radius=0.7)
        for x, y in sites:
            for _ in range(8):
                grow_vessel(mask, rng, (x, y), rng.uniform(0, 2 * math.pi), R * 0.12, R * 0.006, 1, 0.5)
        blend(image, opacity(0.8) * np.clip(mask, 0, 1), (30, 25, 150))
        x, y = random_points(rng, eye, 1, max_radius=0.5)[0]  # a large pre-retinal haemorrhage
        blob = soft_mask(eye, lambda m: cv2.ellipse(m, (int(x), int(y)), (int(R * 0.12), int(R * 0.08)),
                                                    rng.uniform(0, 180), 0, 360, 1.0, -1), blur=R * 0.01)
        blend(image, opacity(0.9) * blob, (10, 10, 100))


def apply_camera(image: np.ndarray, rng: np.random.Generator, eye: Eye, ungradable: bool = False) -> np.ndarray:
    """Exposure, sensor noise and the circular field of view on a dark, near-zero (not zero) frame."""
    if ungradable:  # out of focus, badly exposed: nothing can be graded
        image = cv2.GaussianBlur(image, (0, 0), eye.radius * rng.uniform(0.03, 0.06))
        image *= rng.choice([rng.uniform(0.25, 0.45), rng.uniform(1.5, 1.9)])
    image *= rng.uniform(0.85, 1.15)  # exposure
    noise = rng.normal(0, 2.0, (eye.height, eye.width)).astype(np.float32)  # sensor noise
    inside = soft_mask(eye, lambda m: cv2.circle(m, (int(eye.center[0]), int(eye.center[1])),
                                                 int(eye.radius), 1.0, -1, cv2.LINE_AA), blur=eye.radius * 0.005)
    frame = rng.uniform(0, 5, (eye.height, eye.width)).astype(np.float32)  # 0..5: dark, never all zero
    for channel in range(3):
        plane = image[:, :, channel]
        plane[:] = (plane + noise) * inside + frame * (1 - inside)
    return np.clip(image, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# One photograph
# ---------------------------------------------------------------------------------------------

MYOPIA_LEVELS = {  # tessellation strength, atrophy size range (disc radii), atrophic patches
    "normal": (0.0, None, 0),
    "high": (0.4, (1.0, 1.4), 0),
    "pathologic": (1.0, (2.0, 2.8), 3),
}


def synthetic_fundus(
    rng: np.random.Generator,
    width: int,
    height: int,
    myopia: str = "normal",
    dr_grade: float = 0,
    ungradable: bool = False,
    radius_fraction: float = 0.48,
    pm_signal: float = 1.0,
    nuisance: Optional[Dict[str, float]] = None,
    lesion_scale: float = 1.0,
    lesion_contrast: float = 1.0,
) -> Tuple[np.ndarray, Eye]:
    """Paint one fundus photograph; returns (BGR uint8 [height, width, 3], its Eye geometry).

    ``myopia``: 'normal', 'high' or 'pathologic'.  ``dr_grade``: 0-4.  ``ungradable``: blur and
    bad exposure on top.  ``pm_signal`` (0..1) weakens the signs of pathologic myopia;
    ``nuisance``: {'illumination', 'color_cast', 'blur': 0..1} (see the module docstring).
    ``dr_grade`` may be fractional (a severity between grades), and
    ``lesion_scale`` / ``lesion_contrast`` change the lesions: see ``paint_dr_lesions``.
    """
    tessellation, atrophy_size, patches = MYOPIA_LEVELS[myopia]
    if myopia == "pathologic" and pm_signal != 1.0:
        tessellation, patches = tessellation * pm_signal, int(round(patches * pm_signal))
        atrophy_size = tuple(1.0 + (size - 1.0) * pm_signal for size in atrophy_size)
    eye = random_eye(rng, width, height, radius_fraction)
    image = paint_retina(rng, eye)
    if tessellation:
        paint_tessellation(image, rng, eye, tessellation * rng.uniform(0.7, 1.0))
    paint_macula(image, eye)
    paint_optic_disc(image, eye)
    if atrophy_size and (myopia == "pathologic" or rng.uniform() < 0.5):
        paint_atrophy(image, rng, eye, rng.uniform(*atrophy_size), int(rng.integers(0, patches + 1)))
    paint_vessels(image, rng, eye)
    if dr_grade:
        paint_dr_lesions(image, rng, eye, dr_grade, lesion_scale, lesion_contrast)
    if nuisance and any(nuisance.values()):
        apply_nuisance(image, rng, eye, **nuisance)
    return apply_camera(image, rng, eye, ungradable), eye


def apply_nuisance(image: np.ndarray, rng: np.random.Generator, eye: Eye, illumination: float = 0.0,
                   color_cast: float = 0.0, blur: float = 0.0) -> None:
    """Variation that says nothing about the diagnosis: uneven light, colour balance, defocus (in place)."""
    if illumination:  # a brightness ramp in a random direction, up to +-40% at full strength
        ys, xs = np.ogrid[: eye.height, : eye.width]
        angle = rng.uniform(0, 2 * math.pi)
        ramp = ((xs - eye.center[0]) * math.cos(angle) + (ys - eye.center[1]) * math.sin(angle)) / eye.radius
        image *= (1.0 + 0.4 * illumination * rng.uniform(0.3, 1.0) * ramp)[:, :, None].astype(np.float32)
    if color_cast:  # per-channel gains, up to +-25% at full strength
        image *= (1.0 + 0.25 * color_cast * rng.uniform(-1, 1, 3)).astype(np.float32)
    if blur:
        sigma = blur * rng.uniform(0, 0.02) * eye.radius
        if sigma > 0.3:
            image[:] = cv2.GaussianBlur(image, (0, 0), sigma)


# ---------------------------------------------------------------------------------------------
# Writing files
# ---------------------------------------------------------------------------------------------


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


def image_rng(seed: int, *keys: int) -> np.random.Generator:
    """The random generator of one image: depends on the seed and the image's identity only."""
    return np.random.default_rng([seed, *keys])


def make_synthetic_ichallenge_pm(
    root,
    per_class: int = 10,
    image_size: Union[int, str, Tuple[int, int]] = 512,
    seed: int = 0,
    splits: Sequence[str] = ("train", "valid", "test"),
    nested: bool = True,
    label_format: str = "xlsx",
    quality: int = 92,
    pm_signal: float = 1.0,
    label_noise: float = 0.0,
    illumination: float = 0.0,
    color_cast: float = 0.0,
    blur: float = 0.0,
) -> Path:
    """Write a synthetic iChallenge-PM in the official layout under ``root``; returns ``root``.

    Each split gets ``per_class`` PM images and ``per_class`` non-PM images (half high myopia 'H',
    half normal 'N').  Training files are P0001.jpg, H0001.jpg, N0001.jpg ...; validation files
    V0001.jpg ... with labels in PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx
    (``label_format`` 'xlsx', 'csv' for labels.csv, or 'both'); test files T0001.jpg, unlabeled.
    ``nested`` puts training images in PALM-Training400/PALM-Training400/ as the nested zip does.
    ``pm_signal``, ``label_noise``, ``illumination``, ``color_cast``, ``blur``: the difficulty
    controls of the module docstring (defaults: none).
    """
    if label_format not in ("xlsx", "csv", "both"):
        raise ValueError(f"label_format must be 'xlsx', 'csv' or 'both', got {label_format!r}")
    if not 0.0 <= label_noise <= 1.0 or not 0.0 <= pm_signal <= 1.0:
        raise ValueError(f"label_noise and pm_signal must lie in 0..1, got {label_noise}, {pm_signal}")
    nuisance = {"illumination": illumination, "color_cast": color_cast, "blur": blur}
    root = Path(root)
    width, height = frame_size(image_size)
    kinds = ["pathologic"] * per_class + ["high"] * ((per_class + 1) // 2) + ["normal"] * (per_class // 2)
    prefixes = {"pathologic": "P", "high": "H", "normal": "N"}
    for split_number, split in enumerate(("train", "valid", "test")):
        if split not in splits:
            continue
        order = np.random.default_rng([seed, split_number]).permutation(len(kinds))
        flipped = np.zeros(len(kinds), bool)
        if split == "train" and label_noise:  # wrong labels for a share of the training images
            flipped = np.random.default_rng([seed, split_number, 99]).uniform(size=len(kinds)) < label_noise
        rows, counters = [], {"P": 0, "H": 0, "N": 0}
        for number, kind_index in enumerate(order, start=1):
            kind = kinds[kind_index]
            image, eye = synthetic_fundus(image_rng(seed, split_number, number), width, height, kind,
                                          pm_signal=pm_signal, nuisance=nuisance)
            if split == "train":
                prefix = prefixes[kind]
                if flipped[number - 1]:
                    prefix = "H" if kind == "pathologic" else "P"
                counters[prefix] += 1
                folder = root / "PALM-Training400" / ("PALM-Training400" if nested else "")
                name = f"{prefix}{counters[prefix]:04d}.jpg"
            elif split == "valid":
                folder, name = root / "PALM-Validation400", f"V{number:04d}.jpg"
                rows.append((number, name, int(kind == "pathologic"), round(eye.macula[0], 2), round(eye.macula[1], 2)))
            else:
                folder, name = root / "PALM-Testing400-Images", f"T{number:04d}.jpg"
            write_image(folder / name, image, quality)
        if split == "valid":
            write_pm_label_table(root / "PALM-Validation-GT", rows, label_format)
    mark_synthetic(root)
    return root


PM_TABLE_COLUMNS = ("ID", "imgName", "Label", "Fovea_X", "Fovea_Y")


def write_pm_label_table(folder: Path, rows, label_format: str = "xlsx") -> None:
    """PM_Label_and_Fovea_Location.xlsx and/or labels.csv with columns ID, imgName, Label, Fovea_X, Fovea_Y."""
    folder.mkdir(parents=True, exist_ok=True)
    if label_format in ("xlsx", "both"):
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(PM_TABLE_COLUMNS)
        for row in rows:
            sheet.append(list(row))
        files.atomic_write(folder / "PM_Label_and_Fovea_Location.xlsx", workbook.save)
    if label_format in ("csv", "both"):
        files.write_csv(folder / "labels.csv", PM_TABLE_COLUMNS, rows)


def make_synthetic_ichallenge_pm_archives(
    out_dir,
    per_class: int = 10,
    image_size: Union[int, str, Tuple[int, int]] = 512,
    seed: int = 0,
) -> Dict[str, Path]:
    """Write training.zip, validation.zip and valid_gt.zip as iChallenge-PM is distributed.

    training.zip holds PALM-Training400/PALM-Training400.zip (a zip inside the zip, which in turn
    holds PALM-Training400/*.jpg); validation.zip holds PALM-Validation400/*.jpg; valid_gt.zip
    holds PALM-Validation-GT/PM_Label_and_Fovea_Location.xlsx.  For testing ``prepare_ichallenge_pm``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="synthetic_palm_"))
    try:
        make_synthetic_ichallenge_pm(staging, per_class, image_size, seed, splits=("train", "valid"), nested=False)
        inner = staging / "inner" / "PALM-Training400" / "PALM-Training400.zip"
        inner.parent.mkdir(parents=True)
        zip_folder(inner, staging, "PALM-Training400")
        archives = {
            "training.zip": zip_folder(out_dir / "training.zip", staging / "inner", "PALM-Training400"),
            "validation.zip": zip_folder(out_dir / "validation.zip", staging, "PALM-Validation400"),
            "valid_gt.zip": zip_folder(out_dir / "valid_gt.zip", staging, "PALM-Validation-GT"),
        }
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return archives


def zip_folder(archive: Path, base: Path, folder: str) -> Path:
    """Zip ``base/folder`` into ``archive`` with paths starting at ``folder/`` (JPEGs stored as is)."""
    def write(temporary: Path) -> None:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as zf:
            for path in sorted((base / folder).rglob("*")):
                zf.write(path, path.relative_to(base).as_posix())

    return files.atomic_write(archive, write)


def _grade_counts(per_class, grades: int) -> list:
    counts = [per_class] * grades if isinstance(per_class, (int, np.integer)) else list(per_class)
    if len(counts) != grades:
        raise ValueError(f"per_class must be an int or {grades} counts, got {per_class!r}")
    return counts


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


def painted_severities(grades, grade_overlap: float, rng: np.random.Generator) -> np.ndarray:
    """The severity each eye is painted at: its grade plus ``grade_overlap`` x N(0, 1), clipped to 0-4.

    Grading then cuts this continuum back into five bins, so with ``grade_overlap`` 0.4 some grade-2
    eyes look like a mild grade 3 and vice versa.  Lesson 7 simulates ideal graders on it.
    """
    grades = np.asarray(grades, dtype=np.float64)
    return np.clip(grades + grade_overlap * rng.standard_normal(len(grades)), 0, 4)


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
        counts = _grade_counts(per_class, 5)
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
        lines, used = [], set()
        for number, (label, label_written) in enumerate(zip(labels, written), start=1):
            rng = image_rng(seed, 10 + split_number, number)
            aspect, radius_fraction = DDR_CAMERAS[int(rng.integers(len(DDR_CAMERAS)))]
            width = int(image_size * rng.uniform(0.85, 1.0))
            image, _ = synthetic_fundus(rng, width, int(width / aspect), dr_grade=float(severities[number - 1]),
                                        ungradable=label == 5, radius_fraction=radius_fraction,
                                        lesion_scale=lesion_scale, lesion_contrast=lesion_contrast)
            name = ddr_file_name(rng, number)
            while name in used:
                name = ddr_file_name(rng, number)
            used.add(name)
            write_image(grading / split / name, image, quality)
            lines.append(f"{name} {label_written}\n")
        files.write_text(grading / f"{split}.txt", "".join(lines))
    mark_synthetic(root)
    return root


def make_synthetic_aptos(
    root,
    per_class: Union[int, Sequence[int]] = 10,
    image_size: int = 512,
    seed: int = 0,
    test_images: int = 0,
) -> Path:
    """Write a synthetic APTOS 2019: train.csv (id_code,diagnosis) + train_images/<id_code>.png.

    ``test_images`` > 0 also writes test.csv (id_code only) and test_images/.
    """
    root = Path(root)
    counts = _grade_counts(per_class, 5)
    parts = [("train", np.random.default_rng([seed, 20]).permutation(np.repeat(np.arange(5), counts)))]
    if test_images:
        parts.append(("test", np.random.default_rng([seed, 21]).integers(0, 5, test_images)))
    for split_number, (split, labels) in enumerate(parts):
        rows = []
        for number, label in enumerate(labels, start=1):
            rng = image_rng(seed, 20 + split_number, number)
            id_code = "".join(rng.choice(list("0123456789abcdef"), 12))
            width = int(image_size * rng.uniform(0.8, 1.0))
            image, _ = synthetic_fundus(rng, width, int(width / rng.uniform(1.0, 1.5)), dr_grade=int(label))
            write_image(root / f"{split}_images" / f"{id_code}.png", image)
            rows.append((id_code, int(label)) if split == "train" else (id_code,))
        files.write_csv(root / f"{split}.csv", ("id_code", "diagnosis") if split == "train" else ("id_code",), rows)
    mark_synthetic(root)
    return root


def make_synthetic_image_folder(
    root,
    per_class: int = 10,
    kind: str = "pm",
    image_size: int = 256,
    seed: int = 0,
    split: Optional[str] = None,
) -> Path:
    """Write one folder per class: kind 'pm' -> normal/, pathologic_myopia/; 'dr' -> grade_0/ ... grade_4/."""
    if kind not in ("pm", "dr"):
        raise ValueError(f"kind must be 'pm' or 'dr', got {kind!r}")
    folder = Path(root) / split if split else Path(root)
    classes = ["normal", "pathologic_myopia"] if kind == "pm" else [f"grade_{g}" for g in range(5)]
    width, height = frame_size(image_size)
    for label, name in enumerate(classes):
        for number in range(1, per_class + 1):
            rng = image_rng(seed, 30, label, number)
            if kind == "pm":
                image, _ = synthetic_fundus(rng, width, height, myopia="pathologic" if label else "normal")
            else:
                image, _ = synthetic_fundus(rng, width, height, dr_grade=label)
            write_image(folder / name / f"{name}_{number:04d}.jpg", image)
    mark_synthetic(root)
    return Path(root)


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
def make_synthetic_retinamnist(
    root,
    per_class: Union[int, Sequence[int]] = 10,
    image_size: int = 28,
    seed: int = 0,
    valid_per_class: Union[None, int, Sequence[int]] = None,
    test_per_class: Union[None, int, Sequence[int]] = None,
    grade_overlap: float = 0.0,
) -> Path:
    """Write a synthetic RetinaMNIST ``.npz`` (MedMNIST's six arrays) under ``root``; returns the file.

    ``image_size`` is one of MedMNIST's sizes (28 -> retinamnist.npz, 64 -> retinamnist_64.npz, ...).
    Each photograph is painted in a square frame at 4x the size (at least 128 px) -- the disc on a
    dark frame, as MedMNIST's centre crop of the DeepDRiD photographs leaves it -- and shrunk with
    INTER_AREA.  The train split gets ``per_class`` images of every
    grade (or five counts); valid and test a third as many unless given (at least one per grade).
    ``grade_overlap`` (in grades, as for ``make_synthetic_ddr``) paints each eye at a severity
    scattered around its grade, so neighbouring grades overlap; 0 (the default) draws no extra
    random numbers, so the default file does not change.
    """
    from .retinamnist import SPLIT_PREFIX, file_name

    path = Path(root) / file_name(image_size)  # raises for a size MedMNIST does not have
    counts = {"train": _grade_counts(per_class, 5)}
    for split, given in (("valid", valid_per_class), ("test", test_per_class)):
        counts[split] = _grade_counts(given, 5) if given is not None else [max(1, n // 3) for n in counts["train"]]
    paint_side = max(128, 4 * image_size)
    arrays = {}
    for split_number, (split, split_counts) in enumerate(counts.items()):
        labels = np.random.default_rng([seed, 40 + split_number]).permutation(np.repeat(np.arange(5), split_counts))
        severities = painted_severities(labels, grade_overlap, np.random.default_rng([seed, 50 + split_number]))
        images = np.empty((len(labels), image_size, image_size, 3), np.uint8)
        for number, severity in enumerate(severities):
            rng = image_rng(seed, 40 + split_number, number)
            image, _ = synthetic_fundus(rng, paint_side, paint_side, dr_grade=float(severity))
            small = cv2.resize(image, (image_size, image_size), interpolation=cv2.INTER_AREA)
            images[number] = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        arrays[f"{SPLIT_PREFIX[split]}_images"] = images
        arrays[f"{SPLIT_PREFIX[split]}_labels"] = labels.astype(np.uint8).reshape(-1, 1)
    def write(temporary: Path) -> None:
        with open(temporary, "wb") as file:  # an open file: np.savez would append '.npz' to a name
            np.savez_compressed(file, **arrays)

    mark_synthetic(path.parent)
    return files.atomic_write(path, write)


# ---------------------------------------------------------------------------------------------
# APTOS-like photographs: the crops and camera variation of a set collected at many clinics
# ---------------------------------------------------------------------------------------------

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


def make_synthetic_aptos_clinics(
    root,
    per_class: Union[int, Sequence[int]] = 10,
    image_size: int = 256,
    seed: int = 0,
    variation: float = 1.0,
    crop_shares: Sequence[float] = APTOS_CROP_SHARES,
) -> Path:
    """A synthetic APTOS 2019 with the real set's nuisances: four framings and varied cameras.

    Same layout as ``make_synthetic_aptos`` (train.csv + train_images/<id_code>.png; no test split).
    Each image gets a framing drawn from ``APTOS_CROPS`` with ``crop_shares`` and the camera
    variation of ``vary_camera(strength=variation)``; ``per_class`` may be five counts, e.g. APTOS's
    proportions.  What was done to each image is written to ``synthetic_truth.csv`` (id_code,
    diagnosis, crop, exposure, casts, gradient) so a lesson can check what it finds in the images.
    """
    root = Path(root)
    labels = np.random.default_rng([seed, 40]).permutation(np.repeat(np.arange(5), _grade_counts(per_class, 5)))
    shares = np.asarray(crop_shares, dtype=np.float64)
    rows, truth = [], []
    for number, label in enumerate(labels, start=1):
        rng = image_rng(seed, 40, number)
        id_code = "".join(rng.choice(list("0123456789abcdef"), 12))
        crop = APTOS_CROPS[int(rng.choice(len(APTOS_CROPS), p=shares / shares.sum()))]
        image = framed_fundus(rng, int(image_size * rng.uniform(0.8, 1.0)), crop, int(label))
        image, factors = vary_camera(image, rng, variation)
        write_image(root / "train_images" / f"{id_code}.png", image)
        rows.append((id_code, int(label)))
        truth.append({"id_code": id_code, "diagnosis": int(label), "crop": crop,
                      **{key: round(value, 3) for key, value in factors.items()}})
    files.write_csv(root / "train.csv", ("id_code", "diagnosis"), rows)
    files.write_csv(root / "synthetic_truth.csv", list(truth[0]), [list(row.values()) for row in truth])
    mark_synthetic(root)
    return root
