"""Predict a folder of images (or a dataset split) and write the results as CSV.

Two formats:

* the general one -- one row per image::

      file,predicted_index,predicted_name,prob_<class 0>,prob_<class 1>,...
      V0001.jpg,1,PM,0.03125,0.96875

  followed by the screening columns ``gradable``, ``reason`` and ``decision``: the gradability
  gate's verdict on the file (``data.gate``; ``gate=False`` skips it) and refer / no referral /
  uncertain / ungradable (PM likely / PM unlikely for iChallenge-PM) at the model's recorded
  operating point (``referral.decide``; ``tta=True`` adds the flipped views' disagreement)::

      file,...,prob_PM,gradable,reason,decision
      V0002.jpg,...,0.0102,no,not a fundus photograph (no round field of view on a dark border),ungradable

* ``palm=True`` -- the PALM / iChallenge-PM submission: the challenge asks for one CSV
  (``classification_results.csv``) whose first column is the test image's file name, extension
  included, and whose second column is the probability (0.0-1.0) that the eye has pathologic
  myopia (PALM description on IEEE DataPort).  The description fixes the columns, not a header;
  we write the header row ``FileName,PM Risk``.  The PM probability is the model's class-1 column
  (iChallenge-PM: 0 = non-PM, 1 = PM).

Probabilities are written with 8 significant digits (not a fixed number of decimals), so that
very small or very large PM risks keep their order: the challenge ranks them by AUC.

An image that cannot be read stops the run with a ``BadSampleError`` naming the file: a submission
with a silently missing row would be scored as wrong anyway.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import List, Sequence

from ..data.gate import gradability_file
from ..data.imageio import IMAGE_EXTENSIONS
from ..data.imageio import list_images as _image_files
from ..errors import MissingFileError, WrongValueError
from ..files import write_csv
from ..referral import decide, positive_view, vocabulary
from .predictor import PredictionResult

PALM_HEADER = ("FileName", "PM Risk")


def list_images(folder, recursive: bool = False) -> List[Path]:
    """The images to predict in ``folder`` (``data.imageio.list_images``); a missing or empty folder is an error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingFileError(f"image folder not found: {folder}")
    images = _image_files(folder, recursive)
    if not images:
        raise MissingFileError(f"no images ({', '.join(IMAGE_EXTENSIONS)}) in {folder}")
    return images


def without_repeats(paths) -> List[Path]:
    """``paths`` in order, each file once (``--images a a/x.jpg`` lists a/x.jpg twice)."""
    seen, kept = set(), []
    for path in map(Path, paths):
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            kept.append(path)
    return kept


def unique_names(paths) -> List[str]:
    """A name per image that tells it apart from the others, for a CSV row or an output file.

    The file name when no two share it; else, for all, the path relative to the folder they all
    lie in (``left/V0001.jpg``, ``right/V0001.jpg``): two images of one name from two folders.
    """
    names = [Path(path).name for path in paths]
    if len(set(names)) == len(names):
        return names
    absolute = [os.path.abspath(path) for path in paths]
    common = os.path.commonpath([os.path.dirname(path) for path in absolute])
    return [Path(os.path.relpath(path, common)).as_posix() for path in absolute]


def image_paths(folder_or_dataset, recursive: bool = False) -> List[Path]:
    """A folder -> its images; one image file -> itself; a dataset (anything with ``samples`` of (path, label)) -> its files.

    For a dataset only the file list is used: the predictor preprocesses with the settings saved at
    export, whatever the dataset was built with.
    """
    if hasattr(folder_or_dataset, "samples"):
        return [Path(path) for path, _ in folder_or_dataset.samples]
    if isinstance(folder_or_dataset, (str, Path)):
        if Path(folder_or_dataset).is_file():  # one image
            return [Path(folder_or_dataset)]
        return list_images(folder_or_dataset, recursive)
    return without_repeats(folder_or_dataset)  # a list of files


def _column_name(name: str) -> str:
    return "prob_" + str(name).replace(" ", "_")


def write_predictions_csv(result: PredictionResult, files: Sequence, csv_path, screening=None) -> Path:
    """The general format: file, predicted index and name, one probability column per class
    (+ gradable, reason, decision when ``screening`` gives them, one triple per file)."""
    header = ["file", "predicted_index", "predicted_name"] + [_column_name(n) for n in result.class_names]
    rows = [[name, int(k), result.class_names[k]] + [f"{p:.8g}" for p in probs]
            for name, k, probs in zip(unique_names(files), result.classes, result.probs)]
    if screening is not None:
        header += list(SCREENING_COLUMNS)
        rows = [row + list(extra) for row, extra in zip(rows, screening)]
    return _write_csv(csv_path, header, rows)


SCREENING_COLUMNS = ("gradable", "reason", "decision")


def screening_columns(result: PredictionResult, files: Sequence, operating_point, gate: bool = True) -> List[tuple]:
    """(gradable 'yes'/'no', reason, decision) per file; see the module docstring.

    Without a recorded operating point (an export made before it existed) there is no decision to
    take: the column says so.  Tasks that are neither binary nor DR grading get no decision either.
    """
    verdicts = [gradability_file(path) if gate else (True, "not checked (--no-gate)") for path in files]
    try:
        scores, _ = positive_view(result.probs)
    except ValueError:  # neither binary nor a DR grader
        scores = None
    kind = vocabulary(result.class_names)
    rows = []
    for index, (gradable, reason) in enumerate(verdicts):
        if not gradable:
            decision = decide(0.0, 0.5, gradable=False)
        elif scores is None or operating_point is None:
            decision = "no operating point recorded" if scores is not None else ""
        else:
            views = positive_view(result.views[index])[0] if result.views is not None else None
            decision = decide(scores[index], operating_point.threshold, views=views, kind=kind)
        rows.append(("yes" if gradable else "no", reason, decision))
    return rows


def write_palm_csv(result: PredictionResult, files: Sequence, csv_path) -> Path:
    """The PALM submission: ``FileName,PM Risk`` with the class-1 (PM) probability."""
    if result.probs.shape[1] != 2:
        raise WrongValueError(f"the PALM format needs a two-class (non-PM / PM) model, got "
                         f"{result.probs.shape[1]} classes {result.class_names}")
    rows = [[name, f"{probs[1]:.8g}"] for name, probs in zip(unique_names(files), result.probs)]
    return _write_csv(csv_path, PALM_HEADER, rows)


def _write_csv(csv_path, header, rows) -> Path:
    return write_csv(csv_path, header, rows)  # atomic, checked


def predict_folder(predictor, folder_or_dataset, csv_path, palm: bool = False, batch_size: int = 8,
                   recursive: bool = False, gate: bool = True, tta: bool = False) -> Path:
    """Predict every image of a folder (or a dataset split, or a list of files) and write ``csv_path``.

    predictor: a ``Predictor`` (exported model) or ``DygraphPredictor``; an ``Ensemble`` too (then
    without ``tta``).  palm: write the PALM submission format ``FileName,PM Risk`` instead of the
    general one (no screening columns: the challenge fixes the columns).  gate / tta: see the
    module docstring.  Returns the CSV path.
    """
    files = image_paths(folder_or_dataset, recursive)
    result = predictor.predict_images(files, batch_size=batch_size, **({"tta": True} if tta else {}))
    if palm:
        return write_palm_csv(result, files, csv_path)
    screening = screening_columns(result, files, getattr(predictor, "operating_point", None), gate)
    return write_predictions_csv(result, files, csv_path, screening)
