"""What the command-line tests share."""
import pytest

from paddle_models.cli import main


def user_error(argv, capsys) -> str:
    """Run a command that must fail as a user error: exit status 2, one ``error:`` line, no traceback."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2, err
    assert err.startswith("error: ") and "Traceback" not in err
    return err
