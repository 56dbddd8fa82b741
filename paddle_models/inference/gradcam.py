"""Grad-CAM (Selvaraju et al., 2017): where in the image did the model look for its answer?

The last convolutional block keeps a coarse spatial map: activations A [N, K, h, w], K channels.
Grad-CAM asks how much the score of the target class, y_c, changes with each channel:

1. forward: ``model.forward_features`` gives A (or a *hook* on a chosen layer captures it);
2. backward: ``paddle.grad(y_c, A)`` gives dy_c/dA [N, K, h, w];
3. channel weights: the gradient averaged over the spatial positions, alpha_k = mean_hw dy_c/dA_k;
4. map: ReLU(sum_k alpha_k * A_k) [N, h, w] -- only evidence *for* the class is kept;
5. upsample to the image size (bilinear) and normalise each map to [0, 1].

``overlay_heatmap`` paints the map in the JET colours over the (preprocessed) fundus image, and
``save_gradcam`` writes such overlays as PNG files.  On a fundus image, a pathologic-myopia model
should light up the atrophy around the optic disc, a DR model the haemorrhages and exudates; a
map on the black border or the image corners is a sign of a shortcut worth investigating.

Which score y_c: the logit of class c for ordinary classifiers; for a one-logit binary model, +logit
for class 1 and -logit for class 0; for ordinal models, the "grade >= c" logit (for c = 0,
minus the "grade >= 1" logit).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import paddle
import paddle.nn.functional as F

from ..data import preprocess_image, to_input
from ..errors import WrongValueError
from ..figures import overlay_heatmap  # (re-exported: inference.overlay_heatmap)
from ..files import write_image
from ..models import evaluating, main_output
from ..models.summary import record_layer_outputs
from ..record import record_for_model
from ..tasks import class_count, to_probabilities
from .predict import list_images, unique_names, without_repeats


def score_weights(classes: np.ndarray, num_outputs: int, task: str = "multiclass") -> np.ndarray:
    """W [N, K] such that the target score of image i is sum_k W[i, k] * logits[i, k]."""
    classes = np.asarray(classes, dtype=np.int64)
    weights = np.zeros((len(classes), num_outputs), np.float32)
    rows = np.arange(len(classes))
    if task == "binary_logit":
        weights[:, 0] = np.where(classes == 1, 1.0, -1.0)
    elif task == "ordinal":
        weights[rows, np.maximum(classes, 1)] = np.where(classes == 0, -1.0, 1.0)
    else:
        weights[rows, classes] = 1.0  # one-hot: the logit of the target class
    return weights


def target_classes(logits: np.ndarray, target_class, task: str = "multiclass") -> np.ndarray:
    """The class each image's map explains [N]: None -> its predicted class; an int -> that class for
    every image; a sequence -> one class per image (a class the model does not have is refused)."""
    if target_class is None:
        return to_probabilities(logits, task).argmax(axis=1)
    classes = np.broadcast_to(np.asarray(target_class, dtype=np.int64), (len(logits),))
    count = class_count(task, logits.shape[1])
    if classes.min() < 0 or classes.max() >= count:
        raise WrongValueError(f"target_class {target_class} does not exist: the model predicts classes "
                              f"0..{count - 1}")
    return np.array(classes)


def normalise_maps(maps: np.ndarray) -> np.ndarray:
    """Scale each map [h, w] of [N, h, w] to [0, 1] (min -> 0, max -> 1; a flat map becomes 0)."""
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    return np.where(span > 1e-12, (maps - low) / np.maximum(span, 1e-12), 0.0).astype(np.float32)


class GradCAM:
    """Grad-CAM maps for ``model`` at ``layer`` (default: the map of ``model.forward_features``).

    >>> import numpy as np, paddle_models
    >>> cam = GradCAM(paddle_models.resnet18(num_classes=2))
    >>> maps, classes = cam(np.zeros((1, 3, 64, 64), np.float32))   # inputs [N, 3, S, S] -> maps [N, S, S]
    >>> maps.shape, classes.shape, bool((maps >= 0).all() and (maps <= 1).all())
    ((1, 64, 64), (1,), True)
    """

    name = "gradcam"  # the word in save_gradcam's file names

    def __init__(self, model, layer=None, task: str = "multiclass"):
        self.model, self.task, self.layer = model, task, layer

    def forward_with_activations(self, inputs: paddle.Tensor):
        """Run the model in eval mode; returns (logits [N, K], the explained activations [N, C, h, w]).

        Without a ``layer`` the activations are ``model.forward_features``' map and the logits
        ``model.forward_head`` of it; with one (or for a model that only has ``feature_layer()``),
        a forward hook captures that layer's output.
        """
        with evaluating(self.model, gradients=True):
            if self.layer is None and hasattr(self.model, "forward_features"):
                activations = self.model.forward_features(inputs)
                return self.model.forward_head(activations), activations
            layer = self.layer if self.layer is not None else self.model.feature_layer()  # a model of one's own
            captured = {}
            handle = layer.register_forward_post_hook(lambda layer, _, output: captured.update(out=output))
            try:
                logits = main_output(self.model(inputs))
            finally:
                handle.remove()
        if "out" not in captured:
            raise ValueError("the Grad-CAM layer was not used by the model's forward pass")
        return logits, captured["out"]

    def __call__(self, inputs, target_class: Union[None, int, Sequence[int]] = None) -> Tuple[np.ndarray, np.ndarray]:
        """inputs float32 [N, 3, S, S] -> (maps [N, S, S] in [0, 1], target classes [N]).

        target_class: None -> each image's predicted class; an int -> that class for all images;
        a sequence -> one class per image.
        """
        x = paddle.to_tensor(np.asarray(inputs, dtype=np.float32))
        x.stop_gradient = False  # a graph to differentiate even if the model's weights are frozen
        logits, activations = self.forward_with_activations(x)                 # [N, K], [N, C, h, w]
        classes = target_classes(logits.numpy(), target_class, self.task)
        weights = paddle.to_tensor(score_weights(classes, logits.shape[1], self.task))
        score = (logits * weights).sum()                                        # sum of the N target scores
        (gradients,) = paddle.grad(score, activations)                         # [N, C, h, w]
        alpha = gradients.mean(axis=[2, 3], keepdim=True)                      # [N, C, 1, 1]
        maps = F.relu((alpha * activations).sum(axis=1, keepdim=True))         # [N, 1, h, w]
        maps = F.interpolate(maps, size=list(x.shape[2:]), mode="bilinear", align_corners=False)
        return normalise_maps(maps[:, 0].numpy()), np.asarray(classes, dtype=np.int64)


def is_map(shape: Sequence[int]) -> bool:
    """A layer output Grad-CAM can explain: [N, C, h, w] with a grid of more than one position."""
    return len(shape) == 4 and shape[2] > 1


def output_shapes(model: paddle.nn.Layer, layers: Dict[str, paddle.nn.Layer], input_size: int) -> Dict[str, List[int]]:
    """One forward pass of a blank image: the output shape of each of ``layers`` the pass runs."""
    with evaluating(model), paddle.no_grad():
        calls = record_layer_outputs(model, paddle.zeros([1, 3, input_size, input_size]), list(layers.items()))
    return {name: list(getattr(output, "shape", [])) for name, _, output in calls}


def map_layers(model: paddle.nn.Layer, input_size: int) -> Dict[str, Tuple[paddle.nn.Layer, List[int]]]:
    """The model's named blocks whose output is a map Grad-CAM can explain: name -> (layer, output shape).

    The stages (``layer3`` of a ResNet) come first, then the top-level sub-layers; a stage that is a
    view built for ``stages()`` (LeNet's, VGG's) is left out: the forward pass never runs it.
    """
    used = list(dict(model.named_sublayers()).values())
    named = {}
    for name, layer in [*model.stages(), *model.named_children()]:
        if any(layer is sub for sub in used) and not any(layer is seen for seen in named.values()):
            named[name] = layer
    shapes = output_shapes(model, named, input_size)
    return {name: (layer, shapes[name]) for name, layer in named.items() if is_map(shapes.get(name, []))}


def find_layer(model: paddle.nn.Layer, name: str, input_size: Optional[int] = None) -> paddle.nn.Layer:
    """The layer to explain by name: a block of ``map_layers`` or any sub-layer's path (``layer3.1.conv2``).

    Raises ValueError listing the blocks when ``name`` is not a layer whose output is a map.
    """
    size = int(input_size or getattr(model, "default_input_size", 224))
    blocks = map_layers(model, size)
    if name in blocks:
        return blocks[name][0]
    layer = dict(model.named_sublayers()).get(name)
    if layer is not None and is_map(output_shapes(model, {name: layer}, size).get(name, [])):
        return layer
    listing = ", ".join(f"{block} ({shape[2]}x{shape[3]})" for block, (_, shape) in blocks.items())
    raise WrongValueError(f"layer={name!r} is not a layer of {type(model).__name__} whose output is a map to explain; "
                     f"its blocks: {listing} (or a sub-layer's path, as model.named_sublayers() names it)")


def gradcam(model, inputs, target_class=None, layer=None, task: str = "multiclass"):
    """One call: ``GradCAM(model, layer, task)(inputs, target_class)`` -> (maps, classes)."""
    return GradCAM(model, layer, task)(inputs, target_class)


def _expand(images) -> List[Path]:
    """Files stay, folders become their image files."""
    if isinstance(images, (str, Path)):
        images = [images]
    paths = []
    for item in images:
        paths.extend(list_images(item) if Path(item).is_dir() else [Path(item)])
    return without_repeats(paths)


def explain_images(model, meta, images, target_class=None, layer=None, explainer=None):
    """Image files -> (preprocessed RGB images [N, S, S, 3], maps [N, S, S], classes [N]).

    The images are preprocessed as the checkpoint's record says (``record.preprocess``); ``meta``
    is that ``ModelRecord`` (``load_model`` returns it), a partial dict, or None for defaults.
    explainer: what draws the maps -- None for ``GradCAM(model, layer, record.task)``, or another
    with the same call, such as ``Occlusion`` (``inference.occlusion``).
    """
    record = record_for_model(model, meta)
    config = record.preprocess
    rgb = np.stack([preprocess_image(str(path), config) for path in _expand(images)])
    inputs = np.stack([to_input(image, config) for image in rgb])
    maps, classes = (explainer or GradCAM(model, layer, record.task))(inputs, target_class)
    return rgb, maps, classes


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("_") or "class"


def save_gradcam(model, meta, images, output_dir, target_class=None, layer=None,
                 alpha: float = 0.4, batch_size: int = 8, explainer=None) -> List[Path]:
    """Write one PNG overlay ``<image stem>_gradcam_<class name>.png`` per image; returns the paths.

    explainer: None for Grad-CAM, or e.g. ``Occlusion(model, task=...)``, whose maps are then drawn
    (the files are named ``<image stem>_occlusion_<class name>.png``: its ``name``).

    Two images of one name from two folders keep apart: their stems are then their paths relative
    to the folder both lie in (``left__V0001_gradcam_PM.png``); an image given twice is drawn once.

    images: image files and/or folders.  target_class: None for each image's predicted class.
    """
    record = record_for_model(model, meta)
    explainer = explainer or GradCAM(model, layer, record.task)
    output_dir = Path(output_dir)
    paths, written = _expand(images), []
    stems = [_safe(Path(name).with_suffix("").as_posix().replace("/", "__")) for name in unique_names(paths)]
    for start in range(0, len(paths), batch_size):
        batch = paths[start:start + batch_size]
        rgb, maps, classes = explain_images(model, record, batch, target_class, explainer=explainer)
        for stem, image, cam, k in zip(stems[start:start + batch_size], rgb, maps, classes):
            out = output_dir / f"{stem}_{explainer.name}_{_safe(record.class_names[k])}.png"
            if out in written:  # two names that only differ in characters _safe replaces
                out = out.with_name(f"{out.stem}-{len(written)}.png")
            write_image(out, cv2.cvtColor(overlay_heatmap(image, cam, alpha), cv2.COLOR_RGB2BGR))  # checked
            written.append(out)
    return written
