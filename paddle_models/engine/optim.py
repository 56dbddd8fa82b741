"""Optimisers and learning-rate schedules (paddle.optimizer and paddle.optimizer.lr).

The schedule is stepped after every batch, so warm-up and cosine decay are smooth and the ``lr``
curve in VisualDL shows exactly what the optimizer used.
"""
from __future__ import annotations

import paddle

from ..settings import TrainConfig


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

    ``weight_decay`` None means the optimizer's own default: none, except AdamW's 0.01; an explicit
    0 means no decay for every optimizer.  (L1 regularisation is a loss term: ``l1_penalty``.)
    """
    clip = paddle.nn.ClipGradByGlobalNorm(config.grad_clip) if config.grad_clip else None
    common = dict(learning_rate=scheduler, parameters=parameters, grad_clip=clip)
    if config.optimizer == "adamw":
        decay = 0.01 if config.weight_decay is None else config.weight_decay
        return paddle.optimizer.AdamW(weight_decay=decay, **common)
    decay = config.weight_decay or None  # L2 decay; Paddle takes None for "no decay"
    if config.optimizer == "sgd":
        return paddle.optimizer.SGD(weight_decay=decay, **common)
    if config.optimizer == "momentum":
        return paddle.optimizer.Momentum(momentum=config.momentum, weight_decay=decay, **common)
    if config.optimizer == "rmsprop":  # divides each step by a running average of squared gradients
        return paddle.optimizer.RMSProp(weight_decay=decay, **common)
    return paddle.optimizer.Adam(weight_decay=decay, **common)


def l1_penalty(model, strength: float):
    """strength * sum(|w|) over the weight matrices and kernels (biases and norms are left alone).

    Its gradient, strength * sign(w), pulls every weight towards zero by the same amount, so small
    weights become exactly zero (sparse), unlike L2 decay, which shrinks each in proportion.
    """
    weights = [param for param in model.parameters() if not param.stop_gradient and len(param.shape) > 1]
    return strength * paddle.add_n([param.abs().sum() for param in weights])
