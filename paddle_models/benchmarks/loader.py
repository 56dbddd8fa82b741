"""How fast can we feed a model?  Course-style reader vs the project loader, uncached and cached.

    python -m paddle_models.benchmarks.loader                       # synthetic 2124x2056 JPEGs
    python -m paddle_models.benchmarks.loader --data datasets/PALM  # your iChallenge-PM copy
    python -m paddle_models.benchmarks.loader --data datasets/DDR --dataset ddr --images 100

Three readers on the same files, in the same run:

* course reader   -- what the public course does every epoch: ``cv2.imread`` (full 2124x2056
                     decode), ``cv2.resize`` to 224x224, scale to [-1, 1];
* project, uncached -- ``dataset[i]``: reduced-size JPEG decode, border crop, resize, normalise;
* project, cached -- ``dataset[i]`` from epoch 2 on: a small preprocessed array read from disk.

Every file is read once beforehand so all readers find it in the OS page cache.  Each reader runs
``--repeats`` times and the fastest pass counts (other programs on the machine only slow passes
down).  Targets: project uncached >= 3x the course reader, cached >= 50x.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import paddle

from paddle_models.data import build_dataset, make_synthetic_ichallenge_pm

TARGETS = {"project loader, uncached": 3.0, "project loader, cached": 50.0}


def course_reader(path: str, image_size: int) -> np.ndarray:
    """The public course's reader: full decode, resize, [-1, 1], CHW."""
    image = cv2.imread(path)
    image = cv2.resize(image, (image_size, image_size))
    image = image[:, :, ::-1].transpose((2, 0, 1)).astype("float32")
    return image / 255.0 * 2.0 - 1.0


def best_pass_seconds(read_all, repeats: int) -> float:
    """The fastest of ``repeats`` timed calls of ``read_all()``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        read_all()
        times.append(time.perf_counter() - start)
    return min(times)


def synthetic_photographs(folder: Path, count: int, image_size) -> Path:
    """Real-size synthetic iChallenge-PM training images in ``folder`` (made once, then reused)."""
    images = folder / "PALM-Training400" / "PALM-Training400"
    if not images.is_dir() or len(list(images.glob("*.jpg"))) != count:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {count} synthetic {image_size} photographs in {folder} (once; ~1 s each at real size)")
        make_synthetic_ichallenge_pm(folder, per_class=count // 2, image_size=image_size, splits=("train",))
    return folder


def run(data=None, dataset="ichallenge_pm", split="train", images=24, image_size=224, repeats=3,
        workers=0, work_dir=None, synthetic_size="real"):
    """Measure the readers and print a table; returns {reader name: images per second}."""
    work_dir = Path(work_dir or Path(tempfile.gettempdir()) / "paddle_models_loader_benchmark")
    if data is None:
        data = synthetic_photographs(work_dir / "data", images + images % 2, synthetic_size)
        dataset, split = "ichallenge_pm", "train"
    full = build_dataset(dataset, data, split, image_size=image_size)
    count = min(images, len(full))
    project = full.select(range(count))
    paths = [path for path, _ in project.samples]
    for path in paths:  # warm the OS file cache for everyone
        Path(path).read_bytes()
    print(f"{count} images from {data} ({dataset}, {split}), target size {image_size}x{image_size}")

    cache_dir = work_dir / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    cached = build_dataset(dataset, data, split, image_size=image_size, cache_dir=cache_dir).select(range(count))
    timings = {
        "course reader (imread + resize)":
            best_pass_seconds(lambda: [course_reader(p, image_size) for p in paths], repeats),
        "project loader, uncached": best_pass_seconds(lambda: [project[i] for i in range(count)], repeats),
    }
    start = time.perf_counter()
    for i in range(count):
        cached[i]
    timings["project loader, filling the cache"] = time.perf_counter() - start
    timings["project loader, cached"] = best_pass_seconds(lambda: [cached[i] for i in range(count)], repeats)
    if workers:  # worker start-up is part of every epoch (persistent_workers=True was slower still)
        for name, data_set in (("uncached", project), ("cached", cached)):
            loader = paddle.io.DataLoader(data_set, batch_size=8, num_workers=workers, use_shared_memory=False)
            timings[f"DataLoader, {workers} workers, {name}"] = best_pass_seconds(lambda: list(loader), repeats)

    rates = {name: count / seconds for name, seconds in timings.items()}
    baseline = rates["course reader (imread + resize)"]
    print(f"\n{'reader':40s} {'images/s':>10s} {'ms/image':>10s} {'vs course':>10s}")
    for name, rate in rates.items():
        ratio = rate / baseline
        target = ""
        if name in TARGETS:
            target = f"  target >= {TARGETS[name]:.0f}x: {'met' if ratio >= TARGETS[name] else 'NOT met'}"
        print(f"{name:40s} {rate:10.1f} {1000 / rate:10.2f} {ratio:9.1f}x{target}")
    shutil.rmtree(cache_dir, ignore_errors=True)
    return rates


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="dataset root; default: synthetic real-size photographs")
    parser.add_argument("--dataset", default="ichallenge_pm", help="ichallenge_pm, ddr, aptos or image_folder")
    parser.add_argument("--split", default="train")
    parser.add_argument("--images", type=int, default=24, help="number of images to read")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--repeats", type=int, default=3, help="passes per reader; the fastest counts")
    parser.add_argument("--workers", type=int, default=0, help="also time a DataLoader with this many workers")
    parser.add_argument("--work-dir", help="where synthetic images and the cache go (default: system temp)")
    parser.add_argument("--synthetic-size", default="real", help="'real' (2124x2056) or a width in pixels")
    args = parser.parse_args(argv)
    synthetic_size = args.synthetic_size if args.synthetic_size == "real" else int(args.synthetic_size)
    run(args.data, args.dataset, args.split, args.images, args.image_size, args.repeats, args.workers,
        args.work_dir, synthetic_size)


if __name__ == "__main__":
    main()
