"""UserError: a mistake in how a command (or one of its helpers) was called, not a bug of ours.

``python -m paddle_models ...`` prints it as one line, ``error: <message>``, without a traceback
(``cli.main``); from Python or a notebook it is an ordinary exception.  It lives here, not in cli.py,
so that the command modules cli.py imports (the web app's, ``app/command.py``) can raise it too.
"""
import difflib
from typing import Iterable


class UserError(Exception):
    """A mistake in how a command was called; printed as one line, without a traceback."""


def did_you_mean(value, allowed: Iterable) -> str:
    """' (did you mean 'sgd'?)' for the allowed name nearest ``value`` (other case, a prefix, a typo), or ''.

    >>> did_you_mean("SGD", ["sgd", "adam"]), did_you_mean("vgg", ["alexnet"])
    (" (did you mean 'sgd'?)", '')
    """
    names = [str(name) for name in allowed]
    text = str(value)
    close = ([name for name in names if name.lower() == text.lower()]
             or [name for name in names if text.startswith(name)]
             or difflib.get_close_matches(text, names, n=1)
             or difflib.get_close_matches(text.lower(), names, n=1))
    return f" (did you mean {close[0]!r}?)" if close else ""
