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


def _is_import(statement) -> bool:
    return isinstance(statement, (ast.Import, ast.ImportFrom))


def unexplained_function_imports(source: str) -> list:
    """Imports inside a function with no comment saying why (developers' guide: imports at the top of
    the file unless start-up time demands otherwise).  A comment on the import's line or on the line
    above counts; one such comment covers a block of consecutive imports (the first one carries it)."""
    lines = source.splitlines()
    tree = ast.parse(source)
    in_functions = {node.lineno for function in ast.walk(tree)
                    if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
                    for node in ast.walk(function) if _is_import(node)}

    def explained(number: int) -> bool:
        return "#" in lines[number - 1] or (number > 1 and lines[number - 2].strip().startswith("#"))

    missing = []
    for node in ast.walk(tree):
        bodies = [getattr(node, field, None) for field in ("body", "orelse", "finalbody")]
        for body in [*bodies, *(handler.body for handler in getattr(node, "handlers", []))]:
            if not isinstance(body, list):
                continue
            block_explained = False
            for previous, statement in zip([None, *body], body):
                if not _is_import(statement):
                    continue
                if not _is_import(previous):  # the first import of a block
                    block_explained = explained(statement.lineno)
                if statement.lineno in in_functions and not (block_explained or explained(statement.lineno)):
                    missing.append(f"{statement.lineno}: {lines[statement.lineno - 1].strip()}")
    return missing


def test_unexplained_function_imports_are_found():
    source = ("def f():\n    import os\n    import re\n\n"
              "def g():\n    # deferred: why\n    import os\n    import re\n    x = 1\n    import json  # heavy: why\n")
    assert unexplained_function_imports(source) == ["2: import os", "3: import re"]


def test_every_import_inside_a_function_says_why():
    missing = [f"{path.relative_to(PACKAGE.parent)}:{line}" for path in sorted(PACKAGE.rglob("*.py"))
               for line in unexplained_function_imports(path.read_text(encoding="utf-8"))]
    assert missing == [], ("move these imports to the top of the file, or say on the line above why they "
                           f"wait (start-up time, an optional library, one platform): {missing}")
