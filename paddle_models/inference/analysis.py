"""Error analysis: which classes are confused, and which cases were graded too low.

Accuracy says how often a model is wrong; these functions say *how*.  For DR screening the
direction matters: predicting grade 3 for a grade-1 eye sends a patient for an unnecessary exam,
predicting grade 1 for a grade-3 eye misses disease.  ``under_graded`` lists the second kind,
worst first.

All functions take integer class indices: ``y_true`` [N] and ``y_pred`` [N] (use
``probs.argmax(axis=1)`` for predictions).
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import numpy as np


def _labels(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {len(y_true)} entries, y_pred {len(y_pred)}")
    return y_true, y_pred


def _name(class_names, k) -> str:
    return str(class_names[k]) if class_names is not None and k < len(class_names) else str(k)


def confusion_counts(y_true, y_pred, num_classes: Optional[int] = None) -> np.ndarray:
    """Confusion matrix [C, C]: entry [t, p] counts images of true class t predicted as p."""
    y_true, y_pred = _labels(y_true, y_pred)
    num_classes = num_classes or int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    confusion = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)  # one count per image
    return confusion


def misclassified_indices(y_true, y_pred) -> np.ndarray:
    """Indices i where y_pred[i] != y_true[i], ascending."""
    y_true, y_pred = _labels(y_true, y_pred)
    return np.flatnonzero(y_true != y_pred)


def error_table(y_true, y_pred, class_names: Optional[Sequence[str]] = None) -> List[dict]:
    """Every (true, predicted) pair of *different* classes that occurs, most frequent first.

    Each row: true, predicted (indices), true_name, predicted_name, count, and fraction_of_true
    (count / number of images of the true class: the share of that class lost to this confusion).
    Ties in count are ordered by true class, then predicted class.
    """
    y_true, y_pred = _labels(y_true, y_pred)
    confusion = confusion_counts(y_true, y_pred, len(class_names) if class_names is not None else None)
    support = confusion.sum(axis=1)  # images per true class
    rows = [
        {"true": t, "predicted": p, "true_name": _name(class_names, t), "predicted_name": _name(class_names, p),
         "count": int(confusion[t, p]), "fraction_of_true": float(confusion[t, p] / support[t])}
        for t, p in np.argwhere(confusion).tolist() if t != p
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["true"], row["predicted"]))


def _class_count(y_true, y_pred, class_names, num_classes) -> int:
    """``num_classes``, else the number of names, else the largest label seen + 1."""
    if num_classes:
        return num_classes
    if class_names is not None:
        return len(class_names)
    return int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1


def per_class_errors(y_true, y_pred, class_names: Optional[Sequence[str]] = None,
                     num_classes: Optional[int] = None) -> List[dict]:
    """Per true class: support, correct, errors, recall, and the class it is most often mistaken for."""
    y_true, y_pred = _labels(y_true, y_pred)
    num_classes = _class_count(y_true, y_pred, class_names, num_classes)
    rows = []
    for k in range(num_classes):
        predicted = y_pred[y_true == k]
        wrong = predicted[predicted != k]
        most_confused = int(np.bincount(wrong).argmax()) if len(wrong) else None
        rows.append({"class": k, "name": _name(class_names, k), "support": int(len(predicted)),
                     "correct": int(len(predicted) - len(wrong)), "errors": int(len(wrong)),
                     "recall": float((len(predicted) - len(wrong)) / len(predicted)) if len(predicted) else float("nan"),
                     "most_confused_with": None if most_confused is None else _name(class_names, most_confused)})
    return rows


def per_predicted_class_errors(y_true, y_pred, class_names: Optional[Sequence[str]] = None,
                               num_classes: Optional[int] = None) -> List[dict]:
    """Per *predicted* class: how many images got that answer, how many wrongly, precision, and
    the true class most often behind its wrong answers.

    ``per_class_errors`` asks "of the grade-3 eyes, how many were missed?"; this asks "when the
    model says grade 0, how often is it wrong, and what were those eyes really?" -- the question a
    screening programme asks of every "no DR" it sends home.
    """
    y_true, y_pred = _labels(y_true, y_pred)
    num_classes = _class_count(y_true, y_pred, class_names, num_classes)
    rows = []
    for k in range(num_classes):
        truth = y_true[y_pred == k]
        wrong = truth[truth != k]
        most_common = int(np.bincount(wrong).argmax()) if len(wrong) else None
        precision = (len(truth) - len(wrong)) / len(truth) if len(truth) else float("nan")
        rows.append({"class": k, "name": _name(class_names, k), "predicted": int(len(truth)),
                     "correct": int(len(truth) - len(wrong)), "errors": int(len(wrong)),
                     "precision": float(precision),
                     "most_often_really": None if most_common is None else _name(class_names, most_common)})
    return rows


def _graded(y_true, y_pred, files, lower: bool) -> List[dict]:
    y_true, y_pred = _labels(y_true, y_pred)
    wrong = np.flatnonzero(y_pred < y_true if lower else y_pred > y_true)
    rows = [{"index": int(i), "file": None if files is None else str(files[i]), "true": int(y_true[i]),
             "predicted": int(y_pred[i]), "grades_off": int(abs(y_true[i] - y_pred[i]))} for i in wrong]
    return sorted(rows, key=lambda row: (-row["grades_off"], row["index"]))


def under_graded(y_true, y_pred, files: Optional[Sequence[str]] = None) -> List[dict]:
    """Cases predicted *lower* than the truth (missed or under-estimated disease), worst first.

    Each row: index, file (if ``files`` given), true, predicted, grades_off (= true - predicted).
    Meaningful when class indices are ordered by severity (DR grades 0-4; PM: 0 normal, 1 PM).
    """
    return _graded(y_true, y_pred, files, lower=True)


def over_graded(y_true, y_pred, files: Optional[Sequence[str]] = None) -> List[dict]:
    """Cases predicted *higher* than the truth (false alarms), worst first; rows as ``under_graded``."""
    return _graded(y_true, y_pred, files, lower=False)


def format_error_table(rows: List[dict], limit: int = 10) -> str:
    """The first ``limit`` rows of ``error_table`` as aligned text, for printing in a lesson."""
    lines = [f"{'true':>16}  {'predicted':>16}  {'count':>5}  {'% of true':>9}"]
    for row in rows[:limit]:
        lines.append(f"{row['true_name']:>16}  {row['predicted_name']:>16}  {row['count']:>5}  "
                     f"{100 * row['fraction_of_true']:>8.1f}%")
    return "\n".join(lines)
