"""Device, seeds and mixed precision: the parts of a run that depend on the machine.

Nothing assumes a GPU.  ``choose_device`` picks the GPU when Paddle was built with CUDA and sees one;
mixed precision (``paddle.amp``) and cuDNN's autotuning are switched on only there.
"""
from __future__ import annotations

import random
import warnings
from typing import Optional

import numpy as np
import paddle

from ..settings import SettingsError


def gpu_available() -> bool:
    return paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0


def choose_device(device: Optional[str] = None) -> str:
    """``device`` if given ('cpu', 'gpu', 'gpu:1'), else 'gpu' when there is one, else 'cpu'."""
    if device is None:
        device = "gpu" if gpu_available() else "cpu"
    if device.startswith("gpu") and not gpu_available():
        raise SettingsError(f"device={device!r} asked for, but this PaddlePaddle has no usable GPU "
                           f"(compiled with CUDA: {paddle.device.is_compiled_with_cuda()}); use device='cpu'")
    paddle.set_device(device)
    if device.startswith("gpu"):
        paddle.set_flags({"FLAGS_cudnn_exhaustive_search": True})  # cuDNN picks its fastest kernels
    return device


def use_amp(setting: str, device: str) -> bool:
    """Mixed precision: 'auto' means on a GPU only; 'on' without a GPU is ignored with a warning."""
    if setting == "on" and not device.startswith("gpu"):
        warnings.warn("amp='on' ignored: mixed precision needs a GPU")
    return setting in ("auto", "on") and device.startswith("gpu")


def set_seed(seed: int) -> None:
    """Seed Paddle (weights, dropout), NumPy and Python's random (augmentation, shuffling)."""
    paddle.seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)
