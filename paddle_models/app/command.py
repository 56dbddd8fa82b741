"""``python -m paddle_models app``: start the screening page, or write a folder for AI Studio.

    python -m paddle_models app --model exported/pm-resnet50 [--model exported/pm-convmixer] [--port 7860]
    python -m paddle_models app                       # the demo's model (exported on first use)
    python -m paddle_models app --model exported/pm-resnet50 --write-aistudio aistudio-app

The page listens on 127.0.0.1 only (this machine); ``--share`` asks Gradio for a public link.
"""
from __future__ import annotations

import importlib.metadata
import inspect
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np

from ..errors import UserError
from ..files import write_image, write_text
from ..places import LOG_DIR

DEMO_RUN = Path(LOG_DIR) / "demo-resnet18"  # where `python -m paddle_models demo` writes its checkpoint
DEMO_EXPORT = Path("exported") / "demo-resnet18"
HOW_TO_GET_A_MODEL = ("no model: train and export one first, e.g. `python -m paddle_models demo` then "
                      f"`python -m paddle_models export --checkpoint {DEMO_RUN}/best.pdparams --output {DEMO_EXPORT}`")
PACKAGE_DIR = Path(__file__).resolve().parents[1]
EXPORT_SUFFIXES = (".json", ".pdmodel", ".pdiparams", ".pdiparams.info", ".meta.json", ".dygraph.pdparams")


# ----------------------------------------------------------------------------- which models


def demo_model(export_dir: Path = DEMO_EXPORT, run_dir: Path = DEMO_RUN) -> Optional[Path]:
    """The demo's exported model; exported now from its checkpoint if only that exists; else None."""
    if Path(str(export_dir) + ".meta.json").is_file():
        return export_dir
    checkpoint = run_dir / "best.pdparams"
    if not checkpoint.is_file():
        return None
    # deferred: cli imports this module to build its parser, and --help must not load Paddle
    from ..inference import export_checkpoint

    print(f"no --model given: exporting the demo's checkpoint {checkpoint} to {export_dir}")
    export_checkpoint(checkpoint, export_dir)
    return export_dir


def model_prefixes(given: Optional[Sequence[str]]) -> List[Path]:
    """The --model prefixes, or the demo's model; UserError with the how-to line if there is none."""
    if given:
        return [Path(prefix) for prefix in given]
    demo = demo_model()
    if demo is None:
        raise UserError(HOW_TO_GET_A_MODEL)
    print(f"using the demo's model {demo}")
    return [demo]


# ----------------------------------------------------------------------------- bundled examples


def write_examples(folder, class_names: Sequence[str], size: int = 384, seed: int = 0) -> List[Path]:
    """Two or three synthetic fundus photographs (JPEG) fitting the models' task, painted now."""
    # deferred: cli imports this module to build its parser, and --help must not load Paddle
    from ..data.synthetic import synthetic_fundus
    from .screening import task_kind

    kind = task_kind(class_names)
    kinds = ({"pm": [("normal", {"myopia": "normal"}), ("pathologic-myopia", {"myopia": "pathologic"})],
              "dr": [("dr-grade-0", {"dr_grade": 0}), ("dr-grade-2", {"dr_grade": 2}), ("dr-grade-4", {"dr_grade": 4})]}
             .get(kind, [("fundus-a", {}), ("fundus-b", {"myopia": "high"})]))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng, paths = np.random.default_rng(seed), []
    for name, options in kinds:
        image, _ = synthetic_fundus(rng, size, size, **options)
        path = folder / f"synthetic-{name}.jpg"
        paths.append(write_image(path, image, jpeg_quality=90))
    return paths


# ----------------------------------------------------------------------------- AI Studio

AISTUDIO_APP = '''"""AI Studio application entry point: the fundus screening page of paddle_models (Gradio).

Written by `python -m paddle_models app --write-aistudio`; the models are in ./model.
"""
from pathlib import Path

from paddle_models.app import build_app, load_screening_models, write_examples

HERE = Path(__file__).resolve().parent
models = load_screening_models(sorted(p.with_name(p.name[:-len(".meta.json")]) for p in (HERE / "model").glob("*.meta.json")))
demo = build_app(models, write_examples(HERE / "examples", models[0].class_names))
demo.launch()  # AI Studio sets the host and port through Gradio's environment variables
'''


def aistudio_requirements() -> List[str]:
    """requirements.txt of the AI Studio folder: the package's dependencies and Gradio (Paddle is preinstalled)."""
    try:
        needed = [line for line in importlib.metadata.requires("paddle-models") or [] if ";" not in line]
    except importlib.metadata.PackageNotFoundError:  # running from a source tree without `pip install -e .`
        needed = []
    return needed if any(line.startswith("gradio") for line in needed) else needed + ["gradio"]


AISTUDIO_FILES = ("app.py", "requirements.txt", "paddle_models", "model")  # what write_aistudio writes


def write_aistudio(folder, prefixes: Sequence, overwrite: bool = False) -> Path:
    """A folder ready to upload as an AI Studio Gradio application: app.py, requirements.txt,
    the paddle_models package (source only) and model/ with the exported files.

    A folder that already holds any of these is refused unless ``overwrite``; then they are replaced
    whole (the app loads every model in model/, so an earlier model left there would join the new one).
    """
    folder = Path(folder)
    earlier = [name for name in AISTUDIO_FILES if (folder / name).exists()]
    if earlier and not overwrite:
        raise UserError(f"{folder} already holds {', '.join(earlier)}: pass --overwrite to replace "
                         "them, or another --write-aistudio folder")
    found_per_model = []
    for prefix in prefixes:
        prefix = Path(prefix)
        found = [Path(str(prefix) + suffix) for suffix in EXPORT_SUFFIXES if Path(str(prefix) + suffix).is_file()]
        if not any(path.name.endswith(".meta.json") for path in found):
            raise UserError(f"no exported model at {prefix} (expected {prefix}.meta.json): "
                             "run `python -m paddle_models export` first")
        found_per_model.append(found)
    for name in ("model", "paddle_models"):
        shutil.rmtree(folder / name, ignore_errors=True)
    (folder / "model").mkdir(parents=True)
    for found in found_per_model:
        for path in found:
            shutil.copy2(path, folder / "model" / path.name)
    shutil.copytree(PACKAGE_DIR, folder / "paddle_models",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    write_text(folder / "app.py", AISTUDIO_APP)
    write_text(folder / "requirements.txt", "\n".join(aistudio_requirements()) + "\n")
    return folder


# ----------------------------------------------------------------------------- the command


def add_app_parser(commands) -> None:
    """Add the ``app`` command to argparse's sub-parsers."""
    parser = commands.add_parser("app", help="the screening web page (Gradio) for exported models")
    parser.add_argument("--model", action="append", default=None, metavar="PREFIX",
                        help="path prefix given to `export --output`; repeat for an ensemble "
                             "(default: the demo's model)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--share", action="store_true", help="ask Gradio for a public link (off by default)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads of the predictor")
    parser.add_argument("--backend", choices=("paddle", "onnxruntime"), default="paddle",
                        help="paddle.inference, or ONNX Runtime for exports made with --format onnx")
    parser.add_argument("--write-aistudio", default=None, metavar="DIR",
                        help="write a folder to upload as an AI Studio application instead of serving")
    parser.add_argument("--overwrite", action="store_true",
                        help="with --write-aistudio: replace the app, package and models already in DIR")
    parser.set_defaults(handler=command_app)


def launch(page, port: Optional[int], share: bool = False, block: bool = True):
    """Serve on 127.0.0.1; ``block=False`` returns at once (notebooks, tests): call ``page.close()``."""
    options = dict(server_name="127.0.0.1", server_port=port, share=share, prevent_thread_lock=not block,
                   max_file_size="60mb", quiet=not block, inbrowser=False)
    if "ssr_mode" in inspect.signature(page.launch).parameters:  # Gradio 5+: no Node.js server-side rendering
        options["ssr_mode"] = False
    return page.launch(**options)


def port_is_free(port: int) -> bool:
    """True if nothing listens on 127.0.0.1:``port`` (the address ``launch`` serves on)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: a closed port is free
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def command_app(args) -> None:
    """Start the page (or write the AI Studio folder)."""
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port must be a port number 1-65535, got {args.port}")
    if args.threads is not None and args.threads < 1:
        raise UserError(f"--threads must be at least 1, got {args.threads}")
    if not args.write_aistudio and not port_is_free(args.port):
        raise UserError(f"port {args.port} is in use (another app or server): pass another --port, e.g. "
                         f"--port {args.port + 1}")
    prefixes = model_prefixes(args.model)
    if args.write_aistudio:
        folder = write_aistudio(args.write_aistudio, prefixes, overwrite=args.overwrite)
        print(f"AI Studio application written to {folder}: upload app.py, requirements.txt, model/ and "
              "paddle_models/ (README.md, section 'A screening web app')")
        return
    # deferred: cli imports this module to build its parser, and --help must not load Paddle
    from .page import build_app
    from .screening import load_screening_models

    models = load_screening_models(prefixes, threads=args.threads, backend=args.backend)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a stop by `kill` also removes the examples folder
    with tempfile.TemporaryDirectory(prefix="paddle_models_examples_") as folder:  # removed when the app stops
        examples = write_examples(Path(folder), models[0].class_names)
        print(f"models: {', '.join(model.name for model in models)}; open http://127.0.0.1:{args.port}")
        launch(build_app(models, examples), args.port, share=args.share)
