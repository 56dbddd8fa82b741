"""Every setting of a training run in one dataclass (saved in checkpoints and logged as hparams)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional


@dataclass
class TrainConfig:
    # how long, how big
    epochs: int = 10
    batch_size: int = 16
    # optimiser and learning rate
    optimizer: str = "momentum"  # sgd | momentum | adam | adamw | rmsprop
    lr: float = 1e-3
    momentum: float = 0.9
    weight_decay: float = 0.0
    l1_decay: float = 0.0  # L1 regularisation strength (paddle.regularizer.L1Decay); instead of weight_decay
    schedule: str = "constant"  # constant | step | cosine
    step_epochs: Optional[int] = None  # step schedule: x0.1 every this many epochs (default epochs // 3)
    warmup_epochs: float = 0.0  # linear warm-up from lr/10
    # loss
    loss: str = "ce"  # ce | weighted_ce | bce (one logit) | ordinal
    label_smoothing: float = 0.0
    aux_weight: float = 0.3  # GoogLeNet's auxiliary heads
    grad_clip: Optional[float] = None  # clip the global gradient norm
    sampler: str = "shuffle"  # shuffle | balanced (class-balanced batches for imbalanced data)
    # model selection
    monitor: str = "val/acc"  # val/acc | val/auc | val/kappa | val/f1_macro | val/loss
    patience: Optional[int] = None  # early stopping: epochs without improvement
    # machinery
    device: Optional[str] = None  # cpu | gpu | gpu:N (None: gpu when there is one)
    amp: str = "auto"  # auto (on with a GPU) | on | off
    seed: int = 0
    num_workers: int = 0
    log_dir: str = "runs"
    run_name: str = "run"
    output_dir: Optional[str] = None  # checkpoints (default <log_dir>/<run_name>)
    resume: bool = False
    save_last: bool = True  # write last.pdckpt (weights + optimiser) every epoch, for --resume
    progress: bool = True  # tqdm bars

    def __post_init__(self):
        choices = {"optimizer": ("sgd", "momentum", "adam", "adamw", "rmsprop"),
                   "schedule": ("constant", "step", "cosine"),
                   "loss": ("ce", "weighted_ce", "bce", "ordinal"), "sampler": ("shuffle", "balanced"),
                   "amp": ("auto", "on", "off")}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"TrainConfig.{name} must be one of {allowed}, got {getattr(self, name)!r}")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("epochs and batch_size must be >= 1 and lr > 0")
        if self.output_dir is None:
            self.output_dir = f"{self.log_dir}/{self.run_name}"

    @property
    def task(self) -> str:
        """How outputs become probabilities: multiclass (softmax), binary_logit (sigmoid), ordinal."""
        return {"bce": "binary_logit", "ordinal": "ordinal"}.get(self.loss, "multiclass")

    @property
    def monitor_mode(self) -> str:
        """Losses are minimised, every other metric maximised."""
        return "min" if self.monitor.endswith("loss") else "max"

    def to_dict(self) -> dict:
        return asdict(self)
