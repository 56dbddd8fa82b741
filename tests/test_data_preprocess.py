"""Preprocessing steps, reduced-size decoding, normalisation presets and augmentation."""
import json
import random

import cv2
import numpy as np
import pytest

from paddle_models.data import (NORMALIZATION_PRESETS, PreprocessConfig, ben_graham, choose_reduction,
                                circular_mask, crop_dark_border, pad_to_square, preprocess_image,
                                preprocess_steps, read_image, resize_image, to_display, to_input,
                                train_augmentation)
from paddle_models.data.preprocess import dark_border_box
from paddle_models.data.synthetic import synthetic_fundus, write_image
from tests.data_fixtures import pm_root, real_size_jpeg  # noqa: F401,F811 (fixtures)


def noisy_frame_with_bright_box(height=120, width=160, box=(30, 20, 130, 100), seed=0):
    """A frame of dark noise (0..8, like a real fundus border) with a bright rectangle inside."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 9, (height, width, 3)).astype(np.uint8)
    x0, y0, x1, y1 = box
    image[y0:y1, x0:x1] = (40, 90, 200)
    return image


def test_dark_border_crop_uses_a_tolerance():
    image = noisy_frame_with_bright_box()
    assert dark_border_box(image, tolerance=10) == (30, 20, 130, 100)
    assert crop_dark_border(image, tolerance=10).shape == (80, 100, 3)
    # with no tolerance the noise counts as fundus and nothing is cropped
    assert dark_border_box(image, tolerance=0) == (0, 0, 160, 120)


def test_dark_border_crop_of_an_all_dark_image_keeps_it():
    dark = np.full((50, 60, 3), 3, np.uint8)
    assert crop_dark_border(dark).shape == dark.shape


def test_pad_resize_ben_graham_and_mask():
    image = noisy_frame_with_bright_box()[20:100, 30:130]  # [80, 100, 3]
    square = pad_to_square(image)
    assert square.shape == (100, 100, 3) and square[0, 50].tolist() == [0, 0, 0]
    assert resize_image(square, 32).shape == (32, 32, 3)
    assert resize_image(square, 200).shape == (200, 200, 3)
    flat = np.full((64, 64, 3), 90, np.uint8)
    assert (ben_graham(flat, sigma=3) == 128).all()  # no local contrast -> mid-grey
    masked = circular_mask(np.full((64, 64, 3), 200, np.uint8), 0.9, fill=7)
    assert masked[0, 0].tolist() == [7, 7, 7] and masked[32, 32].tolist() == [200, 200, 200]


def test_the_mask_blanks_ben_grahams_bands_along_a_cut_off_photographs_straight_edges():
    """An APTOS "clipped" photograph: the fundus circle cut off at the top and bottom of the frame."""
    frame = np.zeros((240, 240, 3), np.uint8)
    cv2.circle(frame, (120, 120), 110, (60, 90, 170), -1)
    clipped = frame[40:200]                                     # [160, 240, 3]: straight edges at top and bottom
    config = PreprocessConfig(image_size=128, ben_graham=True, circular_mask=True)
    steps = dict(preprocess_steps(clipped, config))
    out = steps["circular mask"]                                # RGB, after Ben Graham and the mask
    height, width = next(image for name, image in steps.items() if name == "crop dark border").shape[:2]
    top = int(np.ceil((width - height) / 2 * 128 / width))       # where the photograph starts in the square
    rim = int(0.05 * 128)                                        # the circle keeps 0.05 of the side from the rim
    edge_rows = out[top:top + rim, 40:88]                        # along the straight top edge, inside the circle
    assert (edge_rows == 128).all()                              # blanked to Ben Graham's grey
    unmasked = circular_mask(steps["Ben Graham"], 0.9, fill=128)  # the circle alone leaves the band
    assert np.abs(unmasked[top:top + rim, 40:88].astype(int) - 128).max() > 40
    assert np.abs(out[60:68, 60:68].astype(int) - 128).max() < 40  # the middle of the fundus is kept


def test_choose_reduction():
    assert choose_reduction(2124, 2056, 224) == 8
    assert choose_reduction(2124, 2056, 384) == 4
    assert choose_reduction(2124, 2056, 1000) == 2
    assert choose_reduction(2124, 2056, 1100) == 1
    assert choose_reduction(300, 200, 224) == 1


def test_opencv_has_reduced_decoding():
    for factor in (2, 4, 8):
        assert hasattr(cv2, f"IMREAD_REDUCED_COLOR_{factor}")


def test_real_size_photograph_is_decoded_at_one_eighth_for_224(real_size_jpeg):
    steps = preprocess_steps(real_size_jpeg, PreprocessConfig(image_size=224))
    name, decoded = steps[0]
    assert decoded.shape[:2] == (257, 266)  # 2056 / 8, 2124 / 8 (rounded up)
    assert name == "decoded 266x257"
    assert steps[-1][1].shape == (224, 224, 3)
    assert preprocess_steps(real_size_jpeg, PreprocessConfig(image_size=384))[0][1].shape[:2] == (514, 531)


def test_small_fundus_in_a_large_frame_is_decoded_larger(tmp_path):
    """At 1/8 the fundus (480 px wide in an 800 px frame) would be 60 px, less than the 70 wanted."""
    image, _ = synthetic_fundus(np.random.default_rng(0), 800, 800, radius_fraction=0.3)
    path = tmp_path / "small_fundus.jpg"
    write_image(path, image)
    steps = dict(preprocess_steps(path, PreprocessConfig(image_size=70)))
    assert steps["decoded 200x200"].shape == (200, 200, 3)  # 1/4, not 1/8 (100x100)
    assert min(steps["crop dark border"].shape[:2]) >= 70


def test_png_is_decoded_at_full_size_then_shrunk_with_inter_area(tmp_path):
    image, _ = synthetic_fundus(np.random.default_rng(0), 400, 400)
    write_image(tmp_path / "fundus.png", image)
    steps = preprocess_steps(tmp_path / "fundus.png", PreprocessConfig(image_size=40))
    assert steps[0][0] == "decoded 400x400"
    write_image(tmp_path / "fundus.jpg", image)
    assert preprocess_steps(tmp_path / "fundus.jpg", PreprocessConfig(image_size=40))[0][0] == "decoded 50x50"


def test_fast_decode_matches_full_decode(real_size_jpeg):
    fast = preprocess_image(real_size_jpeg, PreprocessConfig(image_size=224))
    full = preprocess_image(real_size_jpeg, PreprocessConfig(image_size=224, fast_decode=False))
    assert fast.shape == full.shape == (224, 224, 3)
    assert np.abs(fast.astype(int) - full.astype(int)).mean() < 4


def test_preprocess_image_from_array_equals_from_path_and_returns_rgb(pm_root):
    path = next((pm_root / "PALM-Training400" / "PALM-Training400").glob("P*.jpg"))
    config = PreprocessConfig(image_size=64, fast_decode=False)
    from_path = preprocess_image(path, config)
    from_array = preprocess_image(cv2.imread(str(path)), config)
    assert np.array_equal(from_path, from_array)
    assert from_path.dtype == np.uint8 and from_path.shape == (64, 64, 3)
    centre = from_path[24:40, 24:40].reshape(-1, 3).mean(axis=0)
    assert centre[0] > centre[1] > centre[2]  # RGB: the retina is red-orange
    blue_bgr = np.zeros((20, 20, 3), np.uint8)
    blue_bgr[..., 0] = 255
    assert preprocess_image(blue_bgr, PreprocessConfig(image_size=8, crop_border=False))[0, 0].tolist() == [0, 0, 255]


def test_crop_makes_the_fundus_fill_the_image(real_size_jpeg):
    image = preprocess_image(real_size_jpeg, PreprocessConfig(image_size=128))
    assert image[64, :4].max() > 20 and image[64, -4:].max() > 20  # fundus reaches left and right edges
    plain = preprocess_image(real_size_jpeg, PreprocessConfig(image_size=128, crop_border=False, keep_aspect=False))
    assert plain[0, 0].max() < 10  # the uncropped corner is dark frame


def test_steps_are_in_order_and_end_with_the_result(real_size_jpeg):
    config = PreprocessConfig(image_size=96, ben_graham=True, circular_mask=True)
    steps = preprocess_steps(real_size_jpeg, config)
    names = [name for name, _ in steps]
    assert names[1:] == ["crop dark border", "pad to square", "resize to 96", "Ben Graham", "circular mask"]
    assert np.array_equal(steps[-1][1], preprocess_image(real_size_jpeg, config))
    final = steps[-1][1]
    assert final[0, 0].tolist() == [128, 128, 128]  # Ben Graham's mask fills with grey


def test_normalisation_presets_and_inverse():
    rgb = np.random.default_rng(0).integers(0, 256, (16, 16, 3)).astype(np.uint8)
    course = PreprocessConfig(image_size=16, normalize="course")
    x = to_input(rgb, course)
    assert x.shape == (3, 16, 16) and x.dtype == np.float32
    assert -1.0 <= x.min() and x.max() <= 1.0
    assert np.allclose(x[:, 3, 5], rgb[3, 5] / 255 * 2 - 1, atol=1e-6)
    imagenet = PreprocessConfig(image_size=16)
    y = to_input(rgb, imagenet)
    preset = NORMALIZATION_PRESETS["imagenet"]
    assert np.allclose(y[:, 3, 5], (rgb[3, 5] - np.array(preset["mean"])) / np.array(preset["std"]), atol=1e-5)
    assert np.array_equal(to_display(y, imagenet), rgb) and np.array_equal(to_display(x, course), rgb)


def test_config_round_trips_through_json():
    config = PreprocessConfig(image_size=128, ben_graham=True, ben_graham_sigma=5.0, normalize="course")
    restored = PreprocessConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert restored == config
    assert PreprocessConfig.from_dict({"image_size": 64}) == PreprocessConfig(image_size=64)
    assert PreprocessConfig.course().normalize == "course" and not PreprocessConfig.course().crop_border
    assert PreprocessConfig(image_size=300).sigma == 10.0


def test_train_augmentation_keeps_size_and_type_and_is_random():
    rgb = preprocess_image(noisy_frame_with_bright_box(), PreprocessConfig(image_size=48))
    augment = train_augmentation(48)
    random.seed(0), np.random.seed(0)
    outputs = [augment(rgb) for _ in range(4)]
    for out in outputs:
        assert out.shape == (48, 48, 3) and out.dtype == np.uint8
    assert any(not np.array_equal(outputs[0], other) for other in outputs[1:])
    random.seed(0), np.random.seed(0)
    assert np.array_equal(augment(rgb), outputs[0])  # repeatable from Python's and numpy's seeds


def test_dataset_augment_true_uses_grey_fill_after_ben_graham(pm_root):
    from paddle_models.data import ICHallengePM

    data = ICHallengePM(pm_root, "train", preprocess=PreprocessConfig(image_size=40, ben_graham=True),
                        augment=True)
    rotation = [t for t in data.augment.transforms if type(t).__name__ == "RandomRotation"][0]
    assert rotation.fill == 128
    image, _ = data[0]
    assert image.shape == (3, 40, 40) and np.isfinite(image).all()


def test_read_image_reports_missing_file(tmp_path):
    from paddle_models.data import BadSampleError

    with pytest.raises(BadSampleError, match="does not exist"):
        read_image(tmp_path / "gone.jpg")
