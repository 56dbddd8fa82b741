"""Bad input on the command line: a one-line error that says what to do, never a quiet wrong answer.

Each case was reproduced on the earlier command line (issue 12): meaningless metrics, a resume that
retrained from scratch, NaN weights dying in scikit-learn, a numpy IndexError from gradcam.
"""
import json
import subprocess
import sys

import cv2
import numpy as np
import paddle
import pytest

from paddle_models import build
from paddle_models.cli import main
from tests.cli_helpers import user_error

SIZE = 32
LENET = ["--model", "lenet", "--model-options", json.dumps({"activation": "relu"}), "--image-size", str(SIZE),
         "--epochs", "1", "--batch-size", "4", "--quiet"]


@pytest.fixture(scope="module")
def checkpoints(pm_root, ddr_root, tmp_path_factory):
    runs = tmp_path_factory.mktemp("error_runs")
    main(["train", *LENET, "--data-root", str(pm_root), "--log-dir", str(runs), "--run-name", "pm"])
    main(["train", *LENET, "--data", "ddr", "--data-root", str(ddr_root), "--log-dir", str(runs),
          "--run-name", "ddr"])
    return {"pm": runs / "pm" / "best.pdparams", "ddr": runs / "ddr" / "best.pdparams", "runs": runs}


def test_a_ddr_checkpoint_is_not_scored_on_ichallenge_pm(checkpoints, pm_root, capsys):
    err = user_error(["evaluate", "--checkpoint", str(checkpoints["ddr"]), "--data", "ichallenge_pm",
                      "--data-root", str(pm_root)], capsys)
    assert "trained on the classes ['No DR'" in err and "['non-PM', 'PM']" in err


def test_a_pm_checkpoint_is_not_scored_on_ddr(checkpoints, ddr_root, capsys):
    err = user_error(["evaluate", "--checkpoint", str(checkpoints["pm"]), "--data", "ddr",
                      "--data-root", str(ddr_root)], capsys)
    assert "meaningless" in err


def test_an_unlabelled_split_is_refused_and_points_to_predict(checkpoints, pm_root, capsys):
    err = user_error(["evaluate", "--checkpoint", str(checkpoints["pm"]), "--data-root", str(pm_root),
                      "--split", "test"], capsys)
    assert "has no labels" in err and "predict" in err


def test_resume_without_a_resumable_checkpoint_refuses(pm_root, tmp_path, capsys):
    main(["train", *LENET, "--data-root", str(pm_root), "--log-dir", str(tmp_path), "--run-name", "r",
          "--no-save-last"])
    before = (tmp_path / "r" / "best.pdparams").stat().st_mtime_ns
    err = user_error(["train", *LENET, "--data-root", str(pm_root), "--log-dir", str(tmp_path), "--run-name",
                      "r", "--resume"], capsys)
    assert "last.pdckpt" in err and "would overwrite it" in err
    assert (tmp_path / "r" / "best.pdparams").stat().st_mtime_ns == before  # nothing was retrained
    err = user_error(["train", *LENET, "--data-root", str(pm_root), "--log-dir", str(tmp_path), "--run-name",
                      "typo", "--resume"], capsys)
    assert "typo" in err and "drop --resume" in err


def test_resume_with_another_model_says_what_differs(checkpoints, pm_root, capsys):
    err = user_error(["train", "--model", "alexnet", "--image-size", "64", "--data-root", str(pm_root),
                      "--log-dir", str(checkpoints["runs"]), "--run-name", "pm", "--epochs", "2", "--resume",
                      "--quiet"], capsys)
    assert "is a different run: model lenet -> alexnet" in err and "image_size" not in err.split("model")[0]


def test_diverging_weights_end_with_the_learning_rate_advice(pm_root, tmp_path, capsys):
    err = user_error(["train", *LENET, "--data-root", str(pm_root), "--log-dir", str(tmp_path), "--lr", "1e6",
                      "--optimizer", "sgd"], capsys)
    assert "NaN" in err or "nan" in err
    assert "lower learning rate" in err


def test_gradcam_of_a_class_the_model_does_not_have(checkpoints, pm_root, tmp_path, capsys):
    image = sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[0]
    err = user_error(["gradcam", "--checkpoint", str(checkpoints["pm"]), "--images", str(image),
                      "--output", str(tmp_path), "--target-class", "5"], capsys)
    assert "--target-class 5" in err and "0..1" in err


def test_predict_and_gradcam_given_the_other_kind_of_model_file_say_which_file_to_pass(checkpoints, pm_root,
                                                                                       tmp_path, capsys):
    """predict takes an export's prefix, gradcam a checkpoint: each names the file the other one needs."""
    folder = tmp_path / "export"
    main(["export", "--checkpoint", str(checkpoints["pm"]), "--output", str(folder / "lenet")])
    capsys.readouterr()
    images = str(sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[0])
    predict = ["predict", "--images", images, "--output", str(tmp_path / "p.csv"), "--model"]
    err = user_error([*predict, str(folder)], capsys)
    assert "is a folder" in err and f"the export in it: {folder / 'lenet'}" in err, err
    err = user_error([*predict, str(folder / "lenet.json")], capsys)
    assert f"pass the export's prefix {folder / 'lenet'}, without .json" in err, err
    err = user_error([*predict, str(checkpoints["pm"])], capsys)
    assert "is a training checkpoint" in err and "python -m paddle_models export --checkpoint" in err, err
    err = user_error(["gradcam", "--checkpoint", str(folder / "lenet"), "--images", images,
                      "--output", str(tmp_path / "cam")], capsys)
    assert "is an exported model's prefix" in err and f"{folder / 'lenet'}.dygraph.pdparams" in err, err


def test_gradcam_explains_the_block_layer_names_and_lists_the_blocks_for_a_wrong_name(checkpoints, pm_root,
                                                                                      tmp_path, capsys):
    image = str(sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[0])
    base = ["gradcam", "--checkpoint", str(checkpoints["pm"]), "--images", image]
    main([*base, "--output", str(tmp_path / "last")])
    main([*base, "--output", str(tmp_path / "first"), "--layer", "features.0"])  # LeNet's first convolution
    last, first = (cv2.imread(str(next((tmp_path / name).glob("*.png")))) for name in ("last", "first"))
    assert last.shape == first.shape and not np.array_equal(last, first)  # another block, another map
    err = user_error([*base, "--output", str(tmp_path / "x"), "--layer", "classifier"], capsys)
    assert "--layer classifier is not a layer of LeNet" in err and "features (" in err, err


def test_a_balanced_sampler_is_refused_in_multi_device_runs(monkeypatch, pm_root, tmp_path):
    from paddle_models.engine import distributed
    from paddle_models.settings import SettingsError

    monkeypatch.setattr(distributed, "world_size", lambda: 2)
    monkeypatch.setattr(distributed, "init_if_needed", lambda: None)
    with pytest.raises(SettingsError, match="balanced.*multi-device"):
        main(["train", "--debug", *LENET, "--data-root", str(pm_root), "--log-dir", str(tmp_path),
              "--sampler", "balanced"])


def test_the_command_line_prints_no_ccache_warning_and_no_traceback():
    result = subprocess.run([sys.executable, "-m", "paddle_models", "train", "--data-root", "nowhere",
                             "--epochs", "0"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --epochs 0 is not allowed: it must be a number >= 1"


def test_export_never_replaces_an_export_silently_and_wants_a_prefix(checkpoints, tmp_path, capsys):
    prefix = tmp_path / "model"
    main(["export", "--checkpoint", str(checkpoints["pm"]), "--output", str(prefix)])
    meta = (tmp_path / "model.meta.json").read_text()
    err = user_error(["export", "--checkpoint", str(checkpoints["ddr"]), "--output", str(prefix)], capsys)
    assert "model.meta.json exists" in err and "--overwrite" in err, err
    assert (tmp_path / "model.meta.json").read_text() == meta  # the PM model's export is untouched
    main(["export", "--checkpoint", str(checkpoints["ddr"]), "--output", str(prefix), "--overwrite"])
    assert json.loads((tmp_path / "model.meta.json").read_text())["num_classes"] == 5
    err = user_error(["export", "--checkpoint", str(checkpoints["pm"]), "--output", str(tmp_path) + "/"], capsys)
    assert "is a folder; it takes a path prefix" in err and str(tmp_path / "model") in err, err


def test_synth_into_a_folder_that_holds_data_is_refused(tmp_path, capsys):
    labels = tmp_path / "DDR-dataset" / "DR_grading" / "train.txt"
    labels.parent.mkdir(parents=True)
    labels.write_text("007-0004-000.jpg 0\n")  # a student's real label file
    err = user_error(["synth", "--data", "ddr", "--root", str(tmp_path), "--per-class", "1", "--image-size", "48"], capsys)
    assert f"--root {tmp_path} is not empty" in err and "new or empty folder" in err, err
    assert labels.read_text() == "007-0004-000.jpg 0\n"
    err = user_error(["synth", "--root", str(tmp_path / "new"), "--per-class", "0"], capsys)
    assert "--per-class must be at least 1" in err, err


def test_options_a_model_lacks_a_missing_gpu_and_a_zero_batch_are_user_errors(checkpoints, pm_root, tmp_path, capsys):
    """Each was reported as 'an unexpected error ... please report it' (exit 1)."""
    base = ["train", "--data-root", str(pm_root), "--log-dir", str(tmp_path), "--image-size", str(SIZE), "--epochs", "1",
            "--quiet"]
    err = user_error([*base, "--model", "simple_cnn", "--model-options", json.dumps({"foo": 1})], capsys)
    assert "model 'simple_cnn' does not take the options {'foo': 1}" in err, err
    import paddle
    if not paddle.device.is_compiled_with_cuda() or paddle.device.cuda.device_count() == 0:
        err = user_error([*base, "--model", "simple_cnn", "--run-name", "gpu", "--device", "gpu"], capsys)
        assert "use --device cpu" in err, err
    err = user_error(["evaluate", "--checkpoint", str(checkpoints["pm"]), "--data-root", str(pm_root),
                      "--batch-size", "0"], capsys)
    assert "--batch-size must be at least 1" in err, err


def test_resuming_a_finished_run_and_a_warmup_longer_than_the_run_are_refused(pm_root, tmp_path, capsys):
    base = ["train", *LENET, "--data-root", str(pm_root), "--log-dir", str(tmp_path), "--run-name", "done"]
    main(base)
    err = user_error([*base, "--resume"], capsys)  # it printed "resuming after epoch 1" and trained nothing
    assert "already finished its 1 epoch(s)" in err and "Pass --epochs 2 or more" in err, err
    err = user_error([*base, "--run-name", "warm", "--warmup-epochs", "2"], capsys)
    assert "--warmup-epochs 2 must be below --epochs 1" in err, err


def test_model_options_that_are_not_a_json_object_say_how_to_write_them(capsys):
    for text, message in (("{bad", "is not JSON"), ("[1]", "is not a JSON object")):
        with pytest.raises(SystemExit):
            main(["train", "--model-options", text])
        err = capsys.readouterr().err
        assert message in err and '{"dropout": 0.5}' in err, err


def test_bad_pretrained_files_and_a_tiny_synthetic_image_size_are_one_line_errors(pm_root, tmp_path, capsys):
    base = ["train", *LENET, "--data-root", str(pm_root), "--log-dir", str(tmp_path)]
    err = user_error([*base, "--run-name", "a", "--pretrained", str(tmp_path / "nowhere.pdparams")], capsys)
    assert "nowhere.pdparams: no such file" in err, err
    broken = tmp_path / "broken.pdparams"
    broken.write_bytes(b"not a paddle file")
    err = user_error([*base, "--run-name", "b", "--pretrained", str(broken)], capsys)
    assert "broken.pdparams: cannot be read as Paddle weights" in err, err
    other = tmp_path / "resnet18.pdparams"
    paddle.save(build("resnet18", num_classes=2).state_dict(), str(other))
    err = user_error(["train", "--model", "resnet50", "--data-root", str(pm_root), "--log-dir", str(tmp_path),
                      "--run-name", "c", "--pretrained", str(other)], capsys)
    assert "does not fit resnet50" in err and "another architecture" in err, err
    err = user_error(["synth", "--root", str(tmp_path / "s"), "--image-size", "1"], capsys)
    assert "--image-size must be at least 16" in err, err


def test_a_misspelt_split_is_named_as_unknown(checkpoints, pm_root, capsys):
    err = user_error(["evaluate", "--checkpoint", str(checkpoints["pm"]), "--data-root", str(pm_root),
                      "--split", "vaild"], capsys)
    assert "unknown split 'vaild'" in err and "valid" in err, err


def test_only_a_user_error_is_the_users_mistake_anything_else_is_reported_as_a_bug(monkeypatch, capsys):
    """One base: a UserError (or the system refusing a file the user named) exits 2 with one line; any other
    exception is a bug of the package, exit 1, and says so -- a bare ValueError included."""
    from paddle_models import cli
    from paddle_models.errors import MissingFileError, WrongValueError

    def raising(error):
        def handler(args):
            raise error
        return handler

    for error, code, words in ((WrongValueError("lr must be > 0"), 2, "error: lr must be > 0"),
                               (MissingFileError("no checkpoint at x.pdparams"), 2, "error: no checkpoint at x"),
                               (ValueError("an internal check"), 1, "this is a bug of paddle_models"),
                               (KeyError("meta"), 1, "this is a bug of paddle_models")):
        monkeypatch.setattr(cli, "command_recipes", raising(error))
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["recipes"])
        err = capsys.readouterr().err
        assert exit_info.value.code == code and words in err and err.count("\n") <= 2, err
