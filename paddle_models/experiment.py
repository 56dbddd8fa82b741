"""One training run from a flat dictionary of settings: what ``train``, ``demo`` and the recipes share.

``run_experiment(settings)`` is the glue between the parts of the package:

    settings -> datasets (paddle_models.data) -> model (paddle_models.models)
             -> Trainer (paddle_models.engine) -> best checkpoint + VisualDL log

and ``run_evaluation(checkpoint, data_root)`` reloads a checkpoint, evaluates it on a split and
draws the figures.  Lessons call the engine directly; this module is for the command line and for
notebooks that want a whole experiment in one call.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

import numpy as np

# Imported here, not inside the functions: a process started by paddle.distributed.spawn must load
# scikit-learn (via .metrics) before Paddle 2.6 sets up its gloo context, or the import crashes.
from . import metrics, models
from .data import (PreprocessConfig, build_dataset, make_synthetic_ichallenge_pm, split_with_file,
                   train_valid_split)
from .engine import Trainer, TrainConfig, evaluate, load_model, set_seed
from .figures import plot_confusion_matrix, plot_roc_curves, save_figure

# Every setting of a run, with its default.  The command line's options have the same names.
DEFAULT_SETTINGS: Dict[str, object] = dict(
    model="resnet18", model_options=None, pretrained=None,
    data="ichallenge_pm", data_root=None, image_size=224, normalize="imagenet", augment=True,
    subset=None, cache_dir=None, num_workers=0,
    batch_size=16, epochs=10, optimizer="momentum", lr=1e-3, momentum=0.9, weight_decay=0.0,
    schedule="constant", warmup_epochs=0, loss=None, label_smoothing=0.0, grad_clip=None,
    monitor="val/acc", patience=None, device=None, amp="auto", seed=0,
    log_dir="runs", run_name=None, output_dir=None, resume=False, save_last=True,
)

# Settings that go to paddle_models.engine.TrainConfig unchanged.
TRAIN_CONFIG_KEYS = (
    "epochs", "batch_size", "optimizer", "lr", "momentum", "weight_decay", "schedule", "warmup_epochs",
    "label_smoothing", "grad_clip", "monitor", "patience", "device", "amp", "seed", "num_workers",
    "log_dir", "run_name", "output_dir", "resume", "save_last",
)

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ExperimentResult:
    """What a run leaves behind."""

    history: Dict[str, list]
    checkpoint: Path  # the best epoch's weights and metadata
    output_dir: Path
    log_dir: Path  # this run's VisualDL folder
    model: object = None  # the trained model (weights of the last epoch)


@dataclass
class EvaluationReport:
    """Metrics of a checkpoint on a split, and the figures drawn for it."""

    metrics: Dict[str, float]
    class_names: list
    confusion: np.ndarray
    output_dir: Path
    figures: Dict[str, Path] = field(default_factory=dict)

    @property
    def chance_accuracy(self) -> float:
        """Accuracy of always predicting the most frequent class of this split."""
        return float(self.confusion.sum(axis=1).max() / max(1, self.confusion.sum()))

    def summary(self) -> str:
        lines = [f"{name:<12} {value:.4f}" for name, value in self.metrics.items()]
        width = max(len(name) for name in self.class_names)
        lines.append("confusion matrix (rows: true class, columns: predicted)")
        for name, row in zip(self.class_names, self.confusion):
            lines.append(f"  {name:>{width}}  " + " ".join(f"{count:5d}" for count in row))
        return "\n".join(lines)


# ----------------------------------------------------------------------------- building blocks


def default_run_name(settings: dict) -> str:
    return settings.get("run_name") or f"{settings['data']}-{settings['model']}"


def build_datasets(settings: dict):
    """(train, valid) datasets; splits the training set when the dataset has no validation split."""
    preprocess = PreprocessConfig(image_size=settings["image_size"], normalize=settings["normalize"],
                                  ben_graham=settings.get("ben_graham", False),
                                  circular_mask=settings.get("circular_mask", False))
    common = dict(preprocess=preprocess, cache_dir=settings.get("cache_dir"), seed=settings["seed"])
    train = build_dataset(settings["data"], settings["data_root"], "train", augment=settings["augment"],
                          subset=settings.get("subset"), **common)
    if settings["data"] in ("aptos", "image_folder"):
        if settings.get("split_file"):  # made once, then reused: no image moves between runs
            return split_with_file(train, settings["split_file"], 0.2, seed=0)
        return train_valid_split(train, 0.2, seed=settings["seed"])
    valid = build_dataset(settings["data"], settings["data_root"], "valid", **common)
    return train, valid


def output_size(settings: dict, num_classes: int) -> int:
    """Binary cross-entropy needs one logit; every other loss one output per class."""
    return 1 if settings.get("loss") == "bce" else num_classes


def model_options(settings: dict) -> dict:
    """Extra arguments of the model factory; LeNet sizes its first FC layer from the image size."""
    options = dict(settings.get("model_options") or {})
    if settings["model"].startswith("lenet"):
        options.setdefault("input_size", settings["image_size"])
    return options


def build_model(settings: dict, num_classes: int):
    """The model named in the settings, with ImageNet or file weights when ``pretrained`` says so."""
    model = models.build(settings["model"], num_classes=output_size(settings, num_classes),
                         **model_options(settings))
    if settings.get("pretrained"):
        models.load_pretrained(model, settings["model"], settings["pretrained"])
    return model


def train_config(settings: dict, progress: bool = True):
    """The engine's TrainConfig for these settings (loss by task; class weights for weighted_ce)."""
    values = {key: settings[key] for key in TRAIN_CONFIG_KEYS if key in settings}
    values["run_name"] = default_run_name(settings)
    values["loss"] = settings.get("loss") or "ce"
    values["progress"] = progress
    return TrainConfig(**values)


def model_metadata(settings: dict, train_set) -> dict:
    """What a checkpoint must know to rebuild the model and preprocess new images the same way."""
    task = {"bce": "binary_logit", "ordinal": "ordinal"}.get(settings.get("loss"), "multiclass")
    return {
        "model_name": settings["model"],
        "model_options": model_options(settings),
        "num_classes": output_size(settings, train_set.num_classes),
        "task": task,
        "class_names": list(train_set.class_names),
        "preprocess": train_set.preprocess.to_dict(),
        "input_size": settings["image_size"],
        "dataset": settings["data"],
    }


# ----------------------------------------------------------------------------- the two entry points


def run_experiment(settings: dict, progress: bool = True) -> ExperimentResult:
    """Train the model described by ``settings`` (see DEFAULT_SETTINGS); returns where things are."""
    settings = {**DEFAULT_SETTINGS, **settings}
    train_set, valid_set = build_datasets(settings)
    set_seed(settings["seed"])  # the initial weights depend on the seed alone
    model = build_model(settings, train_set.num_classes)
    config = train_config(settings, progress)
    trainer = Trainer(model, train_set, valid_set, config, meta=model_metadata(settings, train_set))
    history = trainer.fit()
    return ExperimentResult(history=history, checkpoint=trainer.best_checkpoint,
                            output_dir=Path(config.output_dir), log_dir=trainer.log_dir, model=model)


def run_evaluation(checkpoint, data_root, split: str = "valid", data: Optional[str] = None,
                   output_dir=None, batch_size: int = 16) -> EvaluationReport:
    """Evaluate a checkpoint on a split: metrics.json, confusion matrix and ROC figures."""
    model, meta = load_model(checkpoint)
    dataset = build_dataset(data or meta["dataset"], data_root, split, preprocess=meta["preprocess"])
    result = evaluate(model, dataset, batch_size=batch_size, task=meta["task"])
    output_dir = Path(output_dir or Path(checkpoint).parent / f"evaluation-{split}")
    output_dir.mkdir(parents=True, exist_ok=True)
    confusion = metrics.confusion_matrix(result.y_true, result.probs)
    figures = {
        "confusion_matrix": save_figure(plot_confusion_matrix(confusion, meta["class_names"]),
                                        output_dir / "confusion_matrix.png"),
        "roc": save_figure(plot_roc_curves(result.y_true, result.probs, meta["class_names"]),
                           output_dir / "roc_curves.png"),
    }
    scores = {name: float(value) for name, value in result.metrics.items()}
    (output_dir / "metrics.json").write_text(json.dumps(scores, indent=2))
    return EvaluationReport(scores, list(meta["class_names"]), confusion, output_dir, figures)


def demo_settings(root=None, epochs: Optional[int] = None, log_dir="runs", output_dir=None) -> dict:
    """The README's main job: a synthetic iChallenge-PM (written once) and a small, fast model."""
    root = Path(root) if root else REPO_ROOT / "datasets" / "synthetic" / "demo-PALM"
    if not (root / "PALM-Validation-GT").exists():
        print(f"writing a synthetic iChallenge-PM dataset to {root} ...")
        make_synthetic_ichallenge_pm(root, per_class=60, image_size=384, seed=0, splits=("train", "valid"))
    return {**DEFAULT_SETTINGS,
            "model": "resnet18", "data": "ichallenge_pm", "data_root": str(root), "image_size": 96,
            "batch_size": 16, "epochs": epochs or 6, "optimizer": "adam", "lr": 1e-3,
            "schedule": "cosine", "monitor": "val/acc", "run_name": "demo-resnet18",
            "log_dir": str(log_dir), "output_dir": output_dir}


def train_distributed(settings: dict, nprocs: int = 2) -> None:
    """Run ``run_experiment(settings)`` in ``nprocs`` data-parallel processes (gloo on CPUs).

    The same as ``python -m paddle.distributed.launch --nproc_per_node N paddle_models/__main__.py
    train ...``; usable from a notebook because the spawned function lives in this module.
    """
    import paddle
    import paddle.distributed as dist

    from .engine.distributed import spawn_environment

    options = {} if paddle.device.is_compiled_with_cuda() else {"backend": "gloo"}
    with spawn_environment():
        dist.spawn(run_experiment, args=({**settings, "device": settings.get("device") or None}, False),
                   nprocs=nprocs, **options)
