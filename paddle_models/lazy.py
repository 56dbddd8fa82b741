"""Package faces that import their parts only when a name is first used (PEP 562).

``import paddle_models`` and ``from paddle_models.data import PreprocessConfig`` should not pull in
Paddle, scikit-learn, matplotlib and Gradio before they are needed: the command line's ``--help``
answers in well under a second, and ``from paddle_models.data.preprocess import ...`` costs only
what preprocess.py itself imports.  A package's ``__init__`` lists which module holds each public
name; the module is imported when one of its names is first asked for, then the name is kept::

    __getattr__, __dir__, __all__ = lazy_exports(__name__, {".models": ["build", "list_models"]})
"""
from __future__ import annotations

import importlib
import sys
from typing import Callable, Dict, Iterable, List, Tuple


def lazy_exports(package: str, names_by_module: Dict[str, Iterable[str]]) -> Tuple[Callable, Callable, List[str]]:
    """(``__getattr__``, ``__dir__``, ``__all__``) for ``package``, from {module: its public names}."""
    home = {name: module for module, names in names_by_module.items() for name in names}
    clashes = [name for name, module in home.items() if module.rsplit(".", 1)[-1] == name]
    if clashes:  # importing the submodule sets the package's attribute of that name to the module itself
        raise ValueError(f"{package}: {clashes} would be shadowed by the submodules of the same name")

    def __getattr__(name: str):
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home[name], package), name)
        setattr(sys.modules[package], name, value)  # asked once: later uses are plain attributes
        return value

    def __dir__() -> List[str]:
        return sorted(set(home) | set(vars(sys.modules[package])))

    return __getattr__, __dir__, list(home)
