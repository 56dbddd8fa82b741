"""course.show_results records numbers in a notebook's outputs; course.lesson_results reads them back."""
import nbformat
import numpy as np
from nbclient import NotebookClient

from paddle_models import course


def test_show_results_survives_execution_and_is_read_back(tmp_path):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                 "display_name": "Python 3"}})
    notebook.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\nfrom paddle_models import course\n"
        "course.show_results(acc=np.float32(0.75), curve=np.array([0.5, 0.6]), name='relu')\n"
        "course.show_results(later=1)")]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    results = course.lesson_results(notebook)
    assert results == {"acc": 0.75, "curve": [0.5, 0.6], "name": "relu", "later": 1}
    shown = [output for output in notebook.cells[0].outputs if "data" in output]
    assert len(shown) == 2, "one table per call; the last line must not echo the numbers again as a dict"
    text = shown[0]["data"]["text/plain"]
    assert "acc" in text and "0.7500" in text  # the student sees a table, not JSON
    path = tmp_path / "executed.ipynb"
    nbformat.write(notebook, path)
    assert course.lesson_results(path) == results


def test_plain_turns_numpy_into_json_values():
    assert course._plain({"a": np.int64(3), "b": [np.float64(0.5)]}) == {"a": 3, "b": [0.5]}
