"""Optimisers and learning-rate schedules (paddle.optimizer and paddle.optimizer.lr).

The schedule is stepped after every batch, so warm-up and cosine decay are smooth and the ``lr``
curve in VisualDL shows exactly what the optimiser used.
"""
from __future__ import annotations

import paddle

from .config import TrainConfig


def build_scheduler(config: TrainConfig, steps_per_epoch: int):
    """constant / step (x0.1 every ``step_epochs``) / cosine, optionally after a linear warm-up."""
    total = config.epochs * steps_per_epoch
    warmup = int(round(config.warmup_epochs * steps_per_epoch))
    lr = paddle.optimizer.lr
    if config.schedule == "cosine":
        schedule = lr.CosineAnnealingDecay(config.lr, T_max=max(1, total - warmup))
    elif config.schedule == "step":
        every = (config.step_epochs or max(1, config.epochs // 3)) * steps_per_epoch
        schedule = lr.StepDecay(config.lr, step_size=every, gamma=0.1)
    else:
        schedule = lr.LambdaDecay(config.lr, lambda step: 1.0)
    if warmup:
        schedule = lr.LinearWarmup(schedule, warmup_steps=warmup, start_lr=config.lr / 10, end_lr=config.lr)
    return schedule


def build_optimizer(config: TrainConfig, parameters, scheduler):
    """SGD, SGD with momentum, Adam, AdamW or RMSprop, with weight decay and gradient clipping if asked.

    ``weight_decay`` adds the L2 penalty lambda * w to each gradient (AdamW: decoupled, applied to the
    weights directly); ``l1_decay`` adds lambda * sign(w) instead (``paddle.regularizer.L1Decay``),
    which pushes small weights to exactly 0.  Paddle's optimizers take one regulariser: choose one.
    """
    clip = paddle.nn.ClipGradByGlobalNorm(config.grad_clip) if config.grad_clip else None
    common = dict(learning_rate=scheduler, parameters=parameters, grad_clip=clip)
    l1 = getattr(config, "l1_decay", 0.0)
    if l1 and (config.weight_decay or config.optimizer == "adamw"):
        raise ValueError("l1_decay cannot be combined with weight_decay or AdamW's decoupled decay: choose one")
    decay = paddle.regularizer.L1Decay(l1) if l1 else (config.weight_decay or None)
    if config.optimizer == "sgd":
        return paddle.optimizer.SGD(weight_decay=decay, **common)
    if config.optimizer == "momentum":
        return paddle.optimizer.Momentum(momentum=config.momentum, weight_decay=decay, **common)
    if config.optimizer == "adam":
        return paddle.optimizer.Adam(weight_decay=decay, **common)
    if config.optimizer == "rmsprop":  # divides each step by a running RMS of the gradient (rho 0.95)
        return paddle.optimizer.RMSProp(weight_decay=decay, **common)
    return paddle.optimizer.AdamW(weight_decay=config.weight_decay or 0.01, **common)
