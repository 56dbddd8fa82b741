"""Messages name settings as their caller writes them: ``lr=-1.0`` in a notebook, ``--lr -1.0`` on the
command line.  The library writes each message once, with the Python names; ``cli.as_options`` turns
every name that is some command's option into that option, from the parsers (which take the ``train``
options from the settings schema), so no second table of names exists."""
import subprocess
import sys
import warnings

import pytest

from paddle_models import cli, course, settings
from paddle_models.settings import DataSettings, SettingsError


@pytest.fixture(scope="module")
def forms():
    return cli.option_forms(cli.build_parser())


def test_every_setting_and_every_commands_option_has_its_option_form(forms):
    for item in settings.all_fields(cli_only=True):
        option, switch = forms[item.name]
        assert option == settings.option_name(item.name)
        assert switch == isinstance(settings.defaults()[item.name], bool)  # the bool settings take no value
    assert forms["calibration_images"] == ("--calibration-images", False)  # export's own option
    assert forms["target_class"] == ("--target-class", False)  # gradcam's
    assert "progress" not in forms  # a setting the command line does not offer stays as it is


@pytest.mark.parametrize("message, printed", [
    ("lr=-1.0 is not allowed", "--lr -1.0 is not allowed"),
    ("clip it (grad_clip=1.0).", "clip it (--grad-clip 1.0)."),
    ("use loss='ce' or monitor='val/kappa';", "use --loss ce or --monitor val/kappa;"),
    ("pass resume=True, or drop resume=True", "pass --resume, or drop --resume"),
    ("trained with save_last=False", "trained with --no-save-last"),
    ("another run_name=... for a new run", "another --run-name ... for a new run"),
    ("pretrained='/a b/w.pdparams': no such file", "--pretrained '/a b/w.pdparams': no such file"),
    ("calibration_images=0 is not allowed", "--calibration-images 0 is not allowed"),
    # not options: a model option, a path or a word that holds a name, a comparison, a dataset's description
    ("dropout=0.3 and runs/lr=0.1/x and xlr=1 and lr==1", "dropout=0.3 and runs/lr=0.1/x and xlr=1 and lr==1"),
    ("ICHallengePM(split='train'): 1 bad sample", "ICHallengePM(split='train'): 1 bad sample"),
])
def test_settings_become_options(forms, message, printed):
    assert cli.as_options(message, forms) == printed


def test_a_notebook_sees_the_setting_and_the_command_line_the_option(pm_root, tmp_path):
    data = course.lesson_data("ichallenge_pm", fast=True, root=pm_root, image_size=32, epochs=1,
                              subset=8)
    with pytest.raises(SettingsError, match=r"^lr=-1.0 is not allowed: it must be a finite number > 0$"):
        course.train("lenet", data, lesson="messages", run="negative_lr", lr=-1)

    result = subprocess.run([sys.executable, "-m", "paddle_models", "train", "--data-root", str(pm_root),
                             "--log-dir", str(tmp_path), "--lr", "-1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --lr -1.0 is not allowed: it must be a finite number > 0"


def test_a_crop_larger_than_the_image_names_the_settings_or_the_options(capsys):
    with pytest.raises(SettingsError, match=r"random_crop=96 is larger than image_size=64: the windows"):
        DataSettings(image_size=64, random_crop=96)  # the preprocessing's own check, named as the settings
    with pytest.raises(SystemExit) as stop:
        cli.main(["train", "--data-root", "nowhere", "--image-size", "64", "--random-crop", "96"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.startswith("error: --random-crop 96 is larger than --image-size 64: "), err


def test_warnings_printed_by_a_command_name_options(monkeypatch):
    def warning_command(args):
        warnings.warn("2 image(s) decode only partly; pass skip_bad=True to skip them", UserWarning)

    monkeypatch.setattr(cli, "command_recipes", warning_command)
    with pytest.warns(UserWarning, match=r"; pass --skip-bad to skip them$"):
        cli.main(["recipes"])
    with pytest.warns(UserWarning, match=r"; pass skip_bad=True to skip them$"):  # from Python: as written
        warning_command(None)
