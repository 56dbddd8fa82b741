"""Every command of ``python -m paddle_models`` on small synthetic data."""
import csv
import json
import re
import subprocess
import sys

import cv2
import pytest

from paddle_models import recipes
from paddle_models.cli import build_parser, main
from paddle_models.data import make_synthetic_ichallenge_pm
from paddle_models.engine import load_checkpoint
from paddle_models.visualdl_log import visualdl_command
from tests.cli_helpers import user_error

SIZE = 32
LENET = ["--model", "lenet", "--model-options", json.dumps({"input_size": SIZE, "activation": "relu"}),
         "--image-size", str(SIZE)]


@pytest.fixture(scope="module")
def trained(pm_root, tmp_path_factory):
    """A LeNet trained for one epoch through ``train``: (run folder, best checkpoint)."""
    runs = tmp_path_factory.mktemp("cli_runs")
    main(["train", *LENET, "--data", "ichallenge_pm", "--data-root", str(pm_root), "--epochs", "1",
          "--batch-size", "4", "--optimizer", "adam", "--log-dir", str(runs), "--quiet"])
    run = runs / "ichallenge_pm-lenet"
    return run, run / "best.pdparams"


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    prefix = tmp_path_factory.mktemp("cli_export") / "lenet"
    main(["export", "--checkpoint", str(trained[1]), "--output", str(prefix)])
    return prefix


def test_train_writes_checkpoints_and_a_visualdl_log(trained):
    run, best = trained
    assert best.exists() and (run / "last.pdckpt").exists()
    assert list(run.glob("vdlrecords.*.log")), "no VisualDL log"
    meta = load_checkpoint(best)["meta"]
    assert meta["model_name"] == "lenet" and meta["input_size"] == SIZE and meta["dataset"] == "ichallenge_pm"


def test_train_recipe_uses_its_settings_and_options_override_it(pm_root, tmp_path):
    main(["train", "--recipe", "pm-lenet", "--image-size", str(SIZE), "--data-root", str(pm_root),
          "--epochs", "1", "--log-dir", str(tmp_path), "--quiet"])
    state = load_checkpoint(tmp_path / "pm-lenet" / "last.pdckpt")
    config = state["config"]
    assert state["meta"]["model_options"] == {"input_size": SIZE}  # LeNet sized for the images
    recipe = recipes.get_recipe("pm-lenet")
    assert config["run_name"] == "pm-lenet"
    assert (config["optimizer"], config["lr"], config["batch_size"]) == (recipe["optimizer"], recipe["lr"],
                                                                         recipe["batch_size"])
    assert config["epochs"] == 1  # the command line beats the recipe's 10


def test_train_no_save_last_keeps_only_the_best_weights(pm_root, tmp_path):
    main(["train", *LENET, "--data-root", str(pm_root), "--epochs", "1", "--no-save-last", "--log-dir",
          str(tmp_path), "--run-name", "best-only", "--quiet"])
    assert sorted(path.name for path in (tmp_path / "best-only").glob("*.pd*")) == ["best.pdparams"]


def test_train_without_data_root_says_what_is_missing(capsys):
    assert "--data-root is required" in user_error(["train", "--model", "lenet"], capsys)


def test_unknown_recipe_lists_the_known_ones(pm_root, capsys):
    err = user_error(["train", "--recipe", "pm-resnet51", "--data-root", str(pm_root)], capsys)
    assert re.search("known recipes: .*pm-resnet50", err)


def test_debug_shows_the_traceback_instead(pm_root):
    with pytest.raises(ValueError, match="known recipes"):
        main(["train", "--debug", "--recipe", "pm-resnet51", "--data-root", str(pm_root)])


def test_evaluate_prints_metrics_and_writes_figures(trained, pm_root, tmp_path, capsys):
    main(["evaluate", "--checkpoint", str(trained[1]), "--data-root", str(pm_root), "--output", str(tmp_path)])
    out = capsys.readouterr().out
    assert re.search(r"^acc\s+\d\.\d{4}$", out, re.M) and "confusion matrix" in out
    scores = json.loads((tmp_path / "metrics.json").read_text())
    assert {"acc", "auc", "kappa"} <= set(scores)
    assert (tmp_path / "confusion_matrix.png").stat().st_size > 1000
    assert (tmp_path / "roc_curves.png").stat().st_size > 1000
    assert re.search(r"^calibration: ECE \d\.\d{4} before, \d\.\d{4} after temperature scaling", out, re.M)
    assert re.search(r"^imageability: (\d+) of \1 images gradable \(100\.0%", out, re.M)  # synthetic: all
    assert re.search(r"^  sensitivity +\d\.\d{3} \(95% bootstrap CI \d\.\d{3}-\d\.\d{3}, 1000 resamples\)", out, re.M)
    assert "too few images (< 30)" in out  # a tiny synthetic validation split
    assert {"ece", "ece_calibrated", "imageability", "screening_sensitivity_low"} <= set(scores)


def test_evaluate_records_a_new_operating_point_for_a_target(trained, pm_root, tmp_path, capsys):
    checkpoint = tmp_path / "best.pdparams"
    checkpoint.write_bytes(trained[1].read_bytes())
    main(["evaluate", "--checkpoint", str(checkpoint), "--data-root", str(pm_root), "--output", str(tmp_path),
          "--target-specificity", "0.8", "--bootstrap", "0", "--no-gate"])
    out = capsys.readouterr().out
    point = load_checkpoint(checkpoint)["meta"]["operating_point"]
    assert point["target"] == "specificity" and point["specificity"] >= 0.8 and "recorded in" in out
    assert "imageability" not in out and "bootstrap" not in out


def test_export_writes_an_inference_model_and_its_preprocessing(exported):
    files = {path.name for path in exported.parent.iterdir()}
    assert "lenet.pdiparams" in files and ("lenet.json" in files or "lenet.pdmodel" in files)
    meta = json.loads(exported.with_suffix(".meta.json").read_text())
    assert meta["preprocess"]["image_size"] == SIZE
    assert meta["temperature"] > 0 and meta["operating_point"]["target"] == "sensitivity"  # recorded by train


def test_predict_a_folder_to_csv(exported, pm_root, tmp_path):
    out = tmp_path / "predictions.csv"
    main(["predict", "--model", str(exported), "--images", str(pm_root / "PALM-Validation400"),
          "--output", str(out)])
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(list((pm_root / "PALM-Validation400").glob("*.jpg")))
    assert rows[0]["file"].startswith("V") and {"predicted_index", "predicted_name"} <= set(rows[0])
    assert all(row["gradable"] == "yes" and row["decision"] in ("PM likely", "PM unlikely", "uncertain") for row in rows)


def test_predict_with_flipped_views_and_without_the_gate(exported, pm_root, tmp_path):
    out = tmp_path / "tta.csv"
    main(["predict", "--model", str(exported), "--images", str(pm_root / "PALM-Validation400"), "--output", str(out),
          "--tta", "--no-gate"])
    rows = list(csv.DictReader(out.open()))
    assert all(row["reason"] == "not checked (--no-gate)" and row["decision"] for row in rows)


def test_predict_a_dataset_split_in_palm_submission_format(exported, pm_root, tmp_path):
    out = tmp_path / "Classification_Results.csv"
    main(["predict", "--model", str(exported), "--data", "ichallenge_pm", "--data-root", str(pm_root),
          "--split", "test", "--output", str(out), "--palm"])
    lines = out.read_text().splitlines()
    assert lines[0] == "FileName,PM Risk"
    for line in lines[1:]:
        name, risk = line.split(",")
        assert name.endswith(".jpg") and 0.0 <= float(risk) <= 1.0


def test_predict_needs_images_or_a_dataset(exported, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["predict", "--model", str(exported), "--output", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.startswith("error: predict: give --images FOLDER"), err


def test_gradcam_writes_one_overlay_per_image(trained, pm_root, tmp_path, capsys):
    images = sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[:3]
    main(["gradcam", "--checkpoint", str(trained[1]), "--images", *map(str, images), "--output", str(tmp_path)])
    written = sorted(tmp_path.glob("*_gradcam_*.png"))
    assert [path.name.split("_gradcam_")[0] for path in written] == [path.stem for path in images]


def test_gradcam_method_occlusion_writes_one_overlay_per_image(trained, pm_root, tmp_path, capsys):
    images = sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[:2]
    main(["gradcam", "--method", "occlusion", "--patch", "8", "--stride", "8", "--score", "logit",
          "--checkpoint", str(trained[1]),
          "--images", *map(str, images), "--output", str(tmp_path)])
    written = sorted(tmp_path.glob("*_occlusion_*.png"))
    assert [path.name.split("_occlusion_")[0] for path in written] == [path.stem for path in images]
    assert capsys.readouterr().out.split() == [str(path) for path in written]
    assert cv2.imread(str(written[0])).shape == (SIZE, SIZE, 3)


def test_tour_prints_layer_tables(capsys):
    main(["tour", "lenet", "alexnet", "--image-size", "64"])
    out = capsys.readouterr().out
    assert "=== lenet (64x64 input, 2 classes)" in out and "=== alexnet" in out
    assert "trainable parameters" in out


def test_recipes_lists_every_recipe(capsys):
    main(["recipes"])
    out = capsys.readouterr().out
    for name in recipes.RECIPES:
        assert name in out


def test_synth_writes_an_official_layout(tmp_path, capsys):
    main(["synth", "--data", "ddr", "--root", str(tmp_path / "ddr"), "--per-class", "1", "--image-size", "96"])
    grading = tmp_path / "ddr" / "DDR-dataset" / "DR_grading"
    assert (grading / "train.txt").exists() and list((grading / "train").glob("*.jpg"))


def test_prepare_unpacks_the_archives(pm_archives, tmp_path, capsys):
    main(["prepare", "--archives", str(pm_archives), "--root", str(tmp_path / "PALM")])
    assert list((tmp_path / "PALM").rglob("P0001.jpg"))
    assert (tmp_path / "PALM" / "PALM-Validation-GT").exists()


def test_every_command_has_help():
    commands = build_parser().commands
    assert {"demo", "train", "evaluate", "export", "predict", "gradcam", "tour", "recipes", "synth",
            "prepare", "lessons"} <= set(commands)
    for name, sub in commands.items():
        assert sub.format_help().startswith("usage: python -m paddle_models " + name)


def test_demo_trains_evaluates_and_reports(tmp_path):
    """The README's main job, as a user runs it (a fresh process), on a small synthetic set and for one
    epoch: that it learns is the learnability tests' claim (tests/test_data_learnable.py), not this one's."""
    make_synthetic_ichallenge_pm(tmp_path / "palm", per_class=8, image_size=128, splits=("train", "valid"))
    result = subprocess.run(
        [sys.executable, "-m", "paddle_models", "demo", "--root", str(tmp_path / "palm"), "--epochs", "1",
         "--log-dir", str(tmp_path / "runs"), "--quiet"],
        capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    chance, accuracy = map(float, re.search(r"chance level (\S+); the model scores (\S+) accuracy", out).groups())
    assert chance == pytest.approx(0.5) and 0 <= accuracy <= 1
    run = tmp_path / "runs" / "demo-resnet18"
    assert (run / "best.pdparams").exists() and list(run.glob("vdlrecords.*.log"))
    assert (run / "evaluation" / "confusion_matrix.png").exists()
    assert visualdl_command(tmp_path / "runs") in out  # tests/test_visualdl_log.py runs it
