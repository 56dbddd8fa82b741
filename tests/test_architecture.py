"""The package is a house of layers (README, "Architecture"): a module imports only from its own layer
or the layers below, and no modules import each other in a circle.  Read from the source with ``ast``
(imports inside functions count too), so a new import that breaks the layering fails here."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "paddle_models"

# The README's table, bottom to top: the module (or package) names of each layer.
LAYERS = [
    ["__init__", "models", "metrics", "files", "errors", "places", "aistudio", "lazy"],
    ["figures"],
    ["data"],
    ["tasks", "visualdl_log", "calibration", "referral"],
    ["settings", "record"],
    ["engine", "recipes"],
    ["experiment"],
    ["inference", "course"],
    ["app", "benchmarks", "doctor", "notebooks", "book"],
    ["cli", "__main__"],
]
LAYER_OF = {name: number for number, names in enumerate(LAYERS, start=1) for name in names}


def module_name(path: Path) -> str:
    """paddle_models/engine/trainer.py -> 'engine.trainer'; paddle_models/data/__init__.py -> 'data'."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def layer(module: str) -> int:
    return LAYER_OF[module.split(".")[0]]


def imported_modules(path: Path, known: set) -> set:
    """The package's modules ``path`` imports, anywhere in the file."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                stem = [*base, *(node.module.split(".") if node.module else [])]
            else:
                stem = (node.module or "").split(".")
                if stem[0] != "paddle_models":
                    continue
                stem = stem[1:]
            # `from . import notebooks` names a module; `from .data import X` the package
            targets = [".".join([*stem, alias.name]) for alias in node.names
                       if ".".join([*stem, alias.name]) in known] or [".".join(stem)]
            targets = ["paddle_models." + target if target else "paddle_models" for target in targets]
        else:
            continue
        for target in targets:
            if target.startswith("paddle_models"):
                name = target[len("paddle_models."):] if target != "paddle_models" else "__init__"
                while name and name not in known:  # a name imported from a module: the module
                    name = name.rpartition(".")[0]
                if name and name != module_name(path):
                    found.add(name)
    return found


def import_graph() -> dict:
    paths = [path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts]
    known = {module_name(path) for path in paths}
    return {module_name(path): imported_modules(path, known) for path in paths}


def test_every_module_has_a_layer():
    assert all(module.split(".")[0] in LAYER_OF for module in import_graph()), \
        "a new top-level module: give it a layer here and in the README's table"


def test_no_import_runs_up_the_layers():
    upward = sorted(f"{module} -> {target}" for module, targets in import_graph().items() for target in targets
                    if layer(target) > layer(module))
    assert upward == [], upward


def test_no_import_circles():
    graph = import_graph()
    state, circles = {}, []

    def visit(module, trail):
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == [], circles
