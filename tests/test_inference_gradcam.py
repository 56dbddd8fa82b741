"""Grad-CAM: maps of the right shape for every family, and maps that find the lesion."""
import cv2
import numpy as np
import paddle
import pytest
from paddle import nn

import paddle_models
from paddle_models.data import PreprocessConfig, preprocess_image, synthetic_fundus, to_input
from paddle_models.data.synthetic import MYOPIA_LEVELS
from paddle_models.engine import set_seed
from paddle_models.inference import GradCAM, find_layer, map_layers, overlay_heatmap, save_gradcam
from paddle_models.inference.gradcam import normalise_maps, score_weights
from paddle_models.models import build

SIZE = 32


def blob_images(count, rng):
    """Noise images; class 1 has a bright disc (radius 3) at a random place.  Returns x, y, lesion masks."""
    x = rng.normal(0.0, 0.3, size=(count, 3, SIZE, SIZE)).astype("float32")
    y = rng.integers(0, 2, count)
    masks = np.zeros((count, SIZE, SIZE), bool)
    rows, cols = np.mgrid[:SIZE, :SIZE]
    for i in np.flatnonzero(y):
        cy, cx = rng.integers(5, SIZE - 5, 2)
        masks[i] = (rows - cy) ** 2 + (cols - cx) ** 2 <= 9
        x[i, :, masks[i]] += 2.0
    return x, y, masks


class TinyCNN(nn.Layer):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2D(3, 8, 3, padding=1), nn.ReLU(),
                                      nn.Conv2D(8, 16, 3, padding=1), nn.ReLU())
        self.head = nn.Sequential(nn.AdaptiveAvgPool2D(1), nn.Flatten(), nn.Linear(16, 2))

    def feature_layer(self):
        return self.features

    def forward(self, x):
        return self.head(self.features(x))


def test_map_highlights_the_lesion():
    paddle.seed(0)
    rng = np.random.default_rng(0)
    model = TinyCNN()
    optimizer = paddle.optimizer.Adam(0.01, parameters=model.parameters())
    for _ in range(60):
        x, y, _ = blob_images(32, rng)
        loss = nn.functional.cross_entropy(model(paddle.to_tensor(x)), paddle.to_tensor(y))
        loss.backward()
        optimizer.step()
        optimizer.clear_grad()
    x, y, masks = blob_images(48, rng)
    with paddle.no_grad():
        accuracy = (model(paddle.to_tensor(x)).numpy().argmax(axis=1) == y).mean()
    assert accuracy > 0.9
    positive = y == 1
    maps, classes = GradCAM(model)(x[positive])  # target: the predicted class
    assert (classes == 1).mean() > 0.9
    inside = np.array([m[k].mean() for m, k in zip(maps, masks[positive])])
    outside = np.array([m[~k].mean() for m, k in zip(maps, masks[positive])])
    assert inside.mean() > 3 * outside.mean()
    assert (inside > outside).mean() > 0.9


FUNDUS_SIZE = 96
FUNDUS_CONFIG = PreprocessConfig(image_size=FUNDUS_SIZE, crop_border=False)
ATROPHY_REACH = MYOPIA_LEVELS["pathologic"][1][1]  # the largest outer radius of the PPA, in disc radii


def fundus_set(split, count, seed=0):
    """``count`` synthetic fundi, alternately normal (0) and pathologic myopia (1), as model inputs.

    Geometry: the images are rendered square at the input size and preprocessed without border
    cropping, so preprocessing moves nothing (the resize is to the same size: checked below) and
    the Eye coordinates are input pixels.  Returns inputs [N, 3, S, S], labels [N] and regions,
    boolean masks [N, S, S], all inside the field of view (the fundus circle):

    field    the field of view
    lesion   the disc-centred circle out to the atrophy's largest outer radius (paint_atrophy does
             not return the size it drew), where a pathologic eye has its atrophy
    crescent the half of the peripapillary ring (1 to ATROPHY_REACH disc radii) facing the macula,
             where the atrophic crescent is widest ...
    far      ... and the other half, where it is at most ~1.2 disc radii, hardly past the disc
    """
    rows, cols = np.mgrid[:FUNDUS_SIZE, :FUNDUS_SIZE]
    inputs, labels, regions = [], [], {"field": [], "lesion": [], "crescent": [], "far": []}
    for number in range(count):
        label = number % 2
        rng = np.random.default_rng([seed, split, number])
        bgr, eye = synthetic_fundus(rng, FUNDUS_SIZE, FUNDUS_SIZE, myopia="pathologic" if label else "normal")
        rgb = preprocess_image(bgr, FUNDUS_CONFIG)
        np.testing.assert_array_equal(rgb, bgr[:, :, ::-1])  # same pixels in the same places
        inputs.append(to_input(rgb, FUNDUS_CONFIG))
        labels.append(label)
        field = np.hypot(cols - eye.center[0], rows - eye.center[1]) <= eye.radius
        d = np.hypot(cols - eye.disc[0], rows - eye.disc[1]) / eye.disc_radius  # in disc radii
        towards_macula = np.arctan2(eye.macula[1] - eye.disc[1], eye.macula[0] - eye.disc[0])
        macula_side = np.cos(np.arctan2(rows - eye.disc[1], cols - eye.disc[0]) - towards_macula) > 0
        ring = (d > 1) & (d <= ATROPHY_REACH) & field
        regions["field"].append(field)
        regions["lesion"].append((d <= ATROPHY_REACH) & field)
        regions["crescent"].append(ring & macula_side)
        regions["far"].append(ring & ~macula_side)
    return np.stack(inputs), np.array(labels), {name: np.stack(masks) for name, masks in regions.items()}


def region_means(maps, *masks):
    """The mean map value inside each mask, per image: one array [N] per mask."""
    return [np.array([cam[mask].mean() for cam, mask in zip(maps, region)]) for region in masks]


class PoolingCNN(nn.Layer):
    """Three conv-ReLU-maxpool blocks and a last conv: a [N, 32, S/8, S/8] map (12x12 at 96) for Grad-CAM."""

    def __init__(self):
        super().__init__()
        layers, channels = [], 3
        for width in (8, 16, 32):
            layers += [nn.Conv2D(channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2D(2)]
            channels = width
        self.features = nn.Sequential(*layers, nn.Conv2D(channels, channels, 3, padding=1), nn.ReLU())
        self.head = nn.Sequential(nn.AdaptiveAvgPool2D(1), nn.Flatten(), nn.Linear(channels, 2))

    def feature_layer(self):
        return self.features

    def forward(self, x):
        return self.head(self.features(x))


def test_map_finds_the_atrophy_on_synthetic_fundi():
    """Grad-CAM responds to the class signal: the atrophy around the disc outweighs the background.

    A small CNN learns normal vs pathologic myopia from 48 synthetic fundi (96 px, 10 epochs).  On
    held-out pathologic images, the PM map's mean inside the lesion region (~7% of the field of
    view) beats its mean over the rest of the field of view, on average and in most images: the
    model does not just read the tessellation, which covers the whole fundus.

    The PM map also lights up around the disc of *normal* eyes (the model looks where atrophy would
    be), so the lesion circle alone cannot tell "the atrophy" from "the disc".  The crescent does:
    on pathologic eyes the ring half facing the macula, where the crescent is wide, is hotter than
    the other half; on normal eyes (a symmetric disc, no atrophy) that asymmetry is much smaller.
    """
    set_seed(0)
    x_train, y_train, _ = fundus_set(0, 48)
    x_test, y_test, regions = fundus_set(1, 24)
    model = PoolingCNN()
    optimizer = paddle.optimizer.Adam(3e-3, parameters=model.parameters())
    rng = np.random.default_rng(0)
    for _ in range(10):
        for batch in np.array_split(rng.permutation(len(x_train)), len(x_train) // 8):
            loss = nn.functional.cross_entropy(model(paddle.to_tensor(x_train[batch])),
                                               paddle.to_tensor(y_train[batch]))
            loss.backward()
            optimizer.step()
            optimizer.clear_grad()
    model.eval()
    with paddle.no_grad():
        accuracy = (model(paddle.to_tensor(x_test)).numpy().argmax(axis=1) == y_test).mean()
    assert accuracy >= 0.75, f"held-out accuracy {accuracy:.2f} (chance 0.5)"

    pm, normal = y_test == 1, y_test == 0
    maps, _ = GradCAM(model)(x_test[pm], target_class=1)
    lesion = regions["lesion"][pm]
    inside, outside = region_means(maps, lesion, regions["field"][pm] & ~lesion)
    assert inside.mean() > 2 * outside.mean(), (inside.mean(), outside.mean())  # measured 0.68 vs 0.05
    assert (inside > outside).mean() >= 0.9, inside - outside

    crescent, far = region_means(maps, regions["crescent"][pm], regions["far"][pm])
    assert (crescent > far).mean() >= 0.75, crescent - far
    normal_maps, _ = GradCAM(model)(x_test[normal], target_class=1)
    normal_crescent, normal_far = region_means(normal_maps, regions["crescent"][normal],
                                               regions["far"][normal])
    asymmetry, normal_asymmetry = (crescent - far).mean(), (normal_crescent - normal_far).mean()
    assert asymmetry > normal_asymmetry + 0.1, (asymmetry, normal_asymmetry)  # measured 0.25 vs -0.02


@pytest.mark.parametrize("name,options,size", [
    ("lenet", {"input_size": 32}, 32), ("googlenet", {}, 64), ("resnet18", {}, 64), ("convmixer_small", {}, 64)])
def test_map_shapes_for_model_families(name, options, size):
    paddle.seed(0)
    model = build(name, num_classes=3, **options)
    model.train()
    x = np.random.default_rng(0).normal(size=(2, 3, size, size)).astype("float32")
    maps, classes = GradCAM(model)(x)
    assert maps.shape == (2, size, size) and maps.dtype == np.float32
    assert maps.min() >= 0 and maps.max() <= 1
    model.eval()
    with paddle.no_grad():
        predicted = model(paddle.to_tensor(x)).numpy().argmax(axis=1)
    np.testing.assert_array_equal(classes, predicted)
    maps2, classes2 = GradCAM(model, layer=model.feature_layer())(x, target_class=[0, 2])
    np.testing.assert_array_equal(classes2, [0, 2])
    assert not model.feature_layer()._forward_post_hooks  # hook removed


def test_gradcam_restores_training_mode():
    model = build("googlenet", num_classes=2)
    model.train()
    GradCAM(model)(np.zeros((1, 3, 64, 64), "float32"), target_class=1)
    assert model.training


def test_a_class_the_model_does_not_have_is_refused():
    model = build("resnet18", num_classes=1)                # one logit: a binary model, classes 0 and 1
    with pytest.raises(ValueError, match="target_class 2 does not exist: the model predicts classes 0..1"):
        GradCAM(model, task="binary_logit")(np.zeros((1, 3, 32, 32), "float32"), target_class=2)
    with pytest.raises(ValueError, match="target_class \\[0, -1\\] does not exist"):
        GradCAM(model, task="binary_logit")(np.zeros((2, 3, 32, 32), "float32"), target_class=[0, -1])


def test_score_weights_by_task():
    np.testing.assert_array_equal(score_weights([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(score_weights([1, 0], 1, "binary_logit"), [[1], [-1]])
    np.testing.assert_array_equal(score_weights([0, 1, 3], 4, "ordinal"),
                                  [[0, -1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]])


def test_normalise_maps():
    maps = np.stack([np.arange(4.0).reshape(2, 2), np.full((2, 2), 5.0)])
    out = normalise_maps(maps)
    np.testing.assert_allclose(out[0], [[0, 1 / 3], [2 / 3, 1]], rtol=1e-6)
    np.testing.assert_array_equal(out[1], 0)  # a flat map carries no location


def test_overlay_heatmap():
    image = np.full((40, 30, 3), 100, np.uint8)
    cam = np.zeros((10, 10), np.float32)
    cam[5:, :] = 1.0
    overlay = overlay_heatmap(image, cam, alpha=0.5)
    assert overlay.shape == (40, 30, 3) and overlay.dtype == np.uint8
    np.testing.assert_array_equal(overlay_heatmap(image, cam, alpha=0.0), image)
    full = overlay_heatmap(image, np.ones((40, 30), np.float32), alpha=1.0)
    np.testing.assert_array_equal(full[0, 0], [128, 0, 0])  # JET at 1.0 is dark red (RGB)


def test_save_gradcam_writes_png_overlays(pm_root, tmp_path):
    paddle.seed(0)
    model = build("resnet18", num_classes=2)
    meta = {"task": "multiclass", "class_names": ["non-PM", "PM"], "num_classes": 2,
            "preprocess": PreprocessConfig(image_size=48).to_dict()}
    folder = pm_root / "PALM-Validation400"
    one = sorted(folder.glob("*.jpg"))[0]
    paths = save_gradcam(model, meta, [folder], tmp_path / "cams", target_class=1, batch_size=5)
    assert len(paths) == len(list(folder.glob("*.jpg")))
    assert all(p.suffix == ".png" and p.name.endswith("_gradcam_PM.png") for p in paths)
    image = cv2.imread(str(paths[0]))
    assert image.shape == (48, 48, 3)
    assert save_gradcam(model, meta, [one], tmp_path / "single")[0].name.startswith(one.stem)


def test_find_layer_takes_a_block_or_a_path_and_lists_the_blocks_for_anything_else():
    model = paddle_models.resnet18(num_classes=2)
    blocks = map_layers(model, 96)
    assert blocks["layer3"][0] is model.layer3 and blocks["layer3"][1][2:] == [6, 6]
    assert blocks["layer4"][1][2:] == [3, 3] and "fc" not in blocks and "avgpool" not in blocks  # no map left
    assert find_layer(model, "layer3", 96) is model.layer3
    assert find_layer(model, "layer3.1.conv2", 96) is model.layer3[1].conv2
    with pytest.raises(ValueError, match=r"layer='fc' is not a layer of ResNet .* layer3 \(6x6\), layer4 \(3x3\)"):
        find_layer(model, "fc", 96)
    lenet = paddle_models.lenet(num_classes=2, input_size=32)  # its stages are views: only real layers listed
    assert list(map_layers(lenet, 32)) == ["features"]
