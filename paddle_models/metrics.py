"""How good is a classifier?  Accuracy, confusion matrix, kappa, ROC/AUC, precision/recall/F1.

Everything here is computed by scikit-learn, so the numbers are exactly the library's; this module
only fixes the conventions of the course:

* ``y_true`` holds class indices [N]; ``probs`` holds class probabilities [N, C] (C >= 2).  For the
  binary task a 1-D array of positive-class probabilities is accepted too.
* confusion matrices are always C x C (a class nobody predicted still gets its row and column);
* AUC needs both classes in ``y_true``: with one class it is undefined, so the result is nan with a
  warning rather than a crash in the middle of training.

Lesson 8 derives the quadratic weighted kappa (二次加权 Kappa) by hand with
``quadratic_kappa_by_hand`` and checks it against ``cohen_kappa_score``.

How sure is a number?  A recall of 4 / 5 and one of 800 / 1000 are both 0.8; only the second
means much.  ``proportion_interval`` gives the 95 % Wilson interval of a proportion (scipy's
``binomtest``): 4 / 5 -> 0.38-0.96, 800 / 1000 -> 0.77-0.82.  ``bootstrap_interval`` gives one for
any metric by resampling the images (``scipy.stats.bootstrap``, seeded).  ``per_class_report`` adds
each recall's interval and ``too_few`` for a class with fewer than ``MIN_SUPPORT`` images.
"""
from __future__ import annotations

import inspect
import warnings
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy.stats import binomtest, bootstrap
from sklearn import metrics as skm

# The scalar metrics ``evaluate_predictions`` computes every epoch (sensitivity and specificity for
# binary tasks only).  The engine logs them as val/<name>; TrainConfig.monitor may name any of them.
EPOCH_METRICS = ("acc", "auc", "kappa", "f1_macro", "sensitivity", "specificity")
BINARY_ONLY_METRICS = ("sensitivity", "specificity")

MIN_SUPPORT = 30
"""Fewer images than this in a class and its recall is flagged ``too_few``: with 30 images a recall of
0.8 still has the 95 % interval 0.63-0.90 (Wilson); with 5, 0.38-0.96.  Course's choice."""
BOOTSTRAP_RESAMPLES = 1000


def epoch_metric_names(num_classes: int) -> tuple:
    """The metrics ``evaluate_predictions`` computes for ``num_classes`` classes (a training run's monitors)."""
    return tuple(name for name in EPOCH_METRICS if num_classes == 2 or name not in BINARY_ONLY_METRICS)


def as_probs(probs) -> np.ndarray:
    """[N, C] class probabilities; a 1-D array is read as P(class 1) of a binary task."""
    probs = np.asarray(probs, dtype=np.float64)
    return np.stack([1 - probs, probs], axis=1) if probs.ndim == 1 else probs


def predicted_classes(probs) -> np.ndarray:
    """The most probable class of each sample, [N]."""
    return as_probs(probs).argmax(axis=1)


def expected_grade(probs) -> np.ndarray:
    """E = sum_g g * P(g), the mean grade under each row of probabilities, [N] (not rounded)."""
    probs = as_probs(probs)
    return probs @ np.arange(probs.shape[1])


def expected_grades(probs) -> np.ndarray:
    """The grade that quadratic kappa charges least for: the expected grade, rounded, [N].

    Argmax picks the most probable grade; that makes the fewest mistakes, however far off they are.
    Quadratic kappa charges a miss by k grades k**2.  For probabilities P(g) and a guess k the
    expected charge is  sum_g P(g) (k - g)**2 = (k - E)**2 + Var,  with E = sum_g g P(g): it is
    smallest at the grade nearest to E (lesson 7).  An eye 50 % grade 0, 10 % grade 2 and 40 %
    grade 3 is "0" by argmax (a three-grade miss 40 % of the time) but "1" here (E = 1.4).
    """
    return np.rint(expected_grade(probs)).astype(int)


def accuracy(y_true, probs) -> float:
    return float(skm.accuracy_score(y_true, predicted_classes(probs)))


def confusion_matrix(y_true, probs) -> np.ndarray:
    """C x C counts: row = true class, column = predicted class."""
    probs = as_probs(probs)
    return skm.confusion_matrix(y_true, probs.argmax(axis=1), labels=np.arange(probs.shape[1]))


def quadratic_kappa(y_true, probs) -> float:
    """Cohen's kappa with quadratic weights: agreement beyond chance, far-off grades cost more."""
    probs = as_probs(probs)
    value = skm.cohen_kappa_score(y_true, probs.argmax(axis=1), weights="quadratic",
                                  labels=np.arange(probs.shape[1]))
    return float(np.nan_to_num(value, nan=0.0))  # nan when truth and prediction are one class each


def quadratic_kappa_by_hand(confusion: np.ndarray) -> float:
    """The teaching version of the quadratic kappa, from a confusion matrix O (C x C).

    W[i, j] = (i - j)^2 / (C - 1)^2  penalises a grade-i image predicted as grade j
    E = outer(row sums, column sums) / N   the confusion expected if predictions were random
    kappa = 1 - sum(W * O) / sum(W * E)
    """
    observed = np.asarray(confusion, dtype=np.float64)
    classes = observed.shape[0]
    i, j = np.meshgrid(np.arange(classes), np.arange(classes), indexing="ij")
    weights = (i - j) ** 2 / (classes - 1) ** 2
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    return float(1.0 - (weights * observed).sum() / (weights * expected).sum())


def roc_auc(y_true, probs) -> float:
    """Binary: AUC of P(class 1).  Multi-class: the macro average of one-vs-rest AUCs."""
    probs, y_true = as_probs(probs), np.asarray(y_true)
    present = np.unique(y_true)
    if len(present) < 2:
        warnings.warn(f"AUC is undefined when y_true holds one class only ({present.tolist()}): nan")
        return float("nan")
    if probs.shape[1] == 2:
        return float(skm.roc_auc_score(y_true, probs[:, 1]))
    columns = [c for c in range(probs.shape[1]) if c in present]  # a class absent from y_true has no curve
    scores = [skm.roc_auc_score(y_true == c, probs[:, c]) for c in columns]
    return float(np.mean(scores))


def roc_curves(y_true, probs) -> Dict[int, tuple]:
    """(false positive rate, true positive rate, thresholds) per class, one-vs-rest; binary: class 1 only."""
    probs, y_true = as_probs(probs), np.asarray(y_true)
    classes = [1] if probs.shape[1] == 2 else range(probs.shape[1])
    return {c: skm.roc_curve(y_true == c, probs[:, c]) for c in classes if 0 < (y_true == c).sum() < len(y_true)}


def per_class_report(y_true, probs, class_names: Optional[Sequence[str]] = None) -> List[dict]:
    """Precision, recall, F1 and support of every class; the recall's 95 % interval
    (``recall_low``, ``recall_high``) and ``too_few`` when the class has fewer than MIN_SUPPORT images."""
    probs = as_probs(probs)
    labels = np.arange(probs.shape[1])
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, probs.argmax(axis=1), labels=labels, zero_division=0)
    names = list(class_names) if class_names is not None else [str(c) for c in labels]
    found = np.asarray(skm.confusion_matrix(y_true, probs.argmax(axis=1), labels=labels)).diagonal()
    rows = []
    for c in labels:
        low, high = proportion_interval(int(found[c]), int(support[c]))
        rows.append(dict(name=names[c], precision=float(precision[c]), recall=float(recall[c]), f1=float(f1[c]),
                         support=int(support[c]), recall_low=low, recall_high=high,
                         too_few=bool(support[c] < MIN_SUPPORT)))
    return rows


def proportion_interval(successes: int, total: int, confidence: float = 0.95) -> Tuple[float, float]:
    """The Wilson score interval of ``successes / total`` (scipy ``binomtest(...).proportion_ci``).

    The course's one interval for a proportion -- a recall, a sensitivity, the share of gradable
    photographs.  Wilson's interval stays inside 0..1 and keeps close to its nominal 95 % even for a
    handful of images, where the textbook p +- 1.96 sqrt(p(1-p)/n) does not.  (nan, nan) for total 0.
    """
    if total <= 0:
        return float("nan"), float("nan")
    interval = binomtest(int(successes), int(total)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


def bootstrap_interval(statistic: Callable, *arrays, n_resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0,
                       confidence: float = 0.95) -> Tuple[float, float]:
    """A percentile bootstrap interval of ``statistic(*arrays)``, resampling the images (rows) together.

    ``scipy.stats.bootstrap`` draws ``n_resamples`` samples of the images with replacement (seeded:
    the same interval every run) and takes the 2.5th and 97.5th percentiles of the statistic.  A
    resample where the statistic is undefined (an AUC without positives) makes it (nan, nan): too few
    images for an interval.
    """
    generator = np.random.default_rng(seed)
    seeding = {"rng": generator} if "rng" in inspect.signature(bootstrap).parameters else {"random_state": generator}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a degenerate distribution is reported as nan below
        result = bootstrap(tuple(np.asarray(array) for array in arrays), statistic, paired=True, vectorized=False,
                           n_resamples=n_resamples, confidence_level=confidence, method="percentile", **seeding)
    low, high = result.confidence_interval
    return float(low), float(high)


def sensitivity_specificity(y_true, probs) -> tuple:
    """Binary task: sensitivity (recall of the disease, 灵敏度) and specificity (recall of healthy, 特异度)."""
    (tn, fp), (fn, tp) = confusion_matrix(y_true, probs)
    sensitivity = tp / (tp + fn) if tp + fn else float("nan")
    specificity = tn / (tn + fp) if tn + fp else float("nan")
    return float(sensitivity), float(specificity)


def evaluate_predictions(y_true, probs, class_names=None) -> Dict[str, float]:
    """The scalar metrics logged every epoch: acc, auc, kappa, f1_macro (+ sensitivity, specificity)."""
    probs, y_true = as_probs(probs), np.asarray(y_true)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an undefined AUC early in training is reported as nan
        results = {
            "acc": accuracy(y_true, probs),
            "auc": roc_auc(y_true, probs),
            "kappa": quadratic_kappa(y_true, probs),
            "f1_macro": float(skm.f1_score(y_true, probs.argmax(axis=1), average="macro",
                                           labels=np.arange(probs.shape[1]), zero_division=0)),
        }
    if "sensitivity" in epoch_metric_names(probs.shape[1]):
        results["sensitivity"], results["specificity"] = sensitivity_specificity(y_true, probs)
    return results
