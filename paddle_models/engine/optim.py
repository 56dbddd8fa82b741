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
    """SGD, SGD with momentum, Adam or AdamW, with weight decay and gradient clipping if asked."""
    clip = paddle.nn.ClipGradByGlobalNorm(config.grad_clip) if config.grad_clip else None
    common = dict(learning_rate=scheduler, parameters=parameters, grad_clip=clip)
    decay = config.weight_decay or None
    if config.optimizer == "sgd":
        return paddle.optimizer.SGD(weight_decay=decay, **common)
    if config.optimizer == "momentum":
        return paddle.optimizer.Momentum(momentum=config.momentum, weight_decay=decay, **common)
    if config.optimizer == "adam":
        return paddle.optimizer.Adam(weight_decay=decay, **common)
    return paddle.optimizer.AdamW(weight_decay=config.weight_decay or 0.01, **common)
