"""Reading images from disk, fast.

A 2124x2056 fundus JPEG holds 4.4 million pixels; a model at 224x224 looks at 50 thousand.  The
course reader decodes every pixel and then throws 99% of them away in ``cv2.resize``.  A JPEG can
instead be decoded directly at 1/2, 1/4 or 1/8 of its size (the decoder skips most of the inverse
DCT work); OpenCV exposes this as ``cv2.IMREAD_REDUCED_COLOR_2/4/8``.  ``choose_reduction`` picks the
largest factor that still leaves at least the target number of pixels, so quality is not lost.

Images are read with ``np.fromfile`` + ``cv2.imdecode`` rather than ``cv2.imread``: it works with
non-ASCII paths on Windows and lets us tell "file missing" apart from "file not decodable".
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Tuple, Union

import cv2
import numpy as np

from .errors import BadSampleError

PathLike = Union[str, os.PathLike]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")

# reduction factor -> OpenCV decode flag (colour images come back as BGR uint8)
REDUCED_COLOR_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


def is_image_file(path: PathLike) -> bool:
    """True for visible files with an image extension (``.DS_Store``, ``Thumbs.db`` etc. are not)."""
    name = os.path.basename(str(path))
    return not name.startswith(".") and name.lower().endswith(IMAGE_EXTENSIONS)


def image_size_on_disk(path: PathLike) -> Tuple[int, int]:
    """(width, height) of an image file, read from its header only (no pixel is decoded).

    OpenCV has no header-only reader, so this uses Pillow (installed with matplotlib), which reads
    just the first few hundred bytes of the file.
    """
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def choose_reduction(width: int, height: int, min_side: int) -> int:
    """Largest JPEG reduction factor (8, 4, 2 or 1) keeping both sides >= ``min_side`` pixels.

    >>> choose_reduction(2124, 2056, 224)   # 2056 / 8 = 257 >= 224
    8
    >>> choose_reduction(2124, 2056, 384)   # 2056 / 4 = 514 >= 384, 2056 / 8 = 257 < 384
    4
    """
    for factor in (8, 4, 2):
        if min(width, height) // factor >= min_side:
            return factor
    return 1


def read_image(path: PathLike, reduction: int = 1) -> np.ndarray:
    """Decode an image file to a BGR uint8 array [H, W, 3], optionally 2, 4 or 8 times smaller.

    Raises ``BadSampleError`` naming the file if it is missing or cannot be decoded.
    """
    if reduction not in REDUCED_COLOR_FLAGS:
        raise ValueError(f"reduction must be one of {sorted(REDUCED_COLOR_FLAGS)}, got {reduction}")
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except FileNotFoundError:
        raise BadSampleError(f"image file does not exist: {path}") from None
    except OSError as error:  # a directory, no permission, ...
        raise BadSampleError(f"cannot read image file {path}: {error}") from None
    image = cv2.imdecode(data, REDUCED_COLOR_FLAGS[reduction]) if data.size else None
    if image is None:
        raise BadSampleError(
            f"cannot decode image {path} ({data.size} bytes): not an image or corrupted. "
            "Replace or delete the file, or pass skip_bad=True to the dataset to skip it."
        )
    return image  # [H, W, 3] BGR uint8


def read_image_for_size(path: PathLike, min_side: int) -> Tuple[np.ndarray, int]:
    """Decode at the largest reduction keeping both sides >= ``min_side``; returns (image, factor).

    Only JPEG can be decoded at reduced scale (OpenCV would decode a PNG in full and then shrink it
    with a plain bilinear resize, which aliases), so other formats are decoded at full size.
    """
    from PIL import Image

    try:
        with Image.open(path) as header:
            (width, height), is_jpeg = header.size, header.format == "JPEG"
    except Exception:  # unknown format or broken header: decode at full size, read_image reports
        return read_image(path, 1), 1
    factor = choose_reduction(width, height, min_side) if is_jpeg else 1
    return read_image(path, factor), factor


def decode_problem(path: PathLike) -> Optional[str]:
    """Why ``path`` cannot be used as an image, or None if it decodes (checked at 1/8 scale, fast)."""
    if not os.path.isfile(path):
        return "file is listed but does not exist" if not os.path.exists(path) else "not a file"
    data = np.fromfile(str(path), dtype=np.uint8)
    if data.size == 0:
        return "file is empty"
    if cv2.imdecode(data, cv2.IMREAD_REDUCED_GRAYSCALE_8) is None:
        return "cannot be decoded as an image (corrupted or not an image)"
    return None


def list_images(folder: PathLike):
    """Sorted image files directly inside ``folder`` (not recursive)."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.is_file() and is_image_file(p))
