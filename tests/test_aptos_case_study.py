"""The APTOS case study's package parts: varied synthetic clinics, crop types, split files, errors by prediction."""
import csv

import cv2
import numpy as np
import pytest

from paddle_models.data import (APTOS, CROP_TYPES, crop_type, load_split, make_synthetic_aptos_clinics,
                                save_split, split_with_file)
from paddle_models.data.synthetic import framed_fundus, vary_camera
from paddle_models.inference import per_class_errors, per_predicted_class_errors


@pytest.fixture(scope="module")
def clinics_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("data") / "aptos_clinics"
    return make_synthetic_aptos_clinics(root, per_class=[6, 3, 3, 2, 2], image_size=96, seed=0)


def test_clinics_layout_is_aptos_and_truth_lists_every_image(clinics_root):
    dataset = APTOS(clinics_root, "train", image_size=32)
    assert dataset.class_counts().tolist() == [6, 3, 3, 2, 2]
    truth = list(csv.DictReader(open(clinics_root / "synthetic_truth.csv")))
    assert len(truth) == len(dataset) and {row["crop"] for row in truth} <= set(CROP_TYPES)


@pytest.mark.parametrize("crop", CROP_TYPES)
def test_crop_type_recognises_each_framing(crop):
    for number in range(3):
        image = framed_fundus(np.random.default_rng([1, number]), 160, crop, dr_grade=2)
        image, _ = vary_camera(image, np.random.default_rng([2, number]), strength=1.0)
        assert crop_type(image) == crop


def test_vary_camera_changes_exposure_and_colour_but_keeps_the_frame_dark():
    image = framed_fundus(np.random.default_rng(0), 160, "full_circle", dr_grade=0)
    same, _ = vary_camera(image, np.random.default_rng(0), strength=0.0)
    assert np.array_equal(same, image)
    means = []
    for seed in range(8):
        varied, factors = vary_camera(image, np.random.default_rng(seed), strength=1.0)
        assert varied[:5, :5].max() <= 12  # the frame stays near black
        means.append(cv2.mean(varied)[:3])
    means = np.array(means)
    assert means[:, 2].max() > 1.5 * means[:, 2].min()  # dark and bright photographs
    ratio = means[:, 1] / means[:, 2]
    assert ratio.max() > 1.3 * ratio.min()  # colour casts: the green/red balance varies


def test_split_file_is_written_once_and_reused(clinics_root, tmp_path):
    dataset = APTOS(clinics_root, "train", image_size=32, augment=True)
    path = tmp_path / "split.csv"
    train, valid = split_with_file(dataset, path, valid_fraction=0.25, seed=0)
    assert path.exists() and valid.augment is None and train.augment is not None
    assert not {s for s, _ in train.samples} & {s for s, _ in valid.samples}
    assert len(train) + len(valid) == len(dataset)
    # another seed would split differently, but the file wins: the same validation images
    train2, valid2 = split_with_file(dataset, path, valid_fraction=0.25, seed=7)
    assert valid2.samples == valid.samples and train2.samples == train.samples
    assert open(path).readline().strip() == "image,split"
    assert "train_images/" in open(path).read()  # relative to the dataset root
    # another valid_fraction cannot change a split already made: said, not silently ignored
    with pytest.warns(UserWarning, match=r"split.csv holds 2\d% of the images for validation: it wins over valid_fraction=0.5"):
        assert split_with_file(dataset, path, valid_fraction=0.5)[1].samples == valid.samples


def test_split_file_for_other_data_is_a_clear_error(clinics_root, tmp_path):
    dataset = APTOS(clinics_root, "train", image_size=32)
    path = tmp_path / "split.csv"
    train, valid = split_with_file(dataset, path)
    lines = open(path).read().splitlines()
    (tmp_path / "foreign.csv").write_text("\n".join(lines + ["train_images/nothere.png,valid"]) + "\n")
    with pytest.raises(ValueError, match=rf"foreign.csv, line {len(lines) + 1}: train_images/nothere.png"):
        load_split(tmp_path / "foreign.csv", dataset)
    (tmp_path / "short.csv").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(ValueError, match="1 images of the dataset are not listed"):
        load_split(tmp_path / "short.csv", dataset)
    save_split(tmp_path / "again.csv", train, valid)
    assert (tmp_path / "again.csv").read_text() == path.read_text()


def test_errors_per_predicted_class_by_hand():
    y_true = [0, 0, 1, 2, 2, 2, 3]
    y_pred = [0, 1, 0, 0, 0, 2, 3]
    rows = per_predicted_class_errors(y_true, y_pred, class_names=["0", "1", "2", "3", "4"])
    assert [row["predicted"] for row in rows] == [4, 1, 1, 1, 0]
    assert rows[0]["errors"] == 3 and rows[0]["most_often_really"] == "2"
    assert rows[0]["precision"] == pytest.approx(1 / 4)
    assert np.isnan(rows[4]["precision"])
    # the two views count the same errors
    assert sum(r["errors"] for r in rows) == sum(r["errors"] for r in per_class_errors(y_true, y_pred, num_classes=5))


def test_aptos_recipe_settings_reach_the_datasets(clinics_root, tmp_path):
    from paddle_models import experiment, recipes

    from paddle_models.settings import parse_settings

    settings = recipes.recipe_settings("aptos-densenet121-ordinal")
    settings.update(data_root=str(clinics_root), image_size=32, split_file=str(tmp_path / "split.csv"))
    data = parse_settings(settings)[1]
    train, valid, validation = experiment.build_datasets(data, seed=0)
    assert train.preprocess.ben_graham and train.preprocess.circular_mask and train.preprocess.crop_border
    assert validation["split_file"] == settings["split_file"]
    again = experiment.build_datasets(data, seed=5)
    assert again[1].samples == valid.samples  # the split file, not the seed, decides
