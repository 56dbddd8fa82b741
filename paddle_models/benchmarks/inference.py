"""How much faster is the exported predictor than the dygraph model?  CPU images/s, same inputs.

    python -m paddle_models.benchmarks.inference
    python -m paddle_models.benchmarks.inference --images 32 --image-size 224 --models resnet50 convmixer_small

For each model, in one run:

* dygraph     -- ``model.eval()`` under ``paddle.no_grad()``, batch by batch: the Python model as in
                 training's evaluation;
* predictor   -- the same weights exported with ``export_model`` and run by ``Predictor``
                 (``paddle.inference``: fused conv + batch norm, oneDNN kernels, no Python per layer).

Both see the same random float32 batches: preprocessing (decoding, resizing) is the same for both
and is left out, so the numbers compare the model execution alone.  One warm-up batch runs first
(kernel selection, memory allocation); then every configuration runs ``--repeats`` times and the
fastest pass counts, because other programs on the machine can only slow a pass down.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np
import paddle

from paddle_models.inference import Predictor, export_model
from paddle_models.models import build

DEFAULT_MODELS = ("resnet50", "convmixer_small")


def images_per_second(run_batch, batches: Sequence[np.ndarray], repeats: int) -> float:
    """Best-of-``repeats`` throughput of ``run_batch`` over ``batches`` (after one warm-up batch)."""
    run_batch(batches[0])
    total = sum(len(b) for b in batches)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for batch in batches:
            run_batch(batch)
        best = min(best, time.perf_counter() - start)
    return total / best


def dygraph_runner(model):
    model.eval()

    def run(batch):
        with paddle.no_grad():
            model(paddle.to_tensor(batch)).numpy()  # .numpy() waits for the result
    return run


def benchmark_model(name: str, batches: Sequence[np.ndarray], image_size: int, workdir: Path,
                    threads: Optional[int], repeats: int) -> Dict[str, float]:
    """images/s of one model, dygraph and exported."""
    paddle.seed(0)
    model = build(name, num_classes=2)
    model.eval()
    dygraph = images_per_second(dygraph_runner(model), batches, repeats)
    export_model(model, workdir / name, input_size=image_size)
    predictor = Predictor(workdir / name, threads=threads)
    exported = images_per_second(predictor.predict_logits, batches, repeats)
    return {"dygraph_images_per_s": dygraph, "predictor_images_per_s": exported, "speedup": exported / dygraph}


def run(models: Sequence[str] = DEFAULT_MODELS, images: int = 16, image_size: int = 224, batch_size: int = 8,
        threads: Optional[int] = None, repeats: int = 2, seed: int = 0) -> Dict[str, Dict[str, float]]:
    """Benchmark every model; returns {model: {dygraph_images_per_s, predictor_images_per_s, speedup}}."""
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(images, 3, image_size, image_size)).astype(np.float32)
    batches = [inputs[i:i + batch_size] for i in range(0, images, batch_size)]
    results = {}
    with tempfile.TemporaryDirectory(prefix="inference_benchmark_") as workdir:
        for name in models:
            results[name] = benchmark_model(name, batches, image_size, Path(workdir), threads, repeats)
    return results


def format_results(results: Dict[str, Dict[str, float]]) -> str:
    lines = [f"{'model':<18} {'dygraph img/s':>14} {'predictor img/s':>16} {'ratio':>7}"]
    for name, r in results.items():
        lines.append(f"{name:<18} {r['dygraph_images_per_s']:>14.1f} {r['predictor_images_per_s']:>16.1f} "
                     f"{r['speedup']:>6.2f}x")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS))
    parser.add_argument("--images", type=int, default=16, help="images per pass")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None, help="predictor CPU threads (default: all cores)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"{args.images} images of {args.image_size}x{args.image_size}, batch {args.batch_size}, "
          f"Paddle {paddle.__version__}, CPU")
    results = run(args.models, args.images, args.image_size, args.batch_size, args.threads, args.repeats)
    print(format_results(results))
    return results


if __name__ == "__main__":
    main()
