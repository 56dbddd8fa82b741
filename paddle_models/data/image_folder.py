"""The plain "one folder per class" layout, for images students bring themselves.

    <root>/[<split>/]<class name>/<image>.jpg

Class names are the sub-folder names in sorted order (or the ``class_names`` you give, in your
order -- e.g. to make "normal" label 0).  Files without an image extension are not samples.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from .base import FundusDataset
from .errors import missing_layout_error
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
        super().__init__(samples, class_names, root=root, split=split, **options)
