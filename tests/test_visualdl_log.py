"""A run's VisualDL log is readable by VisualDL itself, curves included (under NumPy >= 1.24 too)."""
import json
import os
import shlex
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from visualdl import LogReader

from paddle_models import figures
from paddle_models.data import PreprocessConfig
from paddle_models.visualdl_log import MAX_CURVE_POINTS, RunLogger, thin_curve, visualdl_command, visualdl_url
from tests.test_app import free_port


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


def test_disabled_logger_writes_nothing(tmp_path):
    with RunLogger(tmp_path, "rank1", enabled=False) as log:
        log.scalar("train/loss", 1.0, 0)
        log.roc_curve("val/roc", [0, 1], [0.2, 0.8], 0)
    assert not (tmp_path / "rank1").exists()


GRADES = ["No DR", "Mild", "Moderate", "Severe", "PDR"]


def imbalanced_grades(seed):
    """A DDR-like validation set: 5 grades, 'Severe' has two positives, both scoring below 0.02."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(5), [60, 8, 25, 2, 5])
    probs = rng.dirichlet(np.ones(5), len(y))
    probs[np.arange(len(y)), y] += rng.uniform(0, 0.6, len(y))  # a model that is right more often than not
    probs[:, 3] = rng.uniform(0.0, 0.026, len(y))  # "Severe" is never predicted with confidence
    probs[y == 3, 3] = [0.006, 0.011]
    rest = np.delete(np.arange(5), 3)
    probs[:, rest] *= ((1 - probs[:, 3]) / probs[:, rest].sum(axis=1))[:, None]
    return y, probs


def logged_curves(tmp_path, kind, y, probs, names):
    """Write one run's curves with RunLogger and read every class's record back with VisualDL's reader."""
    with RunLogger(tmp_path, kind) as log:
        getattr(log, f"{kind}_curve")(f"val/{kind}", y, probs, 0, names)
    reader = LogReader(file_path=str(log.file_path))  # the file appears when the writer is closed
    tags = reader.get_tags()[f"{kind}_curve"]
    return {tag.rsplit("/", 1)[1]: getattr(reader.get_data(f"{kind}_curve", tag)[0], f"{kind}_curve")
            for tag in tags}


def drawn_area(x, y):
    """The area under the line VisualDL draws through the points in their order (x runs one way: trapezoids)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    assert np.all(np.diff(x) <= 0) or np.all(np.diff(x) >= 0), "the curve goes back on itself"
    return abs(float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_logged_roc_areas_match_scikit_learn_for_every_class(tmp_path, seed):
    """Issue 29: on VisualDL's grid 'Severe' (two positives below 0.02) was a straight line, area 0.385 vs 0.304."""
    from sklearn.metrics import roc_auc_score

    y, probs = imbalanced_grades(seed)
    curves = logged_curves(tmp_path, "roc", y, probs, GRADES)
    assert sorted(curves) == sorted(GRADES)
    for grade, name in enumerate(GRADES):
        curve = curves[name]
        tpr, fpr = np.array(curve.tpr), np.array(curve.fpr)
        assert (fpr[0], tpr[0]) == (1.0, 1.0) and (fpr[-1], tpr[-1]) == (0.0, 0.0), name
        assert drawn_area(fpr, tpr) == pytest.approx(roc_auc_score(y == grade, probs[:, grade]), abs=0.01), name
        tp, fp, tn, fn = (np.array(getattr(curve, key)) for key in ("TP", "FP", "TN", "FN"))
        assert np.allclose(tp / (tp + fn), tpr) and np.allclose(fp / (fp + tn), fpr), name


def test_visualdl_own_curve_is_still_wrong(monkeypatch):
    """Drop the workaround once VisualDL computes this ROC like scikit-learn (2.5.3 does not)."""
    from sklearn.metrics import roc_auc_score
    from visualdl.component.base_component import compute_roc_curve

    monkeypatch.setattr(np, "float", float, raising=False)  # VisualDL 2.5.3 still calls np.float
    labels = np.array([1, 1, 0, 0, 0, 0, 0, 0])
    scores = np.array([0.006, 0.011, 0.003, 0.008, 0.013, 0.018, 0.3, 0.6])  # six scores in one grid step
    theirs = compute_roc_curve(labels, scores, 50)
    assert max(theirs["tpr"]) == pytest.approx(2 / 6), "TP divided by the negatives, not the positives"
    tpr, fpr = np.array(theirs["tp"]) / 2, np.array(theirs["fp"]) / 6  # the rates corrected ...
    assert drawn_area(fpr, tpr) == pytest.approx(1 / 3)  # ... still miss scikit-learn's area (the grid)
    assert roc_auc_score(labels, scores) == pytest.approx(0.25)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_logged_pr_curves_are_scikit_learns_with_precision_one_at_the_top(tmp_path, seed):
    from sklearn.metrics import precision_recall_curve

    y, probs = imbalanced_grades(seed)
    curves = logged_curves(tmp_path, "pr", y, probs, GRADES)
    for grade, name in enumerate(GRADES):
        curve = curves[name]
        precision, recall = np.array(curve.precision), np.array(curve.recall)
        assert recall[0] == 1.0 and (recall[-1], precision[-1]) == (0.0, 1.0), name
        sk_precision, sk_recall, _ = precision_recall_curve(y == grade, probs[:, grade])
        assert np.allclose(precision, sk_precision) and np.allclose(recall, sk_recall), name  # no thinning needed
        tp, fp = np.array(curve.TP), np.array(curve.FP)
        assert np.allclose(tp[:-1] / (tp[:-1] + fp[:-1]), precision[:-1]) and tp[-1] + fp[-1] == 0, name


def test_long_curves_are_thinned_to_what_visualdl_draws_with_the_area_kept(tmp_path):
    from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 4000)
    scores = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    assert len(roc_curve(y, scores)[0]) > 3 * MAX_CURVE_POINTS  # scikit-learn's corners
    roc = logged_curves(tmp_path / "roc", "roc", y, scores, ["no", "yes"])["yes"]
    pr = logged_curves(tmp_path / "pr", "pr", y, scores, ["no", "yes"])["yes"]
    assert len(roc.tpr) <= MAX_CURVE_POINTS and len(pr.precision) <= MAX_CURVE_POINTS
    assert drawn_area(roc.fpr, roc.tpr) == pytest.approx(roc_auc_score(y, scores), abs=0.01)
    assert (roc.fpr[0], roc.tpr[0], roc.fpr[-1], roc.tpr[-1]) == (1, 1, 0, 0)
    assert drawn_area(pr.recall, pr.precision) == pytest.approx(average_precision_score(y, scores), abs=0.01)
    assert (pr.recall[0], pr.recall[-1], pr.precision[-1]) == (1, 0, 1)


def test_thinning_keeps_every_corner_of_a_staircase():
    x = np.repeat(np.linspace(0, 1, 11), 2)[1:]  # a staircase with collinear points in between
    y = np.repeat(np.linspace(0, 1, 11), 2)[:-1]
    x, y = np.insert(x, 1, 0.05), np.insert(y, 1, 0.0)  # one point on a straight segment
    keep = thin_curve(x, y, max_points=len(x) - 1)
    assert 1 not in keep and len(keep) == len(x) - 1


def test_a_class_missing_from_the_labels_has_no_curve(tmp_path):
    y = np.array([0, 0, 2, 2, 0])
    probs = np.random.default_rng(0).dirichlet(np.ones(3), 5)
    assert sorted(logged_curves(tmp_path, "roc", y, probs, ["a", "b", "c"])) == ["a", "c"]


def test_the_printed_visualdl_command_serves_the_board_on_127_0_0_1(tmp_path):
    """The command exactly as printed (no activated venv needed) starts VisualDL and serves the run's tags."""
    with RunLogger(tmp_path, "run-a") as log:
        log.scalar("train/loss", 1.0, 0)
    port = free_port()
    command = visualdl_command(tmp_path, port=port)
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/bin:/bin"  # as in a fresh terminal: the venv's bin/ is not on the PATH
    board = subprocess.Popen(shlex.split(command), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True)
    try:
        page = fetch_when_up(visualdl_url(port) + "/", board, seconds=90)
        tags = json.loads(fetch_when_up(visualdl_url(port) + "/app/api/scalar/tags", board, seconds=30))
    finally:
        os.killpg(board.pid, signal.SIGTERM)  # the board's own process group (start_new_session)
        output = board.communicate(timeout=30)[0].decode(errors="replace")
    assert page is not None, f"no page at {visualdl_url(port)} within 90 s:\n{output[-2000:]}"
    assert "<html" in page.lower() and "run-a" in json.dumps(tags), tags


def fetch_when_up(url, server, seconds):
    """The text at url once the server answers, or None after ``seconds`` or when it has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            return urllib.request.urlopen(url, timeout=5).read().decode()
        except OSError:
            time.sleep(0.5)
    return None


def test_the_readme_shows_the_command_the_course_prints():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert visualdl_command("runs", python=".venv/bin/python") in readme
