"""RetinaMNIST (MedMNIST v2): DR grades 0-4 of 1,600 fundus photographs, as small arrays in one file.

MedMNIST took the DeepDRiD challenge's photographs, centre-cropped them and resized them to 28x28
(and, in MedMNIST+, 64, 128 and 224).  Each size is one NumPy ``.npz`` file::

    retinamnist.npz        28 x 28       (retinamnist_64.npz, retinamnist_128.npz, retinamnist_224.npz)
      train_images  uint8 [1080, S, S, 3]   RGB     train_labels  uint8 [1080, 1]   DR grade 0-4
      val_images    uint8 [ 120, S, S, 3]           val_labels    uint8 [ 120, 1]
      test_images   uint8 [ 400, S, S, 3]           test_labels   uint8 [ 400, 1]

The grade is *ordinal* (grade 3 is closer to 4 than to 0).  The MedMNIST case study behind this
course trained it as multi-label binary and names that as the reason for its poor results (test
accuracy 0.483 / AUC 0.712 with ResNet-18 at 28x28); the ``retinamnist-*`` recipes use ordinal
targets instead.

A sample here is a row of an array, not a file, but ``RetinaMNIST`` is a ``FundusDataset`` like the
others: its sample "paths" are names such as ``retinamnist.npz#train-0017``, so ``subset``,
``exclude``, ``select``, the audit and error messages work unchanged, and ``load_image`` sends the row
through the same preprocessing function (``preprocess_image``) and augmentation as a decoded file.

Border crop: off by default.  MedMNIST already centre-cropped every photograph to the same framing;
cropping a 28-pixel image again would resample every pixel to remove a border of one or two, and
differently for each image.  Pass ``preprocess=PreprocessConfig(...)`` to choose otherwise.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Optional, Tuple

import cv2
import numpy as np

from ..errors import WrongValueError
from .base import FundusDataset, normalize_split
from .ddr import GRADE_NAMES
from .errors import BadSample, DatasetNotFoundError
from .layout import Layout
from .medmnist_files import SIZES, SPLIT_PREFIX, file_name
from .preprocess import PreprocessConfig, preprocess_image
from .synthetic.retinamnist import make_synthetic_retinamnist

SPLIT_SIZES = {"train": 1080, "valid": 120, "test": 400}  # the real file's (for reference and tests)

# Direct downloads (Zenodo record 10519652, as listed by the medmnist package, v3) and their MD5 sums.
DOWNLOAD_URL = "https://zenodo.org/records/10519652/files/{name}?download=1"
MD5 = {28: "bd4c0672f1bba3e3a89f0e4e876791e4", 64: "afda852cc34dcda56f86ad2b2457dbcc",
       128: "e48e916a24454daf90583d4e6efb1a18", 224: "eae7e3b6f3fcbda4ae613ebdcbe35348"}


def find_npz(root, size: Optional[int] = None) -> Path:
    """The .npz file: ``root`` itself if it is one, else the first of the sizes looked for in ``root``."""
    root = Path(root)
    if root.suffix == ".npz" and root.is_file():
        return root
    names = [file_name(size)] if size else [file_name(s) for s in SIZES]
    for name in names:
        if (root / name).is_file():
            return root / name
    raise DatasetNotFoundError(
        f"RetinaMNIST not found: looked for {', '.join(names)} in {root}\n"
        f"It is a direct download (the medmnist package's own downloader needs internet): fetch "
        f"{DOWNLOAD_URL.format(name=names[0])}\non a machine with internet access and put the file in "
        f"{root}/ (see datasets/README.md, RetinaMNIST), or write a synthetic one with "
        "`python -m paddle_models synth --data retinamnist --root " + str(root) + "`.")


# What numpy raises for a file that is not (or no longer) a readable .npz: an .npz is a zip archive
UNREADABLE = (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error)


def load_split(path: Path, split: str) -> Tuple[np.ndarray, np.ndarray]:
    """(images uint8 [N, S, S, 3], labels int64 [N]) of one split; a clear error for a wrong file."""
    prefix = SPLIT_PREFIX[split]
    try:
        arrays = np.load(path, allow_pickle=False)
    except UNREADABLE as error:  # not an .npz, or a truncated download
        raise WrongValueError(f"{path}: not a readable .npz file ({type(error).__name__}: {error}); "
                         "download it again") from None
    if not hasattr(arrays, "files"):
        raise WrongValueError(f"{path}: holds a single array, not the six arrays of a MedMNIST .npz")
    with arrays:
        found = sorted(arrays.files)
        missing = [key for key in (f"{prefix}_images", f"{prefix}_labels") if key not in found]
        if missing:
            raise WrongValueError(f"{path}: no array {' or '.join(missing)} (found {found}); a MedMNIST file "
                             f"holds {', '.join(f'{p}_images, {p}_labels' for p in SPLIT_PREFIX.values())}")
        try:
            images, labels = arrays[f"{prefix}_images"], arrays[f"{prefix}_labels"]
        except UNREADABLE as error:  # a damaged member of the archive
            raise WrongValueError(f"{path}: {prefix}_images or {prefix}_labels cannot be read ({type(error).__name__}: "
                             f"{error}); download the file again") from None
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3 or images.shape[1] != images.shape[2]:
        raise WrongValueError(f"{path}: {prefix}_images should be uint8 [N, S, S, 3] (RGB), "
                         f"got {images.dtype} {list(images.shape)}")
    if len(images) == 0:
        raise WrongValueError(f"{path}: {prefix}_images holds no images (0 rows), so the {split} split is empty: "
                         "the file is incomplete or was written wrongly; download it again")
    labels = np.asarray(labels).reshape(len(labels), -1)
    if labels.shape != (len(images), 1):
        raise WrongValueError(f"{path}: {prefix}_labels should be [{len(images)}, 1] (one grade per image), "
                         f"got {list(np.shape(labels))}")
    return images, labels[:, 0].astype(np.int64)


class RetinaMNIST(FundusDataset):
    """RetinaMNIST: ``split`` 'train', 'valid' (MedMNIST's 'val') or 'test'; labels are DR grades 0-4.

    ``root`` is the folder holding the .npz (or the file itself); ``size`` picks one of 28, 64, 128,
    224 (default: the first found, in that order).  ``image_size`` defaults to the file's own size.
    Labels outside 0-4 are bad samples (an error, or skipped with ``skip_bad=True``).
    Other keywords: see FundusDataset.

    >>> train = RetinaMNIST("datasets/RetinaMNIST", "train")    # doctest: +SKIP
    >>> len(train), train.preprocess.image_size                  # doctest: +SKIP
    (1080, 28)
    """

    name = "retinamnist"
    location = Layout("RetinaMNIST", "retinamnist", (("retinamnist*.npz",),))  # a direct download: no preparer
    write_synthetic = staticmethod(make_synthetic_retinamnist)
    label_kind = "grades"
    labelled_splits = ("train", "valid", "test")
    preprocess_defaults = {"crop_border": False}  # MedMNIST already cropped (see the module docstring)

    def __init__(self, root, split: str = "train", *, size: Optional[int] = None,
                 image_size: Optional[int] = None, preprocess=None, **options):
        split = normalize_split(split)
        self.npz_path = find_npz(root, size)
        self.images, labels = load_split(self.npz_path, split)  # [N, S, S, 3] RGB, [N]
        if preprocess is None:
            preprocess = PreprocessConfig(image_size=image_size or self.images.shape[1], **self.preprocess_defaults)
            image_size = None
        samples, bad = [], []
        for row, label in enumerate(labels):
            name = self.sample_name(split, row)
            if 0 <= label < len(GRADE_NAMES):
                samples.append((name, int(label)))
            else:
                bad.append(BadSample(name, f"{SPLIT_PREFIX[split]}_labels[{row}] = {label} is out of range "
                                           f"0..{len(GRADE_NAMES) - 1} (DR grades)", str(self.npz_path)))
        super().__init__(samples, GRADE_NAMES, root=self.npz_path.parent, split=split, image_size=image_size,
                         preprocess=preprocess, bad_samples=bad, **options)

    def sample_name(self, split: str, row: int) -> str:
        """'.../retinamnist.npz#train-0017': the file and the array row, in place of an image path."""
        return f"{self.npz_path}#{SPLIT_PREFIX[split]}-{row:04d}"

    def row(self, index: int) -> int:
        """The array row of sample ``index`` (after subset/exclude/select), read from its name."""
        return int(self.samples[index][0].rsplit("-", 1)[1])

    def source_image(self, index: int) -> np.ndarray:
        """Sample ``index`` as stored, converted to BGR (what cv2.imread would give for a file)."""
        return cv2.cvtColor(self.images[self.row(index)], cv2.COLOR_RGB2BGR)

    def load_image(self, index: int) -> np.ndarray:
        """The preprocessed uint8 RGB image [S, S, 3] (no disk cache: the arrays are in memory already)."""
        return preprocess_image(self.source_image(index), self.preprocess)

    def _check_files(self, samples, decode: bool = False):
        self.corrupt = []
        return samples, []  # array rows, not files: nothing to check; labels were checked above

