"""Occlusion sensitivity and the saliency sanity check, on models whose answer is known."""
import numpy as np
import paddle
import pytest
from paddle import nn

import paddle_models
from paddle_models.errors import UserError
from paddle_models.inference import GradCAM, Occlusion, map_rank_correlation, randomized_copies
from paddle_models.inference.occlusion import patch_starts
from paddle_models.inference.sanity import top_down_blocks
from tests.test_inference_gradcam import TinyCNN

SIZE = 32
ROWS, COLS = slice(8, 16), slice(20, 28)  # the only pixels the PM logit reads


class OneRegion(nn.Layer):
    """Logits [0, 4 * mean of the input over one 8x8 region]: class 1 rests on that region alone."""

    def forward(self, x):
        region = x[:, :, ROWS, COLS].mean(axis=[1, 2, 3])
        return paddle.stack([paddle.zeros_like(region), 4.0 * region], axis=1)


def region_mask():
    mask = np.zeros((SIZE, SIZE), bool)
    mask[ROWS, COLS] = True
    return mask


def test_the_occlusion_map_peaks_on_the_region_the_logit_reads():
    x = np.ones((2, 3, SIZE, SIZE), np.float32)
    drops, classes = Occlusion(OneRegion(), patch=8, stride=4).drops(x)
    assert list(classes) == [1, 1] and drops.shape == (2, SIZE, SIZE)
    mask = region_mask()
    for drop in drops:
        assert mask[np.unravel_index(np.argmax(drop), drop.shape)]              # the peak lies in the region
        assert drop[mask].min() > 0.1                                           # covering it costs probability
        assert np.abs(drop[~region_reach(8, 4)]).max() == 0                      # elsewhere: nothing changes
    full_drop = 1 / (1 + np.exp(-4.0)) - 0.5                                    # the region wholly grey: p(PM) 0.98 -> 0.5
    assert drops.max() <= full_drop + 1e-6                                      # a pixel: the mean of its patches' drops
    np.testing.assert_allclose(drops[0, 11, 23], drops.max())                   # the region's middle: the most covered
    maps, _ = Occlusion(OneRegion(), patch=8, stride=4)(x)
    assert maps.max() == 1 and maps.min() == 0 and mask[np.unravel_index(np.argmax(maps[0]), mask.shape)]


def test_a_saturated_probability_hides_the_region_and_the_logit_shows_it():
    """At p(PM) = 1.000 a grey square cannot lower the probability; it lowers the logit (score="logit")."""
    x = np.full((1, 3, SIZE, SIZE), 20.0, np.float32)                           # logit 80: p(PM) is 1 in float32
    probability, _ = Occlusion(OneRegion(), patch=8, stride=8).drops(x, target_class=1)
    logit, _ = Occlusion(OneRegion(), patch=8, stride=8, score="logit").drops(x, target_class=1)
    assert np.abs(probability).max() < 1e-6
    mask = region_mask()
    assert logit[0][mask].min() > 10 and np.abs(logit[0][~region_reach(8, 8)]).max() == 0
    with pytest.raises(UserError, match="score='margin': occlusion measures the drop of one of probability, logit"):
        Occlusion(OneRegion(), score="margin")


def region_reach(patch, stride):
    """The pixels of every patch position that overlaps the region."""
    reach = np.zeros((SIZE, SIZE), bool)
    for y in patch_starts(SIZE, patch, stride):
        for x in patch_starts(SIZE, patch, stride):
            if region_mask()[y:y + patch, x:x + patch].any():
                reach[y:y + patch, x:x + patch] = True
    return reach


def test_covering_the_evidence_of_one_class_raises_the_other_and_batches_do_not_matter():
    x = np.ones((1, 3, SIZE, SIZE), np.float32)
    against, _ = Occlusion(OneRegion(), patch=8, stride=4).drops(x, target_class=0)
    assert against.max() <= 1e-7 and against[0][region_mask()].max() < -0.1   # non-PM gains where PM loses
    one_at_a_time, _ = Occlusion(OneRegion(), patch=8, stride=4, batch_size=1).drops(x, target_class=0)
    np.testing.assert_allclose(one_at_a_time, against, atol=1e-6)


def test_patches_cover_every_pixel():
    for size, patch, stride in [(96, 16, 8), (10, 4, 4), (7, 7, 1), (9, 2, 2)]:
        covered = np.zeros(size, bool)
        for start in patch_starts(size, patch, stride):
            covered[start:start + patch] = True
        assert covered.all(), (size, patch, stride)


@pytest.mark.parametrize("patch,stride,message", [
    (0, None, "patch=0 does not fit the 32x32 input: give 1 to 32 pixels"),
    (40, None, "patch=40 does not fit the 32x32 input"),
    (8, 0, "stride=0: give 1 to the patch's 8 pixels"),
    (8, 9, "stride=9: give 1 to the patch's 8 pixels")])
def test_a_patch_or_stride_that_cannot_work_is_a_one_line_user_error(patch, stride, message):
    with pytest.raises(UserError, match=message) as error:
        Occlusion(OneRegion(), patch=patch, stride=stride).drops(np.ones((1, 3, SIZE, SIZE), np.float32))
    assert "\n" not in str(error.value)
    with pytest.raises(UserError, match="target_class 2 does not exist"):
        Occlusion(OneRegion(), patch=8).drops(np.ones((1, 3, SIZE, SIZE), np.float32), target_class=2)


def test_map_rank_correlation_per_image():
    ramp = np.arange(16.0).reshape(1, 4, 4)
    maps = np.concatenate([ramp, ramp, ramp])
    others = np.concatenate([ramp, -ramp, np.zeros_like(ramp)])
    np.testing.assert_allclose(map_rank_correlation(maps, others), [1.0, -1.0, 0.0])  # a flat map ranks nothing
    squashed = np.sqrt(ramp)                                                         # same order, other scale
    np.testing.assert_allclose(map_rank_correlation(ramp, squashed), [1.0])


def test_cascading_randomisation_replaces_the_blocks_from_the_top_and_leaves_the_model_alone():
    paddle.seed(0)
    model = paddle_models.resnet18(num_classes=2)
    paddle.seed(1)
    fresh = paddle_models.resnet18(num_classes=2)
    before = {key: value.numpy().copy() for key, value in model.state_dict().items()}
    assert top_down_blocks(model) == ["fc", "layer4", "layer3", "layer2", "layer1", "bn1", "conv1"]
    seen = []
    for name, copy in randomized_copies(model, fresh, ["fc", "layer4", "layer3"]):
        seen.append(name)
        for key, value in copy.state_dict().items():
            source = fresh if key.split(".")[0] in seen else model
            np.testing.assert_array_equal(value.numpy(), source.state_dict()[key].numpy(), err_msg=key)
    assert seen == ["fc", "layer4", "layer3"]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key], err_msg=key)          # the trained model unchanged
    with pytest.raises(ValueError, match="not an untrained ResNet of the same shape"):
        next(randomized_copies(model, paddle_models.resnet18(num_classes=3)))


def test_a_grad_cam_map_changes_when_the_head_is_randomised():
    """The sanity check in small: the same map agrees with itself (1), a randomised head's map much less."""
    paddle.seed(0)
    model = TinyCNN()
    paddle.seed(5)
    fresh = TinyCNN()
    x = np.random.default_rng(0).normal(size=(6, 3, SIZE, SIZE)).astype(np.float32)
    maps, _ = GradCAM(model)(x, target_class=1)
    np.testing.assert_allclose(map_rank_correlation(maps, maps), 1.0)
    (name, changed), = list(randomized_copies(model, fresh, ["head"]))
    random_maps, _ = GradCAM(changed)(x, target_class=1)
    assert name == "head" and map_rank_correlation(maps, random_maps).mean() < 0.9
