"""``python -m paddle_models --help`` and every ``<command> --help`` answer at once: building the parser
imports none of the heavy libraries (Paddle, scikit-learn, matplotlib, Gradio take seconds to load).

Checked by what is imported, not by a stopwatch: a timed test would fail on a busy machine."""
import subprocess
import sys

import pytest

from paddle_models.cli import build_parser

HEAVY = ("paddle", "sklearn", "matplotlib", "gradio", "visualdl")
COMMANDS = sorted(build_parser().commands)

PROBE = """
import sys
from paddle_models.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("heavy:" + ",".join(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def heavy_imports(*argv) -> str:
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].removeprefix("heavy:")


def test_every_command_is_listed():
    assert {"demo", "train", "evaluate", "export", "predict", "app", "audit"} <= set(COMMANDS)


@pytest.mark.parametrize("argv", [("--help",), *((command, "--help") for command in COMMANDS)])
def test_help_imports_no_heavy_library(argv):
    assert heavy_imports(*argv) == "", f"{' '.join(argv)} imported {heavy_imports(*argv)}"
