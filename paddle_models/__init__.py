"""paddle_models: the course package for fundus image classification with PaddlePaddle.

    import paddle_models
    model = paddle_models.build("resnet50", num_classes=2)     # or paddle_models.resnet50(num_classes=2)

Sub-packages, each imported when first used:

    paddle_models.models      LeNet, AlexNet, VGG, GoogLeNet, ResNet, ConvMixer (re-exported here)
    paddle_models.data        dataset readers, fundus preprocessing, synthetic data
    paddle_models.engine      training loop, losses, checkpoints, multi-device training
    paddle_models.metrics     accuracy, kappa, AUC ... (scikit-learn)
    paddle_models.figures     training curves, confusion matrix, ROC curves (matplotlib)
    paddle_models.visualdl_log  one VisualDL LogWriter per run
    paddle_models.inference   export, predictor, Grad-CAM, ensembles, error analysis
    paddle_models.course      helpers the lesson notebooks share
"""
# Load Python's zlib before Paddle: Paddle 2.6's wheel carries its own zlib, and whichever loads
# first wins; if Paddle's does, later gzip/zip reads (openpyxl, zipfile) crash the interpreter
# (PaddlePaddle issue #70538).  Harmless on 3.x.
import zlib  # noqa: F401  (must stay the first import)
import warnings

# Paddle warns at import that it found no ccache, a compiler cache for building C++ extensions,
# which this course never does: without this filter the warning heads every command and lesson.
warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning)

from .models import *  # noqa: F401,F403  (build, list_models and every model factory)
from .models import __all__ as _model_api

__version__ = "0.1.0"
__all__ = ["__version__", *_model_api]
