"""One schema for every setting of a run: the dataclass fields are the single definition.

A run has three groups of settings, each a dataclass whose fields are made with ``setting(...)``:

    ModelSettings   which network (model, model_options, pretrained)          this module
    DataSettings    which images and how they are read (data, image_size ...)  this module
    TrainConfig     how it is trained (optimizer, lr, epochs, monitor ...)     this module

A field carries its name, type, default, allowed choices, a check of its value and its help text.
Everything else is *derived* from the fields, so a new field appears everywhere at once:

* ``add_arguments(parser)``   the command line's ``train`` options (``--batch-size`` ...);
* ``parse_settings(flat)``    a flat dict (a recipe, the command line, a notebook) -> the three
                              dataclasses; an unknown key is an error that lists the valid ones;
* ``validate(instance)``      every value checked: a misspelled ``monitor`` or ``lr=nan`` is an
                              error naming the setting and what it accepts;
* ``as_flat_dict`` / ``hparam_names``  what a checkpoint and VisualDL's HyperParameters tab record.

    >>> model, data, train = parse_settings({"model": "resnet18", "lr": 0.01})
    >>> train.lr, data.image_size
    (0.01, 224)
    >>> parse_settings({"learning_rate": 0.01})
    Traceback (most recent call last):
        ...
    paddle_models.settings.SettingsError: unknown setting 'learning_rate' in settings; did you mean 'lr'? ...
"""
from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import re
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .data.preprocess import DEFAULT_IMAGE_SIZE, MIN_IMAGE_SIZE, NORMALIZATION_PRESETS, PreprocessConfig
from .errors import UserError, WrongValueError, did_you_mean
from .places import LOG_DIR
from .tasks import LOSSES, task_of_loss


class SettingsError(UserError, ValueError):
    """A setting has an unknown name or a value it does not accept; the message says which and why."""


# ----------------------------------------------------------------------------- declaring a setting


def setting(default, help: str, choices: Optional[Sequence] = None, check: Optional[Callable] = None,
            cli: bool = True, hparam: bool = True, resumable: bool = False, path: bool = False,
            preprocess: Optional[str] = None):
    """A dataclass field with what the rest of the package needs to know about it.

    ``choices``  the allowed values (a sequence, or a function returning one, for lists that are only
                 known once the package is imported, such as the model names);
    ``check``    a function value -> None, or a short text saying what is wrong (``positive`` ...);
    ``cli``      False for fields the command line does not offer (``progress`` is ``--quiet``);
    ``hparam``   False for fields that are not hyper-parameters (folders, resume) in VisualDL;
    ``resumable`` True for fields a resumed run may change (how long it goes on, where it writes, the
                 machinery); every other field changes what the run computes, so ``--resume`` refuses a
                 new value (``resume_differences``);
    ``path``     True for a file or folder: a run records it absolute (``absolute_paths``), so that its
                 checkpoint works from any working directory;
    ``preprocess`` the ``PreprocessConfig`` field this setting sets (``random_crop`` -> ``crop_size``):
                 ``DataSettings.preprocess_config`` derives the preprocessing from these.
    """
    metadata = dict(help=help, choices=choices, check=check, cli=cli, hparam=hparam, resumable=resumable,
                    path=path, preprocess=preprocess)
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def choices_of(item) -> Optional[Tuple]:
    """The allowed values of a field (None when any value of its type is allowed)."""
    choices = item.metadata.get("choices")
    return tuple(choices() if callable(choices) else choices) if choices is not None else None


# Checks: each returns None when the value is fine, else what it must be.
def at_least(minimum):
    def check(value):
        return None if value >= minimum else f"a number >= {minimum}"
    return check


def positive(value):
    return None if math.isfinite(value) and value > 0 else "a finite number > 0"


def non_negative(value):
    return None if math.isfinite(value) and value >= 0 else "a finite number >= 0"


def folder_name(value):
    """One folder name (a run's, inside --log-dir): a path would put the run somewhere else."""
    plain = value.strip() and value not in (".", "..") and not any(sep in value for sep in ("/", "\\"))
    return None if plain else "one folder name, without / or \\ and not . or .. (it is made inside log_dir)"


def fraction(value):
    return None if 0 < value < 1 else "a fraction between 0 and 1 (exclusive)"


def probability(value):
    return None if 0 <= value < 1 else "a number in [0, 1)"


def weights_source(value):
    """``pretrained``: 'imagenet', or a weights file that exists (checked before any data is read)."""
    if value == "imagenet" or Path(value).is_file():
        return None
    return f"'imagenet' or an existing .pdparams file{did_you_mean(value, ['imagenet'])} ({value}: no such file)"


def device_name(value):
    """``device``: cpu, gpu or gpu:N."""
    return None if value == "cpu" or re.fullmatch(r"gpu(:\d+)?", value) else "cpu, gpu or gpu:N"


# ----------------------------------------------------------------------------- the model and data groups


def _model_names():
    # heavy: models loads Paddle; the settings schema is read by `--help` without it
    from .models import list_models

    return list_models()


def _dataset_names():
    # heavy: data.registry loads Paddle; the settings schema is read by `--help` without it
    from .data.registry import list_datasets

    return list_datasets()


def _normalizations():
    return sorted(NORMALIZATION_PRESETS)


@dataclass
class ModelSettings:
    """Which network: a registered model name, extra factory arguments, starting weights."""

    model: str = setting("resnet18", "a model name (see `tour`), e.g. resnet50, vgg16, googlenet, convmixer_768_32",
                         choices=_model_names)
    model_options: Optional[dict] = setting(None, 'extra model arguments as JSON, e.g. \'{"dropout": 0.3}\'')
    pretrained: Optional[str] = setting(None, "'imagenet' (ResNet/VGG from paddle.vision) or a .pdparams file",
                                        check=weights_source)

    def __post_init__(self):
        validate(self)


@dataclass
class DataSettings:
    """Which images, and how they are read and preprocessed."""

    data: str = setting("ichallenge_pm", "the dataset", choices=_dataset_names)
    data_root: Optional[str] = setting(None, "the dataset's folder (see datasets/README.md), or 'auto' to look "
                                             "where the course keeps datasets (AI Studio included)", hparam=False, path=True)
    image_size: int = setting(DEFAULT_IMAGE_SIZE, f"input side in pixels ({DEFAULT_IMAGE_SIZE} in the course)",
                              check=at_least(MIN_IMAGE_SIZE), preprocess="image_size")
    normalize: str = setting("imagenet", "input normalisation preset", choices=_normalizations, preprocess="normalize")
    augment: bool = setting(True, "training augmentation (flips, rotations, colour jitter)")
    random_crop: Optional[int] = setting(None, "train on random N x N windows of the image_size image (the DDR "
                                               "study: 512 -> random 256); validation, evaluation, export and "
                                               "prediction see the centre N x N window", check=at_least(MIN_IMAGE_SIZE),
                                preprocess="crop_size")
    subset: Optional[int] = setting(None, "train on a fixed, seeded, stratified subset of this many images",
                                    check=at_least(1))
    valid_fraction: float = setting(0.2, "share of the training images held out for validation when the "
                                         "dataset has no validation split (APTOS, a plain image folder)",
                                    check=fraction)
    ben_graham: bool = setting(False, "Ben Graham's preprocessing: subtract the local average colour "
                                      "(4 * image - 4 * blurred + 128), evening out illumination",
                                  preprocess="ben_graham")
    circular_mask: bool = setting(False, "blank the corners outside a centred circle (with --ben-graham, as the "
                                         "APTOS case study did)", preprocess="circular_mask")
    split_file: Optional[str] = setting(None, "a CSV of which training images are held out for validation: "
                                              "written by the first run, reused by every later one (no leaks)",
                                        hparam=False, path=True)
    exclude: Optional[str] = setting(None, "leave the images the CSV written by `audit` flags out of train and "
                                           "valid (reproducibly: the checkpoint records it)", hparam=False, path=True)
    keep_ungradable: bool = setting(False, "DDR: keep the ungradable images (grade 5) as a sixth class instead "
                                           "of leaving them out")
    skip_bad: bool = setting(False, "skip unreadable images and list them (next to the run) instead of stopping")
    cache_dir: Optional[str] = setting(None, "cache preprocessed images here (much faster from epoch 2)",
                                       hparam=False, path=True, resumable=True)

    def __post_init__(self):
        # heavy: data.registry loads Paddle; the settings schema is read by `--help` without it
        from .data.registry import canonical_name

        try:
            self.data = canonical_name(self.data)
        except ValueError:
            pass  # validate() names the dataset and lists the known ones
        validate(self)
        if self.keep_ungradable and self.data != "ddr":
            raise SettingsError(f"keep_ungradable=True is for DDR (its grade 5); data={self.data!r} has no "
                                "ungradable images")
        self.preprocess_config()  # its own checks, e.g. that the random_crop windows fit in the image

    @property
    def reader_options(self) -> dict:
        """What only some datasets' readers take (``keep_ungradable``: DDR's), when it is set."""
        return {"keep_ungradable": True} if self.keep_ungradable else {}

    @property
    def input_size(self) -> int:
        """The side of the model's input: the crop when training takes random windows."""
        return self.random_crop or self.image_size

    def preprocess_config(self, dataset_defaults: Optional[dict] = None):
        """The ``PreprocessConfig`` these settings ask for, on top of what suits the dataset's images
        (its reader's ``preprocess_defaults``): every field declared with ``preprocess=`` sets its own."""
        sets = {item.metadata["preprocess"]: item.name for item in fields(self) if item.metadata.get("preprocess")}
        values = dict(dataset_defaults or {})
        values.update({key: getattr(self, name) for key, name in sets.items()})
        try:
            return PreprocessConfig(**values)
        except WrongValueError as error:  # named as the settings, not the preprocessing: crop_size -> random_crop
            renamed = {key: name for key, name in sets.items() if key != name}
            raise SettingsError(re.sub(r"\b(" + "|".join(renamed) + r")\b", lambda match: renamed[match.group(1)],
                                       str(error))) from None


# ----------------------------------------------------------------------------- the training group

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")
SCHEDULES = ("constant", "step", "cosine")
SAMPLERS = ("shuffle", "balanced")


def monitors(metric_names: Optional[Sequence[str]] = None) -> tuple:
    """What ``monitor`` may name: the validation metrics computed every epoch (``metrics.EPOCH_METRICS``;
    for some data fewer: sensitivity and specificity need two classes, which the Trainer checks), and the
    losses.  (metrics is imported here, not at the top: it loads scikit-learn, which ``--help`` does not need.)"""
    if metric_names is None:
        # heavy: metrics loads scikit-learn; the settings schema is read by `--help` without it
        from .metrics import EPOCH_METRICS as metric_names
    return ("val/loss", *(f"val/{name}" for name in metric_names), "train/loss", "train/acc", "train/auc")


@dataclass
class TrainConfig:
    """How the model is trained: optimizer, schedule, loss, model selection and machinery."""

    # how long, how big
    epochs: int = setting(10, "number of passes over the training set", check=at_least(1), resumable=True)
    batch_size: int = setting(16, "images per optimizer step", check=at_least(1))
    # optimizer (优化器) and learning rate
    optimizer: str = setting("momentum", "the optimizer", choices=OPTIMIZERS)
    lr: float = setting(1e-3, "learning rate", check=positive)
    momentum: float = setting(0.9, "momentum of momentum SGD", check=probability)
    weight_decay: Optional[float] = setting(
        None, "L2 weight decay (None: 0, or AdamW's own 0.01; an explicit 0 means none)", check=non_negative)
    l1_decay: float = setting(0.0, "L1 regularisation strength (sum of |w| added to the loss)", check=non_negative)
    schedule: str = setting("constant", "learning-rate schedule", choices=SCHEDULES)
    step_epochs: Optional[int] = setting(None, "step schedule: lr x0.1 every this many epochs (default epochs // 3)",
                                         check=at_least(1))
    warmup_epochs: float = setting(0.0, "linear warm-up from lr/10 over this many epochs", check=non_negative)
    # loss
    loss: str = setting("ce", "ce, weighted_ce (1/class frequency), bce (one logit) or ordinal", choices=LOSSES)
    label_smoothing: float = setting(0.0, "cross-entropy label smoothing", check=probability)
    aux_weight: float = setting(0.3, "weight of GoogLeNet's auxiliary losses (0: heads ignored)", check=non_negative)
    grad_clip: Optional[float] = setting(None, "clip the global gradient norm to this value", check=positive)
    sampler: str = setting("shuffle", "shuffle, or balanced (class-balanced batches for imbalanced data)",
                           choices=SAMPLERS)
    precise_bn: int = setting(0, "before each validation, recompute batch-norm statistics from this many "
                                 "training images with the epoch's final weights (0: off; engine/batchnorm.py)",
                              check=at_least(0))
    # model selection
    monitor: str = setting("val/acc", "the metric that chooses the best epoch", choices=monitors)
    patience: Optional[int] = setting(None, "early stopping: epochs without improvement of monitor",
                                      check=at_least(1), resumable=True)
    # machinery
    device: Optional[str] = setting(None, "cpu, gpu or gpu:N (default: gpu when there is one)", hparam=False,
                                    resumable=True, check=device_name)
    amp: str = setting("auto", "mixed precision (auto: on with a GPU)", choices=("auto", "on", "off"),
                       hparam=False, resumable=True)
    seed: int = setting(0, "random seed: weights, shuffling, augmentation, subsets", check=at_least(0))
    num_workers: int = setting(0, "DataLoader worker processes", check=at_least(0), hparam=False,
                               resumable=True)
    log_dir: str = setting(LOG_DIR, "parent folder of the VisualDL logs", hparam=False, resumable=True)
    run_name: Optional[str] = setting(None, "sub-folder name for this run's logs and checkpoints "
                                            "(default: <data>-<model> on the command line, else 'run')", hparam=False,
                                     check=folder_name)
    output_dir: Optional[str] = setting(None, "where checkpoints go (default: the run's folder)", hparam=False,
                                        resumable=True)
    resume: bool = setting(False, "continue the run from its last checkpoint (last.pdckpt)", hparam=False,
                           resumable=True)
    overwrite: bool = setting(False, "replace the run already in the run folder (its checkpoints and VisualDL "
                                     "log); without it, a fresh run into such a folder is refused", hparam=False,
                              resumable=True)
    save_last: bool = setting(True, "write last.pdckpt every epoch so --resume can continue "
                                    "(off saves time and disk)", hparam=False)
    progress: bool = setting(True, "tqdm progress bars", cli=False, hparam=False, resumable=True)

    def __post_init__(self):
        validate(self)
        if self.warmup_epochs >= self.epochs:
            raise SettingsError(f"warmup_epochs={self.warmup_epochs:g} must be below epochs={self.epochs}: the "
                                "learning rate would never reach lr. Warm up for fewer epochs, or train for more")
        if self.run_name is None:
            self.run_name = "run"
        if self.output_dir is None:
            self.output_dir = f"{self.log_dir}/{self.run_name}"

    @property
    def task(self) -> str:
        """How outputs become probabilities: multiclass (softmax), binary_logit (sigmoid), ordinal."""
        return task_of_loss(self.loss)

    @property
    def monitor_mode(self) -> str:
        """Losses are minimised, every other metric maximised."""
        return "min" if self.monitor.endswith("loss") else "max"

    def to_dict(self) -> dict:
        return asdict(self)


# ----------------------------------------------------------------------------- checking values


def _type_of(cls, name: str):
    """The field's type with Optional[...] removed, and whether None is allowed."""
    hint = typing.get_type_hints(cls)[name]
    arguments = typing.get_args(hint)
    if typing.get_origin(hint) is typing.Union and type(None) in arguments:
        return next(a for a in arguments if a is not type(None)), True
    return hint, False


def _coerce(cls, item, value):
    """Accept an int for a float setting and a whole float for an int one; refuse any other type."""
    kind, optional = _type_of(cls, item.name)
    if value is None:
        if optional:
            return None
        raise SettingsError(f"{item.name} cannot be None (a {kind.__name__} is needed)")
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):  # (True is an int)
        return value
    raise SettingsError(f"{item.name}={value!r} is not allowed: it must be of type {kind.__name__}, not "
                        f"{type(value).__name__}")


def validate(instance) -> None:
    """Check every field of a settings dataclass; the first bad one raises a SettingsError."""
    cls = type(instance)
    for item in fields(instance):
        value = _coerce(cls, item, getattr(instance, item.name))
        object.__setattr__(instance, item.name, value)
        if value is None:
            continue
        allowed = choices_of(item)
        if allowed is not None and value not in allowed:
            raise SettingsError(f"{item.name}={value!r} is not allowed{did_you_mean(value, allowed)}; choose "
                                "one of: " + ", ".join(map(str, allowed)))
        check = item.metadata.get("check")
        problem = check(value) if check else None
        if problem:
            raise SettingsError(f"{item.name}={value!r} is not allowed: it must be {problem}")


# ----------------------------------------------------------------------------- the groups together


def groups():
    """The three settings dataclasses, in the order the command line lists them."""
    return (ModelSettings, DataSettings, TrainConfig)


def all_fields(cli_only: bool = False) -> List:
    items = [item for cls in groups() for item in fields(cls)]
    return [item for item in items if item.metadata.get("cli", True)] if cli_only else items


def setting_names() -> List[str]:
    return [item.name for item in all_fields()]


def defaults() -> Dict[str, object]:
    """Every setting's default, as one flat dict."""
    values = {}
    for item in all_fields():
        values[item.name] = item.default_factory() if item.default is MISSING else item.default
    return values


# Names other frameworks give some settings, so that the error can point to ours.
OTHER_NAMES = {"learning_rate": "lr", "num_epochs": "epochs", "batchsize": "batch_size", "wd": "weight_decay",
               "dataset": "data", "arch": "model", "scheduler": "schedule", "lr_scheduler": "schedule",
               "optim": "optimizer", "workers": "num_workers", "root": "data_root"}


def check_keys(keys: Iterable[str], source: str, extra: Sequence[str] = ()) -> None:
    """Every key must be a setting (or one of ``extra``); the error suggests the nearest name."""
    known = setting_names() + list(extra)
    for key in keys:
        if key not in known:
            close = [OTHER_NAMES[key]] if key in OTHER_NAMES else difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SettingsError(f"unknown setting {key!r} in {source}{hint} Valid settings: "
                                + ", ".join(sorted(known)))


def parse_settings(flat: Dict[str, object], source: str = "settings"):
    """A flat dict -> (ModelSettings, DataSettings, TrainConfig), every key and value checked."""
    check_keys(flat, source)
    built = []
    for cls in groups():
        names = {item.name for item in fields(cls)}
        built.append(cls(**{key: value for key, value in flat.items() if key in names}))
    return tuple(built)


def as_flat_dict(*instances) -> Dict[str, object]:
    """The settings of a run as one flat, JSON-serialisable dict (saved in checkpoints)."""
    values = {}
    for instance in instances:
        values.update(asdict(instance))
    return json.loads(json.dumps(values, default=str))


def absolute_paths(instance):
    """A copy of a settings dataclass whose ``path`` fields are absolute (``~`` expanded)."""
    paths = {item.name: os.path.abspath(os.path.expanduser(getattr(instance, item.name))) for item in fields(instance)
             if item.metadata.get("path") and getattr(instance, item.name) is not None}
    return replace(instance, **paths)


def resume_differences(saved: Dict[str, object], current: Dict[str, object]) -> List[str]:
    """The settings a resumed run changed although they change what it computes, as ``name old -> new``.

    ``saved`` and ``current`` are flat settings (``as_flat_dict``); only the fields not declared
    ``resumable`` count, and only those both dicts hold (a checkpoint may predate a field).
    """
    def shown(value):
        return value if isinstance(value, str) else repr(value)

    return [f"{item.name} {shown(saved[item.name])} -> {shown(current[item.name])}" for item in all_fields()
            if not item.metadata["resumable"] and item.name in saved and item.name in current
            and saved[item.name] != current[item.name]]


def hparam_names() -> List[str]:
    """The settings VisualDL shows as hyper-parameters (fields not marked ``hparam=False``)."""
    return [item.name for item in all_fields() if item.metadata.get("hparam", True)]


# ----------------------------------------------------------------------------- the command line


def option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One option per setting, with the field's type, choices and help; every default is None so
    that a recipe's values show through where an option is not given."""
    for cls in groups():
        group = parser.add_argument_group(cls.__name__, (cls.__doc__ or "").strip().splitlines()[0])
        for item in fields(cls):
            if not item.metadata.get("cli", True):
                continue
            kind, _ = _type_of(cls, item.name)
            default = item.default_factory() if item.default is MISSING else item.default
            text = f"{item.metadata['help']} (default: {default})"
            options = dict(default=None, help=text, dest=item.name)
            if kind is bool:
                group.add_argument(option_name(item.name), action=argparse.BooleanOptionalAction, **options)
                continue
            # Choices are shown, not enforced by argparse: validate() checks (and normalises names first,
            # e.g. --data APTOS or image-folder).  Lists known only from the package (model and dataset
            # names, the metrics) are not computed for --help: that would import Paddle and scikit-learn.
            if callable(item.metadata.get("choices")):
                options["metavar"] = item.name.upper()
                options["help"] += "; a name that does not exist is refused with the list of those that do"
            elif item.metadata.get("choices") is not None:
                allowed = choices_of(item)
                options["metavar"] = "{" + ",".join(map(str, allowed)) + "}"
            group.add_argument(option_name(item.name), type=json_object if kind is dict else kind, **options)


def json_object(text: str) -> dict:
    """An option written as JSON, e.g. ``--model-options '{"dropout": 0.5}'``; argparse names a bad one."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not JSON ({error.msg} at character {error.pos}); write "
                                         "an object with double quotes, e.g. '{\"dropout\": 0.5}'") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"{text!r} is not a JSON object ({{...}}), e.g. '{{\"dropout\": 0.5}}'")
    return value


def given_options(namespace: argparse.Namespace) -> Dict[str, object]:
    """The settings given on the command line (options left out are None and not returned)."""
    names = set(setting_names())
    return {key: value for key, value in vars(namespace).items() if key in names and value is not None}
