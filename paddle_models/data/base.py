"""The base class of every fundus dataset: samples in, (image, label) pairs out.

A reader (ICHallengePM, DDR, APTOS, ImageFolder) only has to find its samples -- a list of
(image path, label) -- and the class names.  ``FundusDataset`` does the rest, the same way for all:

* bad samples: raise one error listing them all, or with ``skip_bad=True`` skip and report them;
  every image file is checked when the dataset is built (header, and a JPEG's structure:
  ``imageio.check_image_file``), so a bad file is reported before the first training step;
* ``subset``: a fixed, seeded, stratified subset for quick experiments;
* ``dataset[i]``: read -> preprocess (optionally from the on-disk cache) -> augment -> normalise.

    dataset[i]          -> (float32 [3, S, S], int64 label)   label is -1 for an unlabeled split
    dataset.load_image(i) -> uint8 RGB [S, S, 3], preprocessed, before augmentation/normalisation
"""
from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import paddle
from tqdm.auto import tqdm

from ..errors import WrongValueError
from .cache import PreprocessCache
from .errors import (BadSample, BadSampleError, DatasetNotFoundError, SkippedSamplesWarning, describe_bad_samples,
                     raise_for_bad_samples)
from .imageio import CorruptImageWarning, check_image_file, decode_problem, missing_file_reason
from .layout import Layout, Preparer
from .preprocess import PreprocessConfig, as_config, centre_window, preprocess_image, to_input
from .quality import exclude_samples
from .subset import stratified_subset
from .transforms import train_augmentation

UNLABELED = -1  # the label of every sample in a split without labels (e.g. a test split)

SPLIT_ALIASES = {"train": "train", "training": "train", "valid": "valid", "val": "valid",
                 "validation": "valid", "test": "test", "testing": "test"}


def normalize_split(split: str, allowed: Sequence[str] = ("train", "valid", "test")) -> str:
    """'val' / 'validation' -> 'valid' etc.; an unknown split name is an error listing the valid ones."""
    name = SPLIT_ALIASES.get(str(split).lower())
    if name not in allowed:
        raise WrongValueError(f"unknown split {split!r}; use one of {list(allowed)}")
    return name


def missing_file_problem(path: Path, source=None, line=None) -> Optional[BadSample]:
    """A BadSample if a listed image file does not exist, else None."""
    if path.is_file():
        return None
    return BadSample(str(path), missing_file_reason(path), source and str(source), line)


class FundusDataset(paddle.io.Dataset):
    """A list of (image path, label) samples served as normalised float32 [3, S, S] arrays.

    What a reader class says about itself (the command line and experiments ask it, never the name):

    name              its name in the registry (``build_dataset(name, ...)``)
    label_kind        'binary' (two classes), 'grades' (ordered: DR grades) or 'classes' (unordered)
    splits            the splits it can read
    labelled_splits   the splits that have labels (the others are for prediction only)
    validation_split  the split that validates a model trained on 'train', or None when a share of
                      'train' must be held out instead (``validation_split_of(root)`` may look at
                      the folder, as ImageFolder does)
    preprocess_defaults  PreprocessConfig values other than the defaults that suit its images

    and where it comes from (``registry.py`` derives its tables from these):

    aliases           other spellings of ``name`` people use ('palm' for 'ichallenge_pm')
    location          a ``Layout``: where ``locate_dataset`` looks for it (None: only where it is told)
    preparer          a ``Preparer``: how its archives, as distributed, are unpacked (None: by hand)
    write_synthetic   the function writing a synthetic look-alike in its layout (``make_synthetic_*``)

    Keywords shared by every reader:

    image_size  the output side S; 224 unless ``preprocess`` says otherwise
    preprocess  a PreprocessConfig or its dict (border crop, Ben Graham, normalisation, ...)
    augment     None, True (``train_augmentation``) or a callable on uint8 RGB [S, S, 3] images
    subset      an int (count) or float (fraction): a fixed, seeded, stratified subset
    seed        the seed of the subset
    skip_bad    skip bad samples, reporting each one, instead of raising; also skips corrupt JPEGs
                (otherwise a warning) and test-decodes every image of the (sub)set once, at 1/8
                scale, so undecodable ones are skipped too
    cache_dir   a folder for the on-disk cache of preprocessed images (None: no cache)
    exclude     file names or paths to leave out, or the CSV of ``python -m paddle_models audit``
                (its flagged rows); what was left out is listed in ``dataset.excluded``

    A reader with a label file also passes what it found there: ``bad_samples`` (its malformed
    rows, missing images, ...) and ``listed_at`` (image path -> (label file, line)), so that an
    image found unreadable later is reported with the line that lists it.
    """

    name = "fundus"
    label_kind = "classes"
    splits: Tuple[str, ...] = ("train", "valid", "test")
    labelled_splits: Tuple[str, ...] = ("train", "valid")
    validation_split: Optional[str] = "valid"
    preprocess_defaults: dict = {}  # PreprocessConfig fields this dataset changes (RetinaMNIST: no border crop)
    aliases: Tuple[str, ...] = ()
    location: Optional[Layout] = None
    preparer: Optional[Preparer] = None
    write_synthetic: Optional[Callable] = None  # a staticmethod in a reader: a plain function must not bind

    @classmethod
    def validation_split_of(cls, root) -> Optional[str]:
        """The split validating a model trained on 'train' under ``root`` (None: hold some out)."""
        return cls.validation_split

    @classmethod
    def splits_of(cls, root) -> Tuple[str, ...]:
        """The splits that can be read under ``root``."""
        return cls.splits

    @classmethod
    def labelled_splits_of(cls, root) -> Tuple[str, ...]:
        """The splits under ``root`` whose images have labels (evaluation needs one of these)."""
        return cls.labelled_splits

    def __init__(
        self,
        samples: Sequence[Tuple[Union[str, Path], int]],
        class_names: Sequence[str],
        *,
        root=None,
        split: Optional[str] = None,
        image_size: Optional[int] = None,
        preprocess: Union[None, dict, PreprocessConfig] = None,
        augment: Union[None, bool, Callable] = None,
        subset: Union[None, int, float] = None,
        seed: int = 0,
        skip_bad: bool = False,
        cache_dir=None,
        bad_samples: Sequence[BadSample] = (),
        listed_at: Optional[Mapping[str, Tuple[str, int]]] = None,
        exclude=None,
    ):
        super().__init__()
        self.listed_at = dict(listed_at or {})  # image path -> (label file, line), from rows_to_samples
        self.root = None if root is None else Path(root)
        self.split = split
        self.class_names = list(class_names)
        self.num_classes = len(self.class_names)
        self.preprocess = as_config(preprocess, image_size)
        self.augment = self._build_augment(augment)
        self.skip_bad = skip_bad
        self.seed = seed

        samples = [(str(path), int(label)) for path, label in samples]
        samples, self.excluded = exclude_samples(samples, exclude)  # e.g. the audit's flagged images
        if subset is not None and samples:
            chosen = stratified_subset([label for _, label in samples], subset, seed)
            samples = [samples[i] for i in chosen]
        samples, unusable = self._check_files(samples, decode=skip_bad)
        bad = list(bad_samples) + unusable  # label-file problems, then file problems: one report
        if not skip_bad:
            raise_for_bad_samples(bad, self._describe())
        self.skipped: List[BadSample] = bad  # every sample skipped with skip_bad=True
        if bad:
            warnings.warn(f"{self._describe()}: skipped {len(bad)} bad sample(s):\n"
                          f"{describe_bad_samples(bad, limit=len(bad))}", SkippedSamplesWarning,
                          stacklevel=3)
        if not samples:
            raise DatasetNotFoundError(f"{self._describe()}: no usable images found"
                                       + (f" under {self.root}" if self.root else ""))

        self.samples: List[Tuple[str, int]] = samples
        self.labels = np.array([label for _, label in samples], dtype=np.int64)
        self.random_windows = augment is True and self.preprocess.crop_size is not None
        # the cache holds the full image_size image; the centre window is cut after it
        self.cache = PreprocessCache(cache_dir, self.preprocess.full_frame()) if cache_dir else None

    # ------------------------------------------------------------------ building blocks

    def _build_augment(self, augment):
        if augment is True:  # the standard training augmentation for this image size
            fill = 128 if self.preprocess.ben_graham else 0
            # with a crop size, training takes random windows of the full image (random_crop)
            return train_augmentation(self.preprocess.image_size, fill=fill,
                                      random_crop=self.preprocess.crop_size)
        if augment in (None, False):
            return None
        if not callable(augment):
            raise TypeError(f"augment must be None, True or a callable on uint8 HWC images, got {augment!r}")
        return augment

    def _check_files(self, samples, decode: bool = False):
        """Check every image file; returns (usable samples, BadSample for the others).

        Without decoding (the default, about 1 ms per photograph: a header read and a scan of a
        JPEG's markers) a missing, empty, non-image or truncated file is a bad sample, and a JPEG
        with damaged data -- which decodes, to partly garbage pixels -- gives one
        ``CorruptImageWarning`` listing every such file.  With ``decode`` (``skip_bad=True``) corrupt
        JPEGs are bad samples too, and every image is also decoded once at 1/8 scale.
        """
        good, bad, corrupt = [], [], []
        checking = tqdm(samples, desc="checking images", disable=len(samples) < 500, leave=False)
        for path, label in checking:
            problem, corruption = check_image_file(path)
            if problem is None and corruption is not None and decode:
                problem = corruption
            if problem is None and decode:
                problem = decode_problem(path)
            if problem is not None:  # named with the label-file line that lists it, if a label file does
                bad.append(BadSample(path, problem, *self.listed_at.get(str(path), (None, None))))
                continue
            if corruption is not None:
                corrupt.append(BadSample(path, corruption))
            good.append((path, label))
        if corrupt:
            listing = describe_bad_samples(corrupt, limit=len(corrupt))
            warnings.warn(f"{self._describe()}: {len(corrupt)} image(s) decode only partly (damaged data; "
                          "libjpeg prints 'Corrupt JPEG data' for them). Replace them, or pass "
                          f"skip_bad=True to skip them:\n{listing}", CorruptImageWarning, stacklevel=4)
        self.corrupt: List[BadSample] = corrupt  # used, but reported by CorruptImageWarning
        return good, bad

    def _describe(self) -> str:
        return f"{type(self).__name__}(split={self.split!r})"

    # ------------------------------------------------------------------ the Dataset protocol

    def __len__(self) -> int:
        return len(self.samples)

    def load_image(self, index: int) -> np.ndarray:
        """The preprocessed uint8 RGB image [S, S, 3] of sample ``index`` (from the cache if any).

        S is ``preprocess.input_size`` (the centre window when there is a crop size), except for a
        training set that takes random windows: it loads the full ``image_size`` image, and its
        augmentation cuts the window.
        """
        path, full = self.samples[index][0], self.preprocess.full_frame()
        try:
            image = preprocess_image(path, full) if self.cache is None else \
                self.cache.get(path, lambda: preprocess_image(path, full))
        except BadSampleError as error:  # a dataset (unlike predict or gradcam) can skip such files
            raise BadSampleError(f"{error} Or pass skip_bad=True to skip "
                                 "every such file.") from None
        if self.random_windows and self.augment is not None:
            return image
        return centre_window(image, self.preprocess.crop_size)

    def __getitem__(self, index: int):
        image = self.load_image(index)  # [S, S, 3] uint8 RGB
        if self.augment is not None:
            image = np.asarray(self.augment(image))
        return to_input(image, self.preprocess), np.int64(self.labels[index])  # [3, S, S] float32

    def select(self, indices) -> "FundusDataset":
        """A copy holding only the samples at ``indices`` (same preprocessing, cache, augmentation)."""
        indices = np.asarray(indices, dtype=np.int64)
        chosen = copy.copy(self)
        chosen.samples = [self.samples[i] for i in indices]
        chosen.labels = self.labels[indices]
        return chosen

    # ------------------------------------------------------------------ looking at the data

    def class_counts(self) -> np.ndarray:
        """Number of samples per class (unlabeled samples are not counted)."""
        labelled = self.labels[self.labels >= 0]
        return np.bincount(labelled, minlength=self.num_classes)[: self.num_classes]

    @property
    def is_labeled(self) -> bool:
        return bool((self.labels >= 0).any())

    def __repr__(self) -> str:
        if self.is_labeled:
            counts = ", ".join(f"{name}: {n}" for name, n in zip(self.class_names, self.class_counts()))
        else:
            counts = "unlabeled"
        extra = f", skipped={len(self.skipped)}" if self.skipped else ""
        crop = f", crop_size={self.preprocess.crop_size}" if self.preprocess.crop_size else ""
        return (f"{type(self).__name__}(split={self.split!r}, {len(self)} images [{counts}], "
                f"image_size={self.preprocess.image_size}{crop}{extra})")
