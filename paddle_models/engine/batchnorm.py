"""Precise batch-norm statistics (精确 BN 统计): recompute the running mean and variance for the weights as they are.

In training mode a BatchNorm layer normalises with the statistics of the current batch and keeps a
running average of them for evaluation mode (Paddle: ``running = 0.9 * running + 0.1 * batch``).
That average mixes batches seen under older weights.  After many steps the lag does not matter;
after few steps, or when the weights change fast, the running statistics no longer describe what
the layers now output, and evaluation mode normalises with the wrong numbers: the model fits its
training batches in training mode and fails on the same images in evaluation mode.

The remedy (Wu & Johnson, "Rethinking 'Batch' in BatchNorm", 2021, section 3.2, "precise BN"):
freeze the weights, run training batches through the network once more with batch norm in training
mode, and set each layer's running mean and variance to the average of those batches' statistics.
Nothing is learned; only the two buffers of each batch-norm layer change.

    images = recompute_batch_norm_stats(model, train_set, batch_size=16)   # then evaluate(model, ...)

``TrainConfig(precise_bn=N)`` does this with up to N training images before every validation.

Multi-device training has the same problem in another form: each rank's running statistics come
from its own batches, so the copies differ.  ``average_batch_norm_stats`` averages them across the
ranks after every epoch (as timm's ``distribute_bn`` does), so every rank validates, and rank 0
saves, the same model.
"""
from __future__ import annotations

import contextlib
from typing import List, Optional

import numpy as np
import paddle

from . import distributed
from .loader import make_loader

# The layers with running statistics: Paddle's BatchNorm1D/2D/3D and SyncBatchNorm derive from
# BatchNorm1D's base; the older paddle.nn.BatchNorm (used by paddle.vision's DenseNet) does not.
BATCH_NORM_TYPES = (paddle.nn.BatchNorm1D, paddle.nn.BatchNorm2D, paddle.nn.BatchNorm3D,
                    paddle.nn.SyncBatchNorm, paddle.nn.BatchNorm)


def batch_norm_layers(model) -> List[paddle.nn.Layer]:
    """The batch-norm layers of ``model`` whose running statistics evaluation mode uses."""
    return [layer for layer in model.sublayers(include_self=True)
            if isinstance(layer, BATCH_NORM_TYPES) and not getattr(layer, "_use_global_stats", False)]


@contextlib.contextmanager
def _batch_statistics_only(model, layers):
    """Dropout off, batch norm in training mode with momentum 0 (running := this batch's statistics)."""
    was_training = model.training
    momenta = [layer._momentum for layer in layers]
    model.eval()
    for layer in layers:
        layer.train()
        layer._momentum = 0.0
    try:
        yield
    finally:
        for layer, momentum in zip(layers, momenta):
            layer._momentum = momentum
        model.train() if was_training else model.eval()


class _StatisticsSum:
    """Adds up one layer's batch statistics, each weighted by its batch size, as the layer runs."""

    def __init__(self, layer):
        self.layer, self.images = layer, paddle.zeros([1], dtype="float32")
        self.mean, self.variance = paddle.zeros_like(layer._mean), paddle.zeros_like(layer._variance)
        self.hook = layer.register_forward_post_hook(self.add)

    def add(self, layer, inputs, output):
        size = float(inputs[0].shape[0])      # after the forward, running stats = this batch's (momentum 0)
        self.mean += size * layer._mean
        self.variance += size * layer._variance
        self.images += size

    def write(self) -> None:
        """Set the layer's running statistics to the averages (a layer no batch reached keeps its own)."""
        self.hook.remove()
        if distributed.world_size() > 1:
            for tensor in (self.images, self.mean, self.variance):
                paddle.distributed.all_reduce(tensor)
        if self.images.item() > 0:
            self.layer._mean.set_value(self.mean / self.images)
            self.layer._variance.set_value(self.variance / self.images)


def recompute_batch_norm_stats(model, dataset, batch_size: int, max_images: Optional[int] = None,
                               seed: int = 0) -> int:
    """Set every batch-norm layer's running mean and variance to the average over batches of ``dataset``.

    Batches are ``batch_size`` images, as in training (the statistics of a batch depend on its
    size), drawn in a shuffled order (``np.random.RandomState(seed).permutation``), at most
    ``max_images`` images (None: all).  Shuffled, because a dataset is often sorted by class: batches
    taken in its order would each hold one class, and their statistics would miss the differences
    between the classes that every mixed training batch contains.  Each batch's mean and variance
    count in proportion to its size.  Under multi-device training every rank takes its share
    and the sums are added across ranks, so all copies end with the same statistics.  Returns the
    number of images used (0 when the model has no batch norm).
    """
    layers = batch_norm_layers(model)
    if not layers or len(dataset) == 0:
        return 0
    count = len(dataset) if max_images is None else min(len(dataset), int(max_images))
    order = np.random.RandomState(seed).permutation(len(dataset))[:count]
    shard = order[distributed.rank()::distributed.world_size()].tolist()
    loader = make_loader(paddle.io.Subset(dataset, shard), batch_size, train=False)
    sums = [_StatisticsSum(layer) for layer in layers]
    try:
        with _batch_statistics_only(model, layers), paddle.no_grad():
            for images, _ in loader:
                model(images)
    except BaseException:
        for layer_sum in sums:
            layer_sum.hook.remove()         # a failed read: the statistics stay as they were
        raise
    for layer_sum in sums:
        layer_sum.write()
    return count


def average_batch_norm_stats(model) -> None:
    """Multi-device runs: give every rank the mean of all ranks' running statistics (no-op on one)."""
    if distributed.world_size() == 1:
        return
    for layer in batch_norm_layers(model):
        for statistic in (layer._mean, layer._variance):
            paddle.distributed.all_reduce(statistic)
            statistic.set_value(statistic / distributed.world_size())
