"""Screening one fundus photograph with one or more exported models: everything the web page shows.

``screen_image(models, image)`` is a pure function (no web framework involved), so it is tested
without a browser.  For each model it

1. checks the upload (``check_image``): a readable image, not tiny, not huge, not a flat colour;
   reads it upright (EXIF orientation) and composites transparent pixels on black, with a note;
   asks the gradability gate (``data.gate``) whether it is a gradable fundus photograph -- if not,
   the answer is "ungradable: <reason> -- retake the photograph" and no model is asked;
2. preprocesses it with the model's own saved settings (``data.preprocess_image``, the function the
   datasets and ``inference.Predictor`` use): the image the model *saw* (border crop, resize, Ben
   Graham when trained with it);
3. predicts with the exported program (``inference.Predictor``, ``paddle.inference``);
4. explains the predicted class with Grad-CAM (``inference.GradCAM``) on the Python (dygraph) model
   that ``export`` stores next to the program (``<prefix>.dygraph.pdparams``);

then combines several models by averaging their (temperature-calibrated) probabilities
(``inference.average_probs``, the ensemble rule of lesson 10) and turns them into what a reader
wants to know: the pathologic myopia (病理性近视) risk, or the five diabetic retinopathy grades
(糖尿病视网膜病变分级) and P(grade >= 2); and the decision at the model's recorded operating point
(``referral.decide``): refer / no referral / uncertain / ungradable (PM likely / PM unlikely for
iChallenge-PM).  "Uncertain" also when the models of an ensemble fall on both sides of the threshold.

A teaching model trained on a few hundred photographs (or synthetic ones): not a medical device.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from ..data import BadSampleError, preprocess_image, to_input
from ..data.ddr import GRADE_NAMES
from ..data.gate import gradability
from ..data.ichallenge_pm import CLASS_NAMES as PM_CLASS_NAMES
from ..data.imageio import apply_orientation, exif_orientation, read_image
from ..errors import UserError, WrongValueError
from ..inference import GradCAM, Predictor, average_probs, load_dygraph, overlay_heatmap
from ..metrics import expected_grade
from ..referral import REFER_GRADE, UNGRADABLE, OperatingPoint, decide, positive_view, vocabulary

MIN_SIDE = 64  # pixels: below this there is nothing to see in a fundus photograph
MAX_PIXELS = 36_000_000  # 6000 x 6000; fundus cameras give at most about 24 million pixels
FLAT_STD = 2.0  # grey-level standard deviation below which an image is one flat colour
TRANSPARENCY_NOTE = ("transparent pixels were composited on black (a fundus photograph's dark border) "
                     "before screening")
NOTICE = ("Teaching model (教学模型), not a medical device: trained on a small or synthetic dataset; "
          "never use it to diagnose anyone.")

ImageInput = Union[str, os.PathLike, np.ndarray]  # a file path, or a BGR uint8 array as from cv2.imread


class ScreeningError(UserError, ValueError):
    """An upload the app cannot screen; the message is shown on the page as it is."""


# ----------------------------------------------------------------------------- the models


@dataclass
class ScreeningModel:
    """One exported model: the ``paddle.inference`` predictor and, for Grad-CAM, the dygraph model."""

    name: str
    predictor: Predictor
    dygraph: Optional[object] = None  # None: the export has no dygraph weights (no heat map)
    gradcam_problem: Optional[str] = None  # why there is no dygraph model

    @property
    def meta(self) -> dict:
        return self.predictor.meta

    @property
    def class_names(self) -> List[str]:
        return self.predictor.class_names


def load_screening_model(prefix, threads: Optional[int] = None, backend: str = "paddle") -> ScreeningModel:
    """An export prefix (``exported/<name>``) -> ``ScreeningModel``; Grad-CAM is optional.

    backend: 'paddle' (paddle.inference) or 'onnxruntime' (an export made with ``--format onnx``).
    """
    predictor = Predictor(prefix, threads=threads, backend=backend)
    try:
        dygraph, _ = load_dygraph(prefix)
        problem = None
    except (FileNotFoundError, ValueError, KeyError, TypeError) as error:  # old export, unknown model
        dygraph, problem = None, str(error)
    return ScreeningModel(Path(str(prefix)).name, predictor, dygraph, problem)


def load_screening_models(prefixes: Sequence, threads: Optional[int] = None,
                          backend: str = "paddle") -> List[ScreeningModel]:
    """Several exports; they must predict the same classes to be combined."""
    models = [load_screening_model(prefix, threads, backend) for prefix in prefixes]
    if not models:
        raise WrongValueError("give at least one exported model")
    names = {tuple(model.class_names) for model in models}
    if len(names) != 1:
        raise WrongValueError(f"these models predict different classes and cannot be combined: {sorted(names)}")
    return models


# ----------------------------------------------------------------------------- checking an upload


def check_image(image: ImageInput) -> List[str]:
    """Refuse what cannot be screened (``ScreeningError`` with a readable reason); returns notes.

    Reads the header first (size, format) and decodes the pixels only if the size is acceptable.
    JPEGs are decoded at reduced scale for the flat-colour check, which also catches truncated files.
    """
    if isinstance(image, np.ndarray):
        return _check_array(image)
    path = Path(image)
    name = path.name
    if not path.is_file():
        raise ScreeningError(f"{name}: no such file")
    if path.stat().st_size == 0:
        raise ScreeningError(f"{name}: the file is empty")

    try:
        with Image.open(path) as picture:
            width, height, kind, mode = picture.width, picture.height, picture.format, picture.mode
            _check_size(name, width, height)
            if kind == "JPEG":
                picture.draft("RGB", (max(MIN_SIDE, width // 8), max(MIN_SIDE, height // 8)))
            picture.load()  # decodes every byte: a truncated or damaged file fails here
            grey = np.asarray(picture.convert("L"))
    except ScreeningError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ScreeningError(f"{name}: not an image this app can read (upload a JPEG or PNG photograph)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ScreeningError(f"{name}: the image file is damaged or incomplete ({error}); "
                             "upload the original photograph again") from None
    _check_not_flat(name, grey)
    return [f"{name}: a greyscale image; the model was trained on colour photographs"] if mode in ("L", "I", "I;16", "1") else []


def _check_size(name: str, width: int, height: int) -> None:
    if min(width, height) < MIN_SIDE:
        raise ScreeningError(f"{name}: the image is only {width}x{height} pixels; a fundus photograph needs "
                             f"at least {MIN_SIDE} pixels on each side")
    if width * height > MAX_PIXELS:
        raise ScreeningError(f"{name}: the image is {width}x{height} pixels ({width * height / 1e6:.0f} million), "
                             f"more than this app accepts ({MAX_PIXELS / 1e6:.0f} million); "
                             "downscale it (fundus cameras give at most about 24 million)")


def _check_not_flat(name: str, grey: np.ndarray) -> None:
    if float(grey.std()) < FLAT_STD:
        raise ScreeningError(f"{name}: the image is one flat colour (no detail at all): not a fundus photograph")


def _check_array(image: np.ndarray) -> List[str]:
    name = f"array of shape {tuple(image.shape)}"
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ScreeningError(f"{name} ({image.dtype}): expected a uint8 image [H, W] or [H, W, 3] (BGR)")
    _check_size(name, image.shape[1], image.shape[0])
    _check_not_flat(name, image if image.ndim == 2 else image[..., :3].mean(axis=2))
    return [f"{name}: a greyscale image; the model was trained on colour photographs"] if image.ndim == 2 else []


def read_upload(image: ImageInput):
    """(BGR uint8 pixels, upright, notes): a file is read with its EXIF orientation applied; one with an
    alpha channel is composited on black (``TRANSPARENCY_NOTE``); an array is taken as it is."""
    if isinstance(image, np.ndarray):
        if image.ndim == 3 and image.shape[2] == 4:
            return composite_on_black(image), [TRANSPARENCY_NOTE]
        return image, []
    data = np.fromfile(str(image), dtype=np.uint8)

    pixels = cv2.imdecode(data, cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    if pixels is not None and pixels.ndim == 3 and pixels.shape[2] == 4:
        if pixels.dtype != np.uint8:  # a 16-bit PNG
            pixels = (pixels // 257).astype(np.uint8)
        return apply_orientation(composite_on_black(pixels), exif_orientation(data)), [TRANSPARENCY_NOTE]
    return read_image(image), []


def composite_on_black(bgra: np.ndarray) -> np.ndarray:
    """BGRA -> BGR: each pixel's colour times its opacity, i.e. laid over black."""
    alpha = bgra[:, :, 3:].astype(np.float32) / 255.0
    return np.round(bgra[:, :, :3].astype(np.float32) * alpha).astype(np.uint8)


# ----------------------------------------------------------------------------- screening


@dataclass
class ModelAnswer:
    """What one model says about one image."""

    model: str
    input_image: np.ndarray  # uint8 RGB [S, S, 3]: the preprocessed image the model saw
    probs: np.ndarray  # [C]
    predicted: int
    gradcam: Optional[np.ndarray] = None  # uint8 RGB [S, S, 3]: heat map of the predicted class


@dataclass
class Screening:
    """The answer for one image: the gate's verdict, every model's answer, the combined (calibrated)
    probabilities, their reading and the decision at the operating point."""

    source: str  # file name (or "array ...")
    class_names: List[str]
    probs: Optional[np.ndarray]  # [C]: the mean over the models (one model: its own); None when ungradable
    answers: List[ModelAnswer]
    summary: Dict[str, object]  # see summarize
    notes: List[str] = field(default_factory=list)
    gradable: bool = True
    reason: str = ""  # why not gradable
    decision: str = ""  # refer / no referral / uncertain / ungradable (PM likely / PM unlikely); "" without a point

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.probs))

    @property
    def predicted_name(self) -> str:
        return self.class_names[self.predicted]

    def probabilities(self) -> Dict[str, float]:
        """{class name: probability} in class (grade) order; empty when ungradable."""
        if self.probs is None:
            return {}
        return {name: float(p) for name, p in zip(self.class_names, self.probs)}


def answer_one(model: ScreeningModel, image: ImageInput) -> ModelAnswer:
    """Preprocess as in training, predict with the exported program, explain with Grad-CAM."""
    config = model.predictor.preprocess
    try:
        rgb = preprocess_image(image if isinstance(image, np.ndarray) else str(image), config)
    except BadSampleError as error:
        raise ScreeningError(str(error)) from None
    inputs = to_input(rgb, config)[None]  # float32 [1, 3, S, S]
    probs = model.predictor.predict_probs(inputs)[0]
    predicted = int(np.argmax(probs))
    overlay = None
    if model.dygraph is not None:
        maps, _ = GradCAM(model.dygraph, task=model.predictor.task)(inputs, target_class=predicted)
        overlay = overlay_heatmap(rgb, maps[0])
    return ModelAnswer(model.name, rgb, probs, predicted, overlay)


def screen_image(models: Sequence[ScreeningModel], image: ImageInput, gate: bool = True) -> Screening:
    """One image (path or BGR array) -> ``Screening``; a bad file raises ``ScreeningError``.

    An image the gate refuses is answered "ungradable" without asking the models (``gate=False``
    asks them anyway, for experiments).
    """
    if image is None:
        raise ScreeningError("no image: upload a fundus photograph (JPEG or PNG) or pick an example")
    notes = check_image(image)
    pixels, read_notes = read_upload(image)
    notes += read_notes
    class_names = list(models[0].class_names)
    source = f"array of shape {tuple(image.shape)}" if isinstance(image, np.ndarray) else Path(image).name
    gradable, reason = gradability(pixels) if gate else (True, "")
    if not gradable:
        return Screening(source, class_names, None, [], {"kind": task_kind(class_names)}, notes, False, reason, UNGRADABLE)
    # the file itself when nothing changed its pixels: JPEGs are then decoded at reduced scale, as the predictor does
    answers = [answer_one(model, pixels if read_notes or isinstance(image, np.ndarray) else image) for model in models]
    probs = average_probs([answer.probs[None] for answer in answers])[0]
    notes += [f"{model.name}: no Grad-CAM ({model.gradcam_problem})" for model in models if model.dygraph is None]
    decision = decide_for(models, probs, [answer.probs for answer in answers], class_names)
    return Screening(source, class_names, probs, answers, summarize(probs, class_names), notes, decision=decision)


def operating_point(models: Sequence[ScreeningModel]) -> Optional[OperatingPoint]:
    """The operating point the decision uses: the first model's (every member of an ensemble records its own)."""
    return models[0].predictor.operating_point


def decide_for(models, probs: np.ndarray, member_probs: Sequence[np.ndarray], class_names) -> str:
    """The decision at the recorded operating point; the members' disagreement makes it uncertain."""
    point = operating_point(models)
    try:
        score = positive_view(probs[None])[0][0]
    except ValueError:  # neither binary nor a DR grader: no decision
        return ""
    if point is None:
        return ""
    views = [positive_view(member[None])[0][0] for member in member_probs]
    return decide(score, point.threshold, views=views, kind=vocabulary(class_names))


# ----------------------------------------------------------------------------- reading the probabilities


def task_kind(class_names: Sequence[str]) -> str:
    """'pm' (iChallenge-PM's two classes), 'dr' (the five DR grades, maybe + ungradable) or 'other'."""
    names = tuple(class_names)
    if names == PM_CLASS_NAMES:
        return "pm"
    if names[:len(GRADE_NAMES)] == GRADE_NAMES:
        return "dr"
    return "other"


def summarize(probs: np.ndarray, class_names: Sequence[str]) -> Dict[str, object]:
    """What the probabilities mean: PM risk, or DR expected grade / P(referable) / refer (by the predicted grade)."""
    kind = task_kind(class_names)
    predicted = int(np.argmax(probs))
    summary: Dict[str, object] = {"kind": kind, "predicted": class_names[predicted]}
    if kind == "pm":
        summary["pm_risk"] = float(probs[1])
    elif kind == "dr":
        grades = np.asarray(probs[:len(GRADE_NAMES)], np.float64)
        gradable = grades / max(grades.sum(), 1e-12)  # DDR's 6th class 'ungradable' is left out
        summary["expected_grade"] = float(expected_grade(gradable[None])[0])  # one row of probabilities
        summary["p_referable"] = float(gradable[REFER_GRADE:].sum())
        summary["refer"] = predicted < len(GRADE_NAMES) and predicted >= REFER_GRADE
        summary["ungradable"] = predicted >= len(GRADE_NAMES)
    return summary


DECISION_TEXT = {"refer": "**refer** to an ophthalmologist", "no referral": "**no referral** needed",
                 "uncertain": "**uncertain -- refer** (a person should look at this photograph)",
                 "PM likely": "**PM likely**: refer", "PM unlikely": "**PM unlikely**"}


def summary_text(screening: Screening, models: Sequence[ScreeningModel] = ()) -> str:
    """The answer in one or two lines of Markdown, headed by the image's name."""
    summary, name = screening.summary, screening.source
    if not screening.gradable:
        return f"**{name}**: **ungradable**: {screening.reason} -- retake the photograph"
    point = operating_point(models) if models else None
    decision = ""
    if screening.decision:
        decision = f" -- {DECISION_TEXT.get(screening.decision, screening.decision)}"
        if point is not None:
            decision += f" (operating point {point.view} >= {point.threshold:.1%})"
    if summary["kind"] == "pm" and screening.decision:
        text = f"**{name}**: PM risk **{summary['pm_risk']:.1%}**{decision}"
    elif summary["kind"] == "dr" and screening.decision:
        text = (f"**{name}**: P(grade >= 2) = **{summary['p_referable']:.1%}**{decision}; predicted grade "
                f"{screening.predicted_name}, expected grade {summary['expected_grade']:.2f}")
    elif summary["kind"] == "pm":
        verdict = "pathologic myopia (病理性近视) likely" if summary["pm_risk"] >= 0.5 else "no pathologic myopia"
        text = f"**{name}**: PM risk **{summary['pm_risk']:.1%}**: {verdict}"
    elif summary["kind"] == "dr":
        if summary["ungradable"]:
            action = "**ungradable**: take the photograph again"
        elif summary["refer"]:
            action = "**refer** to an ophthalmologist (grade >= 2, 可转诊)"
        else:
            action = "no referral needed (grade < 2)"
        text = (f"**{name}**: predicted grade **{screening.predicted_name}**, expected grade "
                f"{summary['expected_grade']:.2f}, P(grade >= 2) = {summary['p_referable']:.1%}: {action}")
    else:
        text = f"**{name}**: **{screening.predicted_name}** ({screening.probs.max():.1%})"
    if not screening.decision and summary["kind"] in ("pm", "dr"):
        text += " (no operating point recorded: export a checkpoint trained with this version for a decision)"
    if len(screening.answers) > 1:
        text += f"  (mean of {len(screening.answers)} models: " + ", ".join(
            f"{a.model} {screening.class_names[a.predicted]}" for a in screening.answers) + ")"
    return text


# ----------------------------------------------------------------------------- the model card


def model_card(model: ScreeningModel) -> str:
    """Markdown: architecture, dataset, input size and preprocessing, validation metrics."""
    meta = model.meta
    pre = meta.get("preprocess", {})
    steps = [step for step, on in (("crop the black border", pre.get("crop_border")),
                                   ("pad to a square", pre.get("keep_aspect")),
                                   (f"resize to {pre.get('image_size', meta.get('input_size'))}", True),
                                   ("Ben Graham", pre.get("ben_graham")),
                                   ("circular mask", pre.get("circular_mask")),
                                   (f"centre crop to {pre.get('crop_size')}", pre.get("crop_size"))) if on]
    lines = [f"### {model.name}",
             f"- architecture (模型): `{meta.get('model_name', '?')}` {meta.get('model_options') or ''}",
             f"- dataset (数据集): {meta.get('dataset', 'unknown')}; classes: {', '.join(model.class_names)}",
             f"- input: {meta.get('input_size')}x{meta.get('input_size')} RGB, preprocessing (预处理): "
             + ", ".join(steps) + f", normalise '{pre.get('normalize', '?')}'",
             f"- task: {meta.get('task')}; Paddle {meta.get('paddle_version', '?')}"]
    if meta.get("synthetic"):
        lines[2] += (" -- **synthetic images (合成数据)**: these numbers say nothing about real photographs")
    point = OperatingPoint.from_dict(meta.get("operating_point"))
    if point is not None:
        intervals = point.intervals()
        lines.append(f"- decision: {point.view} >= {point.threshold:.1%}, chosen on validation for {point.target} "
                     f"{point.target_value:.2f}; there sensitivity {point.sensitivity:.1%} (95% CI "
                     f"{intervals['sensitivity'][0]:.1%}-{intervals['sensitivity'][1]:.1%}, {point.positives} eyes), "
                     f"specificity {point.specificity:.1%} ({intervals['specificity'][0]:.1%}-"
                     f"{intervals['specificity'][1]:.1%}, {point.negatives} eyes)")
    if meta.get("temperature"):
        lines.append(f"- probabilities calibrated by temperature scaling (T = {meta['temperature']:.2f}, validation)")
    scores = {key[4:]: value for key, value in (meta.get("metrics") or {}).items() if key.startswith("val/")}
    if scores:
        older = meta.get("epoch")  # exports written before best_epoch: the checkpoint's epoch, counted from 0
        epoch = meta.get("best_epoch") or (older + 1 if isinstance(older, int) else "?")
        lines.append(f"- validation (验证集) at epoch {epoch}: "
                     + ", ".join(f"{key} {value:.3f}" for key, value in sorted(scores.items())))
    else:
        lines.append("- validation metrics: not recorded (exported from a model, not a checkpoint)")
    if model.dygraph is None:
        lines.append(f"- Grad-CAM: unavailable ({model.gradcam_problem})")
    return "\n".join(lines)
