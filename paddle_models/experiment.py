"""One training run from a flat dictionary of settings: what ``train``, ``demo`` and the recipes share.

``run_experiment(settings)`` is the glue between the parts of the package:

    settings -> (ModelSettings, DataSettings, TrainConfig)   checked by paddle_models.settings
             -> datasets (paddle_models.data) -> model (paddle_models.models)
             -> Trainer (paddle_models.engine) -> best checkpoint + VisualDL log

and ``run_evaluation(checkpoint, data_root)`` reloads a checkpoint, checks that the data is what the
model was trained for, evaluates it on a labelled split and draws the figures.  Lessons call the
engine directly; this module is for the command line and for notebooks that want a whole
experiment in one call.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import paddle
import paddle.distributed as dist

# Imported here, not inside the functions: a process started by paddle.distributed.spawn must load
# scikit-learn (via .metrics) before Paddle 2.6 sets up its gloo context, or the import crashes.
from . import metrics, models
from .aistudio import persistent_path
from .data import PreprocessConfig, build_dataset, make_synthetic_ichallenge_pm, train_valid_split
from .data.base import normalize_split
from .data.locate import resolve_data_root
from .data.gate import gradability
from .data.quality import original_image, warn_if_nothing_excluded
from .data.registry import canonical_name, dataset_class
from .data.subset import load_split, split_with_file
from .data.synthetic import is_synthetic
from .engine import Trainer, evaluate, load_model, set_seed
from .engine.checkpoint import update_checkpoint_meta
from .engine.distributed import spawn_environment
from .engine.trainer import check_settings_fit_data
from .errors import UserError
from .files import make_folder, write_text
from .figures import plot_confusion_matrix, plot_roc_curves, save_figure
from .metrics import BOOTSTRAP_RESAMPLES
from .places import DATASETS_DIR, LOG_DIR
from .record import ModelRecord
from .referral import OperatingPoint, screening_evaluation, screening_record
from .settings import SettingsError, absolute_paths, as_flat_dict, defaults, parse_settings
from .tasks import output_count, task_of_loss

# Every setting of a run, with its default, derived from the settings dataclasses.
DEFAULT_SETTINGS: Dict[str, object] = defaults()



class DataMismatchError(UserError, ValueError):
    """A checkpoint and a dataset do not fit together (other classes, other task, unlabelled split)."""


@dataclass
class ExperimentResult:
    """What a run leaves behind."""

    history: Dict[str, list]
    checkpoint: Path  # the best epoch's weights and metadata
    output_dir: Path
    log_dir: Path  # this run's VisualDL folder
    model: object = None  # the trained model, holding the *best* epoch's weights (reloaded at the end)
    best_epoch: int = -1  # 0-based index of that epoch in ``history``
    trainer: object = None  # the Trainer that ran (its record, final evaluation, folders)


@dataclass
class EvaluationReport:
    """Metrics of a checkpoint on a split, and the figures drawn for it."""

    metrics: Dict[str, float]
    class_names: list
    confusion: np.ndarray
    output_dir: Path
    figures: Dict[str, Path] = field(default_factory=dict)
    screening: List[str] = field(default_factory=list)  # calibration, imageability, operating point (referral.py)

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
        return "\n".join(lines + self.screening)


# ----------------------------------------------------------------------------- building blocks


def default_run_name(settings: dict) -> str:
    """The run's folder name: the one given, else <data>-<model> (e.g. ichallenge_pm-resnet50)."""
    if settings.get("run_name"):
        return settings["run_name"]
    return f"{canonical_name(settings['data'])}-{settings['model']}"


def _preprocess_config(data) -> PreprocessConfig:
    """The settings' preprocessing, on top of what suits the dataset's images (its defaults)."""
    return data.preprocess_config(dataset_class(data.data).preprocess_defaults)


def build_datasets(data, seed: int = 0):
    """(train, valid, validation) for DataSettings ``data``.

    The reader says whether it has a validation split; when it has none (APTOS, an image folder
    without valid/), a stratified, seeded share of the training images is held out.  ``validation``
    records which, so that ``run_evaluation`` can rebuild exactly the same validation images.
    """
    reader = dataset_class(data.data)
    common = dict(preprocess=_preprocess_config(data), cache_dir=data.cache_dir, skip_bad=data.skip_bad,
                  exclude=data.exclude, **data.reader_options)
    train = build_dataset(data.data, data.data_root, "train", augment=data.augment, subset=data.subset,
                          seed=seed, **common)
    split = reader.validation_split_of(data.data_root)
    full_train = train
    if split is None:
        if data.split_file:  # made once, then reused: no image moves between runs
            train, valid = split_with_file(train, data.split_file, data.valid_fraction, seed=seed)
        else:
            train, valid = train_valid_split(train, data.valid_fraction, seed=seed)
        validation = {"held_out_from": "train", "fraction": data.valid_fraction, "seed": seed,
                      "subset": data.subset, "exclude": data.exclude, "split_file": data.split_file,
                      "count": len(valid), "images": image_list_digest(valid)}
    else:
        valid = build_dataset(data.data, data.data_root, split, seed=seed, **common)
        validation = {"split": split, "count": len(valid)}
    warn_if_nothing_excluded(data.exclude, (full_train, valid))
    return train, valid, validation


def model_options(settings: dict) -> dict:
    """Extra arguments of the model factory; a model sized by its input (LeNet) gets the image size."""
    options = dict(settings.get("model_options") or {})
    if settings["model"] not in models.MODELS:  # a model a lesson built itself: nothing to add
        return options
    size = settings.get("random_crop") or settings.get("image_size")
    if models.card(settings["model"]).sized_by_input and size:  # else the factory's own default
        options.setdefault("input_size", size)
    return options


def build_model(settings: dict, num_classes: int):
    """The model named in the settings, with ImageNet or file weights when ``pretrained`` says so."""
    outputs = output_count(task_of_loss(settings.get("loss")), num_classes)
    model = models.build(settings["model"], num_classes=outputs, **model_options(settings))
    if settings.get("pretrained"):
        models.load_pretrained(model, settings["model"], settings["pretrained"])
    return model


def model_record(settings: dict, train_set, validation: Optional[dict] = None) -> ModelRecord:
    """The run record a checkpoint carries: enough to rebuild the model, preprocess new images the
    same way, check that data given to it later is what it was trained for, and repeat the run."""
    task = task_of_loss(settings.get("loss"))
    data_root = settings.get("data_root") or getattr(train_set, "root", None)
    return ModelRecord(
        model_name=settings["model"],
        model_options=model_options(settings),
        num_outputs=output_count(task, train_set.num_classes),
        task=task,
        class_names=tuple(train_set.class_names),
        preprocess=train_set.preprocess,
        dataset=settings.get("data") or getattr(train_set, "name", None),
        synthetic=is_synthetic(data_root),
        label_kind=getattr(train_set, "label_kind", None),
        validation=validation,
        settings=dict(settings),
    )


# ----------------------------------------------------------------------------- the two entry points


def run_experiment(settings: dict, progress: bool = True, model=None, datasets=None,
                   custom_loss=None) -> ExperimentResult:
    """Train the model described by ``settings`` (any subset of DEFAULT_SETTINGS' keys).

    The one path of every run: the command line, the recipes, the demo and the lessons
    (``course.train``) all come here, so every checkpoint carries the same record.  A lesson may hand
    over a model it built itself (``model``: ``settings["model"]`` is then its name in the record, which
    need not be a registered model), readers it made itself (``datasets``: (train, valid)) and a loss
    the engine does not have (``custom_loss``: a callable (outputs, labels) -> scalar loss; the
    ``loss`` setting still says how the outputs become probabilities).
    """
    settings = dict(settings)
    settings["run_name"] = default_run_name({**DEFAULT_SETTINGS, **settings})
    model_name = settings.pop("model", None) if model is not None else None  # a label, not a factory's name
    model_settings, data_settings, config = parse_settings(settings)
    config = replace(config, progress=progress and config.progress)
    if not settings.get("log_dir") or settings["log_dir"] == DEFAULT_SETTINGS["log_dir"]:
        log_dir = str(persistent_path(config.log_dir, LOG_DIR))  # on AI Studio: work/runs, kept at restarts
        if log_dir != config.log_dir:
            config = replace(config, log_dir=log_dir, output_dir=settings.get("output_dir"))
    if model_settings.model in models.MODELS:  # (a model a lesson built itself has no card)
        models.check_input_size(model_settings.model, data_settings.input_size)  # before any data is read
    data_settings = replace(data_settings, data_root=resolve_data_root(data_settings.data, data_settings.data_root))
    data_settings = absolute_paths(data_settings)  # the checkpoint records them: usable from any folder
    if datasets is None:
        train_set, valid_set, validation = build_datasets(data_settings, seed=config.seed)
    else:
        (train_set, valid_set), validation = datasets, None
    check_settings_fit_data(config, train_set, valid_set)  # before the model and its record are built
    flat = as_flat_dict(model_settings, data_settings, config)
    if model is None:
        set_seed(config.seed)  # the initial weights depend on the seed alone
        model = build_model(flat, train_set.num_classes)
    else:
        flat["model"] = model_name or type(model).__name__.lower()
    trainer = Trainer(model, train_set, valid_set, config, record=model_record(flat, train_set, validation),
                      loss=custom_loss)
    history = trainer.fit()
    return ExperimentResult(history=history, checkpoint=trainer.best_checkpoint,
                            output_dir=Path(config.output_dir), log_dir=trainer.log_dir, model=model,
                            best_epoch=trainer.best_epoch, trainer=trainer)


def evaluation_dataset(record: ModelRecord, data_root, split: Optional[str] = None, data: Optional[str] = None):
    """The labelled split ``split`` of the data, preprocessed as the checkpoint was trained.

    ``split`` None (or 'valid') means the checkpoint's own validation images: the dataset's
    validation split, or exactly the share of 'train' that was held out during training.
    """
    record = ModelRecord.from_dict(record)  # a stored meta dict works too
    name = data or record.dataset
    if not name:
        raise DataMismatchError("the checkpoint does not say which dataset it was trained on: pass data=...")
    data_root = resolve_data_root(name, data_root)
    reader = dataset_class(name)
    validation = record.validation or {"split": reader.validation_split_of(data_root)}
    held_out = "held_out_from" in validation
    if split is not None:
        split = normalize_split(split)  # a typo ('vaild') is named as one, not as a split without labels
    if split is None or (split == "valid" and held_out):
        split = "valid" if held_out else validation.get("split") or "valid"
    labelled = reader.labelled_splits_of(data_root)
    if split not in labelled and not (held_out and split == "valid"):
        raise DataMismatchError(
            f"split {split!r} of {reader.name} has no labels to evaluate against (labelled splits: "
            f"{', '.join(labelled)}); to get predictions for unlabelled images use "
            "`python -m paddle_models predict`")
    common = {"preprocess": record.preprocess, **reader_options(record, name)}
    if not held_out or split not in ("valid", "train"):
        return build_dataset(name, data_root, split, **common)
    exclude = validation.get("exclude") and recorded_file(validation["exclude"], "exclude list")
    train = build_dataset(name, data_root, "train", subset=validation.get("subset"), seed=validation["seed"],
                          exclude=exclude, **common)
    if validation.get("split_file"):
        rest, valid = load_split(recorded_file(validation["split_file"], "split file (which images were held out)"),
                                 train)
    else:
        rest, valid = train_valid_split(train, validation["fraction"], seed=validation["seed"])
    chosen = valid if split == "valid" else rest
    expected, digest = validation.get("count"), validation.get("images")
    if expected is not None and (len(valid) != expected or digest not in (None, image_list_digest(valid))):
        raise DataMismatchError(
            f"the checkpoint was validated on {expected} held-out images, but {data_root} now holds out "
            f"{len(valid)}{' other' if len(valid) == expected else ''} images: the training images or labels "
            "changed since, so the held-out share cannot be rebuilt (and could contain images the model "
            "trained on). Evaluate with the data as it was, or pass split_file=... when training")
    return chosen


def recorded_file(path, what: str) -> str:
    """A file a checkpoint names (its split file, its exclude list); a missing one is named, with why."""
    if not Path(path).is_file():
        relative = "" if Path(path).is_absolute() else \
            " (recorded relative to the folder the training ran in: run evaluate there)"
        raise DataMismatchError(f"the checkpoint's {what} {path} is missing{relative}; it is needed to rebuild "
                                "the held-out validation images. Put the file back at that path")
    return str(path)


def reader_options(record: ModelRecord, name: str) -> dict:
    """The reader options the checkpoint was trained with, for dataset ``name`` (DDR's ungradable class)."""
    settings = record.settings
    same_data = canonical_name(name) == settings.get("data")
    return {"keep_ungradable": True} if same_data and settings.get("keep_ungradable") else {}


def image_list_digest(dataset) -> str:
    """SHA-256 of the sorted file names and labels of a dataset: which images a held-out share holds."""
    names = sorted(f"{Path(str(path)).name}:{label}" for path, label in dataset.samples)
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def check_data_fits(record: ModelRecord, dataset, checkpoint) -> None:
    """The checkpoint's classes and task must be the data's: refuse before anything runs."""
    trained = list(record.class_names)
    given = list(dataset.class_names)
    if trained and trained != given:
        raise DataMismatchError(
            f"{checkpoint} was trained on the classes {trained} ({record.dataset}), but this "
            f"data has {given} ({getattr(dataset, 'name', type(dataset).__name__)}): the metrics would be "
            "meaningless. Evaluate it on the dataset it was trained for (data=...)")
    kind = record.label_kind
    if kind and getattr(dataset, "label_kind", kind) != kind:
        raise DataMismatchError(f"{checkpoint} was trained for {kind} labels, this data has "
                                f"{dataset.label_kind} labels")


def run_evaluation(checkpoint, data_root, split: Optional[str] = None, data: Optional[str] = None,
                   output_dir=None, batch_size: int = DEFAULT_SETTINGS["batch_size"],
                   bootstrap: int = BOOTSTRAP_RESAMPLES, gate: bool = True,
                   target_sensitivity: Optional[float] = None,
                   target_specificity: Optional[float] = None) -> EvaluationReport:
    """Evaluate a checkpoint on a labelled split: metrics.json, confusion matrix and ROC figures, and
    the screening view (``referral.screening_evaluation``: calibration, imageability, operating point).

    ``split`` None evaluates on the images the checkpoint was validated on during training.  A
    checkpoint without a recorded temperature and operating point (trained before they existed), or
    a new target, gets them fitted on its validation images and recorded in the checkpoint.
    """
    model, record = load_model(checkpoint)
    dataset = evaluation_dataset(record, data_root, split, data)
    check_data_fits(record, dataset, checkpoint)
    result = evaluate(model, dataset, batch_size=batch_size, task=record.task)
    screening = []
    if record.temperature is None or target_sensitivity is not None or target_specificity is not None:
        validation = result if split is None or normalize_split(split) == "valid" else evaluate(
            model, evaluation_dataset(record, data_root, None, data), batch_size=batch_size, task=record.task)
        fields = screening_record(validation.y_true, validation.logits, record.task, target_sensitivity,
                                  target_specificity)
        record = record.updated(**fields)
        update_checkpoint_meta(checkpoint, fields)
        screening.append(f"temperature and operating point fitted on the validation images, recorded in {checkpoint}")
    gradable = [gradability(original_image(dataset, index)).gradable for index in range(len(dataset))] if gate else None
    numbers, lines = screening_evaluation(result.y_true, result.logits, record.task, record.class_names,
                                          record.temperature, OperatingPoint.from_dict(record.operating_point),
                                          gradable, n_resamples=bootstrap)
    output_dir = Path(output_dir or Path(checkpoint).parent / f"evaluation-{split or 'valid'}")
    make_folder(output_dir, "evaluation output folder")
    confusion = metrics.confusion_matrix(result.y_true, result.probs)
    figures = {
        "confusion_matrix": save_figure(plot_confusion_matrix(confusion, record.class_names),
                                        output_dir / "confusion_matrix.png"),
        "roc": save_figure(plot_roc_curves(result.y_true, result.probs, record.class_names),
                           output_dir / "roc_curves.png"),
    }
    scores = {name: float(value) for name, value in result.metrics.items()}
    write_text(output_dir / "metrics.json", json.dumps({**scores, **numbers}, indent=2))
    return EvaluationReport(scores, list(record.class_names), confusion, output_dir, figures, screening + lines)


def demo_settings(root=None, epochs: Optional[int] = None, log_dir=LOG_DIR, output_dir=None) -> dict:
    """The README's main job: a synthetic iChallenge-PM (written once) and a small, fast model."""
    root = Path(root) if root else DATASETS_DIR / "synthetic" / "demo-PALM"
    settings = {**DEFAULT_SETTINGS,
                "model": "resnet18", "data": "ichallenge_pm", "data_root": str(root), "image_size": 96,
                "batch_size": 16, "epochs": 6 if epochs is None else epochs, "optimizer": "adam", "lr": 1e-3,
                "schedule": "cosine", "monitor": "val/acc", "run_name": "demo-resnet18", "overwrite": True,
                "log_dir": str(log_dir), "output_dir": output_dir}
    parse_settings(settings)  # a bad value (epochs=0) is refused before the data is written
    if not (root / "PALM-Validation-GT").exists():
        print(f"writing a synthetic iChallenge-PM dataset to {root} ...")
        make_synthetic_ichallenge_pm(root, per_class=60, image_size=384, seed=0, splits=("train", "valid"))
    return settings


def train_distributed(settings: dict, nprocs: int = 2) -> None:
    """Run ``run_experiment(settings)`` in ``nprocs`` data-parallel processes (gloo on CPUs).

    The same as ``python -m paddle.distributed.launch --nproc_per_node N paddle_models/__main__.py
    train ...``; usable from a notebook because the spawned function lives in this module.
    """
    parse_settings(settings)  # a bad setting is reported here, once, not by every process
    options = {} if paddle.device.is_compiled_with_cuda() else {"backend": "gloo"}
    with spawn_environment():
        dist.spawn(_run_in_spawned_process, args=({**settings, "device": settings.get("device") or None},),
                   nprocs=nprocs, **options)


def _run_in_spawned_process(settings: dict) -> None:
    """``run_experiment`` in a process started by ``paddle.distributed.spawn``, which pickles what the
    function returns: the result holds the trainer (its device, a CPUPlace, cannot be pickled), so
    nothing is returned; rank 0 has written the checkpoint and the log."""
    run_experiment(settings, progress=False)


__all__ = ["DEFAULT_SETTINGS", "ExperimentResult", "EvaluationReport", "DataMismatchError", "SettingsError",
           "run_experiment", "run_evaluation", "demo_settings", "train_distributed", "build_datasets",
           "build_model", "model_record", "model_options", "evaluation_dataset", "check_data_fits"]
