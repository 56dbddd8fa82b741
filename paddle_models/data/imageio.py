"""Reading images from disk, fast.

A 2124x2056 fundus JPEG holds 4.4 million pixels; a model at 224x224 looks at 50 thousand.  The
course reader decodes every pixel and then throws 99% of them away in ``cv2.resize``.  A JPEG can
instead be decoded directly at 1/2, 1/4 or 1/8 of its size (the decoder skips most of the inverse
DCT work); OpenCV exposes this as ``cv2.IMREAD_REDUCED_COLOR_2/4/8``.  ``choose_reduction`` picks the
largest factor that still leaves at least the target number of pixels, so quality is not lost.

Images are read with ``np.fromfile`` + ``cv2.imdecode`` rather than ``cv2.imread``: it works with
non-ASCII paths on Windows and lets us tell "file missing" apart from "file not decodable".
The EXIF orientation a camera writes (a photograph taken sideways) is applied on read, at every
decoding scale (``exif_orientation``): no image is graded lying on its side.

Checking files before training (``check_image_file``, run on every sample when a dataset is built):

* the header (Pillow reads the first bytes only): a zero-byte file, a text file named ``.jpg``, a
  broken header is a *bad sample* -- an error naming the file, or skipped with ``skip_bad=True``;
* for JPEGs, the marker structure of the whole file (one read, a NumPy scan, no decoding): a file
  that ends before its end-of-image marker is truncated -- a bad sample; a stray marker inside the
  compressed data means damaged bytes.  Such a file still *decodes* -- to partly garbage pixels,
  with only libjpeg's anonymous "Corrupt JPEG data" on stderr -- so it is reported as *corrupt*: a
  ``CorruptImageWarning`` listing every such file (skipped as a bad sample with ``skip_bad=True``).
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Optional, Tuple, Union

import cv2
import numpy as np

from .errors import BadSampleError


class UnreadFilesWarning(UserWarning):
    """Files in an image folder that are not in a format the course reads (left out, and named)."""


class CorruptImageWarning(UserWarning):
    """An image decodes, but its compressed data is damaged: the pixels are partly garbage."""

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
    # deferred: settings (so the CLI) imports this module; Pillow loads only when a header is read
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
        raise BadSampleError(f"image file {path}: {missing_file_reason(path)}") from None
    except OSError as error:  # a directory, no permission, ...
        raise BadSampleError(f"cannot read image file {path}: {error}") from None
    flags = REDUCED_COLOR_FLAGS[reduction] | cv2.IMREAD_IGNORE_ORIENTATION  # applied below, at every scale
    image = cv2.imdecode(data, flags) if data.size else None
    if image is None:
        raise BadSampleError(
            f"cannot decode image {path} ({data.size} bytes): not an image or corrupted. "
            "Replace or delete the file."
        )
    return apply_orientation(image, exif_orientation(data))  # [H, W, 3] BGR uint8, upright


# EXIF orientation (tag 274) -> the OpenCV operations that turn the stored pixels upright, in order
ORIENTATION_STEPS = {
    2: (("flip", 1),), 3: (("rotate", cv2.ROTATE_180),), 4: (("flip", 0),),
    5: (("rotate", cv2.ROTATE_90_CLOCKWISE), ("flip", 1)), 6: (("rotate", cv2.ROTATE_90_CLOCKWISE),),
    7: (("rotate", cv2.ROTATE_90_COUNTERCLOCKWISE), ("flip", 1)), 8: (("rotate", cv2.ROTATE_90_COUNTERCLOCKWISE),),
}


def exif_orientation(data: np.ndarray) -> int:
    """The EXIF orientation (1-8; 1 = upright) of an encoded image's bytes; 1 when there is none.

    A camera or phone held sideways stores the pixels as the sensor saw them and writes in the
    EXIF header how to turn them.  OpenCV applies it when it decodes at full size but *not* at the
    reduced scales (``IMREAD_REDUCED_COLOR_2/4/8``), so ``read_image`` decodes without it and turns
    the pixels itself: every scale comes out upright.  Read with Pillow from the header only.
    """
    # deferred: settings (so the CLI) imports this module; Pillow loads only when a header is read
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data.tobytes())) as header:
            orientation = header.getexif().get(274, 1)
    except Exception:  # no header Pillow knows, or a broken EXIF block: the pixels as stored
        return 1
    return orientation if orientation in ORIENTATION_STEPS else 1


def apply_orientation(image: np.ndarray, orientation: int) -> np.ndarray:
    """Turn stored pixels upright by an EXIF orientation (what Pillow's ``ImageOps.exif_transpose`` does)."""
    for operation, code in ORIENTATION_STEPS.get(orientation, ()):
        image = cv2.rotate(image, code) if operation == "rotate" else cv2.flip(image, code)
    return image


def read_image_for_size(path: PathLike, min_side: int) -> Tuple[np.ndarray, int]:
    """Decode at the largest reduction keeping both sides >= ``min_side``; returns (image, factor).

    Only JPEG can be decoded at reduced scale (OpenCV would decode a PNG in full and then shrink it
    with a plain bilinear resize, which aliases), so other formats are decoded at full size.
    """
    # deferred: settings (so the CLI) imports this module; Pillow loads only when a header is read
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
        return missing_file_reason(path)
    data = np.fromfile(str(path), dtype=np.uint8)
    if data.size == 0:
        return "file is empty"
    if cv2.imdecode(data, cv2.IMREAD_REDUCED_GRAYSCALE_8) is None:
        return "cannot be decoded as an image (corrupted or not an image)"
    return None


# JPEG marker types that may start a segment (SOFn, DHT, DAC, SOS, DQT, DNL, DRI, DHP, EXP, APPn, COM)
SEGMENT_MARKERS = frozenset(range(0xC0, 0xD0)) | frozenset(range(0xDA, 0xE0)) | frozenset(range(0xE0, 0xF0)) | {0xFE}
EOI, SOS = 0xD9, 0xDA


def jpeg_structure_problem(data: np.ndarray) -> Optional[Tuple[str, str]]:
    """Walk the markers of a JPEG's bytes: None if sound, else (kind, reason), kind 'truncated'/'corrupt'.

    Between segments the file must hold a marker ``FF xx`` of a known type; inside the compressed
    data of a scan every ``FF`` byte is followed by ``00`` (a stuffed FF) or a restart marker
    ``D0``-``D7``.  Anything else is where libjpeg prints "Corrupt JPEG data".  Bytes after the
    end-of-image marker (some cameras append data there) are not checked.
    """
    size = int(data.size)
    if size < 4 or data[0] != 0xFF or data[1] != 0xD8:
        return "corrupt", "does not start like a JPEG"
    following = data[1:]
    candidates = np.flatnonzero((data[:-1] == 0xFF) & (following != 0x00) & (following != 0xFF)
                                & ((following < 0xD0) | (following > 0xD7)))  # real markers only
    if not (following[candidates] == EOI).any():
        return "truncated", f"has no end-of-image marker: the file is truncated ({size} bytes)"
    position = 2
    while True:
        if position + 1 >= size:
            return "corrupt", "damaged data: a segment length points past the end of the file"
        if data[position] != 0xFF:
            return "corrupt", f"damaged data at byte {position} (no marker where one must be)"
        while position + 1 < size and data[position + 1] == 0xFF:  # fill bytes before a marker
            position += 1
        if position + 1 >= size:
            continue
        marker = int(data[position + 1])
        if marker == EOI:
            return None
        if marker not in SEGMENT_MARKERS:
            return "corrupt", f"damaged data at byte {position} (marker 0x{marker:02X} inside the image data)"
        if position + 3 >= size:
            continue
        end = position + 2 + (int(data[position + 2]) << 8 | int(data[position + 3]))
        if marker == SOS:  # compressed data follows its header: jump to the next real marker
            following_markers = candidates[np.searchsorted(candidates, end):]
            position = int(following_markers[0]) if following_markers.size else size
        else:
            position = end


def check_image_file(path: PathLike) -> Tuple[Optional[str], Optional[str]]:
    """(problem, corruption) of an image file, without decoding its pixels.

    ``problem`` (not usable: missing, empty, not an image, broken header, truncated JPEG) or
    ``corruption`` (a JPEG that decodes but whose data is damaged); both None for a sound file.
    """
    # deferred: settings (so the CLI) imports this module; Pillow loads only when a header is read
    from PIL import Image

    if not os.path.isfile(path):
        return missing_file_reason(path), None
    if os.path.getsize(path) == 0:
        return "file is empty (0 bytes)", None
    try:
        with Image.open(path) as header:
            is_jpeg = header.format == "JPEG"
    except Image.UnidentifiedImageError:
        return "not an image file, or its header is damaged", None
    except Exception as error:  # SyntaxError, OSError, ...: a broken header
        return f"broken image header ({error})", None
    if not is_jpeg:
        return None, None
    problem = jpeg_structure_problem(np.fromfile(str(path), dtype=np.uint8))
    if problem is None:
        return None, None
    kind, reason = problem
    return (f"JPEG {reason}", None) if kind == "truncated" else (None, f"corrupt JPEG: {reason}")


def list_images(folder: PathLike, recursive: bool = False, warn: bool = True):
    """Sorted image files inside ``folder`` (and its sub-folders when ``recursive``), by extension;
    hidden files (``.DS_Store``, ``._P0001.jpg`` from macOS archives) are not images.

    Nothing is left out silently (``warn=False``: when only probing whether a folder holds images):

    * other visible files (a ``.webp`` or ``.gif``, a note) are left out with an ``UnreadFilesWarning``
      naming them;
    * a symbolic link with an image's name whose target is missing (or a loop of links) is listed,
      so that whoever reads it names it (a dataset: a bad sample; ``predict``: an error);
    * sub-folders holding images (read only when ``recursive``) are named in an ``UnreadFilesWarning``.
    """
    folder = Path(folder)
    entries = list(folder.rglob("*") if recursive else folder.iterdir())
    broken = [p for p in entries if p.is_symlink() and not p.exists()]  # dangling, or a loop of links
    candidates = [p for p in entries if p.is_file()] + broken
    unread = sorted(p.name for p in candidates if not is_image_file(p) and not p.name.startswith("."))
    nested = [] if recursive else sorted(p.name for p in entries if p.is_dir() and not p.name.startswith(".")
                                         and list_images(p, recursive=True, warn=False))
    if unread and warn:
        warnings.warn(f"{folder}: {len(unread)} file(s) left out, not in a format the course reads "
                      f"({', '.join(IMAGE_EXTENSIONS)}): {', '.join(unread[:5])}{', ...' if len(unread) > 5 else ''}. "
                      "Convert images to PNG or JPEG to use them", UnreadFilesWarning, stacklevel=2)
    if nested and warn:
        warnings.warn(f"{folder}: the images in its sub-folder(s) {', '.join(nested)} are not read (only the "
                      "images directly in it are): move them up if they belong here", UnreadFilesWarning,
                      stacklevel=2)
    return sorted(p for p in candidates if is_image_file(p))


def missing_file_reason(path: PathLike) -> str:
    """Why ``path`` is not a readable file: missing, a broken symbolic link, or something else."""
    if os.path.islink(path):
        return f"a symbolic link to a missing file, or a loop of links ({os.readlink(path)})"
    return "file is listed but does not exist" if not os.path.exists(path) else "not a file"
