"""Every lesson's first cell says how to run it on AI Studio and what it needs (issue 29).

The fast-mode time must be lessons/README.md's measured one; the full-mode time and memory on a GPU
were never measured, so the cell must say so rather than state a number.
"""
import re

import nbformat
import pytest

from paddle_models import notebooks

PATHS = notebooks.lesson_paths()
README_TIME = re.compile(r"^\| \[(\w+)\]\(\w+\.ipynb\) \|[^|]*\| ~([\d.]+(?:-[\d.]+)?) (s|min)\b", re.M)


def first_cell(path) -> str:
    return " ".join(nbformat.read(str(path), as_version=4).cells[0].source.split())  # lines joined


def uses_ichallenge_pm(path) -> bool:
    notebook = nbformat.read(str(path), as_version=4)
    return any("ichallenge_pm" in cell.source for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_first_cell_says_how_to_run_on_ai_studio_and_what_it_needs(path):
    text = first_cell(path)
    assert "**On AI Studio (飞桨 AI Studio).** Fork the course's project" in text and "*Run All*" in text
    if uses_ichallenge_pm(path):
        assert "mount the public dataset **19065** (iChallenge-PM)" in text
    else:
        assert "does not use dataset 19065" in text and "datasets/README.md" in text
    if path.stem != "00_setup_and_tour":  # lesson 0 trains nothing: no fast/full switch to explain
        assert "`FAST = True`" in text
    readme = (notebooks.LESSONS_DIR / "README.md").read_text(encoding="utf-8")
    value, unit = dict((name, (v, u)) for name, v, u in README_TIME.findall(readme))[path.stem]
    unit = "seconds" if unit == "s" else "minutes"
    assert f"**What it needs.** About {value} {unit} in fast mode on two CPU cores (measured" in text
    assert "Full mode on one GPU: time and memory not measured" in text
