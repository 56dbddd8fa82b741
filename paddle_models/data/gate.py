"""The gradability gate: is this a fundus photograph at all, and can it be graded?

A classifier answers every input with a class.  Shown a grey wall or a sunset, a model trained on
fundus photographs still says "pathologic myopia 100 %": its softmax has no "I don't know".  A
screening tool therefore puts a gate in front of the model (IDx-DR and EyeArt both answer
"ungradable" for poor images; see "Screening references" in the shared README).  This gate asks
two questions with measures the course already has, and no new model:

1. **Is it shaped like a fundus photograph?**  The preprocessing assumes a bright round field of
   view -- whole, or cut off at the frame's edges -- on a dark border: it crops the dark border
   (``dark_border_box``), pads to a square and, with ``circular_mask``, keeps a centred circle.
   ``field_geometry`` draws that very circle over the photograph and measures how much of it is lit
   and how much of the frame outside it is dark.  A fundus photograph is lit inside and dark in the
   corners; a wall, a gradient, a page of text or a checkerboard is lit in the corners too.
2. **Is it gradable?**  The audit's quality measures (``quality.assess_image``): a blank frame, a
   field of view covering too little of the frame, too dark, over-exposed, blurred.

``gradability(image)`` answers ``Gradability(gradable, reason)``: ``(True, "")`` or ``(False, why)``.
``gradability_file(path)`` reads the file first, with its EXIF orientation applied
(``imageio.read_image``), so a photograph taken sideways is judged -- and graded -- upright.

What the gate misses: it checks geometry and quality, it does not recognise eyes.  A sharp,
well-exposed bright disc on a dark background (a close-up of the full moon, a round lamp, a coin on
black velvet) passes.  And it refuses real photographs the preprocessing cannot handle either: a
field of view cut off on all four sides, or a square cut from inside the field with no dark border
at all (some APTOS 2019 photographs) -- the model would see them without the border it was trained
with.  The thresholds are the course's choices, measured on the synthetic generator and on drawn
non-fundus images (tests/test_data_gate.py); check them on your own data.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .imageio import read_image_for_size
from .preprocess import circular_mask, dark_border_box, pad_to_square, resize_image, square_content
from .quality import FOV_LEVEL, QUALITY_SIZE, assess_image, field_of_view

GEOMETRY_SIZE = 128
"""Side (pixels) of the square the field's shape is measured on: enough for a circle, cheap."""

INNER_RADIUS, OUTER_RADIUS = 0.92, 1.06
"""The expected field is the circle inscribed in the padded square (radius 1 = half its side).
Inside ``INNER_RADIUS`` must be lit, outside ``OUTER_RADIUS`` dark; the ring between is the soft rim
of a real photograph and the few rows ``dark_border_box`` cuts from the circle's top and bottom."""

MIN_LIT_INSIDE = 0.9
"""At least 90 % of the expected round field must be lit (a dark macula or vessel stays above
``FOV_LEVEL``; a checkerboard's black squares do not).  Course's choice: the synthetic photographs
score 0.99-1.0."""

MIN_DARK_OUTSIDE = 0.8
"""At least 80 % of the frame outside the round field must be dark: the camera's border, allowing a
printed date or a notch.  A wall, a page or a gradient scores near 0.  Course's choice."""

MIN_OUTSIDE_SHARE = 0.01
"""The corners outside the circle must be at least 1 % of the photograph: a frame with no room for a
dark border (the field cut off on all sides, or a square from inside it) has no shape to check."""

MIN_SHARPNESS_SIDE = QUALITY_SIZE // 4
"""Below this many pixels a side (RetinaMNIST's 28) an image enlarged for the sharpness score looks
smooth whatever it shows (the audit warns about it): the blur rule is not applied, and says so."""

REASONS = {
    "blank": "blank frame (all dark or all white)",
    "no_fov": "the lit field of view covers less than a fifth of the frame",
    "not_fundus": "not a fundus photograph (no round field of view on a dark border)",
    "underexposed": "too dark (underexposed)",
    "overexposed": "over-exposed",
    "blurred": "blurred (out of focus)",
}
"""The reasons the gate gives, in the order it checks them; the first that applies is reported."""


class Gradability(NamedTuple):
    """The gate's answer: ``gradable`` and, when not, ``reason`` (one of ``REASONS``' texts)."""

    gradable: bool
    reason: str


class FieldGeometry(NamedTuple):
    """How well the lit area matches the round field the preprocessing expects (see ``field_geometry``)."""

    lit_inside: float  # share of the expected circle that is lit
    dark_outside: float  # share of the frame outside it that is dark
    outside_share: float  # how much of the photograph lies outside it

    @property
    def round_on_dark(self) -> bool:
        return (self.lit_inside >= MIN_LIT_INSIDE and self.outside_share >= MIN_OUTSIDE_SHARE
                and self.dark_outside >= MIN_DARK_OUTSIDE)


def expected_field(height: int, width: int, radius: float) -> np.ndarray:
    """Boolean [S, S] (S = GEOMETRY_SIZE): the centred circle of ``radius`` inside the photograph's
    part of the padded square -- ``circular_mask``'s geometry, applied to a frame of ones."""
    ones = np.ones((GEOMETRY_SIZE, GEOMETRY_SIZE), np.uint8)
    return circular_mask(ones, radius, fill=0, content=square_content(height, width)) > 0


def field_geometry(image_bgr: np.ndarray) -> FieldGeometry:
    """Crop the dark border and pad to a square as the preprocessing does, then compare the lit
    pixels with the round field the preprocessing keeps."""
    x0, y0, x1, y1 = dark_border_box(image_bgr, FOV_LEVEL)
    fundus = image_bgr[y0:y1, x0:x1]
    height, width = fundus.shape[:2]
    lit = field_of_view(resize_image(pad_to_square(fundus), GEOMETRY_SIZE))
    photograph = expected_field(height, width, radius=2.0)  # a circle larger than the square: all of it
    inside = expected_field(height, width, INNER_RADIUS)
    outside = photograph & ~expected_field(height, width, OUTER_RADIUS)
    return FieldGeometry(lit_inside=float(lit[inside].mean()) if inside.any() else 0.0,
                         dark_outside=float(1 - lit[outside].mean()) if outside.any() else 0.0,
                         outside_share=float(outside.sum() / photograph.sum()))


def gradability(image_bgr: np.ndarray) -> Gradability:
    """Is this image (BGR or grey uint8, any size) a gradable fundus photograph?  See the module docstring."""
    flags = assess_image(image_bgr).flags  # the audit's measures
    for flag in ("blank", "no_fov"):
        if flag in flags:
            return Gradability(False, REASONS[flag])
    if not field_geometry(image_bgr).round_on_dark:
        return Gradability(False, REASONS["not_fundus"])
    judged = [flag for flag in ("underexposed", "overexposed", "blurred") if flag in flags
              and (flag != "blurred" or min(image_bgr.shape[:2]) >= MIN_SHARPNESS_SIDE)]
    return Gradability(False, REASONS[judged[0]]) if judged else Gradability(True, "")


def gradability_file(path) -> Gradability:
    """``gradability`` of an image file, read upright (EXIF orientation applied) at a reduced scale."""
    image, _ = read_image_for_size(path, QUALITY_SIZE)
    return gradability(image)
