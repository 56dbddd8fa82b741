"""paddle_models: the course package for fundus image classification with PaddlePaddle.

    import paddle_models
    model = paddle_models.build("resnet50", num_classes=2)     # or paddle_models.resnet50(num_classes=2)

Sub-packages, each imported when first used:

    paddle_models.models      LeNet, AlexNet, VGG, GoogLeNet, ResNet, ConvMixer (re-exported here, on first use)
    paddle_models.data        dataset readers, fundus preprocessing, synthetic data
    paddle_models.engine      training loop, losses, checkpoints, multi-device training
    paddle_models.metrics     accuracy, kappa, AUC ... (scikit-learn)
    paddle_models.figures     training curves, confusion matrix, ROC curves (matplotlib)
    paddle_models.visualdl_log  one VisualDL LogWriter per run
    paddle_models.inference   export, predictor, Grad-CAM, ensembles, error analysis
    paddle_models.course      helpers the lesson notebooks share
    paddle_models.notebooks   running the lesson notebooks headless; the list of lessons
    paddle_models.aistudio    AI Studio's folders: what persists, where datasets are mounted
    paddle_models.doctor      the environment report (``python -m paddle_models doctor``)
"""
# Load Python's zlib before Paddle: Paddle 2.6's wheel carries its own zlib, and whichever loads
# first wins; if Paddle's does, later gzip/zip reads (openpyxl, zipfile) crash the interpreter
# (PaddlePaddle issue #70538).  Harmless on 3.x.
import zlib  # noqa: F401  (must stay the first import)
import importlib
import importlib.util
import warnings

# Paddle warns at import that it found no ccache, a compiler cache for building C++ extensions,
# which this course never does: without this filter the warning heads every command and lesson.
warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning)

__version__ = "0.1.0"


def __getattr__(name: str):
    """``paddle_models.build``, ``paddle_models.resnet50`` ...: the model API, imported when first used.

    Importing Paddle takes a second or more; ``python -m paddle_models --help`` and the commands that
    need no model (``recipes``, ``synth`` ...) do not wait for it.
    """
    # `from . import recipes` asks for the attribute before importing the submodule: let it do so
    if (name.startswith("__") and name != "__all__") or importlib.util.find_spec(f"{__name__}.{name}"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    models = importlib.import_module(".models", __name__)  # (not `from . import`: that asks this hook again)
    if name == "__all__":
        return ["__version__", *models.__all__]
    if name in models.__all__:
        value = getattr(models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
