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


def test_roc_curve_of_a_rare_class_reaches_one_and_matches_scikit_learn(tmp_path):
    """VisualDL 2.5.3 divides TP by the negatives: a 1-in-5 class topped out at TPR 0.25.  Ours must not."""
    from sklearn.metrics import roc_curve

    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(5), [40, 10, 30, 10, 10])  # one-vs-rest: grade 1 is 1 in 10
    probs = rng.dirichlet(np.ones(5), len(y))
    probs[y == 1, 1] += 0.3
    probs /= probs.sum(axis=1, keepdims=True)
    with RunLogger(tmp_path, "roc") as log:
        log.roc_curve("val/roc", y, probs, 3, [f"grade {g}" for g in range(5)])
    path = log.file_path  # the file appears when the writer is closed
    records = LogReader(file_path=str(path)).get_data("roc_curve", "val/roc/grade 1")
    curve = records[0].roc_curve
    tpr, fpr = np.array(curve.tpr), np.array(curve.fpr)
    assert tpr.max() == pytest.approx(1.0) and fpr.max() == pytest.approx(1.0)
    assert np.all(np.diff(tpr) <= 1e-12), "TPR falls as the threshold rises"
    # at each of our thresholds t, scikit-learn's point for the lowest of its thresholds >= t is ours
    sk_fpr, sk_tpr, sk_thresholds = roc_curve(y == 1, probs[:, 1], drop_intermediate=False)
    for t, ours_fpr, ours_tpr in zip(np.linspace(0, 1, len(tpr)), fpr, tpr):
        above = np.flatnonzero(sk_thresholds >= t)
        expected = (sk_fpr[above[-1]], sk_tpr[above[-1]]) if len(above) else (0.0, 0.0)
        assert (ours_fpr, ours_tpr) == pytest.approx(expected, abs=1e-6)
    # and VisualDL's own computation is still wrong (drop this workaround once it is not)
    from visualdl.component.base_component import compute_roc_curve
    with numpy_float_alias():
        assert max(compute_roc_curve((y == 1).astype(int), probs[:, 1], 50)["tpr"]) < 0.2
