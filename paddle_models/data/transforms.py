"""Training-time augmentation, built from ``paddle.vision.transforms``.

Augmentation runs on the preprocessed uint8 RGB image [H, W, 3] *before* normalisation (paddle's
transforms use OpenCV on numpy arrays), and keeps its size.  A fundus has no "up": the eye can be
photographed slightly rotated, left and right eyes are mirror images, exposure and contrast vary
between cameras.  So: flips, rotation, a mild scale/crop, brightness and contrast.

Random crops (``random_crop=N``) are the other way to vary scale and position: preprocess to a larger
side and train on random N x N windows of it -- a ConvMixer report on DDR resized to 512 and took random 256 crops.
The model then sees N x N inputs, so validation and prediction must take the *centre* N x N window of
the same larger image, or they would see the eye at another scale: ``PreprocessConfig(crop_size=N)``
does that (the run setting ``random_crop=N`` sets both), and a training set built with it and
``augment=True`` takes the random windows instead.

Randomness comes from Python's ``random`` module and numpy's global random state (paddle's
RandomResizedCrop uses both); paddle.io.DataLoader seeds both differently in every worker process.
"""
from __future__ import annotations

from typing import Optional, Sequence

import paddle.vision.transforms as T

from ..errors import WrongValueError
from .preprocess import DEFAULT_IMAGE_SIZE


def train_augmentation(
    image_size: int = DEFAULT_IMAGE_SIZE,
    flip: bool = True,
    rotation: float = 30.0,
    scale: Optional[Sequence[float]] = (0.85, 1.0),
    brightness: float = 0.2,
    contrast: float = 0.2,
    fill: int = 0,
    random_crop: Optional[int] = None,
) -> T.Compose:
    """Random flips, rotation (+-``rotation`` degrees), scale/crop, brightness and contrast.

    ``scale`` is the range of the area kept by RandomResizedCrop (None: no crop); ``fill`` is the
    value of the corners uncovered by the rotation (0 for plain images, 128 after Ben Graham).
    ``random_crop=N`` replaces the scale/crop step by a random N x N window (no resize): the output is
    then N x N, not ``image_size`` x ``image_size``; evaluate on the centre window (``crop_size=N``).
    """
    if random_crop is not None and not 0 < random_crop <= image_size:
        raise WrongValueError(f"random_crop must be between 1 and image_size ({image_size}), got {random_crop}")
    steps = []
    if flip:
        steps += [T.RandomHorizontalFlip(0.5), T.RandomVerticalFlip(0.5)]
    if rotation:
        steps.append(T.RandomRotation(rotation, fill=fill))
    if random_crop:
        steps.append(T.RandomCrop(random_crop))  # the window's corner from Python's random module
    elif scale is not None:
        steps.append(T.RandomResizedCrop(image_size, scale=tuple(scale), ratio=(0.9, 1.1)))
    if brightness:
        steps.append(T.BrightnessTransform(brightness))
    if contrast:
        steps.append(T.ContrastTransform(contrast))
    return T.Compose(steps)

