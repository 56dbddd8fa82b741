"""GoogLeNet: three outputs while training, one while evaluating, and the paper's stride-2 stem."""
import paddle
import pytest

import paddle_models


def forward(model, size, training):
    if training:
        model.train()
    else:
        model.eval()
    return model(paddle.rand([2, 3, size, size]))


def test_training_returns_main_and_both_auxiliary_logits():
    outputs = forward(paddle_models.googlenet(num_classes=3), 224, training=True)
    assert isinstance(outputs, tuple) and len(outputs) == 3
    assert [list(out.shape) for out in outputs] == [[2, 3]] * 3


def test_evaluation_returns_the_main_logits_only():
    model = paddle_models.googlenet(num_classes=3)
    with paddle.no_grad():
        logits = forward(model, 224, training=False)
    assert isinstance(logits, paddle.Tensor) and list(logits.shape) == [2, 3]


def test_without_auxiliary_heads_there_is_always_one_output():
    model = paddle_models.googlenet(num_classes=3, aux_logits=False)
    assert not hasattr(model, "aux1") and not hasattr(model, "aux2")
    assert list(forward(model, 64, training=True).shape) == [2, 3]
    with paddle.no_grad():
        assert list(forward(model, 64, training=False).shape) == [2, 3]


def test_main_output_is_the_same_with_and_without_auxiliary_heads():
    """The auxiliary heads only add outputs: in eval mode the main path gives the same logits."""
    paddle.seed(0)
    with_aux = paddle_models.googlenet(num_classes=3)
    without = paddle_models.googlenet(num_classes=3, aux_logits=False)
    without.set_state_dict({k: v for k, v in with_aux.state_dict().items() if not k.startswith("aux")})
    x = paddle.rand([1, 3, 64, 64])
    with_aux.eval(), without.eval()
    with paddle.no_grad():
        assert paddle.allclose(with_aux(x), without(x)).item()


@pytest.mark.parametrize("size", [64, 96, 128, 160, 224])
def test_auxiliary_heads_work_from_64_to_224_pixels(size):
    outputs = forward(paddle_models.googlenet(num_classes=2), size, training=True)
    assert [list(out.shape) for out in outputs] == [[2, 2]] * 3


def test_auxiliary_head_pools_14x14_to_4x4_as_in_the_paper():
    """At 224x224 the 5x5/3 average pooling alone gives 4x4 (the adaptive pool then changes nothing)."""
    model = paddle_models.googlenet(num_classes=2)
    pooled = []
    handle = model.aux1.pool.register_forward_post_hook(lambda layer, inputs, out: pooled.append(out))
    forward(model, 224, training=True)
    handle.remove()
    assert list(pooled[0].shape) == [2, 512, 4, 4]
    assert model.aux1.fc1.weight.shape[0] == 128 * 4 * 4
    assert model.aux1.dropout.p == 0.7 and model.dropout.p == 0.4


def test_stem_uses_a_stride_2_convolution():
    """The public course's stride-1 stem kept 4x too many pixels: 224 -> 112 after the first conv."""
    model = paddle_models.googlenet(num_classes=2)
    first_conv = model.stem[0][0]
    assert list(first_conv.weight.shape) == [64, 3, 7, 7] and list(first_conv._stride) == [2, 2]
    with paddle.no_grad():
        assert list(first_conv(paddle.rand([1, 3, 224, 224])).shape) == [1, 64, 112, 112]


def test_auxiliary_losses_reach_the_auxiliary_weights():
    """The engine's loss ``main + 0.3 * (aux1 + aux2)`` trains the auxiliary heads too."""
    model = paddle_models.googlenet(num_classes=2)
    main, aux1, aux2 = forward(model, 64, training=True)
    labels = paddle.to_tensor([0, 1])
    loss_of = paddle.nn.functional.cross_entropy
    loss = loss_of(main, labels) + 0.3 * (loss_of(aux1, labels) + loss_of(aux2, labels))
    loss.backward()
    assert model.aux1.fc2.weight.grad is not None and model.aux2.conv[0].weight.grad is not None
