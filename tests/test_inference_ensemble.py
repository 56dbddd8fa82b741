"""Ensembles (averages and votes, checked by hand) and error analysis."""
import numpy as np
import paddle
import pytest

from paddle_models.data import PreprocessConfig
from paddle_models.inference import (DygraphPredictor, Ensemble, Predictor, average_probs, error_table,
                                     export_model, format_error_table, majority_vote, misclassified_indices,
                                     over_graded, per_class_errors, under_graded)
from paddle_models.models import build

A = np.array([[0.9, 0.1, 0.0], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]])
B = np.array([[0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]])
C = np.array([[0.2, 0.7, 0.1], [0.3, 0.4, 0.3], [0.3, 0.3, 0.4]])


def test_average_probs_by_hand():
    np.testing.assert_allclose(average_probs([A, B]), [[0.75, 0.2, 0.05], [0.15, 0.35, 0.5], [0.2, 0.3, 0.5]])
    np.testing.assert_allclose(average_probs([A, B], weights=[3, 1])[0], [0.825, 0.15, 0.025])
    with pytest.raises(ValueError):
        average_probs([])
    with pytest.raises(ValueError):
        average_probs([A, B], weights=[1])


def test_majority_vote_by_hand():
    # image 0: votes 0, 0, 1 -> 0.  image 1: votes 1, 2, 1 -> 1.  image 2: votes 2, 1, 2 -> 2
    np.testing.assert_array_equal(majority_vote([A, B, C]), [0, 1, 2])
    # two members that disagree: a tie, broken by the higher mean probability
    # image 0: A votes 0, C votes 1; mean probability of class 0 is 0.55, of class 1 0.4 -> 0
    np.testing.assert_array_equal(majority_vote([A, C]), [0, 1, 2])
    # image 1: B votes 2 (mean of B, C for class 2: 0.5), C votes 1 (0.3) -> 2
    np.testing.assert_array_equal(majority_vote([B, C])[1], 2)
    # bare labels: ties go to the lowest class index
    np.testing.assert_array_equal(majority_vote([np.array([2, 1, 0]), np.array([1, 1, 2])]), [1, 1, 0])
    np.testing.assert_array_equal(majority_vote([np.array([3, 0]), np.array([3, 1]), np.array([0, 1])]), [3, 1])


def test_ensemble_of_exported_and_dygraph_models(pm_root, tmp_path):
    paddle.seed(0)
    names = ["non-PM", "PM"]
    first = build("lenet", num_classes=2, input_size=32, activation="relu")
    second = build("convmixer_small", num_classes=2)
    meta1 = {"class_names": names, "preprocess": PreprocessConfig(image_size=32).to_dict()}
    meta2 = {"class_names": names, "preprocess": PreprocessConfig(image_size=48, normalize="course").to_dict()}
    export_model(first, tmp_path / "first", meta=meta1)
    images = sorted((pm_root / "PALM-Validation400").glob("*.jpg"))[:5]
    p1 = Predictor(tmp_path / "first").predict_images(images).probs
    p2 = DygraphPredictor(second, meta2).predict_images(images).probs

    averaged = Ensemble([tmp_path / "first", (second, meta2)]).predict_images(images, batch_size=2)
    np.testing.assert_allclose(averaged.probs, (p1 + p2) / 2, atol=1e-5)
    np.testing.assert_array_equal(averaged.classes, ((p1 + p2) / 2).argmax(axis=1))
    assert averaged.class_names == names and len(averaged) == 5

    voted = Ensemble([tmp_path / "first", (second, meta2)], method="vote").predict(images)
    np.testing.assert_array_equal(voted.classes, majority_vote([p1, p2]))
    with pytest.raises(ValueError, match="different numbers of classes"):
        Ensemble([tmp_path / "first", build("lenet", num_classes=3, input_size=32)])


Y_TRUE = np.array([0, 0, 1, 1, 2, 2, 2, 3, 4, 4])
Y_PRED = np.array([0, 1, 1, 0, 2, 0, 0, 1, 4, 2])
GRADES = ["none", "mild", "moderate", "severe", "proliferative"]


def test_error_table():
    rows = error_table(Y_TRUE, Y_PRED, GRADES)
    pairs = [(r["true"], r["predicted"], r["count"]) for r in rows]
    assert pairs == [(2, 0, 2), (0, 1, 1), (1, 0, 1), (3, 1, 1), (4, 2, 1)]
    assert rows[0]["true_name"] == "moderate" and rows[0]["predicted_name"] == "none"
    assert rows[0]["fraction_of_true"] == pytest.approx(2 / 3)
    assert "moderate" in format_error_table(rows)
    assert error_table([1, 1], [1, 1]) == []


def test_under_and_over_graded():
    files = [f"img{i}.jpg" for i in range(len(Y_TRUE))]
    under = under_graded(Y_TRUE, Y_PRED, files)
    assert [(r["index"], r["grades_off"]) for r in under] == [(5, 2), (6, 2), (7, 2), (9, 2), (3, 1)]
    assert under[0]["file"] == "img5.jpg" and under[0]["true"] == 2 and under[0]["predicted"] == 0
    assert [r["index"] for r in over_graded(Y_TRUE, Y_PRED)] == [1]
    assert under_graded(Y_TRUE, Y_PRED)[0]["file"] is None


def test_misclassified_and_per_class():
    np.testing.assert_array_equal(misclassified_indices(Y_TRUE, Y_PRED), [1, 3, 5, 6, 7, 9])
    rows = per_class_errors(Y_TRUE, Y_PRED, GRADES)
    assert [r["support"] for r in rows] == [2, 2, 3, 1, 2]
    assert [r["errors"] for r in rows] == [1, 1, 2, 1, 1]
    assert rows[2]["most_confused_with"] == "none" and rows[2]["recall"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        misclassified_indices([0, 1], [0])
