"""Running the lesson notebooks headless, and the list of lessons (``python -m paddle_models lessons``).

``run_lessons`` executes the notebooks in order in a fresh ``python3`` kernel each, in fast mode
unless told otherwise, and writes the executed copies (with their outputs) to ``lessons/executed/``
(``lessons/executed-full/`` in full mode; ``python -m paddle_models book`` renders them as a site).
``lesson_table`` lists the lessons from the notebook files themselves (their ``# Lesson N: title``
headings), so lesson 0's table of contents cannot drift from the lessons that exist.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import List, Optional, Sequence

from .course import FAST_ENV
from .errors import MissingFileError
from .files import atomic_write
from .places import LESSONS_DIR, REPO_ROOT

EXECUTED_DIR = LESSONS_DIR / "executed"  # fast mode
FULL_EXECUTED_DIR = LESSONS_DIR / "executed-full"  # full mode (lessons --full); the book prefers these


def lesson_paths(names: Optional[Sequence[str]] = None) -> List[Path]:
    """The lesson notebooks in order; ``names`` picks some by number ("3") or file name."""
    paths = sorted(LESSONS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return paths
    chosen = []
    for name in names:
        matches = [path for path in paths if path.name == Path(name).name
                   or (str(name).isdigit() and path.name.startswith(f"{int(name):02d}_"))]
        if not matches:
            raise MissingFileError(f"no lesson {name!r} in {LESSONS_DIR}; lessons: "
                                    + ", ".join(path.name for path in paths))
        chosen.extend(matches)
    return chosen


def lesson_title(path) -> str:
    """The title of a lesson: its first cell's heading ``# Lesson 3: AlexNet`` -> 'AlexNet'."""
    # heavy: the Jupyter libraries load only when notebooks are read or run
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    heading = notebook.cells[0].source.strip().splitlines()[0] if notebook.cells else ""
    title = heading.lstrip("#").strip()
    return title.split(":", 1)[1].strip() if ":" in title else title


def lesson_table(paths: Optional[Sequence[Path]] = None) -> str:
    """A Markdown table of the lessons (number, notebook, title), read from the notebooks."""
    rows = ["| # | notebook | title |", "|---|---|---|"]
    for path in paths if paths is not None else lesson_paths():
        rows.append(f"| {int(path.name[:2])} | `{path.stem}` | {lesson_title(path)} |")
    return "\n".join(rows)


@contextlib.contextmanager
def kernel_environment(values: dict):
    """Set environment variables for a kernel started meanwhile (it inherits them); restore them after."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def drop_widget_outputs(notebook) -> None:
    """Remove widget outputs (tqdm's progress bars in Jupyter) from an executed notebook.

    A saved copy has no live kernel behind its widgets: a bar would show frozen at 0 %, or as
    "model not found". The text a cell printed is kept.
    """
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if WIDGET_MIME not in output.get("data", {})]


def execute_notebook(path, output_dir=EXECUTED_DIR, fast: bool = True, timeout: int = 900) -> Path:
    """Run one notebook top to bottom in a fresh ``python3`` kernel; write the executed copy.

    Runs in the lessons folder with PADDLE_MODELS_FAST set; any cell error raises
    ``nbclient.exceptions.CellExecutionError`` naming the cell.
    """
    # heavy: the Jupyter libraries load only when notebooks are read or run
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    with kernel_environment({FAST_ENV: "1" if fast else "0"}):
        NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    drop_widget_outputs(notebook)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    executed = output_dir / path.name
    atomic_write(executed, lambda temporary: nbformat.write(notebook, str(temporary)))
    return executed


def run_lessons(names: Optional[Sequence[str]] = None, fast: bool = True, output_dir=EXECUTED_DIR) -> List[Path]:
    """Execute the lessons in order (all by default); returns the executed copies' paths."""
    executed = []
    for path in lesson_paths(names):
        print(f"running {path.name} ({'fast' if fast else 'full'}) ...", flush=True)
        executed.append(execute_notebook(path, output_dir, fast=fast))
    return executed
