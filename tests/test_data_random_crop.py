"""Random crops (a ConvMixer report on DDR: resize to 512, train on random 256 windows) and their centre-crop twin.

The run setting ``random_crop=N`` sets ``PreprocessConfig.crop_size``: training takes random N x N
windows of the image_size image, and everything else (validation, evaluation, export, the
predictor) takes the centre window of the same image.
"""
import numpy as np
import pytest

from paddle_models.data import ImageFolder, PreprocessConfig, preprocess_image, to_input, train_augmentation
from paddle_models.data.subset import train_valid_split
from paddle_models.engine.loader import EpochSeededDataset
from paddle_models.settings import DataSettings, SettingsError

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


def test_random_crops_repeat_under_the_epoch_seeding(image_folder_root):
    train = ImageFolder(image_folder_root, image_size=64, augment=train_augmentation(64, random_crop=32))
    seeded = EpochSeededDataset(train, seed=3)
    first = seeded[0][0]
    assert first.shape == (3, 32, 32)
    np.testing.assert_array_equal(seeded[0][0], first)                       # same (seed, epoch, index)
    np.testing.assert_array_equal(EpochSeededDataset(train, seed=3)[0][0], first)
    seeded.set_epoch(1)
    assert not np.array_equal(seeded[0][0], first)                           # a new epoch, a new window


def test_the_preprocessing_ends_with_the_centre_window(image_folder_root):
    path = sorted(image_folder_root.rglob("*.jpg"))[0]
    full = preprocess_image(path, PreprocessConfig(image_size=64))
    config = PreprocessConfig(image_size=64, crop_size=32)
    assert config.input_size == 32 and config.full_frame().input_size == 64
    np.testing.assert_array_equal(preprocess_image(path, config), full[16:48, 16:48])


def test_a_training_set_takes_random_windows_its_validation_part_the_centre(image_folder_root):
    config = PreprocessConfig(image_size=64, crop_size=32)
    train = ImageFolder(image_folder_root, preprocess=config, augment=True)
    train, valid = train_valid_split(train, 0.25, seed=0)
    full = preprocess_image(valid.samples[0][0], config.full_frame())
    assert train.load_image(0).shape == (64, 64, 3) and train[0][0].shape == (3, 32, 32)
    np.testing.assert_allclose(valid[0][0], to_input(full[16:48, 16:48], config))   # the same window, always
    assert ImageFolder(image_folder_root, preprocess=config).load_image(0).shape == (32, 32, 3)


def test_the_cache_keeps_the_full_image_and_serves_both(image_folder_root, tmp_path):
    config = PreprocessConfig(image_size=64, crop_size=32)
    train = ImageFolder(image_folder_root, preprocess=config, augment=True, cache_dir=tmp_path)
    valid = ImageFolder(image_folder_root, preprocess=config, cache_dir=tmp_path)
    assert train.load_image(0).shape == (64, 64, 3)
    np.testing.assert_array_equal(valid.load_image(0), train.load_image(0)[16:48, 16:48])


def test_the_setting_is_checked_against_the_image_size():
    assert DataSettings(image_size=64, random_crop=48).input_size == 48
    with pytest.raises(SettingsError, match="random_crop=96 is larger than image_size=64"):
        DataSettings(image_size=64, random_crop=96)


def test_a_run_with_random_crops_exports_and_predicts_the_centre_window(pm_root, tmp_path):
    from paddle_models.experiment import run_evaluation, run_experiment
    from paddle_models.inference import Predictor, export_checkpoint

    result = run_experiment(dict(model="lenet", model_options={"activation": "relu"}, data_root=str(pm_root),
                                 image_size=64, random_crop=48, epochs=1, batch_size=8, optimizer="adam",
                                 log_dir=str(tmp_path), run_name="crops"), progress=False)
    export_checkpoint(result.checkpoint, tmp_path / "export" / "model")
    predictor = Predictor(tmp_path / "export" / "model")
    assert predictor.input_size == 48 and predictor.meta["preprocess"]["crop_size"] == 48
    images = [str(path) for path in sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[:2]]
    assert predictor.load_images(images).shape == (2, 3, 48, 48)
    assert len(predictor.predict_images(images)) == 2
    report = run_evaluation(result.checkpoint, pm_root, output_dir=tmp_path / "evaluation")
    assert report.metrics["acc"] == pytest.approx(result.history["val/acc"][-1])   # the same centre windows


def test_a_crop_larger_than_the_image_is_refused():
    with pytest.raises(ValueError, match="random_crop must be between 1 and image_size \\(64\\)"):
        train_augmentation(64, random_crop=96)
    with pytest.raises(ValueError, match="crop_size=96 is larger than image_size=64"):
        PreprocessConfig(image_size=64, crop_size=96)
