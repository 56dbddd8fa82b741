"""A synthetic dataset in the one-folder-per-class layout (``ImageFolder``): normal/, pathologic_myopia/ ...

    <root>/[<split>/]<class>/<class>_0001.jpg ...
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from .fundus import synthetic_fundus
from .writing import Photo, frame_size, mark_synthetic, write_split

CLASSES = {"pm": ["normal", "pathologic_myopia"], "dr": [f"grade_{grade}" for grade in range(5)]}


def make_synthetic_image_folder(
    root,
    per_class: int = 10,
    kind: str = "pm",
    image_size: int = 256,
    seed: int = 0,
    split: Optional[str] = None,
) -> Path:
    """Write one folder per class: kind 'pm' -> normal/, pathologic_myopia/; 'dr' -> grade_0/ ... grade_4/."""
    if kind not in CLASSES:
        raise ValueError(f"kind must be 'pm' or 'dr', got {kind!r}")
    folder = Path(root) / split if split else Path(root)
    width, height = frame_size(image_size)

    def paint(rng, number, label):
        name = CLASSES[kind][label]
        if kind == "pm":
            image, _ = synthetic_fundus(rng, width, height, myopia="pathologic" if label else "normal")
        else:
            image, _ = synthetic_fundus(rng, width, height, dr_grade=label)
        return Photo(Path(name) / f"{name}_{number:04d}.jpg", image)

    for label in range(len(CLASSES[kind])):
        write_split(folder, [label] * per_class, paint, seed, (30, label))
    mark_synthetic(root)
    return Path(root)
