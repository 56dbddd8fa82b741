"""Bad input to the readers (issue 12): refused before training, named, or skipped and listed.

Each test damages a private copy of a tiny synthetic dataset the way real downloads get damaged.
"""
import re
import warnings

import cv2
import numpy as np
import openpyxl
import pytest

from paddle_models.data import APTOS, DDR, ICHallengePM, ImageFolder
from paddle_models.data.errors import (BadSampleError, DegenerateDatasetError, EmptyClassWarning,
                                       SkippedSamplesWarning, write_skipped_samples)
from paddle_models.data.imageio import CorruptImageWarning, check_image_file, jpeg_structure_problem
from paddle_models.data.tables import DuplicateRowWarning
from tests.data_fixtures import copy_dataset

SIZE = 32


def training_images(root):
    return sorted((root / "PALM-Training400" / "PALM-Training400").glob("*.jpg"))


def damage_with_random_bytes(path, count=1000, seed=3):
    """Overwrite ``count`` bytes in the middle of the compressed data (the file still decodes)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + count] = np.random.default_rng(seed).integers(0, 256, count, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))


BAD_FILES = {
    "zero-byte": lambda good: b"",
    "text named .jpg": lambda good: b"Not Found: the download failed\n" * 4,
    "truncated JPEG": lambda good: good[: len(good) // 2],
    "corrupt header": lambda good: good[:2] + bytes(200) + good[202:],
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_an_unusable_image_is_reported_when_the_dataset_is_built(pm_root, tmp_path, kind):
    root = copy_dataset(pm_root, tmp_path)
    broken = training_images(root)[2]
    broken.write_bytes(BAD_FILES[kind](broken.read_bytes()))
    with pytest.raises(BadSampleError, match=rf"(?s){re.escape(broken.name)}.*skip_bad=True"):
        ICHallengePM(root, "train", image_size=SIZE)  # before any training step
    with pytest.warns(SkippedSamplesWarning, match=re.escape(broken.name)):
        skipping = ICHallengePM(root, "train", image_size=SIZE, skip_bad=True)
    assert [item.path for item in skipping.skipped] == [str(broken)]


def test_the_skipped_samples_are_listed_next_to_the_run(pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    broken = training_images(root)[0]
    broken.write_bytes(b"")
    with pytest.warns(SkippedSamplesWarning):
        train = ICHallengePM(root, "train", image_size=SIZE, skip_bad=True)
    valid = ICHallengePM(root, "valid", image_size=SIZE, skip_bad=True)
    listing = write_skipped_samples(tmp_path / "run", [train, valid])
    lines = listing.read_text().splitlines()
    assert listing.name == "skipped_samples.txt" and len(lines) == 2  # a header and one sample
    assert lines[1].startswith("train\t") and broken.name in lines[1] and "empty" in lines[1]
    assert write_skipped_samples(tmp_path / "run", [valid]) is None and not listing.exists()


def test_a_jpeg_with_damaged_data_is_a_warning_naming_it_or_skipped(pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    damaged = training_images(root)[1]
    damage_with_random_bytes(damaged)
    assert cv2.imread(str(damaged)) is not None  # it decodes: only libjpeg's anonymous stderr line tells
    with pytest.warns(CorruptImageWarning, match=rf"(?s)decode only partly.*{re.escape(damaged.name)}"):
        data = ICHallengePM(root, "train", image_size=SIZE)
    assert str(damaged) in [path for path, _ in data.samples]  # used, but reported
    with pytest.warns(SkippedSamplesWarning, match=re.escape(damaged.name)):
        skipping = ICHallengePM(root, "train", image_size=SIZE, skip_bad=True)
    assert "corrupt JPEG" in skipping.skipped[0].reason


def test_sound_jpegs_of_every_flavour_pass_the_structure_check():
    image = np.random.default_rng(0).integers(0, 256, (96, 80, 3), dtype=np.uint8)
    for params in ([], [cv2.IMWRITE_JPEG_PROGRESSIVE, 1], [cv2.IMWRITE_JPEG_RST_INTERVAL, 2],
                   [cv2.IMWRITE_JPEG_OPTIMIZE, 1], [cv2.IMWRITE_JPEG_QUALITY, 100]):
        encoded = cv2.imencode(".jpg", image, params)[1].reshape(-1)
        assert jpeg_structure_problem(encoded) is None, params
        with_trailer = np.concatenate([encoded, np.frombuffer(b"\xff\x12camera data", np.uint8)])
        assert jpeg_structure_problem(with_trailer) is None  # bytes after end-of-image are not checked


def test_the_build_check_reads_headers_not_pixels(pm_root):
    good = training_images(pm_root)[0]
    assert check_image_file(good) == (None, None)
    assert "does not exist" in check_image_file(good.with_name("nothing.jpg"))[0]


def test_image_folder_with_one_class_is_refused(image_folder_root, tmp_path):
    root = copy_dataset(image_folder_root, tmp_path)
    classes = sorted(p for p in root.iterdir() if p.is_dir())
    for extra in classes[1:]:
        for image in extra.iterdir():
            image.unlink()
    with pytest.raises(DegenerateDatasetError, match=rf"fewer than two classes \({classes[0].name!r}: 3, "):
        ImageFolder(root, image_size=SIZE)


def test_image_folder_with_an_empty_class_folder_warns(image_folder_root, tmp_path):
    root = copy_dataset(image_folder_root, tmp_path)
    (root / "zz_empty").mkdir()
    with pytest.warns(EmptyClassWarning, match="without images: zz_empty"):
        data = ImageFolder(root, image_size=SIZE)
    assert data.class_names[-1] == "zz_empty" and data.class_counts()[-1] == 0


def pm_table(root):
    return root / "PALM-Validation-GT" / "PM_Label_and_Fovea_Location.xlsx"


def append_xlsx_row(path, copy_row: int, label=None):
    """Append a copy of spreadsheet row ``copy_row`` (1-based, header = 1), optionally relabelled."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    cells = [cell.value for cell in sheet[copy_row]]
    if label is not None:
        cells[2] = label
    sheet.append(cells)
    workbook.save(path)
    return cells[1], sheet.max_row


def test_pm_validation_image_listed_twice_with_opposite_labels_names_both_rows(pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    first = openpyxl.load_workbook(pm_table(root)).active[2]
    name, repeat_row = append_xlsx_row(pm_table(root), 2, label=1 - int(first[2].value))
    with pytest.raises(BadSampleError, match=rf"xlsx:{repeat_row}: listed twice with different labels: "
                                             rf"line 2 says {first[2].value}, line {repeat_row} says .*{name}"):
        ICHallengePM(root, "valid", image_size=SIZE)
    with pytest.warns(SkippedSamplesWarning):
        skipping = ICHallengePM(root, "valid", image_size=SIZE, skip_bad=True)
    assert name not in [p.split("/")[-1] for p, _ in skipping.samples]  # neither label is trusted


def test_pm_validation_exact_duplicate_row_is_a_warning(pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    name, repeat_row = append_xlsx_row(pm_table(root), 3)
    with pytest.warns(DuplicateRowWarning, match=rf"xlsx:{repeat_row} repeats line 3 \({name}"):
        data = ICHallengePM(root, "valid", image_size=SIZE)
    assert [p.split("/")[-1] for p, _ in data.samples].count(name) == 1


def test_ddr_and_aptos_label_files_refuse_conflicting_duplicates(ddr_root, aptos_root, tmp_path):
    ddr = copy_dataset(ddr_root, tmp_path)
    label_file = next(ddr.rglob("train.txt"))
    first = label_file.read_text().splitlines()[0]
    name, label = first.split()
    label_file.write_text(label_file.read_text() + f"{name} {(int(label) + 1) % 5}\n")
    with pytest.raises(BadSampleError, match=rf"listed twice with different labels: line 1 says {label}"):
        DDR(ddr, "train", image_size=SIZE, keep_ungradable=True)

    aptos = copy_dataset(aptos_root, tmp_path)
    table = aptos / "train.csv"
    id_code, grade = table.read_text().splitlines()[1].split(",")
    table.write_text(table.read_text() + f"{id_code},{(int(grade) + 2) % 5}\n")
    with pytest.raises(BadSampleError, match=rf"train\.csv:\d+: listed twice with different labels: line 2"):
        APTOS(aptos, "train", image_size=SIZE)


def test_label_file_is_the_one_keyword_and_the_old_one_still_works(pm_root):
    table = pm_table(pm_root)
    data = ICHallengePM(pm_root, "valid", image_size=SIZE, label_file=table)
    assert data.label_file == table
    with pytest.warns(DeprecationWarning, match="label_file"):
        old = ICHallengePM(pm_root, "valid", image_size=SIZE, labels_file=table)
    with pytest.warns(DeprecationWarning):
        assert old.labels_file == table
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ICHallengePM(pm_root, "valid", image_size=SIZE)  # a sound dataset: no warning at all
