"""Where the course keeps things on disk: the project, its datasets folder, the lessons' runs.

Declared once here, at the bottom of the house, so that the command line, the lessons, the
environment report and the book all name the same folders without importing one another.  On AI
Studio the runs go to ``work/runs``, the one folder kept across restarts (``aistudio.persistent_path``).
"""
from __future__ import annotations

from pathlib import Path

from .aistudio import persistent_path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS_DIR = REPO_ROOT / "datasets"  # datasets/README.md says what goes where
LESSONS_DIR = REPO_ROOT / "lessons"
RUNS_DIR = persistent_path(REPO_ROOT / "runs", "runs")  # VisualDL logs, checkpoints, exports of the lessons
