"""AlexNet's ``hidden`` option narrows the two fully connected layers and nothing else."""
import paddle
import pytest

import paddle_models


def test_hidden_sets_the_width_of_the_fully_connected_layers():
    wide, narrow = paddle_models.alexnet(num_classes=2), paddle_models.alexnet(num_classes=2, hidden=512)
    convolutions = paddle_models.count_parameters(wide.features)
    assert paddle_models.count_parameters(narrow.features) == convolutions
    fc = (9216 * 512 + 512) + (512 * 512 + 512) + (512 * 2 + 2)
    assert paddle_models.count_parameters(narrow) == convolutions + fc
    assert list(narrow(paddle.rand([1, 3, 64, 64])).shape) == [1, 2]
    with pytest.raises(ValueError, match="hidden"):
        paddle_models.alexnet(hidden=0)
