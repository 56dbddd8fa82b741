"""``python -m paddle_models doctor``: is this environment ready for the course, and if not, why.

One report, the first thing lesson 0 prints and what to paste into a bug report:

* Python, PaddlePaddle (and CUDA / cuDNN when Paddle was built with them), the GPUs Paddle sees,
  NumPy and the libraries the course uses;
* the Paddle *distributions* installed: ``paddlepaddle`` (CPU build) and ``paddlepaddle-gpu`` are
  two distributions of the same ``paddle`` package.  Installing one next to the other (what
  ``pip install -r requirements.txt`` does on an AI Studio GPU image) overwrites the other's files
  and usually leaves a CPU-only Paddle on a GPU machine.  The report detects both and prints the
  repair commands;
* free disk space (the project, AI Studio's persistent work folder) and /dev/shm, where DataLoader
  worker processes exchange batches (a 64 MB /dev/shm kills them with a bus error);
* on AI Studio, the persistent folder and where runs are logged (the folder to give VisualDL);
* which datasets were found where (``paddle_models.data.locate``; nothing is unpacked here).
"""
from __future__ import annotations

import os
import platform
import shutil
from importlib import metadata
from pathlib import Path
from typing import Dict, List

from . import aistudio
from .places import DATASETS_DIR, REPO_ROOT, RUNS_DIR

PADDLE_DISTRIBUTIONS = ("paddlepaddle", "paddlepaddle-gpu")
SMALL_SHM = 256 * 2 ** 20  # below this, DataLoader workers with shared memory risk a bus error
LIBRARIES = ("numpy", "cv2", "sklearn", "matplotlib", "visualdl")


def paddle_distributions() -> Dict[str, str]:
    """The installed Paddle distributions and their versions, e.g. {'paddlepaddle-gpu': '2.6.2'}."""
    found = {}
    for name in PADDLE_DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def distribution_problem(found: Dict[str, str]) -> List[str]:
    """Lines explaining a broken Paddle installation and how to repair it; [] when it is fine."""
    if not found:
        return ["PROBLEM: no PaddlePaddle distribution is installed.",
                "  CPU:  python -m pip install paddlepaddle",
                "  GPU:  the command for your CUDA version from https://www.paddlepaddle.org.cn/install/quick"]
    if len(found) == 1:
        return []
    gpu = found["paddlepaddle-gpu"]
    return [
        f"PROBLEM: both paddlepaddle {found['paddlepaddle']} (CPU build) and paddlepaddle-gpu {gpu} are installed.",
        "  They share one 'paddle' package: the one installed last overwrote the other's files.",
        "  Keep the GPU build: remove the CPU one, then restore the GPU build's files:",
        "    python -m pip uninstall -y paddlepaddle",
        f"    python -m pip install --force-reinstall --no-deps paddlepaddle-gpu=={gpu}",
        "  (if pip cannot find that version, take the command for your CUDA version from",
        "   https://www.paddlepaddle.org.cn/install/quick). Then restart the kernel.",
        "  To avoid it: on a GPU machine (AI Studio) install the course with `pip install -e .`,",
        "  which does not install Paddle, not with `pip install -r requirements.txt`.",
    ]


def paddle_lines() -> List[str]:
    """Paddle's version, its CUDA/cuDNN build and the GPUs it sees (or why it cannot be imported)."""
    try:
        # optional: the report must still print when Paddle cannot be imported
        import paddle
    except Exception as error:  # noqa: BLE001  (a broken install is what this report is for)
        return [f"{'PaddlePaddle':<14}not importable ({error.__class__.__name__}: {error})"]
    lines = [f"{'PaddlePaddle':<14}{paddle.__version__} ({Path(paddle.__file__).parent})"]
    if paddle.device.is_compiled_with_cuda():
        lines.append(f"{'CUDA / cuDNN':<14}{paddle.version.cuda()} / {paddle.version.cudnn()} (Paddle's build)")
        count = paddle.device.cuda.device_count()
        names = [paddle.device.cuda.get_device_name(index) for index in range(count)]
        lines.append(f"{'GPU':<14}" + (", ".join(f"gpu:{i} {name}" for i, name in enumerate(names))
                                       if count else "none seen (built with CUDA, but no GPU is visible)"))
    else:
        lines.append(f"{'GPU':<14}none (this Paddle is the CPU build)")
    lines.append(f"{'CPU cores':<14}{os.cpu_count()}")
    return lines


def library_lines() -> List[str]:
    lines = []
    for module in LIBRARIES:
        try:
            version = __import__(module).__version__
        except Exception as error:  # noqa: BLE001  (report any import problem, do not fail)
            version = f"not importable ({error.__class__.__name__}: {error})"
        lines.append(f"{module:<14}{version}")
    return lines


def disk_lines() -> List[str]:
    """Free space where the course writes, and the size of /dev/shm."""
    folders = {"project disk": REPO_ROOT}
    if aistudio.on_aistudio():
        folders["work/ (kept)"] = aistudio.work_dir()
    lines = []
    for label, folder in folders.items():
        usage = shutil.disk_usage(folder)
        lines.append(f"{label:<14}{usage.free / 1e9:.1f} GB free of {usage.total / 1e9:.1f} GB ({folder})")
    if Path("/dev/shm").is_dir():
        shm = shutil.disk_usage("/dev/shm")
        line = f"{'/dev/shm':<14}{shm.free / 2 ** 20:.0f} MB free of {shm.total / 2 ** 20:.0f} MB"
        if shm.total < SMALL_SHM:
            line += " -- small: DataLoader workers may die with a bus error; use --num-workers 0"
        lines.append(line)
    return lines


def aistudio_lines() -> List[str]:
    if not aistudio.on_aistudio():
        return [f"{'AI Studio':<14}no ({aistudio.work_dir()} not found)"]
    return [f"{'AI Studio':<14}yes: {aistudio.work_dir()} is kept across restarts, the rest is reset",
            f"{'runs':<14}{RUNS_DIR} (VisualDL panel log folder: {aistudio.panel_path(RUNS_DIR)})"]


def dataset_lines() -> List[str]:
    # deferred: cli imports this module for its parser; these load Paddle
    from .course import SYNTHETIC
    from .data.locate import known_datasets, locate_dataset

    lines = []
    for name in known_datasets():
        try:
            located = locate_dataset(name, datasets_dir=DATASETS_DIR, unpack=False)
            stand_in = not located.found and located.how != "to unpack" and name in SYNTHETIC
            lines.append(str(located) + (" -> the lessons use synthetic data" if stand_in else ""))
        except Exception as error:  # noqa: BLE001  (a bad copy is reported, not fatal)
            lines.append(f"{name}: {error}")
    return lines


def environment_report() -> str:
    """The whole report, as text."""
    found = paddle_distributions()
    sections = [
        [f"{'Python':<14}{platform.python_version()} on {platform.system()} {platform.machine()}"],
        paddle_lines(),
        [f"{'distributions':<14}" + (", ".join(f"{name} {version}" for name, version in found.items()) or "none")]
        + distribution_problem(found),
        library_lines(),
        disk_lines(),
        aistudio_lines(),
        ["datasets:"] + ["  " + line for line in dataset_lines()],
    ]
    return "\n".join("\n".join(section) for section in sections)


def add_doctor_parser(commands) -> None:
    """Register ``doctor`` on the command line's sub-parsers."""
    doctor = commands.add_parser("doctor", help="report versions, GPU, disk, data and install problems")
    doctor.set_defaults(handler=command_doctor)


def command_doctor(args) -> None:
    """Print the report; exit status 1 when the Paddle installation is broken."""
    print(environment_report())
    if distribution_problem(paddle_distributions()):
        raise SystemExit(1)
