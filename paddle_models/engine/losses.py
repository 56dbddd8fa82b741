"""Losses by task (the task vocabulary itself, and how outputs become probabilities: paddle_models/tasks.py).

=============  ====================  ==========================================  ===================
``loss``       task                  loss                                        probabilities
=============  ====================  ==========================================  ===================
ce             multiclass            softmax cross-entropy (+ label smoothing)    softmax
weighted_ce    multiclass            cross-entropy weighted by 1/class frequency  softmax
bce            binary_logit          sigmoid BCE on a single logit                [1 - p, p]
ordinal        ordinal               sigmoid BCE on "grade >= k" targets          differences
=============  ====================  ==========================================  ===================

Models return logits; the softmax lives inside ``F.cross_entropy``.  Label smoothing replaces the
one-hot target by ``(1 - eps) * one_hot + eps / C``.  For GoogLeNet, ``TaskLoss`` adds the auxiliary
heads' losses with weight 0.3 (in training only: evaluation sees the main head alone).
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import paddle
import paddle.nn.functional as F

from ..data import ordinal_encode
from ..errors import UserError
from ..models import main_output  # noqa: F401  (re-exported: the engine's users call it from here)
from ..settings import TrainConfig
from ..tasks import to_probabilities  # noqa: F401  (re-exported)


class NonFiniteLossError(UserError, FloatingPointError):
    """The loss or the model's outputs became NaN or infinite: training cannot go on."""


def non_finite_advice(what: str, learning_rate: Optional[float] = None) -> str:
    """The message of a NonFiniteLossError: what happened, and what to try."""
    rate = f" (learning rate {learning_rate:.2e})" if learning_rate is not None else ""
    return (f"{what}{rate}. Try a lower learning rate, gradient "
            "clipping (grad_clip=1.0), and check that the inputs are normalised (no NaN in the images).")


class TaskLoss:
    """``loss(outputs, labels)``: outputs are logits, or GoogLeNet's (main, aux1, aux2) tuple."""

    def __init__(self, loss: str = "ce", num_classes: int = 2, class_weights: Optional[Sequence[float]] = None,
                 label_smoothing: float = 0.0, aux_weight: float = TrainConfig.aux_weight):
        self.loss, self.num_classes = loss, num_classes
        self.weight = None if class_weights is None else paddle.to_tensor(np.asarray(class_weights, "float32"))
        self.label_smoothing, self.aux_weight = label_smoothing, aux_weight

    def __call__(self, outputs, labels):
        if isinstance(outputs, (tuple, list)):  # main + auxiliary heads
            main, *aux = outputs
            return self.single(main, labels) + self.aux_weight * sum(self.single(a, labels) for a in aux)
        return self.single(outputs, labels)

    def single(self, logits, labels):
        labels = labels.astype("int64").reshape([-1])
        if self.loss == "bce":
            return F.binary_cross_entropy_with_logits(logits.reshape([-1]), labels.astype("float32"))
        if self.loss == "ordinal":
            targets = paddle.to_tensor(ordinal_encode(labels.numpy(), self.num_classes))
            return F.binary_cross_entropy_with_logits(logits[:, 1:], targets[:, 1:])  # column 0 is always 1
        weight = self.weight if self.loss == "weighted_ce" else None
        return F.cross_entropy(logits, labels, weight=weight, label_smoothing=self.label_smoothing)
