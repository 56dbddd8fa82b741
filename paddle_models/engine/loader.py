"""DataLoaders: reproducible shuffling, class-balanced batches, and small shared memory.

Shuffling uses ``EpochShuffleSampler``: the order of epoch ``e`` depends only on (seed, e), and
``EpochSeededDataset`` seeds the random augmentation of image ``i`` with (seed, e, i).  A run resumed
at epoch 5 therefore sees exactly the batches the uninterrupted run saw, whether the images are
loaded in the main process, in a prefetch thread or in worker processes.

Worker processes (``num_workers > 0``) hand batches over through shared memory (/dev/shm).  Docker
gives containers 64 MB of it, and workers then die with a bus error.  ``make_loader`` checks the
free space first and, when it is small, passes batches through pipes instead
(``use_shared_memory=False``) and says so.

An error while reading a sample must end the run, in the main process, naming the file.  With
``num_workers=0`` Paddle reads batches in a prefetch *thread*; an exception there is printed but the
main thread waits for a batch forever (Paddle 2.6 and 3.x alike).  So the loader never lets an
exception escape a batch: ``GuardedDataset`` catches it and returns a marker, the collate function
turns a batch holding a marker into a small "failed batch" ``{FAILED_BATCH: indices}``, and
``CheckedDataLoader`` -- in the main process -- reads those samples again there, which raises the
original error (``BadSampleError: cannot decode image ...jpg``).  This works the same with worker
processes, whose exceptions would otherwise arrive without their message.
"""
from __future__ import annotations

import random
import shutil
import threading
import warnings

import numpy as np
import paddle
from paddle.io.dataloader.collate import default_collate_fn

from ..data import balanced_batch_sampler

MIN_SHARED_MEMORY = 512 * 2**20  # bytes
GLOBAL_RNG_LOCK = threading.Lock()


class EpochShuffleSampler(paddle.io.Sampler):
    """A random order of the dataset that depends only on (seed, epoch); call ``set_epoch`` each epoch."""

    def __init__(self, length: int, seed: int = 0):
        self.length, self.seed, self.epoch = length, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self):
        return iter(np.random.default_rng([self.seed, self.epoch]).permutation(self.length).tolist())

    def __len__(self) -> int:
        return self.length


class EpochSeededDataset(paddle.io.Dataset):
    """Wraps a training dataset so the random augmentation of each image depends on (seed, epoch, index)."""

    def __init__(self, dataset, seed: int = 0):
        self.dataset, self.seed, self.epoch = dataset, seed, 0
        self.labels, self.num_classes = getattr(dataset, "labels", None), getattr(dataset, "num_classes", None)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __getitem__(self, index):
        sample_seed = int(np.random.SeedSequence([self.seed, self.epoch, int(index)]).generate_state(1)[0])
        with GLOBAL_RNG_LOCK:  # Paddle reads batches in a background thread: keep the seed for this sample
            random.seed(sample_seed)  # paddle.vision.transforms draw from both random and numpy.random
            np.random.seed(sample_seed)
            return self.dataset[index]

    def __len__(self) -> int:
        return len(self.dataset)


FAILED_BATCH = "failed_sample_indices"  # the key of the batch that stands for a failed read


class FailedSample:
    """What ``GuardedDataset`` returns instead of raising: the index that failed."""

    def __init__(self, index: int):
        self.index = int(index)


class GuardedDataset(paddle.io.Dataset):
    """Wraps a dataset so reading a sample never raises inside the loader (see the module docstring)."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.labels, self.num_classes = getattr(dataset, "labels", None), getattr(dataset, "num_classes", None)

    def set_epoch(self, epoch: int) -> None:
        if hasattr(self.dataset, "set_epoch"):
            self.dataset.set_epoch(epoch)

    def __getitem__(self, index):
        try:
            return self.dataset[index]
        except Exception:  # noqa: BLE001 -- re-raised in the main process by CheckedDataLoader
            return FailedSample(index)

    def __len__(self) -> int:
        return len(self.dataset)


def guarded_collate(samples):
    """Paddle's default collate, unless a sample failed (or collating fails): then the failed batch."""
    failed = [sample.index for sample in samples if isinstance(sample, FailedSample)]
    if not failed:
        try:
            return default_collate_fn(samples)
        except Exception:  # noqa: BLE001 -- e.g. images of different sizes; re-raised in the main process
            failed = [-1]
    return {FAILED_BATCH: np.asarray(failed, dtype=np.int64)}


class CheckedDataLoader(paddle.io.DataLoader):
    """A DataLoader over a ``GuardedDataset`` that raises a failed read in the main process."""

    def __iter__(self):
        for batch in super().__iter__():
            if isinstance(batch, dict) and FAILED_BATCH in batch:
                self._raise_failure(np.asarray(batch[FAILED_BATCH]).reshape(-1).tolist())
            yield batch

    def _raise_failure(self, indices):
        inner = self.dataset.dataset
        if indices == [-1]:
            raise RuntimeError("the loader could not put the samples of a batch together (images of "
                               "different sizes or types?); check the dataset's __getitem__ outputs")
        for index in indices:
            inner[index]  # raises the original error (e.g. BadSampleError naming the file), here
        paths = [str(inner.samples[i][0]) if hasattr(inner, "samples") else f"sample {i}" for i in indices]
        raise RuntimeError(f"reading {', '.join(paths)} failed in the data loader, but not when read again: "
                           "an unreliable disk or network folder? Copy the data locally and run again.")


def shared_memory_is_small(path: str = "/dev/shm") -> bool:
    try:
        return shutil.disk_usage(path).free < MIN_SHARED_MEMORY
    except OSError:  # no /dev/shm (Windows, macOS): Paddle does not use it there
        return False


def make_loader(dataset, batch_size: int, train: bool, seed: int = 0, num_workers: int = 0,
                sampler: str = "shuffle", world_size: int = 1, rank: int = 0) -> paddle.io.DataLoader:
    """A DataLoader: shuffled (or class-balanced) for training, in order for evaluation."""
    if train:
        dataset = EpochSeededDataset(dataset, seed)
    if train and world_size > 1:
        batches = paddle.io.DistributedBatchSampler(dataset, batch_size, num_replicas=world_size, rank=rank,
                                                    shuffle=True, drop_last=False)
    elif train and sampler == "balanced":
        batches = balanced_batch_sampler(dataset.labels, dataset.num_classes, batch_size)
    elif train:
        batches = paddle.io.BatchSampler(sampler=EpochShuffleSampler(len(dataset), seed), batch_size=batch_size)
    else:
        batches = paddle.io.BatchSampler(dataset, batch_size=batch_size, shuffle=False)
    shared = True
    if num_workers > 0 and shared_memory_is_small():
        warnings.warn(f"/dev/shm has less than {MIN_SHARED_MEMORY // 2**20} MB free (common in Docker "
                      "containers): DataLoader workers pass batches through pipes instead of shared "
                      "memory. Start the container with --shm-size=2g to get the faster path back.")
        shared = False
    return CheckedDataLoader(GuardedDataset(dataset), batch_sampler=batches, num_workers=num_workers,
                             use_shared_memory=shared, collate_fn=guarded_collate)


def set_loader_epoch(loader, epoch: int) -> None:
    """Tell the batch sampler (or its sampler) which epoch starts, for reproducible shuffling."""
    batches = loader.batch_sampler
    for owner in (batches, getattr(batches, "sampler", None), loader.dataset):
        if hasattr(owner, "set_epoch"):
            owner.set_epoch(epoch)


WORKER_FAILURE_HINT = (
    "a DataLoader worker process died ({error}). In containers this is usually a too small /dev/shm "
    "(bus error): run with num_workers=0, or give the container more shared memory (--shm-size=2g)."
)


def is_worker_failure(error: BaseException) -> bool:
    text = str(error).lower()
    return any(word in text for word in ("dataloader", "worker", "shared memory", "bus error", "sigbus"))
