"""The plain "one folder per class" layout, for images students bring themselves.

    <root>/[<split>/]<class name>/<image>.jpg

Class names are the sub-folder names in sorted order (or the ``class_names`` you give, in your
order -- e.g. to make "normal" label 0).  Files without an image extension are not samples.

The split folders are optional.  Without them every image is a training image ("train" reads the
class folders directly under ``root``), and an experiment holds out a share of them for validation;
with ``root/valid/`` the model is validated on that folder instead.
Fewer than two classes with images is an error; a class folder without images, a warning.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional, Sequence, Tuple

from .base import SPLIT_ALIASES, FundusDataset
from .errors import DegenerateDatasetError, EmptyClassWarning, missing_layout_error
from .imageio import list_images
from .synthetic.image_folder import make_synthetic_image_folder

LAYOUT = """\
<root>/
  [<split>/]                  optional: train/, valid/, test/ each with the class folders;
                              without them the class folders below are the training images
    <class name 1>/  a.jpg b.png ...
    <class name 2>/  ...
"""
SPLIT_FOLDERS = ("train", "valid", "test")


def has_split_folders(root: Path) -> bool:
    """True when ``root`` holds train/, valid/ or test/ sub-folders (the split layout)."""
    return any((Path(root) / split).is_dir() for split in SPLIT_FOLDERS)


class ImageFolder(FundusDataset):
    """One sub-folder per class under ``root`` (or under ``root/split`` in the split layout)."""

    name = "image_folder"
    aliases = ("imagefolder", "folder")
    write_synthetic = staticmethod(make_synthetic_image_folder)  # no location: any folder, given by its path
    label_kind = "classes"

    @classmethod
    def validation_split_of(cls, root) -> Optional[str]:
        return "valid" if (Path(root) / "valid").is_dir() else None

    @classmethod
    def splits_of(cls, root) -> Tuple[str, ...]:
        if not has_split_folders(root):
            return ("train",)
        return tuple(split for split in SPLIT_FOLDERS if (Path(root) / split).is_dir())

    @classmethod
    def labelled_splits_of(cls, root) -> Tuple[str, ...]:
        return cls.splits_of(root)  # every folder of this layout is labelled by its class folders

    def __init__(self, root, split: Optional[str] = None, *,
                 class_names: Optional[Sequence[str]] = None, **options):
        root = Path(root)
        folder = self._split_folder(root, split)
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

    @staticmethod
    def _split_folder(root: Path, split: Optional[str]) -> Path:
        """root/<split>, or root itself for 'train' when the layout has no split folders."""
        if not root.is_dir():
            raise missing_layout_error("image folder", root, LAYOUT)
        if split is None:
            return root
        name = SPLIT_ALIASES.get(str(split).lower(), split)
        if (root / name).is_dir():
            return root / name
        if name == "train" and not has_split_folders(root):
            return root
        where = ("this folder has no split folders, so only 'train' (all images) can be read"
                 if not has_split_folders(root) else
                 f"this folder's splits are {', '.join(ImageFolder.splits_of(root))}")
        raise missing_layout_error(f"image folder split {split!r} ({where})", root / name, LAYOUT)


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
