"""The lesson notebooks: the rules every lesson follows, and each one executed in fast mode.

The static checks are quick; the execution tests (marked ``lesson``) run each notebook top to bottom
in a real ``python3`` Jupyter kernel with PADDLE_MODELS_FAST=1 and fail on any cell error.
"""
import ast
import re
import os
import runpy
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from paddle_models import course, notebooks

LESSONS = [
    "00_setup_and_tour", "01_the_data", "02_lenet", "03_alexnet", "04_vgg", "05_googlenet", "06_resnet50",
    "07_ddr_convmixer", "08_evaluating_a_classifier", "09_gradcam", "10_transfer_learning_and_ensembles",
    "11_training_experiments", "12_export_and_inference", "13_aptos_case_study", "14_retinamnist",
    "15_from_a_classifier_to_a_screening_tool",
]
PATHS = [notebooks.LESSONS_DIR / f"{name}.ipynb" for name in LESSONS]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CHECKS_DIR = Path(__file__).parent / "lesson_checks"
KEEP_EXECUTED_ENV = "PADDLE_MODELS_EXECUTED_DIR"  # a folder: the passing lessons' executed copies go there
TRAINS = re.compile(r"course\.train\(|\.fit\(|run_experiment\(")


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_lessons_are_the_sixteen_of_the_course():
    assert notebooks.lesson_paths() == PATHS


@pytest.mark.parametrize("path", PATHS, ids=LESSONS)
def test_lesson_follows_the_rules(path):
    notebook = read(path)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# Lesson ")

    cells = code_cells(notebook)
    for cell in cells:
        assert cell.outputs == [] and cell.execution_count is None, "commit notebooks without outputs"

    parameters = cells[0]
    assert "parameters" in parameters.metadata.get("tags", []), "the first code cell must be tagged 'parameters'"
    names = []
    for statement in ast.parse(parameters.source).body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, ast.dump(statement)
        assert isinstance(statement.targets[0], ast.Name)
        ast.literal_eval(statement.value)  # plain values only, so papermill can replace them
        names.append(statement.targets[0].id)
    assert "FAST" in names

    source = "\n".join(cell.source for cell in notebook.cells)
    assert re.search(r"^\s*(import paddle_models|from paddle_models)", source, re.M)
    assert CHINESE.search(source), "give the Chinese term of the key concepts"
    if TRAINS.search(source):
        assert "visualdl" in source.lower(), "a lesson that trains shows how to open VisualDL"


def import_group(module: str) -> int:
    """0 the standard library, 1 third-party packages (paddle among them), 2 the course's package."""
    root = module.split(".")[0]
    return 2 if root == "paddle_models" else 0 if root in sys.stdlib_module_names else 1


@pytest.mark.parametrize("path", PATHS, ids=LESSONS)
def test_lesson_imports_in_one_order(path):
    """The setup cell imports the standard library, then third-party packages, then paddle_models.

    (Paddle 2.6's zlib clash, paddle_models/__init__.py, cannot happen in a notebook: the Jupyter
    kernel has loaded Python's zlib before the first cell runs.)
    """
    setup = next(cell for cell in code_cells(read(path)) if re.search(r"^(import|from) ", cell.source, re.M))
    python = "\n".join(line for line in setup.source.splitlines() if not line.startswith(("%", "!")))
    groups = [import_group(node.names[0].name if isinstance(node, ast.Import) else node.module)
              for node in ast.parse(python).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert groups == sorted(groups), f"imports out of order (0 stdlib, 1 third-party, 2 paddle_models): {groups}"


@pytest.mark.parametrize("path", PATHS, ids=LESSONS)
def test_lesson_ends_with_two_to_four_exercises(path):
    last = [cell.source for cell in read(path).cells if "**Exercises**" in cell.source]
    assert last, "a lesson ends with a '**Exercises**' list"
    exercises = re.findall(r"^\d+\. ", last[-1].split("**Exercises**")[-1], re.M)
    assert 2 <= len(exercises) <= 4, f"{len(exercises)} exercises"


@pytest.mark.parametrize("path", PATHS, ids=LESSONS)
def test_lesson_ends_with_questions_and_collapsed_answers(path):
    """After the exercises, 3-5 short questions on the lesson's ideas; one answer each, in a collapsed cell."""
    *_, exercises, questions, answers = (cell.source for cell in read(path).cells)
    assert "**Exercises**" in exercises and questions.startswith("**Questions**"), "exercises, questions, answers"
    asked = re.findall(r"^(\d+)\. ", questions, re.M)
    assert 3 <= len(asked) <= 5, f"{len(asked)} questions"
    assert answers.startswith("<details><summary>Answers</summary>") and "</details>" in answers
    inside = answers.split("</details>")[0]
    assert re.findall(r"^(\d+)\. ", inside, re.M) == asked, "one numbered answer per question"


HEADER_TIME = re.compile(r"[Aa]bout ([\d.]+(?:-[\d.]+)?) (second|minute)s?,? in fast mode")
README_TIME = re.compile(r"^\| \[(\w+)\]\(\w+\.ipynb\) \|[^|]*\| ~([\d.]+(?:-[\d.]+)?) (s|min)\b", re.M)


def test_lesson_headers_give_the_fast_time_lessons_readme_gives():
    """One source for the time estimates: a header that states its fast-mode time states the README's."""
    readme = (notebooks.LESSONS_DIR / "README.md").read_text(encoding="utf-8")
    times = {name: (value, "second" if unit == "s" else "minute") for name, value, unit in README_TIME.findall(readme)}
    assert sorted(times) == LESSONS, "every lesson has a row with its fast time (~N s or ~N min)"
    for name, path in zip(LESSONS, PATHS):
        header = read(path).cells[0].source
        stated = HEADER_TIME.search(header)
        if stated:
            assert stated.groups() == times[name], f"{name}: the header says {stated.group(0)!r}, the README {times[name]}"
        else:
            assert "README.md" in header, f"{name}: give the fast time, or point to lessons/README.md"


def test_lessons_readme_lists_every_lesson():
    text = (notebooks.LESSONS_DIR / "README.md").read_text(encoding="utf-8")
    for name in LESSONS:
        assert f"{name}.ipynb" in text


@pytest.mark.lesson
@pytest.mark.parametrize("path", PATHS, ids=LESSONS)
def test_lesson_runs_top_to_bottom_in_fast_mode(path, tmp_path):
    """Runs the lesson, then asserts its effect with tests/lesson_checks/check_<lesson>.py, if any.

    Each check module has ``check(results)``: ``results`` are the numbers the notebook recorded
    with ``course.show_results``; the check asserts what the lesson's text says the run shows.
    """
    executed = notebooks.execute_notebook(path, tmp_path, fast=True)
    notebook = read(executed)
    outputs = [output for cell in code_cells(notebook) for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    widgets = [output for output in outputs if notebooks.WIDGET_MIME in output.get("data", {})]
    assert not widgets, "a progress-bar widget was saved in the executed copy (shown later as a frozen bar)"
    checker = CHECKS_DIR / f"check_{path.stem}.py"
    if checker.exists():
        namespace = runpy.run_path(str(checker))
        namespace["check"](course.lesson_results(notebook))
    keep = os.environ.get(KEEP_EXECUTED_ENV)  # CI keeps the executed copies to build the book from
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(executed, Path(keep) / path.name)


def test_executed_copies_keep_printed_text_but_not_progress_bar_widgets():
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [nbformat.v4.new_output("display_data", data={notebooks.WIDGET_MIME: {"model_id": "x"},
                                                                 "text/plain": "checking images: 0%"}),
                    nbformat.v4.new_output("stream", name="stdout", text="epoch 1/2 ...\n")]
    notebook = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_markdown_cell("text")])
    notebooks.drop_widget_outputs(notebook)
    assert [output.output_type for output in notebook.cells[0].outputs] == ["stream"]


@pytest.mark.lesson
def test_lessons_command_writes_executed_copies_with_outputs(tmp_path, capsys):
    from paddle_models.cli import main

    main(["lessons", "0", "--output", str(tmp_path)])
    executed = read(tmp_path / "00_setup_and_tour.ipynb")
    assert any(cell.outputs for cell in code_cells(executed))
    assert str(tmp_path / "00_setup_and_tour.ipynb") in capsys.readouterr().out
