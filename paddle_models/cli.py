"""The command line: ``python -m paddle_models <command> [options]``.

Commands (``python -m paddle_models <command> --help`` for each one's options):

    demo      the README's main job: synthetic iChallenge-PM, a small model, a few minutes on a CPU
    train     train any model on any dataset, or a named course recipe (``--recipe pm-resnet50``)
    evaluate  metrics and figures of a checkpoint on a split
    export    a checkpoint -> an inference model (``paddle.jit.save``)
    predict   an exported model + a folder of images (or a dataset split) -> CSV
    gradcam   Grad-CAM (or occlusion) heat maps of a checkpoint for some images, as PNG overlays
    tour      every model's layer table (output shapes and parameters)
    recipes   the named training recipes and what to expect from them
    synth     write a synthetic dataset in an official layout
    audit     score every image's quality (blank, dark, blurred, ...): a CSV and a contact sheet
    prepare   unpack the downloaded iChallenge-PM or DDR archives into the expected layout
    lessons   execute the lesson notebooks (fast mode unless --full)
    doctor    versions, GPU, disk, datasets found, and a broken Paddle install (paddle_models.doctor)
    app       the screening web page (Gradio) over exported models (paddle_models.app)

Each command is a small function that turns its options into calls of the package; the work itself
lives in ``paddle_models.experiment``, ``paddle_models.engine`` and ``paddle_models.inference``.
The options of ``train`` are not written here: they are derived from the settings dataclasses
(``paddle_models.settings``), so every setting is reachable, checked and documented in one place.

A mistake of the user's (a bad setting, a missing folder, a corrupt image, a checkpoint that does
not fit the data: a ``paddle_models.errors.UserError``) ends the command with a one-line
``error: ...`` that says what to do, and exit status 2; any other exception is a bug of the package,
reported as one (exit status 1).  ``--debug`` shows the traceback instead.

The library's messages name settings as Python writes them, for a notebook's caller
(``grad_clip=1.0``, ``resume=True``); ``as_options`` turns them into this command line's options
(``--grad-clip 1.0``, ``--resume``) before they are printed, so each message is written once.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Dict, List, Optional, Tuple

# Only what building the parser needs is imported here: ``--help`` answers at once.  Each command
# imports the parts it runs (Paddle, scikit-learn, matplotlib, Gradio take seconds to load).
from . import recipes as recipe_book
from . import settings as schema
from .app.command import add_app_parser
from .book import add_book_parser
from .doctor import add_doctor_parser
from .errors import UserError
from .files import os_error_advice


# ----------------------------------------------------------------------------- the commands


def command_demo(args) -> None:
    """Synthetic iChallenge-PM, a small ResNet, a few minutes of CPU training, metrics and figures."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .experiment import demo_settings, run_evaluation, run_experiment
    from .visualdl_log import visualdl_command

    settings = demo_settings(args.root, epochs=args.epochs, log_dir=args.log_dir, output_dir=args.output_dir)
    result = run_experiment(settings, progress=not args.quiet)
    report = run_evaluation(result.checkpoint, settings["data_root"], split="valid",
                            output_dir=result.output_dir / "evaluation", batch_size=settings["batch_size"])
    print()
    print(report.summary())
    print(f"\nchance level {report.chance_accuracy:.3f}; the model scores {report.metrics['acc']:.3f} accuracy")
    print(f"checkpoint      {result.checkpoint}")
    print(f"figures         {report.output_dir}")
    print(f"VisualDL logs   {result.log_dir}")
    print(f"open them with  {visualdl_command(result.log_dir.parent)}")


def command_train(args) -> None:
    """Train with the settings of ``--recipe`` (if any), overridden by the options given."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .experiment import run_experiment

    settings = {}
    if args.recipe:
        settings.update(recipe_book.recipe_settings(args.recipe))
        settings["run_name"] = args.recipe
    settings.update(schema.given_options(args))
    if not settings.get("data_root"):
        raise UserError("train: --data-root is required (where the dataset lies; see datasets/README.md)")
    result = run_experiment(settings, progress=not args.quiet)
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .engine.distributed import is_main_process

    if not is_main_process():  # under paddle.distributed.launch, rank 0 reports
        return
    print(f"best checkpoint {result.checkpoint}")
    print(f"VisualDL logs   {result.log_dir}")


def command_evaluate(args) -> None:
    """Metrics (printed, and saved as JSON) and figures for a checkpoint on one split."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .experiment import run_evaluation

    if args.batch_size < 1:
        raise UserError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.bootstrap < 0:
        raise UserError(f"--bootstrap must be 0 (no intervals) or a number of resamples, got {args.bootstrap}")
    for target in (args.target_sensitivity, args.target_specificity):
        if target is not None and not 0 < target <= 1:
            raise UserError(f"--target-sensitivity/--target-specificity must lie in (0, 1], got {target}")
    report = run_evaluation(args.checkpoint, args.data_root, split=args.split, data=args.data,
                            output_dir=args.output, batch_size=args.batch_size, bootstrap=args.bootstrap,
                            gate=not args.no_gate, target_sensitivity=args.target_sensitivity,
                            target_specificity=args.target_specificity)
    print(report.summary())
    print(f"figures and metrics.json in {report.output_dir}")


def command_export(args) -> None:
    """A checkpoint -> an inference model plus the preprocessing it needs."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .inference import export_checkpoint
    from .inference.export import META_SUFFIX

    output = Path(args.output)
    if args.output.endswith(("/", os.sep)) or output.is_dir():
        raise UserError(f"--output {args.output} is a folder; it takes a path prefix: --output {output / 'model'} "
                        f"writes {output / 'model'}{META_SUFFIX} and the model's other files")
    if Path(args.output + META_SUFFIX).exists() and not args.overwrite:
        raise UserError(f"{args.output}{META_SUFFIX} exists: --output {args.output} already holds an exported model. "
                        "Pass --overwrite to replace it, or another --output")
    paths = export_checkpoint(args.checkpoint, args.output, batch_size=args.batch_size, format=args.format,
                              precision=args.precision, calibration_images=args.calibration_images,
                              data_root=args.data_root)
    for path in paths:
        print(path)


def command_predict(args) -> None:
    """An exported model + images -> a CSV of classes and probabilities (or the PALM format)."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .inference import Predictor, predict_folder

    source = args.images
    if source is None:
        if not (args.data and args.data_root):
            raise UserError("predict: give --images FOLDER (or one image), or --data NAME --data-root ROOT [--split]")
        # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
        from .data import build_dataset

        from .data.locate import resolve_data_root

        predictor = Predictor(args.model, backend=args.backend)
        source = build_dataset(args.data, resolve_data_root(args.data, args.data_root), args.split,
                               preprocess=predictor.preprocess)
    else:
        predictor = Predictor(args.model, backend=args.backend)
    path = predict_folder(predictor, source, args.output, palm=args.palm, batch_size=args.batch_size,
                          gate=not args.no_gate, tta=args.tta)
    print(f"predictions written to {path}")


def command_gradcam(args) -> None:
    """Grad-CAM (or, with ``--method occlusion``, occlusion) overlays of a checkpoint for the given images."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .engine import load_model
    from .inference import Occlusion, find_layer, save_gradcam
    from .inference.occlusion import check_patch, default_patch

    occluding = args.method == "occlusion"
    wrong = ["--layer"] * (occluding and args.layer is not None) + [
        option for option, value in (("--patch", args.patch), ("--stride", args.stride), ("--score", args.score))
        if not occluding and value is not None]
    if wrong:
        raise UserError(f"gradcam: {wrong[0]} is an option of --method {'gradcam' if occluding else 'occlusion'}, "
                        f"not of --method {args.method}")
    model, record = load_model(args.checkpoint)
    classes = record.num_classes
    if args.target_class is not None and not 0 <= args.target_class < classes:
        raise UserError(f"gradcam: --target-class {args.target_class} does not exist: {args.checkpoint} "
                        f"predicts classes 0..{classes - 1} ({', '.join(record.class_names)})")
    explainer = None
    if occluding:
        patch = default_patch(record.input_size) if args.patch is None else args.patch
        check_patch(record.input_size, patch, max(1, patch // 2) if args.stride is None else args.stride)  # at once
        explainer = Occlusion(model, patch, args.stride, task=record.task, score=args.score or "probability")
    layer = find_layer(model, args.layer, record.input_size) if args.layer else None
    for path in save_gradcam(model, record, args.images, args.output, target_class=args.target_class, layer=layer,
                             explainer=explainer):
        print(path)


def command_tour(args) -> None:
    """Build each model and print its layer-by-layer output shapes and parameter counts."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .experiment import model_options
    from .models import build, card, layer_table, list_models

    names = args.models or list_models()
    for name in names:
        options = model_options({"model": name, "image_size": args.image_size}) if args.image_size else {}
        model = build(name, num_classes=args.num_classes, **options)
        size = args.image_size or model.default_input_size
        channels, minimum = card(name).in_channels, card(name).min_input_size
        print(f"\n=== {name} ({size}x{size} input, {args.num_classes} classes)")
        if size < minimum:
            print(f"warning: {name} needs at least {minimum}x{minimum}: at {size}x{size} some of its maps are empty (0x0)")
        try:
            print(layer_table(model, input_size=(1, channels, size, size)))
        except (ValueError, AssertionError) as error:  # Paddle 2.6 refuses an empty map instead of computing it
            if size >= minimum:
                raise
            print(f"(no layer table at {size}x{size}: {str(error).splitlines()[0]})")


def command_recipes(args) -> None:
    print(recipe_book.recipe_table())


def command_synth(args) -> None:
    """Write a synthetic dataset in an official layout (the writer its reader class declares)."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .data.registry import synthetic_writer

    write = synthetic_writer(args.data)  # an unknown name is refused first
    root = Path(args.root)
    if args.per_class < 1:
        raise UserError(f"--per-class must be at least 1, got {args.per_class}")
    if args.image_size is not None and args.image_size < 16:
        raise UserError(f"--image-size must be at least 16 pixels (a fundus needs room to be drawn), got {args.image_size}")
    if root.is_dir() and any(root.iterdir()):  # a real dataset's label files would be rewritten
        raise UserError(f"--root {root} is not empty: synth writes label files and images there and would "
                        "replace or mix with what is in it. Use a new or empty folder")
    size = {} if args.image_size is None else {"image_size": args.image_size}  # else the writer's own default
    root = write(root, per_class=args.per_class, seed=args.seed, **size)
    print(f"synthetic {args.data} written to {root}")


def command_audit(args) -> None:
    """Audit one split; DDR keeps its ungradable grade 5 so the flags can be compared with it."""
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .data.quality import audit_dataset
    from .data.registry import build_dataset

    options = {"keep_ungradable": True} if args.data.lower() == "ddr" else {}
    dataset = build_dataset(args.data, args.data_root, args.split, skip_bad=True, **options)
    prefix = f"{args.data.lower()}-{dataset.split or args.split}"
    result = audit_dataset(dataset, args.output, prefix=prefix, progress=not args.quiet)
    print(result.summary())
    print(f"leave the flagged images out with exclude='{result.csv_path}'")


def command_prepare(args) -> None:
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .data.locate import prepare

    print(f"dataset ready under {prepare(args.data, args.archives, args.root)}")


def command_lessons(args) -> None:
    # deferred: --help must answer without loading Paddle (tests/test_cli_startup.py)
    from .notebooks import EXECUTED_DIR, FULL_EXECUTED_DIR, run_lessons

    default_output = FULL_EXECUTED_DIR if args.full else EXECUTED_DIR
    for path in run_lessons(args.names or None, fast=not args.full, output_dir=args.output or default_output):
        print(path)


# ----------------------------------------------------------------------------- the parser


def add_screening_options(parser: argparse.ArgumentParser, targets: bool = False, tta: bool = False) -> None:
    """The screening options (gate, referral.py) of ``evaluate`` and ``predict``."""
    parser.add_argument("--no-gate", action="store_true",
                        help="skip the gradability gate (every image counts as gradable): for experiments")
    if tta:
        parser.add_argument("--tta", action="store_true", help="also predict flipped views; disagreement -> uncertain")
    if targets:
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--target-sensitivity", type=float, default=None,
                            help="choose and record a new operating point on the validation images for this "
                                 "sensitivity (training records one for 0.90)")
        target.add_argument("--target-specificity", type=float, default=None, help="... or for this specificity")


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """Options of ``train``: ``--recipe``, then one option per setting (derived from the schema)."""
    parser.add_argument("--recipe", help="a named course experiment (see `recipes`); options given override it")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    schema.add_arguments(parser)


def _give_every_command_a_debug_option(commands, made: dict) -> None:
    """Every sub-parser made through ``commands`` gets ``--debug``, also those other modules add; each
    is recorded in ``made`` (name -> sub-parser), which ``build_parser`` offers as ``parser.commands``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    add_parser = commands.add_parser

    def add_parser_with_debug(name, *args, **options):
        made[name] = add_parser(name, *args, parents=[common, *options.pop("parents", [])], **options)
        return made[name]

    commands.add_parser = add_parser_with_debug


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m paddle_models",
                                     description="The fundus classification course's command line.",
                                     epilog="`python -m paddle_models <command> --help` shows a command's "
                                            "options; README.md has examples.")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    parser.commands = {}  # name -> sub-parser, for --help texts and the tests
    _give_every_command_a_debug_option(commands, parser.commands)

    demo = commands.add_parser("demo", help="the README's main job on synthetic data")
    demo.add_argument("--root", default=None, help="where to write the synthetic data "
                                                   "(default datasets/synthetic/demo-PALM)")
    demo.add_argument("--epochs", type=int, default=None)
    demo.add_argument("--log-dir", default=schema.defaults()["log_dir"])
    demo.add_argument("--output-dir", default=None)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(handler=command_demo)

    train = commands.add_parser("train", help="train a model (or a named recipe)")
    add_training_options(train)
    train.set_defaults(handler=command_train)

    evaluate = commands.add_parser("evaluate", help="metrics and figures for a checkpoint")
    evaluate.add_argument("--checkpoint", required=True)
    evaluate.add_argument("--data-root", required=True, help="the dataset's folder, or 'auto' (see train --help)")
    evaluate.add_argument("--data", default=None, help="dataset name (default: the one trained on)")
    evaluate.add_argument("--split", default=None,
                          help="a labelled split (default: the images the checkpoint was validated on "
                               "during training, held-out ones included)")
    evaluate.add_argument("--batch-size", type=int, default=schema.defaults()["batch_size"])
    evaluate.add_argument("--output", default=None, help="folder for figures (default: beside the checkpoint)")
    add_screening_options(evaluate, targets=True)
    evaluate.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                          help="resamples for the 95%% confidence intervals (default 1000, seeded; 0: none)")
    evaluate.set_defaults(handler=command_evaluate)

    export = commands.add_parser("export", help="checkpoint -> paddle.jit inference model")
    export.add_argument("--checkpoint", required=True)
    export.add_argument("--output", required=True, help="path prefix of the exported files")
    export.add_argument("--batch-size", type=int, default=None, help="fixed batch size (default: dynamic)")
    export.add_argument("--overwrite", action="store_true", help="replace an exported model already at --output")
    export.add_argument("--format", choices=("paddle", "onnx"), default="paddle",
                        help="onnx: also write PREFIX.onnx (paddle2onnx) for `predict --backend onnxruntime`")
    export.add_argument("--precision", choices=("fp32", "int8"), default="fp32",
                        help="int8: post-training quantization for paddle.inference on the CPU")
    export.add_argument("--calibration-images", type=int, default=64,
                        help="training images that calibrate the INT8 scales (default 64)")
    export.add_argument("--data-root", default=None,
                        help="where the training images are, for INT8 calibration (default: the checkpoint's)")
    export.set_defaults(handler=command_export)

    predict = commands.add_parser("predict", help="exported model + images -> CSV")
    predict.add_argument("--model", required=True, help="path prefix given to `export --output`")
    predict.add_argument("--images", default=None, help="a folder of images, or one image")
    predict.add_argument("--data", default=None, help="or a dataset name ...")
    predict.add_argument("--data-root", default=None, help="... its root ...")
    predict.add_argument("--split", default="test", help="... and split")
    predict.add_argument("--output", required=True, help="the CSV file to write")
    predict.add_argument("--palm", action="store_true", help="PALM challenge submission format")
    predict.add_argument("--batch-size", type=int, default=8)
    predict.add_argument("--backend", choices=("paddle", "onnxruntime"), default="paddle",
                         help="paddle.inference, or ONNX Runtime for an export made with --format onnx")
    add_screening_options(predict, tta=True)
    predict.set_defaults(handler=command_predict)

    gradcam = commands.add_parser("gradcam", help="Grad-CAM (or occlusion) overlays as PNG")
    gradcam.add_argument("--method", choices=("gradcam", "occlusion"), default="gradcam",
                         help="gradcam: gradients of a feature map; occlusion: the drop of the class's probability "
                              "when a grey patch covers each part of the image (slower: a forward pass per patch)")
    gradcam.add_argument("--checkpoint", required=True)
    gradcam.add_argument("--images", nargs="+", required=True, help="image files or folders")
    gradcam.add_argument("--output", required=True, help="folder for the PNG overlays")
    gradcam.add_argument("--target-class", type=int, default=None, help="default: the predicted class")
    gradcam.add_argument("--layer", default=None,
                         help="the block to explain, by its stage name (e.g. layer3 of a ResNet: a finer map); "
                              "default: the model's last convolutional block")
    gradcam.add_argument("--patch", type=int, default=None,
                         help="occlusion: the grey square's side in pixels (default: a sixth of the input size)")
    gradcam.add_argument("--stride", type=int, default=None,
                         help="occlusion: the step between patch positions in pixels (default: half the patch)")
    gradcam.add_argument("--score", choices=("probability", "logit"), default=None,
                         help="occlusion: the drop of the class's probability (default) or of its logit, which "
                              "still moves when the model is so sure that the probability is 1.000")
    gradcam.set_defaults(handler=command_gradcam)

    tour = commands.add_parser("tour", help="every model's layer table")
    tour.add_argument("models", nargs="*", help="model names (default: all)")
    tour.add_argument("--num-classes", type=int, default=2)
    tour.add_argument("--image-size", type=int, default=None, help="default: each model's own")
    tour.set_defaults(handler=command_tour)

    commands.add_parser("recipes", help="list the training recipes").set_defaults(handler=command_recipes)

    synth = commands.add_parser("synth", help="write a synthetic dataset in an official layout")
    # no choices= here: the names come from the reader classes, and listing them would import Paddle for --help
    synth.add_argument("--data", default="ichallenge_pm", help="the dataset whose layout to write (a name or "
                       "alias that --data of train accepts: ichallenge_pm, ddr, aptos, ...)")
    synth.add_argument("--root", required=True)
    synth.add_argument("--per-class", type=int, default=20)
    synth.add_argument("--image-size", type=int, default=None, help="default: the dataset's own (see its make_synthetic_* function)")
    synth.add_argument("--seed", type=int, default=0)
    synth.set_defaults(handler=command_synth)

    audit = commands.add_parser("audit", help="score every image's quality; CSV + contact sheet of the flagged")
    audit.add_argument("--data", required=True, help="dataset name (ichallenge_pm, ddr, aptos, retinamnist, ...)")
    audit.add_argument("--data-root", required=True, help="the dataset's folder (see datasets/README.md)")
    audit.add_argument("--split", default="train", help="train, valid or test (default train)")
    audit.add_argument("--output", default="audit", help="folder for the CSV and the PNG (default audit/)")
    audit.add_argument("--quiet", action="store_true", help="no progress bar")
    audit.set_defaults(handler=command_audit)

    prepare = commands.add_parser("prepare", help="unpack downloaded archives into the expected layout")
    prepare.add_argument("--data", default="ichallenge_pm", help="ichallenge_pm (training.zip, validation.zip, valid_gt.zip) or ddr (DDR-dataset.zip or its .001, .002 ... parts)")
    prepare.add_argument("--archives", required=True, help="folder holding the downloaded archives")
    prepare.add_argument("--root", required=True, help="the dataset folder to create")
    prepare.set_defaults(handler=command_prepare)

    lessons = commands.add_parser("lessons", help="execute the lesson notebooks")
    lessons.add_argument("names", nargs="*", help="lesson files or numbers (default: all)")
    lessons.add_argument("--full", action="store_true", help="real experiments instead of fast mode")
    lessons.add_argument("--output", default=None,
                         help="folder for the executed copies, with their outputs "
                              "(default lessons/executed, with --full lessons/executed-full)")
    lessons.set_defaults(handler=command_lessons)
    add_doctor_parser(commands)
    add_app_parser(commands)  # `app`: the screening web page, all in paddle_models/app/command.py
    add_book_parser(commands)  # `book`: the lessons as a static site, all in paddle_models/book.py
    return parser


def _is_users_mistake(error: Exception) -> bool:
    """A ``UserError`` (every exception that means "change something and run again" subclasses it), or
    the operating system refusing a file the user named (no such file, no permission, a full disk)."""
    return isinstance(error, UserError) or (isinstance(error, OSError) and bool(error.filename))


# ----------------------------------------------------------------------------- settings -> options

# A value after ``name=`` in a message: a quoted string, or a word without spaces (a trailing full
# stop, colon or closing bracket is the sentence's, not the value's), or '...', or nothing.
_VALUE = r"""'[^'\n]*'|"[^"\n]*"|\.\.\.|[^\s,;()\[\]]*[^\s,;()\[\].:]|"""


def option_forms(parser: argparse.ArgumentParser) -> Dict[str, Tuple[str, bool]]:
    """Every long option of every command, by the keyword a Python caller writes for it:
    ``"grad_clip" -> ("--grad-clip", False)``; True marks a switch, which takes no value (``--resume``).

    The names come from the parsers, which take the ``train`` options from the settings schema, so
    no second table of them exists.  (argparse lists a parser's options only in ``_actions``.)
    """
    forms = {}
    for command in [parser, *getattr(parser, "commands", {}).values()]:
        for action in command._actions:
            for option in action.option_strings:
                if option.startswith("--") and option not in ("--help", "--debug"):
                    forms.setdefault(option[2:].replace("-", "_"), (option, action.nargs == 0))
    return forms


def as_options(message: str, forms: Dict[str, Tuple[str, bool]]) -> str:
    """A library message, which names settings as Python writes them, with the command line's options.

    ``grad_clip=1.0`` -> ``--grad-clip 1.0``, ``loss='ce'`` -> ``--loss ce``, ``resume=True`` ->
    ``--resume``, ``augment=False`` -> ``--no-augment``, ``run_name=...`` -> ``--run-name ...``.
    Only names that are options of some command change; ``a=b`` inside a path or a word, and the first
    ``a=b`` right after a name and its bracket (an object's description) stay.

    >>> forms = {"grad_clip": ("--grad-clip", False), "resume": ("--resume", True), "loss": ("--loss", False)}
    >>> as_options("try grad_clip=1.0, or loss='ce'; drop resume=True. (runs/lr=1/x)", forms)
    'try --grad-clip 1.0, or --loss ce; drop --resume. (runs/lr=1/x)'
    """
    names = "|".join(sorted(map(re.escape, forms), key=len, reverse=True))
    if not names:
        return message

    def option(match) -> str:
        name, value = match.group(1), match.group(2)
        flag, switch = forms[name]
        if switch and value == "True":
            return flag
        if switch and value == "False":
            negative = "--no-" + flag[2:]
            return negative if forms.get("no_" + name, ("",))[0] == negative else match.group(0)
        if value[:1] in "'\"" and value and " " not in value:
            value = value[1:-1]
        return f"{flag} {value}".rstrip()

    # not inside a word or a path, nor a dataset's description (``ICHallengePM(split='train')``)
    pattern = rf"(?<![\w./\\-])(?<!\w\()({names})=(?!=)({_VALUE})"
    return re.sub(pattern, option, message)


def _user_error_message(error: Exception, forms: Optional[Dict[str, Tuple[str, bool]]] = None) -> str:
    """The one line for a user's mistake, naming options where the library named settings; the
    operating system's bare refusals get what to do."""
    message = as_options(str(error), forms or {})
    if isinstance(error, OSError) and error.errno and error.filename:  # "[Errno 13] Permission denied: 'x'"
        message += f"; {os_error_advice(error)}"
    return message


@contextlib.contextmanager
def _warnings_as_options(forms: Dict[str, Tuple[str, bool]]):
    """Warnings printed meanwhile name options too (``skip_bad=True`` -> ``--skip-bad``)."""
    with warnings.catch_warnings():
        show = warnings.showwarning

        def show_with_options(message, category, filename, lineno, file=None, line=None):
            show(as_options(str(message), forms), category, filename, lineno, file, line)

        warnings.showwarning = show_with_options
        yield


def main(argv: Optional[List[str]] = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.debug:
        args.handler(args)
        return
    forms = option_forms(parser)  # the library's messages name settings; here they name options
    try:
        with _warnings_as_options(forms):
            args.handler(args)
    except KeyboardInterrupt:
        raise SystemExit("interrupted (a run trained with last.pdckpt continues with --resume)")
    except Warning as error:  # the environment made a warning an error (PYTHONWARNINGS=error, python -W error)
        print(f"error: {type(error).__name__}: {as_options(str(error), forms)} (a warning, made an error by "
              "PYTHONWARNINGS or -W: fix what it says, or run without that setting)", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as error:  # noqa: BLE001  (no traceback unless --debug)
        if _is_users_mistake(error):
            print(f"error: {_user_error_message(error, forms)}", file=sys.stderr)
            raise SystemExit(2) from None
        print(f"error: {type(error).__name__}: {as_options(str(error), forms)}\n(this is a bug of paddle_models, "
              "not your mistake: run the same command with --debug for the traceback, and please report it)",
              file=sys.stderr)
        raise SystemExit(1) from None

if __name__ == "__main__":
    main(sys.argv[1:])
