"""``python -m paddle_models <command>``: the course's command line (see paddle_models/cli.py).

The import is absolute on purpose: ``python -m paddle.distributed.launch`` runs this file as a plain
script (``launch paddle_models/__main__.py train ...``), where a relative import would fail.
"""
from paddle_models.cli import main

if __name__ == "__main__":
    main()
