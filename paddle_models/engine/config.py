"""Every setting of a training run in one dataclass (saved in checkpoints and logged as hparams).

Each field is declared with ``paddle_models.settings.setting``: its default, allowed values, a check
and its help text.  The command line's options, the recipes' keys and their validation are derived
from these declarations (see paddle_models/settings.py), so this file is the one place to add one.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

from ..metrics import EPOCH_METRICS
from ..settings import (SettingsError, at_least, folder_name, non_negative, positive, probability, setting,
                        validate)
from ..tasks import LOSSES, task_of_loss

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")
SCHEDULES = ("constant", "step", "cosine")
SAMPLERS = ("shuffle", "balanced")


def monitors(metric_names=EPOCH_METRICS) -> tuple:
    """What ``monitor`` may name: the validation metrics computed every epoch, and the losses."""
    return ("val/loss", *(f"val/{name}" for name in metric_names), "train/loss", "train/acc", "train/auc")


MONITORS = monitors()  # for some data fewer: sensitivity and specificity need two classes (Trainer checks)


@dataclass
class TrainConfig:
    """How the model is trained: optimizer, schedule, loss, model selection and machinery."""

    # how long, how big
    epochs: int = setting(10, "number of passes over the training set", check=at_least(1), resumable=True)
    batch_size: int = setting(16, "images per optimizer step", check=at_least(1))
    # optimizer (优化器) and learning rate
    optimizer: str = setting("momentum", "the optimizer", choices=OPTIMIZERS)
    lr: float = setting(1e-3, "learning rate", check=positive)
    momentum: float = setting(0.9, "momentum of momentum SGD", check=probability)
    weight_decay: Optional[float] = setting(
        None, "L2 weight decay (None: 0, or AdamW's own 0.01; an explicit 0 means none)", check=non_negative)
    l1_decay: float = setting(0.0, "L1 regularisation strength (sum of |w| added to the loss)", check=non_negative)
    schedule: str = setting("constant", "learning-rate schedule", choices=SCHEDULES)
    step_epochs: Optional[int] = setting(None, "step schedule: lr x0.1 every this many epochs (default epochs // 3)",
                                         check=at_least(1))
    warmup_epochs: float = setting(0.0, "linear warm-up from lr/10 over this many epochs", check=non_negative)
    # loss
    loss: str = setting("ce", "ce, weighted_ce (1/class frequency), bce (one logit) or ordinal", choices=LOSSES)
    label_smoothing: float = setting(0.0, "cross-entropy label smoothing", check=probability)
    aux_weight: float = setting(0.3, "weight of GoogLeNet's auxiliary losses (0: heads ignored)", check=non_negative)
    grad_clip: Optional[float] = setting(None, "clip the global gradient norm to this value", check=positive)
    sampler: str = setting("shuffle", "shuffle, or balanced (class-balanced batches for imbalanced data)",
                           choices=SAMPLERS)
    precise_bn: int = setting(0, "before each validation, recompute batch-norm statistics from this many "
                                 "training images with the epoch's final weights (0: off; engine/batchnorm.py)",
                              check=at_least(0))
    # model selection
    monitor: str = setting("val/acc", "the metric that chooses the best epoch", choices=MONITORS)
    patience: Optional[int] = setting(None, "early stopping: epochs without improvement of monitor",
                                      check=at_least(1), resumable=True)
    # machinery
    device: Optional[str] = setting(None, "cpu, gpu or gpu:N (default: gpu when there is one)", hparam=False,
                                    resumable=True)
    amp: str = setting("auto", "mixed precision (auto: on with a GPU)", choices=("auto", "on", "off"),
                       hparam=False, resumable=True)
    seed: int = setting(0, "random seed: weights, shuffling, augmentation, subsets", check=at_least(0))
    num_workers: int = setting(0, "DataLoader worker processes", check=at_least(0), hparam=False,
                               resumable=True)
    log_dir: str = setting("runs", "parent folder of the VisualDL logs", hparam=False, resumable=True)
    run_name: Optional[str] = setting(None, "sub-folder name for this run's logs and checkpoints "
                                            "(default: <data>-<model> on the command line, else 'run')", hparam=False,
                                     check=folder_name)
    output_dir: Optional[str] = setting(None, "where checkpoints go (default: the run's folder)", hparam=False,
                                        resumable=True)
    resume: bool = setting(False, "continue the run from its last checkpoint (last.pdckpt)", hparam=False,
                           resumable=True)
    overwrite: bool = setting(False, "replace the run already in the run folder (its checkpoints and VisualDL "
                                     "log); without it, a fresh run into such a folder is refused", hparam=False,
                              resumable=True)
    save_last: bool = setting(True, "write last.pdckpt every epoch so --resume can continue "
                                    "(off saves time and disk)", hparam=False)
    progress: bool = setting(True, "tqdm progress bars", cli=False, hparam=False, resumable=True)

    def __post_init__(self):
        validate(self)
        if self.device is not None and not (self.device == "cpu" or self.device.startswith("gpu")):
            raise SettingsError(f"device must be cpu, gpu or gpu:N, got {self.device!r}")
        if self.warmup_epochs >= self.epochs:
            raise SettingsError(f"warmup_epochs ({self.warmup_epochs}) must be below epochs ({self.epochs}): "
                                "the learning rate would never reach lr. Pass fewer --warmup-epochs or more --epochs")
        if self.run_name is None:
            self.run_name = "run"
        if self.output_dir is None:
            self.output_dir = f"{self.log_dir}/{self.run_name}"

    @property
    def task(self) -> str:
        """How outputs become probabilities: multiclass (softmax), binary_logit (sigmoid), ordinal."""
        return task_of_loss(self.loss)

    @property
    def monitor_mode(self) -> str:
        """Losses are minimised, every other metric maximised."""
        return "min" if self.monitor.endswith("loss") else "max"

    def to_dict(self) -> dict:
        return asdict(self)
