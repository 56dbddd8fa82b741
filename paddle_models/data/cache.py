"""An on-disk cache of preprocessed images, so epoch 2 onwards reads small arrays instead of JPEGs.

Layout: ``<cache_dir>/<settings key>/<image name>-<file key>.npy`` where

* the *settings key* is a hash of ``PreprocessConfig.to_dict()`` (and ``PREPROCESS_VERSION``):
  change any preprocessing setting and a fresh folder is used, old entries are simply not read;
* the *file key* is a hash of the source image's absolute path, size and modification time:
  replace or edit an image and its entry is recomputed.

Each folder also holds ``settings.json`` so a human can tell the folders apart.

Several DataLoader worker processes may fill the cache at once.  Every write goes through
``files.atomic_write`` (a temporary file, then ``os.replace``, which is atomic): a reader sees
either no entry or a complete one, never half an array.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ..files import atomic_write, make_folder, write_text
from .imageio import PathLike
from .preprocess import PREPROCESS_VERSION, PreprocessConfig


def settings_key(config: PreprocessConfig) -> str:
    """A short stable hash of the preprocessing settings."""
    settings = dict(config.to_dict(), version=PREPROCESS_VERSION)
    text = json.dumps(settings, sort_keys=True)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def save_array(path: Path, image: np.ndarray) -> None:
    """``np.save`` to ``path`` as given (np.save itself would append '.npy' to a temporary name)."""
    with open(path, "wb") as file:
        np.save(file, image, allow_pickle=False)


class PreprocessCache:
    """Preprocessed uint8 images on disk, keyed by the settings and by the source file."""

    def __init__(self, cache_dir: PathLike, config: PreprocessConfig):
        self.config = config
        self.folder = Path(cache_dir) / settings_key(config)
        make_folder(self.folder, "cache folder")
        settings_file = self.folder / "settings.json"
        if not settings_file.exists():
            text = json.dumps(dict(config.to_dict(), version=PREPROCESS_VERSION), indent=2)
            write_text(settings_file, text)
        self.hits = 0  # counted in this process only (each DataLoader worker has its own)
        self.misses = 0

    def entry_path(self, source: PathLike) -> Path:
        """Where the preprocessed version of ``source`` is (or will be) stored."""
        status = os.stat(source)
        identity = f"{os.path.abspath(source)}|{status.st_size}|{status.st_mtime_ns}"
        digest = hashlib.sha1(identity.encode("utf-8")).hexdigest()[:16]
        return self.folder / f"{Path(source).stem}-{digest}.npy"

    def load(self, source: PathLike) -> Optional[np.ndarray]:
        """The cached image for ``source``, or None if absent or unreadable."""
        entry = self.entry_path(source)
        try:
            image = np.load(entry, allow_pickle=False)
        except (OSError, ValueError, EOFError):  # absent, or damaged by something outside our control
            return None
        size = self.config.input_size
        return image if image.shape == (size, size, 3) and image.dtype == np.uint8 else None

    def save(self, source: PathLike, image: np.ndarray) -> None:
        """Store ``image`` (uint8 [S, S, 3]) for ``source`` atomically."""
        entry = self.entry_path(source)
        atomic_write(entry, lambda temporary: save_array(temporary, image), same_content_may_exist=True)

    def get(self, source: PathLike, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The cached image for ``source``; on a miss, ``compute()`` it and store it."""
        if not os.path.isfile(source):
            return compute()  # compute() raises the clear "file does not exist" error
        image = self.load(source)
        if image is not None:
            self.hits += 1
            return image
        image = compute()
        self.save(source, image)
        self.misses += 1
        return image

    def __len__(self) -> int:
        """Number of stored entries (all source files and versions)."""
        return sum(1 for _ in self.folder.glob("*.npy"))

    def clear(self) -> None:
        """Delete every entry for these settings."""
        for entry in self.folder.glob("*.npy"):
            entry.unlink()

    def __repr__(self) -> str:
        return f"PreprocessCache({str(self.folder)!r}, hits={self.hits}, misses={self.misses})"
