"""A run's VisualDL log is readable by VisualDL itself, curves included (under NumPy >= 1.24 too)."""
import numpy as np
import pytest
from visualdl import LogReader

from paddle_models import figures
from paddle_models.data import PreprocessConfig
from paddle_models.visualdl_log import RunLogger, numpy_float_alias


@pytest.fixture
def logged_run(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 40)
    probs = rng.dirichlet([1, 1], 40)
    with RunLogger(tmp_path, "run-a") as log:
        for step in range(5):
            log.scalars({"train/loss": 1.0 / (step + 1), "val/auc": float("nan")}, step)
        log.image_batch("inputs", rng.normal(size=(3, 3, 16, 16)).astype("float32"), 0, PreprocessConfig())
        log.figure("val/confusion_matrix", figures.plot_confusion_matrix([[3, 1], [0, 4]], ["a", "b"]), 0)
        log.pr_curve("val/pr", y, probs, 0, ["non-PM", "PM"])
        log.roc_curve("val/roc", y, probs, 0, ["non-PM", "PM"])
        log.hparams({"lr": 0.01, "model": "resnet50", "augment": True}, ["val/acc"])
        path = log.file_path
    return LogReader(file_path=str(path))


def test_scalars_have_every_step_and_nan_is_skipped(logged_run):
    tags = logged_run.get_tags()
    steps = [record.id for record in logged_run.get_data("scalar", "train/loss")]
    assert steps == [0, 1, 2, 3, 4]
    assert "val/auc" not in tags.get("scalar", [])


def test_images_figures_and_curves_are_in_the_log(logged_run):
    tags = logged_run.get_tags()
    assert {"inputs/0", "inputs/2", "val/confusion_matrix"} <= set(tags["image"])
    assert "val/pr/PM" in tags["pr_curve"] and "val/roc/PM" in tags["roc_curve"]


def test_float_alias_is_removed_again():
    had_alias = "float" in np.__dict__
    with numpy_float_alias():
        assert np.float is float
    assert ("float" in np.__dict__) == had_alias


def test_disabled_logger_writes_nothing(tmp_path):
    with RunLogger(tmp_path, "rank1", enabled=False) as log:
        log.scalar("train/loss", 1.0, 0)
        log.roc_curve("val/roc", [0, 1], [0.2, 0.8], 0)
    assert not (tmp_path / "rank1").exists()
