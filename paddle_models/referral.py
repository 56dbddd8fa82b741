"""From probabilities to a screening decision: the operating point, its intervals, refer / no referral.

A screening programme does not ask "which class is most probable?" but "send this person to an
ophthalmologist?".  That is a yes/no question about a *positive* view of the model:

* binary tasks (iChallenge-PM): the probability of class 1 (pathologic myopia);
* a DR grader: P(referable) = P(grade >= 2) -- moderate non-proliferative DR or worse, the
  "referable DR" of Gulshan et al. 2016 -- the sum of the grades' probabilities from grade 2 up
  (DDR's sixth class, "ungradable", is left out and the five grades renormalised).

The **operating point** is the threshold on that probability, fixed *in advance on the validation
split* for a target: a sensitivity (default 0.90 -- a screening test should miss few eyes) or a
specificity.  It is recorded with the model (field ``operating_point``: the threshold, the target
and the validation sensitivity and specificity there) and every later decision uses it unchanged:
choosing the threshold on the test split would report an optimistic sensitivity.

``screening_intervals`` reports AUC, sensitivity and specificity at the recorded point, each with a
95 % bootstrap interval (``metrics.bootstrap_interval``), as the screening trials do (IDx-DR:
sensitivity 87.2 %, 95 % CI 81.8-91.2; see "Screening references" in the shared README).

``decide`` turns one image into the screening vocabulary: **refer**, **no referral**, **uncertain**
(the probability lies in a band around the threshold, or the test-time-augmented views or the
ensemble members fall on both sides of it: a human should look) or **ungradable** (the gate
refused the photograph).  iChallenge-PM models say **PM likely** / **PM unlikely** instead.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from .calibration import expected_calibration_error, fit_temperature, scaled_probabilities
from .errors import WrongValueError
from .metrics import (BOOTSTRAP_RESAMPLES, MIN_SUPPORT, as_probs, bootstrap_interval, per_class_report,
                      proportion_interval)

REFER_GRADE = 2  # referable diabetic retinopathy: moderate NPDR or worse
DR_GRADES = 5  # grades 0-4; a sixth class (DDR's "ungradable") is not a grade
DEFAULT_TARGET_SENSITIVITY = 0.90
UNCERTAIN_LOG_ODDS = 0.5
"""Half-width of the "uncertain" band around the threshold, in log-odds: an image is uncertain when
its odds lie within a factor e^0.5 = 1.65 of the threshold's.  At threshold 0.5 that is 0.38-0.62,
at 0.1 it is 0.063-0.155 (a band in log-odds stays sensible for the low thresholds a high
sensitivity needs).  Course's choice."""

UNGRADABLE = "ungradable"
UNCERTAIN = "uncertain"
DECISIONS = {"referral": ("refer", "no referral"), "pm": ("PM likely", "PM unlikely")}
"""The positive and negative decision of each vocabulary; ``uncertain`` and ``ungradable`` are shared."""


# ----------------------------------------------------------------------------- the positive view


def positive_view(probs) -> Tuple[np.ndarray, str]:
    """(P(positive) [N], what it is) for a binary task or a DR grader's referable view."""
    probs = as_probs(probs)
    if probs.shape[1] == 2:
        return probs[:, 1], "P(class 1)"
    if probs.shape[1] in (DR_GRADES, DR_GRADES + 1):
        grades = probs[:, :DR_GRADES]
        return grades[:, REFER_GRADE:].sum(axis=1) / np.maximum(grades.sum(axis=1), 1e-12), "P(grade >= 2)"
    raise WrongValueError(f"an operating point needs a binary task or a DR grader (5 grades), got {probs.shape[1]} classes")


def positive_labels(y_true, num_classes: int) -> Tuple[np.ndarray, np.ndarray]:
    """(is positive [N], counts [N]) for ``positive_view``'s classes: class 1, or grade 2-4.

    ``counts`` is False for a label that is no grade (DDR's 5, ungradable): it has no place in a
    sensitivity or specificity of grading.
    """
    y_true = np.asarray(y_true)
    if num_classes == 2:
        return y_true == 1, np.ones(len(y_true), bool)
    return (y_true >= REFER_GRADE) & (y_true < DR_GRADES), y_true < DR_GRADES


def vocabulary(class_names: Sequence[str]) -> str:
    """'pm' for iChallenge-PM's classes (PM likely / PM unlikely), else 'referral' (refer / no referral)."""
    # heavy: data.ichallenge_pm loads Paddle, which referral otherwise never needs
    from .data.ichallenge_pm import CLASS_NAMES as PM_CLASS_NAMES

    return "pm" if tuple(class_names) == tuple(PM_CLASS_NAMES) else "referral"


# ----------------------------------------------------------------------------- the operating point


@dataclass
class OperatingPoint:
    """The recorded threshold on P(positive), the target it was chosen for, and what it gave on validation."""

    threshold: float
    target: str  # "sensitivity" or "specificity"
    target_value: float
    sensitivity: float  # on the validation split, at this threshold
    specificity: float
    view: str = "P(class 1)"  # or "P(grade >= 2)"
    positives: int = 0  # validation images behind the two rates
    negatives: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    def intervals(self) -> Dict[str, Tuple[float, float]]:
        """The validation sensitivity's and specificity's 95 % Wilson intervals (``metrics.proportion_interval``)."""
        return {"sensitivity": proportion_interval(round(self.sensitivity * self.positives), self.positives),
                "specificity": proportion_interval(round(self.specificity * self.negatives), self.negatives)}

    @classmethod
    def from_dict(cls, values: Optional[dict]) -> Optional["OperatingPoint"]:
        return cls(**values) if values else None

    def describe(self) -> str:
        return (f"{self.view} >= {self.threshold:.4g} (chosen on validation for {self.target} >= "
                f"{self.target_value:.2f}: sensitivity {self.sensitivity:.3f}, specificity {self.specificity:.3f})")


def rates_at(positive, score, threshold: float) -> Tuple[float, float]:
    """(sensitivity, specificity) of the rule "positive when score >= threshold"; nan without positives/negatives."""
    positive, called = np.asarray(positive, bool), np.asarray(score) >= threshold
    sensitivity = called[positive].mean() if positive.any() else np.nan
    specificity = (~called[~positive]).mean() if (~positive).any() else np.nan
    return float(sensitivity), float(specificity)


def choose_operating_point(positive, score, target_sensitivity: Optional[float] = None,
                           target_specificity: Optional[float] = None, view: str = "P(class 1)") -> OperatingPoint:
    """The threshold for a target on validation predictions (``positive`` [N] bool, ``score`` [N]).

    For a target sensitivity: the highest threshold whose sensitivity reaches it (the most specific
    rule that finds enough eyes).  For a target specificity: the lowest threshold whose specificity
    reaches it.  Default: sensitivity 0.90.  The candidates are scikit-learn's ``roc_curve`` thresholds.
    """
    if target_sensitivity is not None and target_specificity is not None:
        raise WrongValueError("give a target sensitivity or a target specificity, not both")
    target, value = (("specificity", target_specificity) if target_specificity is not None
                     else ("sensitivity", DEFAULT_TARGET_SENSITIVITY if target_sensitivity is None else target_sensitivity))
    if not 0 < value <= 1:
        raise WrongValueError(f"the target {target} must lie in (0, 1], got {value}")
    positive, score = np.asarray(positive, bool), np.asarray(score, np.float64)
    if positive.all() or not positive.any():
        raise WrongValueError("choosing an operating point needs validation images of both kinds (positive and negative)")
    false_positive_rate, true_positive_rate, thresholds = roc_curve(positive, score, drop_intermediate=False)
    thresholds = np.minimum(thresholds, 1.0)  # the first candidate (calls nobody positive) is inf or max + 1
    if target == "sensitivity":
        threshold = thresholds[np.flatnonzero(true_positive_rate >= value)[0]]
    else:
        threshold = thresholds[np.flatnonzero(1 - false_positive_rate >= value)[-1]]
    return OperatingPoint(float(threshold), target, float(value), *rates_at(positive, score, threshold), view=view,
                          positives=int(positive.sum()), negatives=int((~positive).sum()))


def screening_intervals(positive, score, threshold: float, n_resamples: int = BOOTSTRAP_RESAMPLES,
                        seed: int = 0) -> Dict[str, Tuple[float, float, float]]:
    """{'auc' | 'sensitivity' | 'specificity': (value, low, high)}: each with its 95 % bootstrap interval."""
    positive, score = np.asarray(positive, bool), np.asarray(score, np.float64)

    def auc(labels, scores):
        return roc_auc_score(labels, scores) if 0 < labels.sum() < len(labels) else np.nan

    def sensitivity(labels, scores):
        return rates_at(labels, scores, threshold)[0]

    def specificity(labels, scores):
        return rates_at(labels, scores, threshold)[1]

    results = {}
    for name, statistic in (("auc", auc), ("sensitivity", sensitivity), ("specificity", specificity)):
        value = float(statistic(positive, score))
        low, high = bootstrap_interval(statistic, positive, score, n_resamples=n_resamples, seed=seed)
        results[name] = (value, low, high)
    return results


# ----------------------------------------------------------------------------- the record

def screening_record(labels, logits, task: str, target_sensitivity: Optional[float] = None,
                     target_specificity: Optional[float] = None) -> dict:
    """{'temperature': T, 'operating_point': {...} or None} from the *validation* labels and logits:
    the two screening fields of the run record (``record.ModelRecord``); the predictor applies them.

    The temperature is fitted first and the operating point chosen on the calibrated probabilities,
    so both belong together.  Tasks without a positive view (neither binary nor a DR grader), and
    validation sets without both kinds of eye, get no operating point.
    """
    temperature = fit_temperature(logits, labels, task)
    probs = scaled_probabilities(logits, task, temperature)
    try:
        score, view = positive_view(probs)
        positive, counts = positive_labels(labels, probs.shape[1])
        point = choose_operating_point(positive[counts], score[counts], target_sensitivity, target_specificity, view)
    except ValueError:  # no positive view, or one kind of eye only
        point = None
    return {"temperature": temperature, "operating_point": point.to_dict() if point else None}


# ----------------------------------------------------------------------------- one image's decision


def log_odds(p) -> np.ndarray:
    p = np.clip(np.asarray(p, np.float64), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def decide(p_positive: float, threshold: float, gradable: bool = True, views: Optional[Sequence[float]] = None,
           kind: str = "referral", band: float = UNCERTAIN_LOG_ODDS) -> str:
    """One image's decision: ungradable / uncertain / refer / no referral (PM: PM likely / PM unlikely).

    ``views``: P(positive) of each test-time-augmented view or ensemble member; the image is
    uncertain when they fall on both sides of the threshold, or when ``p_positive`` lies within
    ``band`` log-odds of it.
    """
    if not gradable:
        return UNGRADABLE
    if abs(float(log_odds(p_positive) - log_odds(threshold))) < band:
        return UNCERTAIN
    if views is not None and len(views) > 1 and min(views) < threshold <= max(views):
        return UNCERTAIN
    positive, negative = DECISIONS[kind]
    return positive if p_positive >= threshold else negative


# ----------------------------------------------------------------------------- what `evaluate` reports


def screening_evaluation(y_true, logits, task: str, class_names: Sequence[str], temperature: float = 1.0,
                         operating_point: Optional[OperatingPoint] = None, gradable: Optional[Sequence[bool]] = None,
                         n_resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> Tuple[Dict[str, float], list]:
    """The screening view of an evaluation: (numbers for metrics.json, lines to print).

    Calibration (ECE before and after the temperature), the imageability rate (share of the images
    the gate passes, with its Wilson interval), AUC / sensitivity / specificity at the recorded
    operating point with bootstrap intervals (``n_resamples`` 0: no intervals), per-class recall with
    its interval and a plain note when a class has too few images.  Computed on every image, gradable
    or not, so the numbers stay comparable with the plain metrics above them.
    """
    raw, probs = scaled_probabilities(logits, task), scaled_probabilities(logits, task, temperature)
    numbers = {"ece": expected_calibration_error(y_true, raw), "ece_calibrated": expected_calibration_error(y_true, probs),
               "temperature": temperature}
    lines = [f"calibration: ECE {numbers['ece']:.4f} before, {numbers['ece_calibrated']:.4f} after temperature "
             f"scaling (T = {temperature:.3f}, fitted on the validation images)"]
    if gradable is not None:
        passed, total = int(np.sum(gradable)), len(gradable)
        low, high = proportion_interval(passed, total)
        numbers.update(imageability=passed / max(total, 1), imageability_low=low, imageability_high=high)
        lines.append(f"imageability: {passed} of {total} images gradable ({passed / max(total, 1):.1%}, "
                     f"95% CI {low:.1%}-{high:.1%}); the gate refused {total - passed}")
    if operating_point is not None:
        score, view = positive_view(probs)
        positive, counts = positive_labels(y_true, probs.shape[1])
        lines.append(f"operating point: {operating_point.describe()}")
        if positive[counts].any() and not positive[counts].all():
            intervals = screening_intervals(positive[counts], score[counts], operating_point.threshold,
                                            n_resamples, seed) if n_resamples else None
            values = {"auc": roc_auc_score(positive[counts], score[counts]),
                      **dict(zip(("sensitivity", "specificity"), rates_at(positive[counts], score[counts], operating_point.threshold)))}
            for name, value in values.items():
                numbers[f"screening_{name}"] = float(value)
                interval = ""
                if intervals:
                    numbers[f"screening_{name}_low"], numbers[f"screening_{name}_high"] = intervals[name][1:]
                    interval = f" (95% bootstrap CI {intervals[name][1]:.3f}-{intervals[name][2]:.3f}, {n_resamples} resamples)"
                lines.append(f"  {name:<11} {value:.3f}{interval}")
            lines.append(f"  on {int(positive[counts].sum())} positive and {int((~positive[counts]).sum())} negative images")
        else:
            lines.append("  this split holds one kind of eye only: no sensitivity and specificity")
    lines.append("recall per class (95% Wilson interval):")
    for row in per_class_report(y_true, probs, class_names):
        note = f"  -- too few images (< {MIN_SUPPORT}) for this number to mean much" if row["too_few"] else ""
        lines.append(f"  {row['name']:<16} {row['recall']:.3f} ({row['recall_low']:.3f}-{row['recall_high']:.3f}) "
                     f"of {row['support']}{note}")
    return numbers, lines
