"""Reading every supported layout: labels, counts, splits, the xlsx and csv variants, subsets."""
import re

import numpy as np
import pytest

from paddle_models.data import (APTOS, DDR, ICHallengePM, ImageFolder, build_dataset, list_datasets,
                                stratified_subset, train_valid_split)
from tests.data_fixtures import DDR_TRAIN_COUNTS, DDR_UNGRADABLE, PM_PER_CLASS
from tests.data_fixtures import (aptos_root, ddr_root, image_folder_root, pm_csv_root,  # noqa: F401,F811
                                pm_root)


def check_item_contract(dataset, image_size):
    image, label = dataset[0]
    assert image.shape == (3, image_size, image_size) and image.dtype == np.float32
    assert isinstance(label, np.int64) and label.shape == ()
    raw = dataset.load_image(0)
    assert raw.shape == (image_size, image_size, 3) and raw.dtype == np.uint8
    assert dataset.labels.dtype == np.int64 and len(dataset.labels) == len(dataset) == len(dataset.samples)
    assert len(dataset.class_counts()) == dataset.num_classes == len(dataset.class_names)
    return image, label


# ----------------------------------------------------------------------------- iChallenge-PM


def test_pm_train_labels_come_from_file_name_prefix(pm_root):
    train = ICHallengePM(pm_root, "train", image_size=64)
    assert train.class_names == ["non-PM", "PM"]
    assert train.class_counts().tolist() == [PM_PER_CLASS, PM_PER_CLASS]
    for path, label in train.samples:
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        assert re.fullmatch(r"[PHN]\d{4}\.jpg", name)
        assert label == (1 if name.startswith("P") else 0)
    assert "/PALM-Training400/PALM-Training400/" in train.samples[0][0].replace("\\", "/")
    check_item_contract(train, 64)


def test_pm_flat_training_folder_and_csv_labels(pm_csv_root):
    train = ICHallengePM(pm_csv_root, "train", image_size=48)
    assert train.class_counts().tolist() == [3, 3]
    valid = ICHallengePM(pm_csv_root, "valid", image_size=48)
    assert valid.label_file.name == "labels.csv"
    assert valid.class_counts().tolist() == [3, 3]


def test_pm_validation_labels_read_from_xlsx_match_csv(pm_root):
    from_xlsx = ICHallengePM(pm_root, "valid", image_size=64)
    assert from_xlsx.label_file.name == "PM_Label_and_Fovea_Location.xlsx"
    from_csv = ICHallengePM(pm_root, "val", image_size=64,
                            label_file=pm_root / "PALM-Validation-GT" / "labels.csv")
    assert from_csv.label_file.suffix == ".csv"
    assert from_xlsx.samples == from_csv.samples
    assert from_xlsx.class_counts().tolist() == [PM_PER_CLASS, PM_PER_CLASS]
    assert re.fullmatch(r"V0001\.jpg", from_xlsx.samples[0][0].replace("\\", "/").rsplit("/", 1)[-1])
    check_item_contract(from_xlsx, 64)


def test_pm_validation_labels_agree_with_the_generated_xlsx(pm_root):
    import openpyxl

    sheet = openpyxl.load_workbook(pm_root / "PALM-Validation-GT" / "PM_Label_and_Fovea_Location.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("ID", "imgName", "Label", "Fovea_X", "Fovea_Y")
    expected = {name: label for _, name, label, _, _ in rows[1:]}
    valid = ICHallengePM(pm_root, "valid", image_size=32)
    assert {p.replace("\\", "/").rsplit("/", 1)[-1]: l for p, l in valid.samples} == expected


def test_pm_test_split_is_unlabeled(pm_root):
    test = ICHallengePM(pm_root, "test", image_size=32)
    assert len(test) == 2 * PM_PER_CLASS
    assert (test.labels == -1).all()
    assert test.class_counts().tolist() == [0, 0]
    _, label = check_item_contract(test, 32)
    assert label == -1
    assert "unlabeled" in repr(test)


# ----------------------------------------------------------------------------- DDR


@pytest.mark.parametrize("relative", ["", "DDR-dataset", "DDR-dataset/DR_grading"])
def test_ddr_root_may_be_any_level_of_the_layout(ddr_root, relative):
    train = DDR(ddr_root / relative if relative else ddr_root, "train", image_size=48)
    assert train.class_counts().tolist() == DDR_TRAIN_COUNTS


def test_ddr_excludes_ungradable_by_default_and_can_keep_it(ddr_root):
    default = DDR(ddr_root, "train", image_size=48)
    assert default.num_classes == 5 and len(default) == sum(DDR_TRAIN_COUNTS)
    assert len(default.excluded_ungradable) == DDR_UNGRADABLE
    assert "excluded 2 ungradable" in repr(default)
    kept = DDR(ddr_root, "train", image_size=48, keep_ungradable=True)
    assert kept.num_classes == 6 and kept.class_names[5] == "Ungradable"
    assert kept.class_counts().tolist() == DDR_TRAIN_COUNTS + [DDR_UNGRADABLE]
    check_item_contract(kept, 48)


def test_ddr_labels_match_the_label_file_and_all_splits_read(ddr_root):
    grading = ddr_root / "DDR-dataset" / "DR_grading"
    listed = dict(line.split() for line in (grading / "valid.txt").read_text().splitlines())
    valid = DDR(ddr_root, "valid", image_size=32, keep_ungradable=True)
    assert {p.replace("\\", "/").rsplit("/", 1)[-1]: str(l) for p, l in valid.samples} == listed
    for name in listed:
        assert re.fullmatch(r"\d{3}-\d{4}-\d{3}\.jpg|\d{17}\.jpg", name), name
    assert len(DDR(ddr_root, "test", image_size=32)) == sum(DDR_TRAIN_COUNTS)


# ----------------------------------------------------------------------------- APTOS, ImageFolder


def test_aptos_train_and_test(aptos_root):
    train = APTOS(aptos_root, "train", image_size=40)
    assert train.class_counts().tolist() == [2, 2, 2, 2, 2]
    assert all(p.endswith(".png") for p, _ in train.samples)
    check_item_contract(train, 40)
    test = APTOS(aptos_root, "test", image_size=40)
    assert len(test) == 3 and (test.labels == -1).all()


def test_image_folder_classes_are_sorted_folder_names(image_folder_root):
    data = ImageFolder(image_folder_root, image_size=40)
    assert data.class_names == ["normal", "pathologic_myopia"]
    assert data.class_counts().tolist() == [3, 3]
    reordered = ImageFolder(image_folder_root, class_names=["pathologic_myopia", "normal"], image_size=40)
    assert reordered.class_counts().tolist() == [3, 3]
    assert "pathologic_myopia" in reordered.samples[0][0]
    check_item_contract(data, 40)


def test_build_dataset_by_name(ddr_root, pm_root):
    assert list_datasets() == ["aptos", "ddr", "ichallenge_pm", "image_folder", "retinamnist"]
    assert isinstance(build_dataset("ichallenge-pm", pm_root, "train", image_size=32), ICHallengePM)
    assert len(build_dataset("ddr", ddr_root, "valid", image_size=32)) == sum(DDR_TRAIN_COUNTS)
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        build_dataset("mnist", pm_root)


# ----------------------------------------------------------------------------- subsets


def test_subset_is_fixed_seeded_and_stratified(ddr_root):
    full = DDR(ddr_root, "train", image_size=32)
    first = DDR(ddr_root, "train", image_size=32, subset=8, seed=5)
    again = DDR(ddr_root, "train", image_size=32, subset=8, seed=5)
    other = DDR(ddr_root, "train", image_size=32, subset=8, seed=6)
    assert first.samples == again.samples and len(first) == 8
    assert first.samples != other.samples
    assert set(first.samples) <= set(full.samples)
    # proportional shares of [6, 3, 3, 2, 2] * 8/16 = [3, 1.5, 1.5, 1, 1]
    assert first.class_counts().tolist() in ([3, 2, 1, 1, 1], [3, 1, 2, 1, 1])
    half = DDR(ddr_root, "train", image_size=32, subset=0.5, seed=5)
    assert len(half) == 8


def test_stratified_subset_keeps_proportions_on_large_label_sets():
    labels = np.repeat(np.arange(3), [600, 300, 100])
    chosen = stratified_subset(labels, 100, seed=0)
    assert np.bincount(labels[chosen]).tolist() == [60, 30, 10]
    assert np.array_equal(chosen, np.sort(chosen))
    with pytest.raises(ValueError, match="subset=2000"):
        stratified_subset(labels, 2000)
    with pytest.raises(ValueError, match="fraction"):
        stratified_subset(labels, 1.5)


def test_train_valid_split_is_disjoint_and_valid_has_no_augmentation(aptos_root):
    data = APTOS(aptos_root, "train", image_size=32, augment=True)
    train, valid = train_valid_split(data, valid_fraction=0.5, seed=0)
    assert len(train) + len(valid) == len(data)
    assert not set(train.samples) & set(valid.samples)
    assert valid.class_counts().tolist() == [1, 1, 1, 1, 1]
    assert train.augment is not None and valid.augment is None
