"""Every bad input gives a clear error naming the file (and line); skip_bad skips and reports."""
import re
import shutil
import warnings

import numpy as np
import pytest

from paddle_models.data import (APTOS, DDR, BadSampleError, DatasetNotFoundError, ICHallengePM,
                                ImageFolder, PreprocessConfig, SkippedSamplesWarning, prepare_ichallenge_pm)
from tests.data_fixtures import copy_dataset, DDR_TRAIN_COUNTS, DDR_UNGRADABLE, PM_PER_CLASS
from tests.data_fixtures import pm_root, ddr_root, aptos_root  # noqa: F401,F811 (fixtures)

GRADING = ("DDR-dataset", "DR_grading")


def grading_folder(root):
    return root.joinpath(*GRADING)


def first_line_name(label_file):
    return label_file.read_text().splitlines()[0].split()[0]


# ----------------------------------------------------------------------------- missing folders / files


def test_missing_root_shows_expected_layout(tmp_path):
    with pytest.raises(DatasetNotFoundError) as error:
        ICHallengePM(tmp_path / "nowhere", "train")
    message = str(error.value)
    assert "nowhere" in message and "Expected layout" in message and "PALM-Validation400" in message


def test_missing_training_folder_names_it(pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    shutil.rmtree(root / "PALM-Training400")
    with pytest.raises(DatasetNotFoundError, match=r"(?s)PALM-Training400.*Expected layout"):
        ICHallengePM(root, "train")


def test_missing_validation_labels_lists_where_it_looked(pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    shutil.rmtree(root / "PALM-Validation-GT")
    with pytest.raises(DatasetNotFoundError) as error:
        ICHallengePM(root, "valid")
    assert "PM_Label_and_Fovea_Location.xlsx" in str(error.value) and "labels.csv" in str(error.value)


def test_passing_the_training_folder_itself_as_root_gives_a_hint(pm_root):
    with pytest.raises(DatasetNotFoundError, match="root should be the folder that contains"):
        ICHallengePM(pm_root / "PALM-Training400" / "PALM-Training400", "train")


def test_ddr_missing_label_file_and_image_folder(ddr_root, tmp_path):
    root = copy_dataset(ddr_root, tmp_path)
    (grading_folder(root) / "valid.txt").unlink()
    with pytest.raises(DatasetNotFoundError, match=r"(?s)valid\.txt.*Expected layout.*DR_grading"):
        DDR(root, "valid")
    shutil.rmtree(grading_folder(root) / "test")
    with pytest.raises(DatasetNotFoundError, match=r"image folder for split 'test'"):
        DDR(root, "test")
    with pytest.raises(DatasetNotFoundError, match="DDR label files"):
        DDR(tmp_path, "train")  # no DR_grading anywhere


def test_aptos_and_image_folder_missing_parts(aptos_root, tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r"(?s)train\.csv.*id_code,diagnosis"):
        APTOS(tmp_path, "train")
    with pytest.raises(DatasetNotFoundError, match="class sub-folders"):
        ImageFolder(tmp_path)
    with pytest.raises(DatasetNotFoundError, match="folder of class 'cataract'"):
        ImageFolder(aptos_root, class_names=["cataract"])


def test_unknown_split_name(pm_root):
    with pytest.raises(ValueError, match=r"unknown split 'dev'"):
        ICHallengePM(pm_root, "dev")
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        APTOS(pm_root, "valid")


# ----------------------------------------------------------------------------- bad samples


def test_ddr_listed_but_absent_file_names_file_and_line(ddr_root, tmp_path):
    root = copy_dataset(ddr_root, tmp_path)
    label_file = grading_folder(root) / "train.txt"
    name = first_line_name(label_file)
    (grading_folder(root) / "train" / name).unlink()
    with pytest.raises(BadSampleError) as error:
        DDR(root, "train")
    message = str(error.value)
    assert "train.txt:1: file is listed but does not exist" in message and name in message
    assert "skip_bad=True" in message


def test_an_unreadable_image_is_named_with_the_label_file_line_that_lists_it(ddr_root, aptos_root, tmp_path):
    root = copy_dataset(ddr_root, tmp_path / "ddr")
    label_file = grading_folder(root) / "train.txt"
    name = label_file.read_text().splitlines()[2].split()[0]
    (grading_folder(root) / "train" / name).write_bytes(b"")
    with pytest.raises(BadSampleError, match=rf"train\.txt:3: .*{re.escape(name)}"):
        DDR(root, "train")
    root = copy_dataset(aptos_root, tmp_path / "aptos")
    id_code = (root / "train.csv").read_text().splitlines()[1].split(",")[0]
    next((root / "train_images").glob(f"{id_code}.*")).write_bytes(b"<html>not an image</html>")
    with pytest.raises(BadSampleError, match=rf"train\.csv:2: .*{id_code}"):
        APTOS(root, "train")


def test_ddr_malformed_line_and_label_out_of_range(ddr_root, tmp_path):
    root = copy_dataset(ddr_root, tmp_path)
    label_file = grading_folder(root) / "train.txt"
    lines = label_file.read_text().splitlines()
    lines[2] = lines[2].split()[0]  # label missing
    lines[4] = lines[4].split()[0] + " 7"  # out of range
    lines[5] = lines[5].split()[0] + " two"  # not an integer
    label_file.write_text("\n".join(lines) + "\n\n")  # a trailing blank line is fine
    with pytest.raises(BadSampleError) as error:
        DDR(root, "train")
    message = str(error.value)
    assert "3 bad sample(s)" in message
    assert re.search(r"train\.txt:3: malformed line .*expected '<file name> <label>'", message)
    assert re.search(r"train\.txt:5: label 7 is out of range 0\.\.5", message)
    assert re.search(r"train\.txt:6: malformed line .*'two' is not an integer", message)

    with pytest.warns(SkippedSamplesWarning) as record:
        data = DDR(root, "train", skip_bad=True, keep_ungradable=True)
    assert len(data.skipped) == 3 and {s.line for s in data.skipped} == {3, 5, 6}
    assert len(data) == sum(DDR_TRAIN_COUNTS) + DDR_UNGRADABLE - 3
    assert "train.txt:5" in str(record[0].message)


def test_pm_unknown_file_name_prefix(pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    folder = root / "PALM-Training400" / "PALM-Training400"
    (folder / "P0001.jpg").rename(folder / "X0001.jpg")
    with pytest.raises(BadSampleError, match=r"(?s)unknown file-name prefix 'X'.*X0001\.jpg"):
        ICHallengePM(root, "train")
    with pytest.warns(SkippedSamplesWarning, match="X0001.jpg"):
        data = ICHallengePM(root, "train", skip_bad=True)
    assert len(data) == 2 * PM_PER_CLASS - 1 and data.skipped[0].path.endswith("X0001.jpg")


def test_pm_xlsx_label_out_of_range_missing_image_and_unlisted_image(pm_root, tmp_path):
    import openpyxl

    root = copy_dataset(pm_root, tmp_path)
    table = root / "PALM-Validation-GT" / "PM_Label_and_Fovea_Location.xlsx"
    workbook = openpyxl.load_workbook(table)
    sheet = workbook.active
    sheet.cell(row=3, column=3).value = 2  # V0002: label out of range
    sheet.cell(row=4, column=2).value = "V9999.jpg"  # listed but absent; V0003.jpg now unlisted
    workbook.save(table)
    with pytest.raises(BadSampleError) as error:
        ICHallengePM(root, "valid")
    message = str(error.value)
    assert "PM_Label_and_Fovea_Location.xlsx:3: Label 2 is out of range" in message
    assert re.search(r"xlsx:4: file is listed but does not exist \(.*V9999\.jpg\)", message)
    assert re.search(r"image has no row in the label table \(.*V0003\.jpg\)", message)


def test_table_without_required_column(pm_root, tmp_path):
    root = copy_dataset(pm_root, tmp_path)
    csv_file = root / "PALM-Validation-GT" / "labels.csv"
    csv_file.write_text("ID,name,Label\n1,V0001.jpg,1\n")
    with pytest.raises(BadSampleError, match=r"labels\.csv:1: missing column\(s\) \['imgName'\]"):
        ICHallengePM(root, "valid", label_file=csv_file)


def test_aptos_bad_diagnosis_names_line(aptos_root, tmp_path):
    root = copy_dataset(aptos_root, tmp_path)
    csv_file = root / "train.csv"
    lines = csv_file.read_text().splitlines()
    lines[2] = lines[2].split(",")[0] + ",9"
    csv_file.write_text("\n".join(lines) + "\n")
    with pytest.raises(BadSampleError, match=r"train\.csv:3: diagnosis 9 is out of range 0\.\.4"):
        APTOS(root, "train")


def test_a_short_table_row_names_its_line(aptos_root, pm_csv_root, tmp_path):
    """A row with fewer cells than the header (a lost comma) was a KeyError naming nothing."""
    root = copy_dataset(aptos_root, tmp_path / "aptos")
    csv_file = root / "train.csv"
    lines = csv_file.read_text().splitlines()
    lines[2] = lines[2].split(",")[0]
    csv_file.write_text("\n".join(lines) + "\n")
    with pytest.raises(BadSampleError, match=r"train\.csv:3: diagnosis is empty"):
        APTOS(root, "train")
    root = copy_dataset(pm_csv_root, tmp_path / "pm")
    csv_file = root / "PALM-Validation-GT" / "labels.csv"
    lines = csv_file.read_text().splitlines()
    lines[1] = ",".join(lines[1].split(",")[:2])
    csv_file.write_text("\n".join(lines) + "\n")
    with pytest.raises(BadSampleError, match=r"labels\.csv:2: Label is empty"):
        ICHallengePM(root, "valid", label_file=csv_file)


def test_label_files_in_utf16_are_read_and_other_encodings_name_the_line(ddr_root, tmp_path):
    """Notepad's "Unicode" (UTF-16 with a BOM) reads as UTF-8 does; Latin-1 bytes name file and line."""
    root = copy_dataset(ddr_root, tmp_path)
    label_file = grading_folder(root) / "train.txt"
    text = label_file.read_text()
    expected = DDR(root, "train").samples
    label_file.write_bytes(text.encode("utf-16"))
    assert DDR(root, "train").samples == expected
    lines = text.splitlines()
    label_file.write_bytes(("\n".join(lines[:3]) + "\nbild_\xe4.jpg 0\n").encode("latin-1"))
    with pytest.raises(BadSampleError, match=r"train\.txt:4: not UTF-8 text \(byte 0xe4\); save the file as UTF-8"):
        DDR(root, "train")


def test_undecodable_image_error_when_built_and_skip_bad(ddr_root, tmp_path):
    root = copy_dataset(ddr_root, tmp_path)
    name = first_line_name(grading_folder(root) / "train.txt")
    broken = grading_folder(root) / "train" / name
    broken.write_bytes(b"this is not a jpeg")
    with pytest.raises(BadSampleError, match=rf"(?s)not an image file.*{re.escape(name)}.*skip_bad=True"):
        DDR(root, "train", image_size=32, keep_ungradable=True)  # the header check at build time
    with pytest.warns(SkippedSamplesWarning, match=re.escape(name)):
        skipping = DDR(root, "train", image_size=32, keep_ungradable=True, skip_bad=True)
    assert [s.path for s in skipping.skipped] == [str(broken)]
    assert "not an image file" in skipping.skipped[0].reason
    data = DDR(ddr_root, "train", image_size=32, keep_ungradable=True)
    assert str(broken) not in [p for p, _ in skipping.samples]
    assert len(skipping) == len(data) - 1
    skipping[0]  # the rest still loads


def test_no_warning_without_bad_samples(ddr_root):
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkippedSamplesWarning)
        data = DDR(ddr_root, "valid", skip_bad=True, image_size=32)
    assert data.skipped == []


def test_empty_image_folder(tmp_path):
    (tmp_path / "only_class").mkdir()
    with pytest.raises(DatasetNotFoundError, match="no usable images"):
        ImageFolder(tmp_path)


# ----------------------------------------------------------------------------- settings and archives


def test_preprocess_config_rejects_bad_values():
    with pytest.raises(ValueError, match="normalize must be one of"):
        PreprocessConfig(normalize="zscore")
    with pytest.raises(ValueError, match="image_size"):
        PreprocessConfig(image_size=0)
    with pytest.raises(ValueError, match=r"unknown PreprocessConfig keys \['size'\]"):
        PreprocessConfig.from_dict({"size": 224})


def test_conflicting_image_size_and_preprocess(pm_root):
    with pytest.raises(ValueError, match="disagrees"):
        ICHallengePM(pm_root, "train", image_size=64, preprocess=PreprocessConfig(image_size=128))


def test_prepare_without_archives_and_with_a_corrupt_zip(tmp_path):
    import zipfile

    with pytest.raises(DatasetNotFoundError, match=r"(?s)training\.zip not found.*valid_gt\.zip"):
        prepare_ichallenge_pm(tmp_path, verbose=False)
    (tmp_path / "training.zip").write_bytes(b"PK\x03\x04 truncated download")
    with pytest.raises(zipfile.BadZipFile, match=r"training\.zip is not a valid zip.*download it again"):
        prepare_ichallenge_pm(tmp_path, verbose=False)


def test_augment_must_be_callable(pm_root):
    with pytest.raises(TypeError, match="augment must be"):
        ICHallengePM(pm_root, "train", augment="flip")
    assert np.isfinite(ICHallengePM(pm_root, "train", augment=False, image_size=32)[0][0]).all()


def test_an_empty_label_file_is_named(ddr_root, aptos_root, tmp_path):
    root = copy_dataset(ddr_root, tmp_path / "ddr")
    (grading_folder(root) / "train.txt").write_text("\n")
    with pytest.raises(BadSampleError, match=r"train\.txt: lists no images"):
        DDR(root, "train")
    root = copy_dataset(aptos_root, tmp_path / "aptos")
    (root / "train.csv").write_text("id_code,diagnosis\n")
    with pytest.raises(BadSampleError, match=r"train\.csv: lists no images"):
        APTOS(root, "train")
