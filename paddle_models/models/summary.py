"""Looking inside a model: output shape and parameters of every stage, and parameter counts.

``layer_table(model)`` is the teaching aid of lessons 0-6: it runs one dummy image through the
model's stages and prints what comes out of each, next to the number of weights the stage holds::

    stage            output shape           params
    stem             [1, 64, 56, 56]           9,536
    layer1           [1, 256, 56, 56]        215,808
    ...
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np
import paddle
from paddle import nn


def count_parameters(model: nn.Layer, trainable_only: bool = True) -> int:
    """Number of weights; BN running statistics are buffers, not parameters, so never counted."""
    return int(sum(int(np.prod(p.shape)) for p in model.parameters() if p.trainable or not trainable_only))


def stage_shapes(model: nn.Layer, x: paddle.Tensor) -> List[Tuple[str, List[int]]]:
    """Run ``x`` through ``model.stages()`` one by one; (stage name, output shape) for each."""
    shapes = []
    for name, stage in model.stages():
        x = stage(x)
        shapes.append((name, list(x.shape)))
    return shapes


def layer_table(model: nn.Layer, input_size: Sequence[int] = (1, 3, 224, 224)) -> str:
    """A table of each stage's output shape and parameter count, then the totals."""
    was_training = model.training
    model.eval()
    try:
        x = paddle.zeros(list(input_size), dtype="float32")
        rows = ["{:<16} {:<22} {:>12}".format("stage", "output shape", "params")]
        with paddle.no_grad():
            for name, stage in model.stages():
                x = stage(x)
                rows.append("{:<16} {:<22} {:>12,}".format(name, str(list(x.shape)), count_parameters(stage)))
    finally:
        if was_training:
            model.train()
    total = count_parameters(model)
    outside = total - sum(count_parameters(stage) for _, stage in model.stages())
    note = f" ({outside:,} outside the main path: auxiliary heads)" if outside else ""
    rows.append(f"input {list(input_size)}; {total:,} trainable parameters in all{note}")
    return "\n".join(rows)
