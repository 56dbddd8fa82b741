"""UserError: a mistake in how a command (or one of its helpers) was called, not a bug of ours.

``python -m paddle_models ...`` prints it as one line, ``error: <message>``, without a traceback
(``cli.main``); from Python or a notebook it is an ordinary exception.  It lives here, not in cli.py,
so that the command modules cli.py imports (the web app's, ``app/command.py``) can raise it too.
"""


class UserError(Exception):
    """A mistake in how a command was called; printed as one line, without a traceback."""
