"""Data-parallel training on several devices (数据并行) with ``paddle.distributed``.

Each process (rank) holds a copy of the model and trains on its own share of every epoch
(``DistributedBatchSampler``); ``paddle.DataParallel`` averages the gradients across processes
after each backward pass, so all copies stay identical.  Validation is split across the ranks too
and the predictions are gathered, so every rank computes the metrics of the whole split.  Only
rank 0 writes logs and checkpoints.

Start it with ``python -m paddle.distributed.launch --nproc_per_node 2 paddle_models/__main__.py
train ...`` or, from Python, ``paddle.distributed.spawn(function, nprocs=2)`` (on CPUs with
``backend='gloo'``).  The spawned function must live in an importable module, not a notebook.
"""
from __future__ import annotations

import numpy as np
import paddle
import paddle.distributed as dist


def world_size() -> int:
    return dist.get_world_size()


def rank() -> int:
    return dist.get_rank()


def is_main_process() -> bool:
    return rank() == 0


def init_if_needed() -> None:
    """Set up the process group once when started by launch or spawn (several processes)."""
    if world_size() > 1 and not dist.is_initialized():
        dist.init_parallel_env()


def gather_predictions(indices: np.ndarray, values: np.ndarray, length: int) -> np.ndarray:
    """Put every rank's rows (``values`` for dataset ``indices``) together in dataset order."""
    if world_size() == 1:
        return values
    pieces = []
    dist.all_gather_object(pieces, (np.asarray(indices), np.asarray(values)))
    ordered = np.zeros((length,) + np.asarray(values).shape[1:], dtype=np.asarray(values).dtype)
    for part_indices, part_values in pieces:
        ordered[part_indices] = part_values
    return ordered


def average_across_ranks(value: float) -> float:
    if world_size() == 1:
        return value
    tensor = paddle.to_tensor([value], dtype="float64")
    dist.all_reduce(tensor)
    return float(tensor.numpy()[0]) / world_size()
