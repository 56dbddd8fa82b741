"""Issue 30, the third reliability round: one test (or a few) per cause of the 30 bad cases.

Each test feeds one case of its cause and checks the one-line error (what to change, the file named,
exit status 2) or the correct result. The causes are numbered as in the issue; causes 4 and 5
(damaged and overwritten exports) are pinned in test_inference_export.py.
"""
import json

import pytest

from paddle_models.cli import main
from paddle_models.engine.checkpoint import LAST, load_checkpoint, save_checkpoint
from tests.cli_helpers import user_error

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


# ----------------------------------------------------------------------------- 6. (part) bce on five classes


def test_bce_on_five_classes_is_refused_before_training(ddr_root, tmp_path, capsys):
    err = user_error(["train", *LENET, "--data", "ddr", "--data-root", str(ddr_root), "--epochs", "1",
                      "--loss", "bce", "--log-dir", str(tmp_path)], capsys)
    assert "loss='bce'" in err and "5 classes" in err and "--loss ce" in err
    assert not list(tmp_path.rglob("*.pd*")) and not list(tmp_path.rglob("vdlrecords*"))


# ----------------------------------------------------------------------------- 7. the monitor


def test_a_monitor_the_task_lacks_is_refused_before_training(ddr_root, tmp_path, capsys):
    err = user_error(["train", *LENET, "--data", "ddr", "--data-root", str(ddr_root), "--epochs", "1",
                      "--monitor", "val/sensitivity", "--log-dir", str(tmp_path)], capsys)
    assert "monitor='val/sensitivity'" in err and "two classes only" in err and "val/kappa" in err
    assert not list(tmp_path.rglob("vdlrecords*"))


def test_a_run_failing_in_its_first_epoch_does_not_block_the_rerun(pm_root, tmp_path, capsys):
    options = [*LENET, "--data-root", str(pm_root), "--epochs", "1", "--log-dir", str(tmp_path), "--run-name", "r"]
    err = user_error(["train", *options, "--lr", "1e6", "--optimizer", "sgd"], capsys)
    assert "lower learning rate" in err
    main(["train", *options])  # no --overwrite needed: the failed start left nothing behind
    assert (tmp_path / "r" / "best.pdparams").is_file()
