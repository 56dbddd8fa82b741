"""Evaluation: run a model over a dataset without gradients, then compute the metrics.

The model is put in evaluation mode (dropout off, batch norm uses its running statistics, GoogLeNet
returns its main head only).  Under multi-device training each rank evaluates every world_size-th
image and the predictions are gathered, so all ranks see the metrics of the whole split.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional

import numpy as np
import paddle

from ..metrics import evaluate_predictions
from . import distributed
from ..models import evaluating
from ..tasks import default_loss, to_probabilities
from .loader import make_loader
from .losses import NonFiniteLossError, TaskLoss, main_output, non_finite_advice


@dataclass
class EvalResult:
    y_true: np.ndarray  # [N] class indices
    probs: np.ndarray  # [N, C] class probabilities
    loss: float
    metrics: Dict[str, float] = field(default_factory=dict)  # acc, auc, kappa, f1_macro, ...
    logits: Optional[np.ndarray] = None  # [N, K] the model's outputs (for temperature scaling)

    @property
    def y_pred(self) -> np.ndarray:
        return self.probs.argmax(axis=1)


def predict_logits(model, dataset, batch_size: int = 32, across_ranks: bool = True):
    """(labels [N], logits [N, K]) of ``model`` on ``dataset``, in dataset order.

    ``across_ranks``: in multi-device runs, split the work between the ranks (all must call this).
    """
    ranks = distributed.world_size() if across_ranks else 1
    shard = np.arange(distributed.rank() if across_ranks else 0, len(dataset), ranks)
    subset = dataset if len(shard) == len(dataset) else paddle.io.Subset(dataset, shard.tolist())
    loader = make_loader(subset, batch_size, train=False)  # a failed read is raised here, naming the file
    labels, logits = [], []
    with evaluating(model), paddle.no_grad():
        for images, batch_labels in loader:
            logits.append(main_output(model(images)).numpy())
            labels.append(np.asarray(batch_labels).reshape(-1))
    labels = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    logits = np.concatenate(logits) if logits else np.zeros((0, 1), np.float32)
    if ranks == 1:
        return labels, logits
    return (distributed.gather_predictions(shard, labels, len(dataset)),
            distributed.gather_predictions(shard, logits, len(dataset)))


def evaluate(model, dataset, batch_size: int = 32, task: str = "multiclass", loss: Optional[TaskLoss] = None,
             class_names=None, across_ranks: bool = True, learning_rate: Optional[float] = None) -> EvalResult:
    """Loss and metrics of ``model`` on a labelled ``dataset``.

    Non-finite outputs (weights that diverged in the last steps) raise NonFiniteLossError, with
    the same advice as a non-finite training loss; ``learning_rate`` is quoted in it.
    """
    labels, logits = predict_logits(model, dataset, batch_size, across_ranks)
    if not np.isfinite(logits).all():
        raise NonFiniteLossError(non_finite_advice(
            f"the model's outputs contain NaN or infinity on {getattr(dataset, 'split', None) or 'the'} "
            "split: its weights diverged", learning_rate))
    if loss is None:
        loss = TaskLoss(default_loss(task), num_classes=logits.shape[1])
    value = float(loss(paddle.to_tensor(logits), paddle.to_tensor(labels)).item()) if len(labels) else float("nan")
    probs = to_probabilities(logits, task)
    return EvalResult(labels, probs, value, evaluate_predictions(labels, probs, class_names), logits)


def predict_probs(model, dataset, batch_size: int = 32, task: str = "multiclass") -> np.ndarray:
    """Class probabilities [N, C] of ``model`` on ``dataset`` (labels are not needed)."""
    return to_probabilities(predict_logits(model, dataset, batch_size)[1], task)
