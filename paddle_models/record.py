"""The run record: everything a trained model carries with it, as one typed value.

A checkpoint (``best.pdparams``, ``last.pdckpt``) and an exported model (``<prefix>.meta.json``) both
store a ``ModelRecord``.  It answers every question that comes after training:

=================  ================================================================================
question           field
=================  ================================================================================
which network?     ``model_name``, ``model_options``, ``num_outputs`` (logits: 1 for a one-logit
                   binary model, which still predicts 2 classes)
what do the        ``task`` (multiclass / binary_logit / ordinal: ``paddle_models.tasks``),
outputs mean?      ``class_names``
how are images     ``preprocess`` (a ``PreprocessConfig``; ``input_size`` follows from it)
prepared?
trained on what?   ``dataset``, ``synthetic`` (True when the images came from the synthetic
                   generator: its scores say nothing about real photographs), ``label_kind``,
                   ``validation`` (the split, or the share held out of the training images)
with which         ``settings`` (the run's full settings, as the command line or a lesson gave them)
settings?
how good?          ``best_epoch`` (counted from 1, as training prints it) and ``metrics`` of that epoch
screening          ``temperature`` (calibration: logits are divided by it) and ``operating_point``
                   (the referral threshold chosen on validation) -- empty until fitted
exported how?      ``export`` (program and weights files, batch size, Paddle version)
=================  ================================================================================

One function writes it (``to_dict``) and one reads it (``from_dict``), whichever version of the
course wrote the file: records written before this class existed (a plain ``meta`` dict) are read
by the same ``from_dict``.  The stored form keeps the key names those files used (``num_classes``
for the number of outputs, ``input_size``, the export's keys at the top level), so files written
now are still ordinary JSON and Paddle checkpoints that older code and the lessons can print.

A record also reads like that stored dict (``record["class_names"]``, ``record.get("dataset")``):
code written against the old ``meta`` dictionaries keeps working.  New code uses the attributes.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Optional, Tuple

from .data.preprocess import PreprocessConfig
from .errors import UserError
from .tasks import check_task, class_count

RECORD_VERSION = 2
# Where an exported model keeps its record: <prefix>.meta.json, and beside it <prefix>.dygraph.pdparams,
# the Python model's weights with the record (for Grad-CAM).  Checkpoints keep it under state["meta"].
META_SUFFIX = ".meta.json"
DYGRAPH_SUFFIX = ".dygraph.pdparams"
# the export's entries, stored at the top level of <prefix>.meta.json (inference.export)
EXPORT_KEYS = ("format_version", "output", "input_name", "batch_size", "precision", "quantization", "model_file",
               "params_file", "onnx_file", "paddle_version")


class RecordError(UserError, ValueError):
    """A checkpoint's or export's record is missing something it needs, or is not a record at all."""


@dataclass(frozen=True)
class ModelRecord(Mapping):
    """What a trained model carries with it (see the module docstring for each field)."""

    model_name: str
    num_outputs: int
    task: str
    class_names: Tuple[str, ...]
    preprocess: PreprocessConfig
    model_options: dict = field(default_factory=dict)
    dataset: Optional[str] = None
    synthetic: bool = False
    label_kind: Optional[str] = None
    validation: Optional[dict] = None
    settings: dict = field(default_factory=dict)
    best_epoch: Optional[int] = None
    metrics: dict = field(default_factory=dict)
    temperature: Optional[float] = None
    operating_point: Optional[dict] = None
    export: dict = field(default_factory=dict)

    def __post_init__(self):
        check_task(self.task)
        object.__setattr__(self, "class_names", tuple(str(name) for name in self.class_names))
        object.__setattr__(self, "num_outputs", int(self.num_outputs))
        if len(self.class_names) != class_count(self.task, self.num_outputs):
            raise RecordError(f"{len(self.class_names)} class names for a {self.task} model with "
                              f"{self.num_outputs} output(s): {list(self.class_names)}")

    # ------------------------------------------------------------------ derived facts

    @property
    def input_size(self) -> int:
        """The side of the square image the model sees (the centre crop's, if there is one)."""
        return self.preprocess.input_size

    @property
    def num_classes(self) -> int:
        """How many classes the model predicts (2 for a one-logit binary model)."""
        return len(self.class_names)

    def updated(self, **changes) -> "ModelRecord":
        """A copy with some fields changed (a record is never edited in place)."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ the stored form

    def to_dict(self) -> dict:
        """The JSON-serialisable form stored in checkpoints and ``<prefix>.meta.json``."""
        stored = {"record_version": RECORD_VERSION}
        for item in fields(self):
            stored[item.name] = getattr(self, item.name)
        stored.update(num_classes=stored.pop("num_outputs"), class_names=list(self.class_names),
                      preprocess=self.preprocess.to_dict(), input_size=self.input_size)
        stored.update(stored.pop("export"))
        return stored

    @classmethod
    def from_dict(cls, stored, source="the record") -> "ModelRecord":
        """Read a stored record, of this version or of an older one (a plain ``meta`` dict).

        ``source`` names the file in errors.  Older records may lack ``best_epoch`` (they kept the
        checkpoint's 0-based ``epoch``), ``synthetic`` and the screening fields; those get defaults.
        """
        if isinstance(stored, ModelRecord):
            return stored
        if not isinstance(stored, Mapping):
            raise RecordError(f"{source}: holds no model record (found {type(stored).__name__}): "
                              "use a checkpoint or export this course wrote")
        stored = dict(stored)
        missing = [key for key in ("model_name", "num_classes") if not stored.get(key)]
        if missing:
            raise RecordError(f"{source}: its record lacks {' and '.join(missing)}, so the model cannot be rebuilt. "
                              "Use the file the run wrote, or train (export) again")
        values = {item.name: stored[item.name] for item in fields(cls) if item.name in stored}
        values["task"] = stored.get("task") or "multiclass"  # records of hand-saved models may lack these two
        if not stored.get("class_names"):
            values["class_names"] = [f"class {k}" for k in range(class_count(values["task"], stored["num_classes"]))]
        values.update(num_outputs=stored["num_classes"], export={key: stored[key] for key in EXPORT_KEYS if key in stored})
        try:
            values["preprocess"] = PreprocessConfig.from_dict(stored.get("preprocess"))
        except (TypeError, ValueError) as error:
            raise RecordError(f"{source}: its preprocessing cannot be read ({error})") from None
        if values.get("best_epoch") is None and isinstance(stored.get("epoch"), int):
            values["best_epoch"] = stored["epoch"] + 1  # older exports kept the checkpoint's 0-based epoch
        values["model_options"] = dict(values.get("model_options") or {})
        values["settings"] = dict(values.get("settings") or {})
        values["metrics"] = dict(values.get("metrics") or {})
        try:
            return cls(**values)
        except (TypeError, ValueError) as error:
            raise RecordError(f"{source}: {error}") from None

    # ------------------------------------------------------------------ reads like the stored dict

    def __getitem__(self, key):
        return self.to_dict()[key]

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self):
        return len(self.to_dict())


def count_outputs(model, input_size: int) -> int:
    """Run one blank image through the model (in eval mode) to learn how many logits it returns.

    Eval mode matters: a forward pass in training mode would update batch-norm running statistics,
    even under ``paddle.no_grad()``.
    """
    import paddle  # here, not at the top: reading a record needs no Paddle

    from .models import evaluating, main_output

    with evaluating(model):
        logits = main_output(model(paddle.zeros([1, 3, input_size, input_size], "float32")))
    return int(logits.shape[-1])


def record_for_model(model, meta=None, input_size: Optional[int] = None) -> ModelRecord:
    """The record of ``model``, completing what a partial ``meta`` dict (or none) leaves out.

    For a model built by hand (a lesson, a test) that never went through a training run: the
    missing preprocessing defaults to ``PreprocessConfig`` at ``input_size`` (else the model's
    ``default_input_size``), the task to multiclass, the class names to 'class 0', 'class 1', ...,
    and the number of outputs is counted by running the model once.  ``input_size``, when given,
    must agree with the preprocessing's output side: the predictor feeds images of that side.
    """
    if isinstance(meta, ModelRecord):
        stored = meta.to_dict()
    else:
        stored = dict(meta or {})
    if stored.get("preprocess") is not None:
        preprocess = PreprocessConfig.from_dict(stored["preprocess"])
    else:
        size = input_size or stored.get("input_size") or getattr(model, "default_input_size", 224)
        preprocess = PreprocessConfig(image_size=int(size))
    if input_size is not None and int(input_size) != preprocess.input_size:
        raise RecordError(f"input_size={input_size} disagrees with the preprocessing's output side "
                          f"{preprocess.input_size}; the predictor would feed images of the wrong size")
    task = check_task(stored.get("task") or "multiclass")
    outputs = stored.get("num_classes") or count_outputs(model, preprocess.input_size)
    classes = class_count(task, outputs)
    stored.update(preprocess=preprocess.to_dict(), task=task, num_classes=int(outputs),
                  class_names=list(stored.get("class_names") or [f"class {k}" for k in range(classes)]),
                  model_name=stored.get("model_name") or type(model).__name__.lower())
    return ModelRecord.from_dict(stored)
