"""Training-time augmentation, built from ``paddle.vision.transforms``.

Augmentation runs on the preprocessed uint8 RGB image [H, W, 3] *before* normalisation (paddle's
transforms use OpenCV on numpy arrays), and keeps its size.  A fundus has no "up": the eye can be
photographed slightly rotated, left and right eyes are mirror images, exposure and contrast vary
between cameras.  So: flips, rotation, a mild scale/crop, brightness and contrast.

Randomness comes from Python's ``random`` module and numpy's global random state (paddle's
RandomResizedCrop uses both); paddle.io.DataLoader seeds both differently in every worker process.
"""
from __future__ import annotations

from typing import Optional, Sequence

import paddle.vision.transforms as T


def train_augmentation(
    image_size: int = 224,
    flip: bool = True,
    rotation: float = 30.0,
    scale: Optional[Sequence[float]] = (0.85, 1.0),
    brightness: float = 0.2,
    contrast: float = 0.2,
    fill: int = 0,
) -> T.Compose:
    """Random flips, rotation (+-``rotation`` degrees), scale/crop, brightness and contrast.

    ``scale`` is the range of the area kept by RandomResizedCrop (None: no crop); ``fill`` is the
    value of the corners uncovered by the rotation (0 for plain images, 128 after Ben Graham).
    """
    steps = []
    if flip:
        steps += [T.RandomHorizontalFlip(0.5), T.RandomVerticalFlip(0.5)]
    if rotation:
        steps.append(T.RandomRotation(rotation, fill=fill))
    if scale is not None:
        steps.append(T.RandomResizedCrop(image_size, scale=tuple(scale), ratio=(0.9, 1.1)))
    if brightness:
        steps.append(T.BrightnessTransform(brightness))
    if contrast:
        steps.append(T.ContrastTransform(contrast))
    return T.Compose(steps)
