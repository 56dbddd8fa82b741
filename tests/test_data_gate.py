"""The gradability gate: synthetic fundus photographs pass, drawn non-fundus images are refused,
poor photographs are refused with the audit's reason, and files are read upright (EXIF)."""
import cv2
import numpy as np
import pytest
from PIL import Image

from paddle_models.data import build_dataset, gate, synthetic
from paddle_models.data.non_fundus import dark_noise_disc, draw_all
from paddle_models.data.gate import REASONS, gradability, gradability_file
from paddle_models.data.quality import original_image

# ----------------------------------------------------------------------------- each synthetic dataset


@pytest.fixture(scope="module")
def validation_sets(tmp_path_factory):
    """The validation images of every synthetic dataset (APTOS and image folders have no validation
    split: all their images), as {name: [(BGR image, label)]}."""
    root = tmp_path_factory.mktemp("gate")
    made = {
        "ichallenge_pm": (synthetic.make_synthetic_ichallenge_pm(root / "pm", per_class=25, image_size=256,
                                                                 splits=("valid",), seed=5), "valid"),
        "ddr": (synthetic.make_synthetic_ddr(root / "ddr", per_class=8, image_size=256, splits=("valid",),
                                             ungradable=8, seed=5), "valid"),
        "aptos": (synthetic.make_synthetic_aptos(root / "aptos", per_class=6, image_size=256, seed=5), "train"),
        "image_folder": (synthetic.make_synthetic_image_folder(root / "folders", per_class=5, kind="dr",
                                                               image_size=200, seed=5), None),
        "retinamnist": (synthetic.make_synthetic_retinamnist(root / "mnist", per_class=3, valid_per_class=8,
                                                             seed=5).parent, "valid"),
    }
    sets = {}
    for name, (data_root, split) in made.items():
        options = {"keep_ungradable": True} if name == "ddr" else {}
        dataset = build_dataset(name, data_root, split, **options)
        sets[name] = [(original_image(dataset, index), label) for index, (_, label) in enumerate(dataset.samples)]
    return sets


@pytest.mark.parametrize("name", ["ichallenge_pm", "ddr", "aptos", "image_folder", "retinamnist"])
def test_at_most_one_percent_of_a_synthetic_validation_set_is_refused(validation_sets, name):
    gradable = [image for image, label in validation_sets[name] if not (name == "ddr" and label == 5)]
    refused = [gradability(image).reason for image in gradable if not gradability(image).gradable]
    assert len(gradable) >= 20
    assert len(refused) <= 0.01 * len(gradable), refused


def test_most_ddr_ungradable_photographs_are_refused_for_their_quality(validation_sets):
    """The audit's thresholds miss a few of the generator's over-exposed ones (measured: 1 in 12 over
    seeds 5-7, sharpness 3.5 above the blur threshold 2.0, brightness 148 below 170)."""
    verdicts = [gradability(image) for image, label in validation_sets["ddr"] if label == 5]
    refused = [verdict.reason for verdict in verdicts if not verdict.gradable]
    assert len(verdicts) == 8 and len(refused) >= 6
    assert set(refused) <= {REASONS[name] for name in ("blank", "underexposed", "overexposed", "blurred")}


# ----------------------------------------------------------------------------- drawn non-fundus images




def test_at_least_95_percent_of_drawn_non_fundus_images_are_refused():
    verdicts = [(name, gradability(image)) for name, image in draw_all()]  # 8 kinds x 3 seeds
    assert len(verdicts) >= 20
    passed = [name for name, verdict in verdicts if verdict.gradable]
    assert len(passed) <= 0.05 * len(verdicts), passed
    assert all(verdict.reason in REASONS.values() for _, verdict in verdicts)


def test_what_the_gate_misses_a_bright_textured_disc_on_black():
    """It checks shape and quality, it does not recognise eyes: a disc of noise on black passes."""
    assert gradability(dark_noise_disc(np.random.default_rng(0), 300, 300)).gradable


def test_a_field_cut_off_at_top_and_bottom_passes_and_a_square_from_inside_it_is_refused():
    rng = np.random.default_rng(1)
    assert gradability(synthetic.framed_fundus(rng, 300, "clipped", 2)).gradable
    assert gradability(synthetic.framed_fundus(rng, 300, "square", 2)) == (False, REASONS["not_fundus"])


# ----------------------------------------------------------------------------- poor photographs


@pytest.fixture(scope="module")
def good():
    return synthetic.synthetic_fundus(np.random.default_rng(3), 400, 333, dr_grade=2)[0]


def test_a_good_photograph_is_gradable(good):
    assert gradability(good) == (True, "")
    geometry = gate.field_geometry(good)
    assert geometry.round_on_dark and geometry.lit_inside > 0.95 and geometry.dark_outside > 0.95


@pytest.mark.parametrize("change, reason", [
    (lambda image: np.zeros_like(image), "blank"),
    (lambda image: (image * 0.35).astype(np.uint8), "underexposed"),
    (lambda image: np.where(image > 10, np.clip(image * 4.0, 0, 255), image), "overexposed"),  # the field only
    (lambda image: cv2.GaussianBlur(image, (0, 0), 6), "blurred"),
])
def test_a_poor_photograph_is_refused_with_the_audits_reason(good, change, reason):
    assert gradability(change(good.astype(np.float32)).astype(np.uint8)) == (False, REASONS[reason])


def test_a_tiny_image_is_not_refused_as_blurred(good):
    """At 28 pixels everything looks smooth to the sharpness score: that rule is not applied."""
    small = cv2.resize(good, (28, 28), interpolation=cv2.INTER_AREA)
    assert gradability(small).gradable


# ----------------------------------------------------------------------------- EXIF orientation


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_file_tagged_as_rotated_is_read_upright(tmp_path, orientation):
    """The pixels stored sideways with an EXIF tag read as the upright photograph, at every decoding scale."""
    from paddle_models.data.imageio import read_image

    upright = synthetic.synthetic_fundus(np.random.default_rng(4), 512, 400)[0]
    undo = {3: cv2.ROTATE_180, 6: cv2.ROTATE_90_COUNTERCLOCKWISE, 8: cv2.ROTATE_90_CLOCKWISE}[orientation]
    stored = cv2.rotate(upright, undo)  # what a camera held sideways writes
    exif = Image.Exif()
    exif[274] = orientation
    path = tmp_path / "sideways.jpg"
    Image.fromarray(cv2.cvtColor(stored, cv2.COLOR_BGR2RGB)).save(path, exif=exif, quality=95)
    for reduction in (1, 2):
        read = read_image(path, reduction)
        expected = cv2.resize(upright, (read.shape[1], read.shape[0]), interpolation=cv2.INTER_AREA)
        assert read.shape[:2] == (400 // reduction, 512 // reduction)
        assert np.abs(read.astype(int) - expected).mean() < 6
    assert gradability_file(path).gradable
