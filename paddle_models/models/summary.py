"""Looking inside a model: output shape and parameters of every layer, and parameter counts.

``layer_table(model)`` is the teaching aid of lessons 0-6.  It runs one dummy image through the
model, notes what comes out of every layer (forward hooks, 前向钩子) and prints it next to the number
of weights the layer holds -- which is how lesson 4 finds that most of VGG-16 sits in one fully
connected layer::

    layer         type        output shape            params
    input                     [1, 3, 64, 64]
    conv1         Conv2D      [1, 64, 32, 32]          9,408
    bn1           BatchNorm2D [1, 64, 32, 32]            128
    ...
    fc            Linear      [1, 2]                   1,026
    11,177,538 trainable parameters (11,187,138 in all)

``layer_table(model, stages=True)`` prints one row per *stage* instead (``model.stages()``: stem,
layer1, ...), and ``stage_shapes(model, x)`` returns those shapes for tests.

``count_parameters`` counts weights without running anything, so it also works on a model built
under ``paddle.LazyGuard()`` (no memory allocated).  It counts the trainable ones: the number papers
quote (ResNet-50: 25,557,032).  Paddle keeps batch-norm running means and variances as non-trainable
parameters; ``count_parameters(model, trainable_only=False)`` and ``paddle.summary``'s total include
them (ResNet-50: 25,610,152).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np
import paddle
from paddle import nn

from .classifier import evaluating


def count_parameters(model: nn.Layer, trainable_only: bool = True) -> int:
    """Number of weights in ``model``: the trainable ones, or all (BN running statistics too).

    >>> count_parameters(nn.Linear(10, 2))        # 10 x 2 weights + 2 biases
    22
    """
    return int(sum(int(np.prod(p.shape)) for p in model.parameters()
                   if p.trainable or not trainable_only))


def format_shape(output) -> str:
    """``[1, 64, 56, 56]`` for a tensor; the shapes joined by commas for a tuple of tensors."""
    if isinstance(output, (tuple, list)):
        return ", ".join(format_shape(item) for item in output)
    return str(list(output.shape)) if hasattr(output, "shape") else type(output).__name__


def stage_shapes(model: nn.Layer, x: paddle.Tensor) -> List[Tuple[str, List[int]]]:
    """Run ``x`` through ``model.stages()`` one by one (eval mode); (stage name, output shape) each.

    >>> from paddle_models.models import resnet18
    >>> stage_shapes(resnet18(), paddle.rand([1, 3, 64, 64]))[:2]
    [('stem', [1, 64, 16, 16]), ('layer1', [1, 64, 16, 16])]
    """
    shapes = []
    with evaluating(model):
        for name, stage in model.stages():
            x = stage(x)
            shapes.append((name, list(x.shape)))
    return shapes


def is_leaf(layer: nn.Layer) -> bool:
    """A layer without sub-layers: Conv2D, BatchNorm2D, ReLU, Linear ..."""
    return next(iter(layer.children()), None) is None


def record_layer_outputs(model: nn.Layer, x: paddle.Tensor,
                         layers: Optional[Sequence[Tuple[str, nn.Layer]]] = None) -> List[Tuple[str, nn.Layer, object]]:
    """(name, layer, output) of every leaf layer (or of ``layers``, (name, layer) pairs), in the order
    the forward pass calls them.

    A layer called twice (ResNet blocks reuse one ReLU) appears twice; one the pass never calls, not at all.
    """
    calls = []

    def make_hook(name):
        def hook(layer, inputs, output):  # returns None: a hook that returns something replaces the output
            calls.append((name, layer, output))
        return hook

    if layers is None:
        layers = [(name, layer) for name, layer in model.named_sublayers() if is_leaf(layer)]
    handles = [layer.register_forward_post_hook(make_hook(name)) for name, layer in layers]
    try:
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return calls


def layer_rows(model: nn.Layer, x: paddle.Tensor) -> List[Tuple[str, str, str, int]]:
    """(name, type, output shape, params) per leaf-layer call; a reused layer's weights count once."""
    rows, seen = [], set()
    for name, layer, output in record_layer_outputs(model, x):
        params = 0 if id(layer) in seen else count_parameters(layer)
        seen.add(id(layer))
        rows.append((name, type(layer).__name__, format_shape(output), params))
    return rows


def stage_rows(model: nn.Layer, x: paddle.Tensor) -> List[Tuple[str, str, str, int]]:
    """(name, type, output shape, params) per stage of ``model.stages()``."""
    rows = []
    for name, stage in model.stages():
        x = stage(x)
        rows.append((name, type(stage).__name__, format_shape(x), count_parameters(stage)))
    return rows


def layer_table(model: nn.Layer, input_size: Sequence[int] = (1, 3, 224, 224), stages: bool = False) -> str:
    """A table of every layer's (or, with ``stages=True``, every stage's) output shape and weights.

    The model runs once in eval mode on a zero image of ``input_size`` and goes back to its own mode
    afterwards.  The last line gives the totals and names weights that did not run (GoogLeNet's
    auxiliary heads work in training mode only).

    >>> from paddle_models.models import lenet_mnist
    >>> print(layer_table(lenet_mnist(), input_size=(1, 1, 28, 28)))  # doctest: +NORMALIZE_WHITESPACE
    layer         type       output shape     params
    input                    [1, 1, 28, 28]
    features.0    Conv2D     [1, 6, 24, 24]      156
    features.1    Sigmoid    [1, 6, 24, 24]        0
    features.2    MaxPool2D  [1, 6, 12, 12]        0
    features.3    Conv2D     [1, 16, 8, 8]     2,416
    features.4    Sigmoid    [1, 16, 8, 8]         0
    features.5    MaxPool2D  [1, 16, 4, 4]         0
    classifier.0  Flatten    [1, 256]              0
    classifier.1  Linear     [1, 120]         30,840
    classifier.2  Sigmoid    [1, 120]              0
    classifier.3  Linear     [1, 84]          10,164
    classifier.4  Sigmoid    [1, 84]               0
    classifier.5  Linear     [1, 10]             850
    44,426 trainable parameters (44,426 in all)
    """
    x = paddle.zeros(list(input_size), dtype="float32")
    with evaluating(model):
        rows = stage_rows(model, x) if stages else layer_rows(model, x)
    header = ("stage" if stages else "layer", "type", "output shape", "params")
    return format_table(header, [("input", "", str(list(input_size)), None)] + rows) + "\n" + totals_line(model, rows)


def format_table(header, rows) -> str:
    """Left-aligned text columns, the parameter column right-aligned with thousands separators."""
    cells = [header] + [(name, kind, shape, "" if params is None else f"{params:,}")
                        for name, kind, shape, params in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(4)]
    return "\n".join(f"{name:<{widths[0]}}  {kind:<{widths[1]}}  {shape:<{widths[2]}}  {params:>{widths[3]}}".rstrip()
                     for name, kind, shape, params in cells)


def totals_line(model: nn.Layer, rows) -> str:
    """Trainable and total weights, and how many of them sit in layers the table does not show."""
    trainable, total = count_parameters(model), count_parameters(model, trainable_only=False)
    line = f"{trainable:,} trainable parameters ({total:,} in all)"
    missing = trainable - sum(params for *_, params in rows)
    if missing > 0:
        line += f"; {missing:,} of them in layers this eval-mode pass did not use (e.g. auxiliary heads)"
    return line
