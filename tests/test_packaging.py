"""The set-up files agree with each other: README commands, CI, requirements and the conda file."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def requirement_names(lines):
    """Package names of requirement lines, without versions, comments, options and ``-e .``."""
    names = []
    for line in lines:
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        names.append(re.split(r"[<>=!~\[; ]", line)[0].lower())
    return names


def readme_commands():
    """The shell commands in the README's first code block (the two set-up commands)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", text, re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_opens_with_two_commands_main_job_and_tests():
    commands = readme_commands()
    assert len(commands) == 2, commands
    main_job, tests = commands
    assert "pip install -r requirements.txt" in main_job and "-m paddle_models demo" in main_job
    assert "pip install -r requirements-dev.txt" in tests and "-m pytest" in tests


def test_ci_runs_the_readme_test_command_exactly():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_conda_environment_lists_the_same_packages_as_requirements():
    pip_names = requirement_names((REPO / "requirements.txt").read_text().splitlines())
    conda_lines = [line.strip()[2:] for line in (REPO / "environment.yml").read_text().splitlines()
                   if line.startswith("      - ")]
    conda_names = requirement_names(conda_lines)
    assert "paddlepaddle" in pip_names and "paddlepaddle-gpu" in conda_names
    assert sorted(set(pip_names) - {"paddlepaddle"}) == sorted(set(conda_names) - {"paddlepaddle-gpu"})


def test_pyproject_dependencies_are_the_runtime_requirements():
    text = (REPO / "pyproject.toml").read_text()
    block = re.search(r"dependencies = \[(.*?)\]", text, re.S).group(1)
    listed = requirement_names(re.findall(r'"([^"]+)"', block))
    required = set(requirement_names((REPO / "requirements.txt").read_text().splitlines()))
    # paddlepaddle is chosen by the user (CPU or GPU build); jupyter is for the lessons only, and
    # jupyter-server-mathjax for the book (python -m paddle_models book) only
    assert sorted(listed) == sorted(required - {"paddlepaddle", "jupyter", "jupyter-server-mathjax"})


def test_no_top_level_datasets_package_shadows_huggingface():
    assert not (REPO / "datasets" / "__init__.py").exists()
    assert not list((REPO / "datasets").glob("*.py"))
