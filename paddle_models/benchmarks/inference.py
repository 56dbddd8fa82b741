"""CPU deployment, measured: how fast is each way of running a model, and how different are its answers?

    python -m paddle_models.benchmarks.inference
    python -m paddle_models.benchmarks.inference --models resnet50 --images 16 --image-size 224
    python -m paddle_models.benchmarks.inference --checkpoint runs/pm-resnet18/best.pdparams

For each model, in one run, on the same images:

* dygraph               -- the Python model, ``model.eval()`` under ``paddle.no_grad()``: the baseline;
* paddle.inference      -- the export (``export_model``) run by ``Predictor``: oneDNN off and on,
                           with 1 thread and with all cores (``--threads``);
* ONNX Runtime          -- the same program converted by paddle2onnx (``format="onnx"``), all cores;
* INT8                  -- post-training quantization (``precision="int8"``), oneDNN INT8 kernels,
                           all cores, calibrated on other images than the measured ones.

Each row gives images/s, the ratio to dygraph, and its agreement with dygraph: the largest difference
of a class probability, the share of images with the same top-1 class, and the largest logit
difference relative to the largest logit.  The images are painted
synthetic fundus photographs, preprocessed once before timing: decoding and resizing are the same
for every backend and are left out.  Without ``--checkpoint`` the weights are random (seed 0): the
speed is that of the architecture, and the agreement figures measure rounding, not a trained model's
(the tests assert the agreement of a trained one).  One warm-up batch runs first (kernel selection,
memory); every configuration then runs ``--repeats`` times and the fastest pass counts, because other
programs on the machine can only slow a pass down.

What to expect: INT8 speeds convolutions up most on CPUs with AVX512-VNNI or AMX (``grep -o
'avx512_vnni\\|amx_int8' /proc/cpuinfo``); the closing line prints which of these flags this CPU has.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import paddle

from paddle_models.data import PreprocessConfig, preprocess_image, to_input
from paddle_models.data.synthetic import synthetic_fundus
from paddle_models.engine import load_checkpoint, load_model
from paddle_models.inference import Predictor, export_model
from paddle_models.inference.onnx_backend import OnnxUnavailableError
from paddle_models.inference.quantize import QuantizationError
from paddle_models.models import build
from paddle_models.tasks import to_probabilities

DEFAULT_MODELS = ("resnet50",)
CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8")  # the ones INT8 speed depends on


def images_per_second(run_batch: Callable, batches: Sequence[np.ndarray], repeats: int) -> float:
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
            return model(paddle.to_tensor(batch)).numpy()  # .numpy() waits for the result
    return run


def fundus_inputs(count: int, image_size: int, seed: int) -> np.ndarray:
    """``count`` painted fundus photographs (half pathologic myopia), preprocessed: float32 [N, 3, S, S]."""
    rng = np.random.default_rng(seed)
    config = PreprocessConfig(image_size=image_size)
    side = max(image_size, 256)
    images = [synthetic_fundus(rng, side, side, myopia="pathologic" if i % 2 else "normal")[0] for i in range(count)]
    return np.stack([to_input(preprocess_image(image, config), config) for image in images])


def agreement(logits: np.ndarray, reference: np.ndarray) -> Dict[str, float]:
    """How far ``logits`` are from the ``reference`` logits: probabilities, top-1 classes, logits.

    The logit difference is relative to the largest reference logit: random weights often give
    probabilities of exactly 0 and 1, which hide any difference.
    """
    probs, expected = to_probabilities(logits, "multiclass"), to_probabilities(reference, "multiclass")
    return {"max_prob_diff": float(np.abs(probs - expected).max()),
            "top1_agreement": float((probs.argmax(1) == expected.argmax(1)).mean()),
            "max_logit_diff": float(np.abs(logits - reference).max() / max(np.abs(reference).max(), 1e-12))}


def measure(run_batch: Callable, batches, repeats: int, reference: Optional[np.ndarray]) -> Dict[str, float]:
    """images/s and (against the ``reference`` logits) the agreement of one configuration."""
    logits = np.concatenate([run_batch(batch) for batch in batches])
    row = {"images_per_s": images_per_second(run_batch, batches, repeats)}
    row.update(agreement(logits, logits if reference is None else reference))
    return row


def configurations(prefix: Path, onnx_prefix: Optional[Path], int8_prefix: Optional[Path], threads: int) -> List[tuple]:
    """(label, thread count, predictor factory) of every row after dygraph."""
    rows = []
    for onednn in (False, True):
        for count in sorted({1, threads}):
            rows.append((f"paddle.inference oneDNN {'on' if onednn else 'off'}", count,
                         lambda o=onednn, c=count: Predictor(prefix, threads=c, onednn=o)))
    if onnx_prefix is not None:
        rows.append(("ONNX Runtime", threads, lambda: Predictor(onnx_prefix, threads=threads, backend="onnxruntime")))
    if int8_prefix is not None:
        rows.append(("INT8 paddle.inference oneDNN", threads, lambda: Predictor(int8_prefix, threads=threads)))
    return rows


def model_and_meta(name: str, checkpoint: Optional[str], image_size: int):
    if checkpoint:
        model, meta = load_model(checkpoint)
        return model, meta
    paddle.seed(0)
    model = build(name, num_classes=2)
    return model, {"model_name": name, "num_classes": 2, "class_names": ["non-PM", "PM"],
                   "preprocess": PreprocessConfig(image_size=image_size).to_dict()}


def benchmark_model(name: str, inputs: np.ndarray, calibration: np.ndarray, batch_size: int, workdir: Path,
                    threads: int, repeats: int, checkpoint: Optional[str] = None) -> Dict[str, dict]:
    """{row label: {threads, images_per_s, ratio, max_prob_diff, top1_agreement, max_logit_diff}} for one model."""
    model, meta = model_and_meta(name, checkpoint, inputs.shape[-1])
    model.eval()
    batches = [inputs[i:i + batch_size] for i in range(0, len(inputs), batch_size)]
    dygraph = measure(dygraph_runner(model), batches, repeats, None)
    reference = np.concatenate([dygraph_runner(model)(batch) for batch in batches])
    results = {"dygraph": {"threads": paddle.get_num_threads() if hasattr(paddle, "get_num_threads") else threads,
                           **dygraph}}
    prefix = workdir / name
    try:
        export_model(model, prefix, meta=meta, format="onnx")
        onnx_prefix = prefix
    except OnnxUnavailableError as error:  # e.g. Paddle 2.6 with paddle2onnx 2.x: the row is left out, said why
        print(f"ONNX Runtime left out: {error}")
        export_model(model, prefix, meta=meta)
        onnx_prefix = None
    int8_prefix = workdir / f"{name}-int8"
    try:
        export_model(model, int8_prefix, meta=meta, precision="int8", calibration=calibration)
    except QuantizationError as error:  # e.g. GELU under Paddle 3.3: the row is left out, said why
        print(f"INT8 left out for {name}: {error}")
        int8_prefix = None
    for label, count, make_predictor in configurations(prefix, onnx_prefix, int8_prefix, threads):
        results[f"{label}, {count} thread{'s' if count > 1 else ''}"] = {
            "threads": count, **measure(make_predictor().predict_logits, batches, repeats, reference)}
    for row in results.values():
        row["ratio"] = row["images_per_s"] / dygraph["images_per_s"]
    return results


def run(models: Sequence[str] = DEFAULT_MODELS, images: int = 16, image_size: int = 224, batch_size: int = 8,
        threads: Optional[int] = None, repeats: int = 2, calibration_images: int = 16, seed: int = 0,
        checkpoint: Optional[str] = None) -> Dict[str, Dict[str, dict]]:
    """Benchmark every model (or the one ``checkpoint``): {model: {row label: measurements}}."""
    threads = threads or os.cpu_count() or 1
    if checkpoint:
        meta = load_checkpoint(checkpoint)["meta"]
        models, image_size = [meta["model_name"]], int(meta["input_size"])
    inputs = fundus_inputs(images, image_size, seed)
    calibration = fundus_inputs(calibration_images, image_size, seed + 1)  # never the measured images
    with tempfile.TemporaryDirectory(prefix="inference_benchmark_") as workdir:
        return {name: benchmark_model(name, inputs, calibration, batch_size, Path(workdir), threads, repeats, checkpoint)
                for name in models}


def cpu_flags() -> List[str]:
    """Which of CPU_FLAGS this CPU has (Linux: /proc/cpuinfo; elsewhere: an empty list)."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return []
    return [flag for flag in CPU_FLAGS if flag in flags]


def format_results(results: Dict[str, Dict[str, dict]]) -> str:
    lines = []
    for name, rows in results.items():
        lines.append(f"{name}\n{'backend':<40} {'threads':>7} {'img/s':>8} {'x dygraph':>9} {'max |dp|':>9} "
                     f"{'top-1':>6} {'max |dz|/max|z|':>15}")
        for label, r in rows.items():
            lines.append(f"{label:<40} {r['threads']:>7} {r['images_per_s']:>8.2f} {r['ratio']:>8.2f}x "
                         f"{r['max_prob_diff']:>9.2g} {r['top1_agreement']:>6.0%} {r['max_logit_diff']:>15.2g}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, dict]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS))
    parser.add_argument("--checkpoint", default=None, help="a trained checkpoint instead of random weights")
    parser.add_argument("--images", type=int, default=16, help="images per pass")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None, help="'all cores' threads (default: os.cpu_count())")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--calibration-images", type=int, default=16, help="INT8 calibration images")
    args = parser.parse_args(argv)
    results = run(args.models, args.images, args.image_size, args.batch_size, args.threads, args.repeats,
                  args.calibration_images, checkpoint=args.checkpoint)
    print(f"{args.images} images, batch {args.batch_size}, Paddle {paddle.__version__}, {os.cpu_count()} CPU cores; "
          f"agreement: with dygraph")
    print(format_results(results))
    print(f"CPU flags for INT8: {', '.join(cpu_flags()) or 'none of ' + ', '.join(CPU_FLAGS)}")
    return results


if __name__ == "__main__":
    main()
