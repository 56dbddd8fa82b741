"""Data-parallel training on several devices (数据并行) with ``paddle.distributed``.

Each process (rank) holds a copy of the model and trains on its own share of every epoch
(``DistributedBatchSampler``); ``paddle.DataParallel`` averages the gradients across processes
after each backward pass, so all copies stay identical.  Validation is split across the ranks too
and the predictions are gathered, so every rank computes the metrics of the whole split.  Only
rank 0 writes logs and checkpoints.  Batch norm's running statistics, which each rank gathers from
its own batches, are averaged across the ranks after every epoch (batchnorm.py).

Start it with ``python -m paddle.distributed.launch --nproc_per_node 2 paddle_models/__main__.py
train ...`` or, from Python, ``paddle.distributed.spawn(function, nprocs=2)`` (on CPUs with
``backend='gloo'``).  The spawned function must live in an importable module, not a notebook.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import sys

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


def parameter_checksums(model) -> list:
    """A checksum of this rank's parameters, gathered from every rank (all equal when in sync).

    DataParallel averages gradients, so every rank applies the same update and the copies stay
    identical.  Paddle keeps batch norm's running mean and variance as (frozen) parameters too, so
    they are compared as well: the trainer averages them across ranks every epoch (batchnorm.py).
    """
    digest = hashlib.sha1()
    for name, param in sorted(model.named_parameters(), key=lambda item: item[0]):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(param.numpy()).tobytes())
    if world_size() == 1:
        return [digest.hexdigest()]
    checksums = []
    dist.all_gather_object(checksums, digest.hexdigest())
    return checksums


def system_zlib_path():
    """The zlib library Python's ``zlib`` module uses (from this process's memory map), or None."""
    import zlib  # noqa: F401  (makes sure it is loaded)

    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/libz.so" in line}
    except OSError:
        return None
    return sorted(paths)[0] if len(paths) == 1 else None


@contextlib.contextmanager
def spawn_environment():
    """Child processes started inside this block load the system zlib before Paddle 2.6 does.

    Paddle 2.6's ``libpaddle.so`` exports an old copy of zlib; a spawned process imports Paddle
    before anything else, and Python's ``zlib`` then mixes the two copies and crashes (reading an
    xlsx label table in the worker dies in ``inflateReset2``).  Preloading the system zlib in the
    children makes every caller use one copy.  Nothing changes on Paddle 3 or off Linux.
    """
    zlib_path = system_zlib_path() if sys.platform.startswith("linux") and paddle.__version__.startswith("2.") else None
    if zlib_path is None:
        yield
        return
    previous = os.environ.get("LD_PRELOAD")
    os.environ["LD_PRELOAD"] = " ".join(filter(None, [zlib_path, previous]))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("LD_PRELOAD", None)
        else:
            os.environ["LD_PRELOAD"] = previous
