"""UserError: the one base of every exception that means "change something and run again".

Settings, model options, data, files, checkpoints: whatever the user gave that cannot be used raises
a subclass of ``UserError`` -- ``SettingsError``, ``BadSampleError``, ``DataMismatchError``,
``CorruptCheckpointError`` ... and, for the plain cases, ``WrongValueError`` (a value) and
``MissingFileError`` (a file or folder).  Each also subclasses the built-in exception it always was
(``ValueError``, ``FileNotFoundError`` ...), so ``except ValueError`` in a notebook still works.

``python -m paddle_models ...`` prints a ``UserError`` as one line, ``error: <message>``, exit status 2
(``cli.main``); any other exception is a bug of the package and says so (exit 1; ``--debug`` shows the
traceback).  From Python or a notebook all of them are ordinary exceptions.

A message names a setting or keyword as a Python caller writes it -- ``grad_clip=1.0``,
``resume=True``, ``run_name=...`` -- never as a command-line option: the command line turns those
into its options (``--grad-clip 1.0``) when it prints the message (``cli.as_options``).
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


class WrongValueError(UserError, ValueError):
    """A value the user gave -- a setting, a model option, a file's content -- that cannot be used."""


class MissingFileError(UserError, FileNotFoundError):
    """A file or folder the user named is not there, or is not the kind the command needs."""
