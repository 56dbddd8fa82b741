"""Fundus preprocessing, one small function per step, and the config that records the choices.

A fundus photograph is a bright disc on a dark frame.  The steps, in the order they run:

1. decode       -- at reduced scale when the target is small (see imageio.py)
2. crop border  -- cut away the dark frame; the frame is *near* black (JPEG noise), so a tolerance
3. pad square   -- keep the aspect ratio: pad to a square before resizing (optional)
4. resize       -- to ``image_size`` x ``image_size`` (INTER_AREA when shrinking)
5. Ben Graham   -- subtract the local average colour: 4*img - 4*GaussianBlur(img) + 128 (optional)
6. circular mask-- blank everything outside a centred circle, and along a cut-off photograph's
                   straight edges (optional)
7. centre crop  -- keep the central ``crop_size`` x ``crop_size`` window (optional): the model's view
                   when it was trained on random windows of the ``image_size`` image (``random_crop``)

``preprocess_image(path_or_bgr, config)`` runs them and returns uint8 RGB [H, W, 3], H = W =
``config.input_size``;
``to_input(rgb, config)`` normalises to float32 [3, H, W].  The datasets and the inference
predictor both call exactly these two functions, so training and prediction never disagree.
``preprocess_steps`` returns every intermediate image, for a lesson to show the steps one by one.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Iterator, List, Optional, Tuple, Union

import cv2
import numpy as np

from ..errors import WrongValueError
from .imageio import PathLike, choose_reduction, read_image, read_image_for_size

# Bump when a preprocessing function changes its output: cached images made before are then ignored.
PREPROCESS_VERSION = 3  # 2: the mask blanks along straight edges too; 3: EXIF orientation applied on read

# Normalisation presets for RGB images on the 0-255 scale: x_normalised = (x - mean) / std.
NORMALIZATION_PRESETS = {
    # ImageNet statistics, what pretrained paddle.vision weights expect
    "imagenet": {"mean": (123.675, 116.28, 103.53), "std": (58.395, 57.12, 57.375)},
    # the public course: x / 255 * 2 - 1, i.e. values in [-1, 1]
    "course": {"mean": (127.5, 127.5, 127.5), "std": (127.5, 127.5, 127.5)},
}


DEFAULT_IMAGE_SIZE = 224  # the side the course's networks were designed for (settings.image_size's default)
MIN_IMAGE_SIZE = 8  # the smallest side an image (or a crop window) may be shrunk to


@dataclass
class PreprocessConfig:
    """Every preprocessing choice, saved with checkpoints (``to_dict``) and restored (``from_dict``)."""

    image_size: int = DEFAULT_IMAGE_SIZE  # output is image_size x image_size
    crop_border: bool = True  # cut away the dark frame around the fundus
    border_tolerance: int = 10  # pixels with all channels <= this count as "dark frame" (0-255)
    keep_aspect: bool = True  # pad to a square before resizing instead of stretching
    ben_graham: bool = False  # subtract the local average colour (Kaggle DR 2015 winner)
    ben_graham_sigma: Optional[float] = None  # Gaussian sigma in output pixels; None: image_size/30
    circular_mask: bool = False  # blank the corners outside a centred circle
    mask_radius: float = 0.9  # circle radius as a fraction of half the image side (Ben Graham: 0.9)
    normalize: str = "imagenet"  # a key of NORMALIZATION_PRESETS
    fast_decode: bool = True  # decode JPEGs at 1/2, 1/4 or 1/8 scale when that is large enough
    crop_size: Optional[int] = None  # the centre window's side; training takes random windows instead

    def __post_init__(self):
        if not isinstance(self.image_size, (int, np.integer)) or self.image_size < MIN_IMAGE_SIZE:
            raise WrongValueError(f"image_size must be an integer >= {MIN_IMAGE_SIZE}, got {self.image_size!r}")
        self.image_size = int(self.image_size)
        if not 0 <= self.border_tolerance < 255:
            raise WrongValueError(f"border_tolerance must be in [0, 255), got {self.border_tolerance}")
        if self.normalize not in NORMALIZATION_PRESETS:
            raise WrongValueError(
                f"normalize must be one of {sorted(NORMALIZATION_PRESETS)}, got {self.normalize!r}"
            )
        if not 0 < self.mask_radius <= 1.5:
            raise WrongValueError(f"mask_radius must be in (0, 1.5], got {self.mask_radius}")
        if self.crop_size is not None and self.crop_size > self.image_size:
            raise WrongValueError(f"crop_size={self.crop_size} is larger than image_size={self.image_size}: the "
                                  "windows are cut from the image_size image, so choose a smaller one")
        if self.crop_size is not None and self.crop_size < MIN_IMAGE_SIZE:
            raise WrongValueError(f"crop_size={self.crop_size} is too small: windows of {MIN_IMAGE_SIZE} pixels "
                                  "or more are needed")

    @property
    def input_size(self) -> int:
        """The side of the image the model sees: the centre window if there is one, else image_size."""
        return self.crop_size or self.image_size

    def full_frame(self) -> "PreprocessConfig":
        """The same steps without the centre crop: what random training windows are cut from."""
        return replace(self, crop_size=None)

    @property
    def sigma(self) -> float:
        """The Ben Graham blur sigma actually used, in output pixels."""
        return self.ben_graham_sigma if self.ben_graham_sigma else self.image_size / 30.0

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (for checkpoints, exported models and cache keys)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Optional[dict]) -> "PreprocessConfig":
        """Rebuild from ``to_dict()`` output; unknown keys are an error, missing keys get defaults."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise WrongValueError(f"unknown PreprocessConfig keys {unknown}; known keys: {sorted(known)}")
        return cls(**values)

    @classmethod
    def course(cls, image_size: int = DEFAULT_IMAGE_SIZE) -> "PreprocessConfig":
        """What the public course reader does: full decode, plain resize, values in [-1, 1]."""
        return cls(image_size=image_size, crop_border=False, keep_aspect=False,
                   normalize="course", fast_decode=False)


def as_config(preprocess: Union[None, dict, PreprocessConfig], image_size: Optional[int] = None):
    """Accept a PreprocessConfig, its dict form or None (defaults, with ``image_size`` if given)."""
    if preprocess is None:
        return PreprocessConfig(image_size=DEFAULT_IMAGE_SIZE if image_size is None else image_size)
    config = preprocess if isinstance(preprocess, PreprocessConfig) else PreprocessConfig.from_dict(preprocess)
    if image_size is not None and image_size != config.image_size:
        raise ValueError(
            f"image_size={image_size} disagrees with preprocess.image_size={config.image_size}; "
            "give only one of them"
        )
    return config


# ----------------------------------------------------------------------------- the steps


def dark_border_box(image: np.ndarray, tolerance: int = 10, min_fraction: float = 0.01):
    """Bounding box (x0, y0, x1, y1) of the fundus: rows/columns with enough non-dark pixels.

    A pixel is "bright" when its brightest channel exceeds ``tolerance`` (the frame of a real fundus
    photo is 1-8, not 0).  A row belongs to the fundus when more than ``min_fraction`` of its pixels
    are bright, which ignores isolated noise.  An all-dark image keeps its full box.
    """
    if image.ndim == 3:
        blue, green, red = cv2.split(image)
        brightest = np.maximum(np.maximum(blue, green), red)  # [H, W] (faster than image.max(axis=2))
    else:
        brightest = image
    bright = brightest > tolerance
    height, width = bright.shape
    rows = np.flatnonzero(np.count_nonzero(bright, axis=1) > min_fraction * width)
    cols = np.flatnonzero(np.count_nonzero(bright, axis=0) > min_fraction * height)
    if rows.size == 0 or cols.size == 0:
        return 0, 0, width, height
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def crop_dark_border(image: np.ndarray, tolerance: int = 10) -> np.ndarray:
    """Cut away the dark frame around the fundus (see ``dark_border_box``)."""
    x0, y0, x1, y1 = dark_border_box(image, tolerance)
    return image[y0:y1, x0:x1]


def pad_to_square(image: np.ndarray, fill: int = 0) -> np.ndarray:
    """Pad the shorter side equally on both ends so the image becomes square."""
    height, width = image.shape[:2]
    side = max(height, width)
    top, left = (side - height) // 2, (side - width) // 2
    return cv2.copyMakeBorder(image, top, side - height - top, left, side - width - left,
                              cv2.BORDER_CONSTANT, value=(fill, fill, fill))


def square_content(height: int, width: int) -> Tuple[float, float, float, float]:
    """Where an image of ``height`` x ``width`` lies after ``pad_to_square``: (top, bottom, left, right)
    as fractions of the square's side (``circular_mask``'s ``content``; the gradability gate's too)."""
    side = max(height, width)
    top, left = (side - height) // 2, (side - width) // 2
    return top / side, (top + height) / side, left / side, (left + width) / side


def resize_image(image: np.ndarray, size: int) -> np.ndarray:
    """Resize to size x size: INTER_AREA when shrinking more than 2x (no aliasing), else INTER_LINEAR.

    After a reduced-size decode the remaining shrink is below 2x, where bilinear interpolation is
    nearly as good as INTER_AREA and several times faster.
    """
    shrinking_a_lot = min(image.shape[:2]) > 2 * size
    return cv2.resize(image, (size, size),
                      interpolation=cv2.INTER_AREA if shrinking_a_lot else cv2.INTER_LINEAR)


def ben_graham(image: np.ndarray, sigma: float) -> np.ndarray:
    """Ben Graham's local-average subtraction: 4 * image - 4 * GaussianBlur(image) + 128.

    Flattens uneven illumination; lesions and vessels stand out on a grey background.
    """
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return cv2.addWeighted(image, 4, blurred, -4, 128)


def circular_mask(image: np.ndarray, radius_fraction: float = 0.9, fill: int = 0,
                  content: Optional[Tuple[float, float, float, float]] = None) -> np.ndarray:
    """Set every pixel outside a centred circle (radius = fraction of half the side) to ``fill``.

    ``content`` is where the photograph lies in the square, (top, bottom, left, right) as fractions of
    the side; ``pad_to_square``'s bands are outside it.  A photograph cut off at the top and bottom (an
    APTOS "clipped" one) has straight edges inside the circle, and Ben Graham's subtraction turns each
    into a bright and a dark band; the mask then keeps as far from a straight edge as the circle keeps
    from the round one, so those bands go too.
    """
    height, width = image.shape[:2]
    mask = np.zeros((height, width), np.uint8)
    radius = int(round(radius_fraction * min(height, width) / 2))
    cv2.circle(mask, (width // 2, height // 2), radius, 1, thickness=-1)
    if content is not None:
        margin = max(0.0, (1 - radius_fraction) * min(height, width) / 2)  # the circle's distance from the rim
        top, bottom, left, right = content
        rows, columns = np.arange(height)[:, None], np.arange(width)[None, :]
        inside = ((rows >= top * height + margin) & (rows < bottom * height - margin)
                  & (columns >= left * width + margin) & (columns < right * width - margin))
        mask &= inside.astype(np.uint8)
    out = image.copy()
    out[mask == 0] = fill
    return out


def read_fundus(path: PathLike, config: PreprocessConfig) -> np.ndarray:
    """Decode ``path`` (BGR) at the smallest scale that still gives ``image_size`` pixels after cropping.

    The reduction is first chosen from the file size on disk.  If the fundus then turns out to fill
    only part of the frame (wide dark borders), the crop would be smaller than the target, so the
    image is decoded again at the reduction that the fundus itself allows.
    """
    if not config.fast_decode:
        return read_image(path)
    image, factor = read_image_for_size(path, config.image_size)
    if config.crop_border and factor > 1:
        x0, y0, x1, y1 = dark_border_box(image, config.border_tolerance)
        # with keep_aspect the longer side is scaled to image_size, otherwise both sides are
        fundus_side = max(x1 - x0, y1 - y0) if config.keep_aspect else min(x1 - x0, y1 - y0)
        if fundus_side < config.image_size:
            full_side = fundus_side * factor  # the fundus size in the original image
            better = choose_reduction(full_side, full_side, config.image_size)
            if better < factor:
                image = read_image(path, better)
    return image


def centre_window(image: np.ndarray, size: Optional[int]) -> np.ndarray:
    """The central ``size`` x ``size`` window of a square image [S, S, C] (the image itself if None)."""
    if not size or size == image.shape[0]:
        return image
    start = (image.shape[0] - size) // 2
    return image[start:start + size, start:start + size]


def _pipeline(source, config: PreprocessConfig) -> Iterator[Tuple[str, np.ndarray]]:
    """Yield (step name, BGR uint8 image) after each step; the last one is the result."""
    if isinstance(source, np.ndarray):
        image = _as_bgr_uint8(source)
        yield "input", image
    else:
        image = read_fundus(source, config)
        yield f"decoded {image.shape[1]}x{image.shape[0]}", image
    fill = 0
    if config.crop_border:
        image = crop_dark_border(image, config.border_tolerance)
        yield "crop dark border", image
    content = None  # where the photograph lies in the square (top, bottom, left, right), for the mask
    if config.keep_aspect:
        content = square_content(*image.shape[:2])
        image = pad_to_square(image, fill)
        yield "pad to square", image
    image = resize_image(image, config.image_size)  # [S, S, 3]
    yield f"resize to {config.image_size}", image
    if config.ben_graham:
        image = ben_graham(image, config.sigma)
        fill = 128  # Ben Graham's background is mid-grey, so the mask fills with grey too
        yield "Ben Graham", image
    if config.circular_mask:
        image = circular_mask(image, config.mask_radius, fill, content)
        yield "circular mask", image
    if config.crop_size:
        image = centre_window(image, config.crop_size)  # [N, N, 3]
        yield f"centre crop to {config.crop_size}", image


def _as_bgr_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got dtype {image.dtype}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"expected an image [H, W, 3] (BGR), got shape {image.shape}")
    return image[:, :, :3]


def preprocess_image(source: Union[PathLike, np.ndarray], config: Optional[PreprocessConfig] = None) -> np.ndarray:
    """Image file path (or BGR uint8 array as from cv2.imread) -> preprocessed uint8 RGB [S, S, 3]."""
    config = config or PreprocessConfig()
    for _, image in _pipeline(source, config):
        pass
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def preprocess_steps(source, config: Optional[PreprocessConfig] = None) -> List[Tuple[str, np.ndarray]]:
    """Every intermediate image of ``preprocess_image`` as (step name, uint8 RGB), for lessons."""
    config = config or PreprocessConfig()
    return [(name, cv2.cvtColor(image, cv2.COLOR_BGR2RGB)) for name, image in _pipeline(source, config)]


# ----------------------------------------------------------------------------- normalisation


def _mean_std(config: PreprocessConfig):
    preset = NORMALIZATION_PRESETS[config.normalize]
    return np.asarray(preset["mean"], np.float32), np.asarray(preset["std"], np.float32)


def to_input(image_rgb: np.ndarray, config: Optional[PreprocessConfig] = None) -> np.ndarray:
    """uint8 RGB [H, W, 3] -> normalised float32 [3, H, W], the model's input for one image."""
    config = config or PreprocessConfig()
    mean, std = _mean_std(config)
    planes = np.stack(cv2.split(image_rgb)).astype(np.float32)  # [3, H, W]: channels first
    planes -= mean[:, None, None]  # (numpy broadcasts over a leading axis much faster than over
    planes /= std[:, None, None]  #  a trailing axis of 3, hence channels first before the maths)
    return planes


def to_display(chw: np.ndarray, config: Optional[PreprocessConfig] = None) -> np.ndarray:
    """Undo ``to_input``: float32 [3, H, W] (numpy or paddle Tensor) -> uint8 RGB [H, W, 3]."""
    config = config or PreprocessConfig()
    chw = chw.numpy() if hasattr(chw, "numpy") else np.asarray(chw)
    mean, std = _mean_std(config)
    planes = chw * std[:, None, None] + mean[:, None, None]  # [3, H, W]
    return np.clip(np.round(planes), 0, 255).astype(np.uint8).transpose(1, 2, 0).copy()  # [H, W, 3]
