"""What does the course's training loop cost?  ``Trainer.fit`` against ``paddle.Model.fit`` and a bare loop.

    python -m paddle_models.benchmarks.engine                    # ResNet-18, synthetic iChallenge-PM, 64x64
    python -m paddle_models.benchmarks.engine --model lenet --image-size 32 --repeats 5

Three ways to do the same work -- one epoch of training (Adam, cross-entropy, the same batches in the
same order) and one validation pass -- on the same datasets, from the same initial weights, in one
process:

* bare loop        -- ``for images, labels in loader``: forward, loss, backward, step; then the
                      validation pass with softmax, accuracy and AUC: nothing else;
* paddle.Model.fit -- Paddle's high-level API with its accuracy metric;
* Trainer.fit      -- the course's engine: VisualDL logging, checkpoints written atomically with a
                      checksum, metrics of every kind, the run folder's lock, the best epoch's figures.

Each runs ``--repeats`` times, the three taking turns, and the fastest counts (other programs only
slow a pass down).  The
table gives seconds and the ratio to the bare loop.  Target: the trainer at most 1.10x the bare loop.
Measured 2026-12-06 on two AMD EPYC cores (ResNet-18, 64x64, 200 + 200 synthetic images, fastest of 3):
bare loop 16.11 s, paddle.Model.fit 16.17 s (1.00x), Trainer.fit 16.81 s (1.04x).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import paddle
import paddle.nn.functional as F

from paddle_models import build
from paddle_models.data import build_dataset, make_synthetic_ichallenge_pm
from paddle_models.engine import Trainer, TrainConfig, set_seed
from paddle_models.engine.loader import make_loader
from paddle_models.experiment import model_options
from paddle_models.metrics import roc_auc

TARGET = 1.10  # Trainer.fit / bare loop


def bare_loop(model, train_set, valid_set, batch_size: int, lr: float, seed: int) -> None:
    """One epoch and one validation pass with nothing around them."""
    optimizer = paddle.optimizer.Adam(learning_rate=lr, parameters=model.parameters())
    model.train()
    for images, labels in make_loader(train_set, batch_size, train=True, seed=seed):
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        optimizer.clear_grad()
    model.eval()
    probs, truth = [], []
    with paddle.no_grad():
        for images, labels in make_loader(valid_set, batch_size, train=False):
            probs.append(F.softmax(model(images), axis=1).numpy())
            truth.append(labels.numpy().reshape(-1))
    probs, truth = np.concatenate(probs), np.concatenate(truth)
    float((probs.argmax(axis=1) == truth).mean()), roc_auc(truth, probs)


def high_level_fit(model, train_set, valid_set, batch_size: int, lr: float, seed: int) -> None:
    """``paddle.Model.fit`` for one epoch, evaluating on the validation set at its end."""
    high = paddle.Model(model)
    high.prepare(paddle.optimizer.Adam(learning_rate=lr, parameters=model.parameters()),
                 paddle.nn.CrossEntropyLoss(), paddle.metric.Accuracy())
    high.fit(train_set, valid_set, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)


def trainer_fit(model, train_set, valid_set, batch_size: int, lr: float, seed: int, folder: Path) -> None:
    """The course's ``Trainer.fit`` for one epoch, as the command line runs it (checkpoints, VisualDL)."""
    config = TrainConfig(epochs=1, batch_size=batch_size, optimizer="adam", lr=lr, schedule="constant",
                         seed=seed, log_dir=str(folder / "runs"), output_dir=str(folder / "checkpoints"),
                         run_name="benchmark", progress=False, overwrite=True)
    Trainer(model, train_set, valid_set, config).fit()


def fastest(loops: dict, repeats: int) -> dict:
    """{name: the fastest of ``repeats`` timed calls}; the loops take turns in every round, so a machine
    that gets busier or quieter during the run slows them alike instead of the one measured then."""
    times = {name: [] for name in loops}
    for _ in range(repeats):
        for name, run in loops.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def run(model_name="resnet18", image_size=64, per_class=100, batch_size=16, repeats=3, lr=1e-3, seed=0,
        work_dir=None) -> dict:
    """Measure the three loops; print the table; returns {loop: seconds}."""
    work_dir = Path(work_dir or tempfile.mkdtemp(prefix="paddle_models_engine_benchmark_"))
    root = work_dir / "data"
    if not (root / "PALM-Validation-GT").exists():
        make_synthetic_ichallenge_pm(root, per_class=per_class, image_size=4 * image_size, splits=("train", "valid"))
    train_set = build_dataset("ichallenge_pm", root, "train", image_size=image_size, cache_dir=work_dir / "cache")
    valid_set = build_dataset("ichallenge_pm", root, "valid", image_size=image_size, cache_dir=work_dir / "cache")
    options = model_options({"model": model_name, "image_size": image_size})  # LeNet is sized by its input
    set_seed(seed)
    initial = build(model_name, num_classes=2, **options).state_dict()
    initial = {name: value.numpy().copy() for name, value in initial.items()}

    def fresh_model():
        model = build(model_name, num_classes=2, **options)
        model.set_state_dict({name: paddle.to_tensor(value) for name, value in initial.items()})
        return model

    loops = {
        "bare loop": lambda: bare_loop(fresh_model(), train_set, valid_set, batch_size, lr, seed),
        "paddle.Model.fit": lambda: high_level_fit(fresh_model(), train_set, valid_set, batch_size, lr, seed),
        "Trainer.fit": lambda: trainer_fit(fresh_model(), train_set, valid_set, batch_size, lr, seed, work_dir),
    }
    loops["bare loop"]()  # warm-up: fills the preprocessing cache and Paddle's kernels for everyone
    seconds = fastest(loops, repeats)
    base = seconds["bare loop"]
    print(f"{model_name} at {image_size}x{image_size}: {len(train_set)} training and {len(valid_set)} validation "
          f"images, batch {batch_size}, one epoch, fastest of {repeats}")
    print(f"{'loop':<20}{'seconds':>10}{'x bare loop':>14}")
    for name, value in seconds.items():
        print(f"{name:<20}{value:>10.2f}{value / base:>14.2f}")
    ratio = seconds["Trainer.fit"] / base
    print(f"Trainer.fit / bare loop = {ratio:.2f} (target <= {TARGET:.2f}): {'met' if ratio <= TARGET else 'NOT met'}")
    return seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--per-class", type=int, default=100, help="synthetic images per class and split")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work-dir", default=None)
    args = parser.parse_args(argv)
    run(args.model, args.image_size, args.per_class, args.batch_size, args.repeats, work_dir=args.work_dir)


if __name__ == "__main__":
    main()
