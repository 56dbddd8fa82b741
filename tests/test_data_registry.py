"""Each dataset declares itself once, in its reader's module; the registry's tables are derived from that."""
import pytest

from paddle_models.cli import main
from paddle_models.data import locate, registry
from paddle_models.data.layout import Layout, Preparer
from paddle_models.data.synthetic import make_synthetic_aptos, make_synthetic_aptos_clinics
from paddle_models.errors import UserError
from tests.test_data_synthetic import files_and_bytes


def test_every_table_is_derived_from_the_readers_declarations():
    assert list(registry.DATASETS.values()) == list(registry.READERS)
    for reader in registry.READERS:
        assert registry.canonical_name(reader.name) == reader.name
        assert all(registry.canonical_name(alias) == reader.name for alias in reader.aliases)
        assert registry.SYNTHETIC_WRITERS[reader.name] is reader.write_synthetic
        assert isinstance(reader.location, (Layout, type(None))) and isinstance(reader.preparer, (Preparer, type(None)))
    assert locate.LAYOUTS is registry.LAYOUTS
    assert set(registry.LAYOUTS) == {"ichallenge_pm", "ddr", "aptos", "retinamnist"}  # an ImageFolder is anywhere
    assert set(registry.PREPARERS) == {"ichallenge_pm", "ddr"}
    assert registry.canonical_name("PALM") == "ichallenge_pm" and registry.canonical_name("APTOS2019") == "aptos"


def test_synth_and_the_lessons_write_aptos_with_the_same_writer():
    assert registry.synthetic_writer("aptos") is make_synthetic_aptos is make_synthetic_aptos_clinics


def test_an_aptos_test_split_leaves_the_training_images_as_they_were(tmp_path):
    plain = files_and_bytes(make_synthetic_aptos(tmp_path / "a", per_class=1, image_size=64, seed=2))
    with_test = files_and_bytes(make_synthetic_aptos(tmp_path / "b", per_class=1, image_size=64, seed=2,
                                                     test_images=2))
    assert {name: data for name, data in with_test.items() if name in plain and name != "synthetic_truth.csv"} == \
        {name: data for name, data in plain.items() if name != "synthetic_truth.csv"}
    assert len([name for name in with_test if name.startswith("test_images/")]) == 2 and "test.csv" in with_test
    truth = with_test["synthetic_truth.csv"].decode().splitlines()
    assert truth[:len(plain["synthetic_truth.csv"].decode().splitlines())] == \
        plain["synthetic_truth.csv"].decode().splitlines() and len(truth) == 1 + 5 + 2


def test_synth_accepts_an_alias_and_refuses_an_unknown_name(tmp_path, capsys):
    main(["synth", "--data", "PALM", "--root", str(tmp_path / "palm"), "--per-class", "1", "--image-size", "48"])
    assert (tmp_path / "palm" / "PALM-Validation-GT" / "PM_Label_and_Fovea_Location.xlsx").is_file()
    with pytest.raises(ValueError, match="unknown dataset 'cataract'"):
        registry.synthetic_writer("cataract")


def test_only_datasets_with_a_preparer_are_prepared_by_name(tmp_path):
    with pytest.raises(UserError, match="no automatic preparation for 'aptos'"):
        locate.prepare("aptos", tmp_path)
    assert locate.find_archives("aptos", tmp_path) == [] and locate.find_archives("palm", tmp_path) == []
