"""The task vocabulary: what a model's outputs mean, which loss trains them, how they become probabilities.

=============  ==========================  ================================  =====================
task           losses that train it         outputs (logits)                  probabilities
=============  ==========================  ================================  =====================
multiclass     ce, weighted_ce              one per class                     softmax
binary_logit   bce                          one: the logit of class 1         [1 - p, p], p = sigmoid
ordinal        ordinal                      one per class, k = "grade >= k"    differences of sigmoids
=============  ==========================  ================================  =====================

Training (engine), evaluation, export, the predictor and Grad-CAM all read these names from here.
"""
from __future__ import annotations

import numpy as np

from .data.ordinal import ordinal_to_class_probs
from .errors import WrongValueError

TASKS = ("multiclass", "binary_logit", "ordinal")
LOSSES = ("ce", "weighted_ce", "bce", "ordinal")
LOSS_TASKS = {"ce": "multiclass", "weighted_ce": "multiclass", "bce": "binary_logit", "ordinal": "ordinal"}


def task_of_loss(loss) -> str:
    """The task a loss trains (``None`` means the default, cross-entropy)."""
    if loss is None:
        return "multiclass"
    if loss not in LOSS_TASKS:
        raise WrongValueError(f"unknown loss {loss!r}; losses: {', '.join(LOSSES)}")
    return LOSS_TASKS[loss]


def default_loss(task: str) -> str:
    """The loss used to score a model of ``task`` when none is given (evaluation of a checkpoint)."""
    return {"binary_logit": "bce", "ordinal": "ordinal"}.get(check_task(task), "ce")


def check_task(task: str) -> str:
    if task not in TASKS:
        raise WrongValueError(f"unknown task {task!r}; tasks: {', '.join(TASKS)}")
    return task


def output_count(task: str, num_classes: int) -> int:
    """How many logits a model of ``task`` needs for ``num_classes`` classes."""
    return 1 if check_task(task) == "binary_logit" else num_classes


def class_count(task: str, num_outputs: int) -> int:
    """The inverse of ``output_count``: how many classes a model with ``num_outputs`` logits predicts."""
    return 2 if check_task(task) == "binary_logit" else num_outputs


def to_probabilities(logits, task: str) -> np.ndarray:
    """Logits [N, K] -> class probabilities [N, C] (NumPy, float64)."""
    logits = np.asarray(logits, dtype=np.float64)
    if check_task(task) == "binary_logit":
        p = 1.0 / (1.0 + np.exp(-logits.reshape(-1)))
        return np.stack([1 - p, p], axis=1)
    if task == "ordinal":
        return ordinal_to_class_probs(1.0 / (1.0 + np.exp(-logits))).astype(np.float64)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
