"""Issue 30, the third reliability round: one test (or a few) per cause of the 30 bad cases.

Each test feeds one case of its cause and checks the one-line error (what to change, the file named,
exit status 2) or the correct result. The causes are numbered as in the issue; causes 4 and 5
(damaged and overwritten exports, inference/export.py) are fixed and tested on another branch.
"""
import json
import os
import shutil
import stat

import numpy as np
import pytest

from paddle_models import aistudio
from paddle_models.cli import main
from paddle_models.data import locate
from paddle_models.engine.checkpoint import BEST, LAST, load_checkpoint, save_checkpoint
from tests.cli_helpers import user_error
from tests.data_fixtures import copy_dataset

SIZE = 32
LENET = ["--model", "lenet", "--model-options", json.dumps({"activation": "relu"}), "--image-size", str(SIZE),
         "--batch-size", "4", "--quiet"]


@pytest.fixture(scope="module")
def one_epoch_run(pm_root, tmp_path_factory):
    """A LeNet trained for one epoch on synthetic iChallenge-PM, resumable: (log dir, run name)."""
    runs = tmp_path_factory.mktemp("third_round")
    main(["train", *LENET, "--data-root", str(pm_root), "--epochs", "1", "--log-dir", str(runs), "--run-name", "r"])
    return runs, "r"


def run_files(folder):
    """What a run folder holds (its lock file aside), with each file's modification time."""
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir() if path.name != ".run.lock"}


# ----------------------------------------------------------------------------- 1. --resume


@pytest.mark.parametrize("change, shown", [
    (["--image-size", "40"], "image_size 32 -> 40"),
    (["--normalize", "course"], "normalize imagenet -> course"),
    (["--model-options", json.dumps({"activation": "sigmoid"})], "model_options {'activation': 'relu'} -> "),
])
def test_resume_refuses_every_setting_that_changes_the_run(one_epoch_run, pm_root, capsys, change, shown):
    runs, name = one_epoch_run
    err = user_error(["train", *LENET, *change, "--data-root", str(pm_root), "--epochs", "2", "--log-dir",
                      str(runs), "--run-name", name, "--resume"], capsys)
    assert "is a different run" in err and shown in err and "epochs" not in err


def test_resume_on_another_dataset_is_refused_and_writes_nothing(one_epoch_run, ddr_root, capsys):
    runs, name = one_epoch_run
    before = run_files(runs / name)
    err = user_error(["train", *LENET, "--data", "ddr", "--data-root", str(ddr_root), "--epochs", "2",
                      "--log-dir", str(runs), "--run-name", name, "--resume"], capsys)
    assert "data ichallenge_pm -> ddr" in err
    assert run_files(runs / name) == before


def test_resume_refuses_weights_that_do_not_fit_naming_the_file(one_epoch_run, pm_root, tmp_path, capsys):
    runs, name = one_epoch_run
    state = load_checkpoint(runs / name / LAST)
    state["model"] = {key: value for key, value in state["model"].items() if not key.startswith("features")}
    copy = tmp_path / "copy"
    save_checkpoint(state, copy / LAST)
    err = user_error(["train", *LENET, "--data-root", str(pm_root), "--epochs", "2", "--log-dir", str(runs),
                      "--run-name", name, "--output-dir", str(copy), "--resume"], capsys)
    assert f"{copy / LAST}" in err and "do not fit this model" in err


# ----------------------------------------------------------------------------- 6. user mistakes, not internal errors


def test_a_valid_fraction_that_leaves_nothing_to_train_on(aptos_root, tmp_path, capsys):
    err = user_error(["train", *LENET, "--data", "aptos", "--data-root", str(aptos_root), "--epochs", "1",
                      "--valid-fraction", "0.99", "--log-dir", str(tmp_path)], capsys)
    assert "--valid-fraction 0.99" in err and "leaves none to train on" in err and "at most 0.90" in err


def test_a_retinamnist_split_without_rows_names_the_file(tmp_path, capsys):
    images = np.zeros((5, 28, 28, 3), np.uint8)
    grades = np.arange(5).reshape(-1, 1)
    path = tmp_path / "retinamnist.npz"
    np.savez(path, train_images=images[:0], train_labels=grades[:0], val_images=images, val_labels=grades,
             test_images=images, test_labels=grades)
    err = user_error(["train", *LENET, "--data", "retinamnist", "--data-root", str(path), "--epochs", "1",
                      "--log-dir", str(tmp_path)], capsys)
    assert f"{path}: train_images holds no images (0 rows)" in err and "download it again" in err


def test_a_checkpoint_without_class_names_names_the_file(one_epoch_run, pm_root, tmp_path, capsys):
    runs, name = one_epoch_run
    state = load_checkpoint(runs / name / BEST)
    del state["meta"]["class_names"]
    edited = save_checkpoint(state, tmp_path / "edited.pdparams")
    err = user_error(["evaluate", "--checkpoint", str(edited), "--data-root", str(pm_root)], capsys)
    assert str(edited) in err and "class 0" in err  # the record names the classes 'class 0', 'class 1'


@pytest.mark.parametrize("command", ["evaluate", "audit"])
def test_an_output_folder_that_is_a_file(one_epoch_run, pm_root, tmp_path, capsys, command):
    runs, name = one_epoch_run
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    given = ["--checkpoint", str(runs / name / BEST)] if command == "evaluate" else ["--data", "ichallenge_pm",
                                                                                      "--quiet"]
    err = user_error([command, *given, "--data-root", str(pm_root), "--output", str(taken)], capsys)
    assert f"{taken} is a file, not a folder" in err and taken.read_text() == "not a folder"


def test_a_garbage_zip_found_by_data_root_auto_is_named(tmp_path, monkeypatch, capsys):
    home = tmp_path / "aistudio"
    (home / "work").mkdir(parents=True)
    mount = home / "data" / "data19065"
    mount.mkdir(parents=True)
    for name in ("training.zip", "validation.zip", "valid_gt.zip"):
        (mount / name).write_bytes(b"<html>a login page, not an archive</html>")
    monkeypatch.setenv(aistudio.HOME_ENV, str(home))
    monkeypatch.setattr(locate, "DATASETS_DIR", tmp_path / "no_datasets_here")
    err = user_error(["train", *LENET, "--data-root", "auto", "--epochs", "1", "--log-dir", str(tmp_path)], capsys)
    assert f"{mount / 'training.zip'} is not a valid zip archive" in err and "download it again" in err


def test_a_garbage_zip_given_to_prepare_is_a_user_error(tmp_path, capsys):
    (tmp_path / "training.zip").write_bytes(b"not a zip")
    err = user_error(["prepare", "--archives", str(tmp_path), "--root", str(tmp_path / "palm")], capsys)
    assert "training.zip is not a valid zip archive" in err


def test_bce_on_five_classes_is_refused_before_training(ddr_root, tmp_path, capsys):
    err = user_error(["train", *LENET, "--data", "ddr", "--data-root", str(ddr_root), "--epochs", "1",
                      "--loss", "bce", "--log-dir", str(tmp_path)], capsys)
    assert "--loss bce" in err and "5 classes" in err and "--loss ce" in err
    assert not list(tmp_path.rglob("*.pd*")) and not list(tmp_path.rglob("vdlrecords*"))


# ----------------------------------------------------------------------------- 7. the monitor


def test_a_monitor_the_task_lacks_is_refused_before_training(ddr_root, tmp_path, capsys):
    err = user_error(["train", *LENET, "--data", "ddr", "--data-root", str(ddr_root), "--epochs", "1",
                      "--monitor", "val/sensitivity", "--log-dir", str(tmp_path)], capsys)
    assert "--monitor val/sensitivity" in err and "two classes only" in err and "val/kappa" in err
    assert not list(tmp_path.rglob("vdlrecords*"))


def test_a_run_failing_in_its_first_epoch_does_not_block_the_rerun(pm_root, tmp_path, capsys):
    options = [*LENET, "--data-root", str(pm_root), "--epochs", "1", "--log-dir", str(tmp_path), "--run-name", "r"]
    err = user_error(["train", *options, "--lr", "1e6", "--optimizer", "sgd"], capsys)
    assert "lower learning rate" in err
    main(["train", *options])  # no --overwrite needed: the failed start left nothing behind
    assert (tmp_path / "r" / "best.pdparams").is_file()


# ----------------------------------------------------------------------------- also: hints, names, places


def test_a_setting_in_the_wrong_case_or_misspelt_gets_a_suggestion(capsys):
    assert "did you mean 'sgd'?" in user_error(["train", "--optimizer", "SGD", "--data-root", "x"], capsys)
    assert "did you mean 'pm-resnet50'?" in user_error(["train", "--recipe", "pm-resnet5", "--data-root", "x"],
                                                       capsys)
    assert "did you mean 'ddr'?" in user_error(["audit", "--data", "drr", "--data-root", "x"], capsys)


@pytest.mark.parametrize("name", ["../..", "a/b", ".."])
def test_a_run_name_must_stay_inside_the_log_dir(pm_root, tmp_path, capsys, name):
    err = user_error(["train", *LENET, "--data-root", str(pm_root), "--log-dir", str(tmp_path / "runs"),
                      "--run-name", name], capsys)
    assert f"--run-name {name} is not allowed: it must be one folder name" in err
    assert not (tmp_path / "runs").exists()


def test_a_log_dir_that_is_a_file_and_a_read_only_one_say_what_to_do(pm_root, tmp_path, capsys):
    options = [*LENET, "--data-root", str(pm_root), "--epochs", "1"]
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    err = user_error(["train", *options, "--log-dir", str(a_file)], capsys)
    assert str(a_file) in err and ("choose another path" in err or "is a file" in err)
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    read_only = tmp_path / "read_only"
    read_only.mkdir()
    read_only.chmod(stat.S_IREAD | stat.S_IEXEC)
    try:
        err = user_error(["train", *options, "--log-dir", str(read_only)], capsys)
    finally:
        read_only.chmod(stat.S_IRWXU)
    assert str(read_only) in err and "choose a folder you can write to" in err


def test_a_warning_made_an_error_by_the_environment_is_explained(image_folder_root, tmp_path, monkeypatch, capsys):
    import warnings

    root = copy_dataset(image_folder_root, tmp_path)
    (root / "empty").mkdir()  # an EmptyClassWarning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        err = user_error(["train", *LENET, "--data", "image_folder", "--data-root", str(root), "--epochs", "1",
                          "--log-dir", str(tmp_path / "runs")], capsys)
    assert "EmptyClassWarning" in err and "PYTHONWARNINGS" in err


# ----------------------------------------------------------------------------- 2. valid/ classes


@pytest.mark.parametrize("change", ["renamed", "extra"])
def test_valid_classes_other_than_train_classes_are_refused_naming_both(image_folder_root, tmp_path, capsys, change):
    root = tmp_path / "folders"
    for split in ("train", "valid"):
        shutil.copytree(image_folder_root, root / split)
    if change == "renamed":
        (root / "valid" / "normal").rename(root / "valid" / "healthy")
    else:
        (root / "valid" / "other").mkdir()
        first = next((root / "valid" / "normal").iterdir())
        first.rename(root / "valid" / "other" / first.name)
    err = user_error(["train", *LENET, "--data", "image_folder", "--data-root", str(root), "--epochs", "1",
                      "--log-dir", str(tmp_path / "runs")], capsys)
    assert "the validation images" in err and "['normal', 'pathologic_myopia']" in err
    assert ("healthy" if change == "renamed" else "'other'") in err
    assert not (tmp_path / "runs").exists()


# ----------------------------------------------------------------------------- 9. files left out


@pytest.fixture(scope="module")
def exported(one_epoch_run, tmp_path_factory):
    runs, name = one_epoch_run
    prefix = tmp_path_factory.mktemp("third_round_export") / "model"
    main(["export", "--checkpoint", str(runs / name / BEST), "--output", str(prefix)])
    return prefix


def images_with_broken_links(pm_root, tmp_path):
    """Three validation images, a link to a missing file and a loop of links."""
    folder = tmp_path / "images"
    folder.mkdir()
    for image in sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[:3]:
        shutil.copy(image, folder)
    (folder / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    return folder


@pytest.mark.parametrize("link", ["dangling.jpg", "loop.jpg"])
def test_broken_links_in_an_image_folder_class_are_named_by_train(image_folder_root, tmp_path, capsys, link):
    root = copy_dataset(image_folder_root, tmp_path)
    target = root / "normal" / link
    target.symlink_to(tmp_path / "gone.jpg" if link == "dangling.jpg" else target)
    err = user_error(["train", *LENET, "--data", "image_folder", "--data-root", str(root), "--epochs", "1",
                      "--log-dir", str(tmp_path / "runs")], capsys)
    assert f"a symbolic link to a missing file, or a loop of links" in err and str(target) in err


def test_broken_links_are_named_by_predict_not_left_out_of_the_csv(exported, pm_root, tmp_path, capsys):
    folder = images_with_broken_links(pm_root, tmp_path)
    err = user_error(["predict", "--model", str(exported), "--images", str(folder), "--output",
                      str(tmp_path / "p.csv")], capsys)
    assert "dangling.jpg" in err and "a symbolic link to a missing file" in err
    assert not (tmp_path / "p.csv").exists()


def test_images_in_a_sub_folder_of_a_class_are_named(image_folder_root, tmp_path):
    from paddle_models.data import build_dataset
    from paddle_models.data.imageio import UnreadFilesWarning

    root = copy_dataset(image_folder_root, tmp_path)
    first = next((root / "normal").glob("*.jpg"))
    (root / "normal" / "more").mkdir()
    first.rename(root / "normal" / "more" / first.name)
    with pytest.warns(UnreadFilesWarning, match=r"normal: the images in its sub-folder\(s\) more are not read"):
        build_dataset("image_folder", root, "train")


# ----------------------------------------------------------------------------- 3. outputs keyed by unique names


def two_images_of_one_name(image_folder_root, tmp_path):
    """An image folder whose two classes each hold a different image called same.jpg."""
    root = copy_dataset(image_folder_root, tmp_path)
    for name in ("normal", "pathologic_myopia"):
        next((root / name).glob("*.jpg")).rename(root / name / "same.jpg")
    return root


def test_gradcam_of_two_images_sharing_a_name_writes_two_files(one_epoch_run, image_folder_root, tmp_path, capsys):
    runs, name = one_epoch_run
    root = two_images_of_one_name(image_folder_root, tmp_path)
    images = [root / "normal" / "same.jpg", root / "pathologic_myopia" / "same.jpg"]
    main(["gradcam", "--checkpoint", str(runs / name / BEST), "--images", *map(str, images), str(images[0]),
          "--output", str(tmp_path / "cams")])
    listed = capsys.readouterr().out.split()
    assert len(listed) == 2 and len(set(listed)) == 2  # the image given twice is drawn once
    assert sorted(path.name.split("_gradcam_")[0] for path in (tmp_path / "cams").iterdir()) == \
        ["normal__same", "pathologic_myopia__same"]


def test_predict_rows_of_two_images_sharing_a_name_tell_them_apart(exported, image_folder_root, tmp_path):
    root = two_images_of_one_name(image_folder_root, tmp_path)
    main(["predict", "--model", str(exported), "--data", "image_folder", "--data-root", str(root), "--split",
          "train", "--output", str(tmp_path / "p.csv")])
    files = [line.split(",")[0] for line in (tmp_path / "p.csv").read_text().splitlines()[1:]]
    assert len(files) == len(set(files)) == 2 * 3
    assert {"normal/same.jpg", "pathologic_myopia/same.jpg"} <= set(files)


# ----------------------------------------------------------------------------- 10. misleading or ignored values


def test_a_ddr_split_of_only_ungradable_images_says_so_and_they_can_be_kept(ddr_root, tmp_path, capsys):
    from paddle_models.data.ddr import find_grading_folder

    root = copy_dataset(ddr_root, tmp_path)
    label_file = find_grading_folder(root) / "valid.txt"
    label_file.write_text("".join(f"{line.split()[0]} 5\n" for line in label_file.read_text().splitlines()
                                  if line.strip()))
    options = [*LENET, "--data", "ddr", "--data-root", str(root), "--epochs", "1", "--log-dir", str(tmp_path / "runs")]
    err = user_error(["train", *options], capsys)
    assert f"{label_file}: every image it lists" in err and "ungradable" in err and "--keep-ungradable" in err
    main(["train", *options, "--keep-ungradable", "--run-name", "kept"])  # a sixth class, valid holds only it
    checkpoint = tmp_path / "runs" / "kept" / BEST
    assert load_checkpoint(checkpoint)["meta"]["class_names"][-1] == "Ungradable"
    main(["evaluate", "--checkpoint", str(checkpoint), "--data-root", str(root)])  # rebuilt with the sixth class


def test_demo_with_zero_epochs_is_refused_before_writing_data(tmp_path, capsys):
    err = user_error(["demo", "--epochs", "0", "--root", str(tmp_path / "demo"), "--log-dir", str(tmp_path)], capsys)
    assert "--epochs 0 is not allowed: it must be a number >= 1" in err and not (tmp_path / "demo").exists()


# ----------------------------------------------------------------------------- 11. paths recorded absolute


def test_a_checkpoint_with_a_relative_split_file_is_evaluated_from_another_folder(aptos_root, tmp_path, monkeypatch,
                                                                                 capsys):
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    main(["train", *LENET, "--data", "aptos", "--data-root", str(aptos_root), "--epochs", "1", "--split-file",
          "out/sf.csv", "--log-dir", "runs", "--run-name", "r"])
    checkpoint = tmp_path / "runs" / "r" / BEST
    assert load_checkpoint(checkpoint)["meta"]["validation"]["split_file"] == str(tmp_path / "out" / "sf.csv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    main(["evaluate", "--checkpoint", str(checkpoint), "--data-root", str(aptos_root), "--output", "e"])
    assert (elsewhere / "e" / "metrics.json").is_file()
    (tmp_path / "out" / "sf.csv").unlink()
    err = user_error(["evaluate", "--checkpoint", str(checkpoint), "--data-root", str(aptos_root)], capsys)
    assert f"split file (which images were held out) {tmp_path / 'out' / 'sf.csv'} is missing" in err


# ----------------------------------------------------------------------------- 8. inputs too small for the model


def test_an_input_too_small_for_the_model_is_refused_before_training(pm_root, tmp_path, capsys):
    err = user_error(["train", "--model", "alexnet", "--image-size", "16", "--data-root", str(pm_root),
                      "--epochs", "1", "--log-dir", str(tmp_path)], capsys)
    assert "alexnet needs images of at least 47x47 pixels, got 16x16" in err and "--image-size 47" in err
    assert not any(tmp_path.iterdir())


def test_tour_warns_of_empty_maps(capsys):
    main(["tour", "alexnet", "--image-size", "32"])
    assert "warning: alexnet needs at least 47x47: at 32x32 some of its maps are empty (0x0)" in capsys.readouterr().out


def test_a_bare_refusal_of_the_operating_system_gets_advice():
    from paddle_models.cli import _user_error_message

    message = _user_error_message(PermissionError(13, "Permission denied", "/data/read_only"))
    assert "/data/read_only" in message and "choose a folder you can write to" in message
    assert "is read-only" in _user_error_message(OSError(30, "Read-only file system", "/mnt/x"))
