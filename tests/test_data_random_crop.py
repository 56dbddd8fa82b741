"""Random crops (the DDR study: resize to 512, train on random 256 windows) and their centre-crop twin."""
import numpy as np
import pytest

from paddle_models.data import ImageFolder, centre_crop, to_input, train_augmentation
from paddle_models.engine.loader import EpochSeededDataset

CROP_ONLY = dict(flip=False, rotation=0, brightness=0, contrast=0)


def window_corner(image, window):
    """(top, left) where ``window`` lies inside ``image``, or None."""
    size = window.shape[0]
    for top in range(image.shape[0] - size + 1):
        for left in range(image.shape[1] - size + 1):
            if np.array_equal(image[top:top + size, left:left + size], window):
                return top, left
    return None


def test_a_random_crop_is_a_window_of_the_image_not_a_resize():
    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    crop = train_augmentation(64, random_crop=32, **CROP_ONLY)
    corners = {window_corner(image, np.asarray(crop(image))) for _ in range(6)}
    assert None not in corners and len(corners) > 1           # always a window, not always the same one
    assert window_corner(image, np.asarray(centre_crop(32)(image))) == (16, 16)


def test_random_crops_repeat_under_the_epoch_seeding(image_folder_root):
    train = ImageFolder(image_folder_root, image_size=64, augment=train_augmentation(64, random_crop=32))
    seeded = EpochSeededDataset(train, seed=3)
    first = seeded[0][0]
    assert first.shape == (3, 32, 32)
    np.testing.assert_array_equal(seeded[0][0], first)                       # same (seed, epoch, index)
    np.testing.assert_array_equal(EpochSeededDataset(train, seed=3)[0][0], first)
    seeded.set_epoch(1)
    assert not np.array_equal(seeded[0][0], first)                           # a new epoch, a new window


def test_validation_takes_the_centre_window(image_folder_root):
    valid = ImageFolder(image_folder_root, image_size=64, augment=centre_crop(32))
    image, _ = valid[0]
    np.testing.assert_allclose(image, to_input(valid.load_image(0)[16:48, 16:48], valid.preprocess))


def test_a_crop_larger_than_the_image_is_refused():
    with pytest.raises(ValueError, match="random_crop must be between 1 and image_size \\(64\\)"):
        train_augmentation(64, random_crop=96)
