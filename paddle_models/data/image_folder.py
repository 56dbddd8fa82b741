"""The plain "one folder per class" layout, for images students bring themselves.

    <root>/[<split>/]<class name>/<image>.jpg

Class names are the sub-folder names in sorted order (or the ``class_names`` you give, in your
order -- e.g. to make "normal" label 0).  Files without an image extension are not samples.
Fewer than two classes with images is an error; a class folder without images, a warning.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional, Sequence

from .base import FundusDataset
from .errors import DegenerateDatasetError, EmptyClassWarning, missing_layout_error
from .imageio import list_images

LAYOUT = """\
<root>/
  [<split>/]                  optional: train/, valid/, test/ each with the class folders
    <class name 1>/  a.jpg b.png ...
    <class name 2>/  ...
"""


class ImageFolder(FundusDataset):
    """One sub-folder per class under ``root`` (or under ``root/split`` when ``split`` is given)."""

    def __init__(self, root, split: Optional[str] = None, *,
                 class_names: Optional[Sequence[str]] = None, **options):
        root = Path(root)
        folder = root / split if split else root
        if not folder.is_dir():
            raise missing_layout_error("image folder", folder, LAYOUT)
        if class_names is None:
            class_names = sorted(p.name for p in folder.iterdir()
                                 if p.is_dir() and not p.name.startswith((".", "__")))
            if not class_names:
                raise missing_layout_error(f"class sub-folders in {folder}", folder / "<class name>", LAYOUT)
        samples = []
        for label, name in enumerate(class_names):
            class_folder = folder / name
            if not class_folder.is_dir():
                raise missing_layout_error(f"folder of class {name!r}", class_folder, LAYOUT)
            samples += [(path, label) for path in list_images(class_folder)]
        if samples:  # no images at all: FundusDataset says 'no usable images'
            check_classes(folder, class_names, [label for _, label in samples])
        super().__init__(samples, class_names, root=root, split=split, **options)


def check_classes(folder: Path, class_names: Sequence[str], labels: Sequence[int]) -> None:
    """Refuse fewer than two classes with images (nothing to tell apart: a model learns loss 0 and
    accuracy 1.0 without learning anything); warn about each class folder without images."""
    counts = [labels.count(label) for label in range(len(class_names))]
    empty = [name for name, count in zip(class_names, counts) if count == 0]
    if sum(count > 0 for count in counts) < 2:
        found = ", ".join(f"{name!r}: {count}" for name, count in zip(class_names, counts)) or "no class folders"
        raise DegenerateDatasetError(
            f"{folder} has images of fewer than two classes ({found} images): a classifier needs at least "
            "two class folders with images. Add the missing class folder(s) of images, or point the "
            "reader to the folder that contains the class folders.")
    if empty:
        warnings.warn(f"{folder}: class folder(s) without images: {', '.join(empty)}; these classes "
                      "are never seen in training. Add images or remove the folders.", EmptyClassWarning,
                      stacklevel=3)
