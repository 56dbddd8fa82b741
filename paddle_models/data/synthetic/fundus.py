"""Painting one synthetic fundus photograph, layer by layer (the order a real eye stacks them).

``synthetic_fundus(rng, width, height, myopia=..., dr_grade=...)`` returns (BGR uint8 image, Eye).
The layers, each a short function below:

    retina background   orange-red, brighter in the middle (vignetting), uneven colour
    tessellation        the choroid showing through a thin retina: myopia
    macula              a darker spot with a bright foveal reflex
    optic disc          a bright yellowish disc with a paler cup
    atrophy             a pale crescent/ring around the disc: pathologic myopia (PPA)
    vessels             branching trees leaving the disc
    DR lesions          microaneurysms, haemorrhages, exudates, cotton-wool spots, new vessels
    camera              the dark, noisy, *near*-zero frame around the circular field of view

Nothing here writes files: the dataset writers (one module per dataset's layout) do.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import cv2
import numpy as np

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
