"""The course's metrics equal scikit-learn's exactly, and the hand-derived kappa equals the library's."""
import numpy as np
import pytest
from sklearn import metrics as skm

from paddle_models import metrics


def random_predictions(classes, n=200, seed=0):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, n)
    logits = rng.normal(size=(n, classes)) + 2.0 * np.eye(classes)[y_true]  # better than chance
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y_true, probs


@pytest.mark.parametrize("classes", [2, 5])
def test_metrics_equal_sklearn(classes):
    y_true, probs = random_predictions(classes)
    y_pred = probs.argmax(axis=1)
    assert metrics.accuracy(y_true, probs) == skm.accuracy_score(y_true, y_pred)
    assert (metrics.confusion_matrix(y_true, probs) == skm.confusion_matrix(y_true, y_pred)).all()
    assert metrics.quadratic_kappa(y_true, probs) == skm.cohen_kappa_score(y_true, y_pred, weights="quadratic")
    expected_auc = (skm.roc_auc_score(y_true, probs[:, 1]) if classes == 2
                    else skm.roc_auc_score(y_true, probs, multi_class="ovr", average="macro"))
    assert metrics.roc_auc(y_true, probs) == pytest.approx(expected_auc, abs=1e-12)
    report = metrics.per_class_report(y_true, probs)
    precision, recall, f1, support = skm.precision_recall_fscore_support(y_true, y_pred)
    assert [r["f1"] for r in report] == list(f1) and [r["support"] for r in report] == list(support)
    assert [r["precision"] for r in report] == list(precision) and [r["recall"] for r in report] == list(recall)


def test_kappa_by_hand_equals_sklearn():
    y_true, probs = random_predictions(5, seed=3)
    confusion = metrics.confusion_matrix(y_true, probs)
    expected = skm.cohen_kappa_score(y_true, probs.argmax(axis=1), weights="quadratic")
    assert metrics.quadratic_kappa_by_hand(confusion) == pytest.approx(expected, abs=1e-12)


def test_expected_grades_are_the_grades_of_least_expected_quadratic_cost():
    _, probs = random_predictions(5, n=500, seed=4)
    grades = np.arange(5)
    expected_cost = probs @ (grades[:, None] - grades[None, :]) ** 2.0   # [N, guess]
    assert (metrics.expected_grades(probs) == expected_cost.argmin(axis=1)).all()
    assert (metrics.expected_grades(probs) != probs.argmax(axis=1)).any()   # not just argmax again
    assert metrics.expected_grades(np.array([[0.5, 0, 0.1, 0.4, 0]])).tolist() == [1]  # the docstring's eye
    assert (metrics.expected_grades(np.eye(5)) == grades).all()              # a sure grader keeps its grade
    assert metrics.expected_grade(np.array([[0.5, 0, 0.1, 0.4, 0]])) == pytest.approx([1.4])


def test_binary_sensitivity_specificity_and_1d_probabilities():
    y_true = np.array([1, 1, 1, 0, 0, 0, 0, 1])
    p_disease = np.array([0.9, 0.8, 0.3, 0.1, 0.6, 0.2, 0.4, 0.7])
    sensitivity, specificity = metrics.sensitivity_specificity(y_true, p_disease)
    assert sensitivity == 3 / 4 and specificity == 3 / 4
    assert metrics.roc_auc(y_true, p_disease) == skm.roc_auc_score(y_true, p_disease)
    scores = metrics.evaluate_predictions(y_true, p_disease)
    assert set(scores) == {"acc", "auc", "kappa", "f1_macro", "sensitivity", "specificity"}


def test_confusion_matrix_is_square_even_if_a_class_is_never_predicted():
    probs = np.tile([0.7, 0.2, 0.1], (4, 1))
    assert metrics.confusion_matrix([0, 1, 2, 0], probs).shape == (3, 3)


def test_auc_with_one_class_is_nan_with_a_warning():
    with pytest.warns(UserWarning, match="undefined"):
        assert np.isnan(metrics.roc_auc([1, 1, 1], [0.2, 0.6, 0.9]))


def test_roc_curves_one_vs_rest():
    y_true, probs = random_predictions(3)
    curves = metrics.roc_curves(y_true, probs)
    assert sorted(curves) == [0, 1, 2]
    fpr, tpr, _ = skm.roc_curve(y_true == 2, probs[:, 2])
    assert np.array_equal(curves[2][0], fpr) and np.array_equal(curves[2][1], tpr)


def test_proportion_interval_is_wilsons_by_hand():
    """The Wilson score interval: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    z = 1.959963984540054
    for successes, total in ((4, 5), (81, 263), (0, 10), (30, 30)):
        p = successes / total
        centre = (p + z * z / (2 * total)) / (1 + z * z / total)
        half = z / (1 + z * z / total) * np.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
        low, high = metrics.proportion_interval(successes, total)
        assert (low, high) == pytest.approx((max(0.0, centre - half), min(1.0, centre + half)), abs=1e-9)
    assert metrics.proportion_interval(4, 5) == pytest.approx((0.3755, 0.9638), abs=1e-4)
    assert np.isnan(metrics.proportion_interval(0, 0)).all()


def test_per_class_recall_has_an_interval_and_a_too_few_flag():
    y_true = np.array([0] * 40 + [1] * 5)
    predicted = np.array([0] * 36 + [1] * 4 + [1] * 4 + [0])  # recall 36/40 and 4/5
    rows = metrics.per_class_report(y_true, np.eye(2)[predicted])
    assert rows[1]["recall"] == 0.8 and rows[1]["too_few"] and not rows[0]["too_few"]
    assert (rows[1]["recall_low"], rows[1]["recall_high"]) == metrics.proportion_interval(4, 5)
    assert rows[0]["recall_high"] - rows[0]["recall_low"] < rows[1]["recall_high"] - rows[1]["recall_low"]


def test_bootstrap_interval_of_a_proportion_is_near_the_binomial_one_and_seeded():
    y = np.array([1] * 80 + [0] * 20)
    low, high = metrics.bootstrap_interval(np.mean, y, n_resamples=2000, seed=3)
    wilson = metrics.proportion_interval(80, 100)  # 0.711-0.867
    assert low == pytest.approx(wilson[0], abs=0.03) and high == pytest.approx(wilson[1], abs=0.03)
    assert metrics.bootstrap_interval(np.mean, y, n_resamples=200, seed=3) == metrics.bootstrap_interval(
        np.mean, y, n_resamples=200, seed=3)
