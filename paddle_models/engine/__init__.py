"""The training engine: a small, readable loop around Paddle's building blocks.

    from paddle_models.engine import TrainConfig, Trainer, evaluate, load_model

    config.py       TrainConfig: every setting of a run
    device.py       device choice, seeds, mixed precision on GPUs only
    losses.py       losses by task (cross-entropy, weighted, BCE, ordinal), aux heads weighted 0.3
    optim.py        optimizers and learning-rate schedules (warm-up, step, cosine)
    loader.py       reproducible shuffling, class-balanced batches, small /dev/shm
    batchnorm.py    precise batch-norm statistics: recompute them for the final weights
    trainer.py      Trainer.fit(): the loop, VisualDL logging, best-model selection, early stopping
    evaluate.py     evaluate(), predict_probs()
    checkpoint.py   atomic checkpoints with a checksum, resume, load_model()
    runlock.py      one run per run folder (an OS file lock)
    distributed.py  multi-device data parallelism (launch / spawn)
"""
from .batchnorm import recompute_batch_norm_stats
from .checkpoint import CorruptCheckpointError, load_checkpoint, load_model, save_checkpoint
from .runlock import RunFolderBusyError, RunLock
from ..settings import TrainConfig
from .device import choose_device, gpu_available, set_seed, use_amp
from .evaluate import EvalResult, evaluate, predict_logits, predict_probs
from .loader import EpochShuffleSampler, make_loader
from .losses import TaskLoss, main_output, to_probabilities
from .optim import build_optimizer, build_scheduler
from .trainer import NonFiniteLossError, Trainer, fit

__all__ = ["TrainConfig", "Trainer", "fit", "evaluate", "EvalResult", "predict_probs", "predict_logits",
           "save_checkpoint", "load_checkpoint", "load_model", "CorruptCheckpointError", "RunLock",
           "RunFolderBusyError", "TaskLoss", "main_output", "to_probabilities",
           "build_optimizer", "build_scheduler", "make_loader", "EpochShuffleSampler", "choose_device",
           "gpu_available", "set_seed", "use_amp", "NonFiniteLossError", "recompute_batch_norm_stats"]
