"""paddle_models.inference: from a trained model to predictions you can ship and explain.

    export.py     export_model / export_checkpoint: paddle.jit.save + <prefix>.meta.json
                  (preprocessing, class names, task, input size) + <prefix>.dygraph.pdparams
                  (the Python model's weights, for Grad-CAM: load_dygraph); format="onnx" adds
                  <prefix>.onnx, precision="int8" quantizes; files staged, then moved into place
    quantize.py   INT8 post-training quantization (PostTrainingQuantization, oneDNN INT8 kernels)
    onnx_backend.py  paddle2onnx conversion and the ONNX Runtime session
    predictor.py  Predictor(prefix, backend="paddle" | "onnxruntime"): the saved preprocessing,
                  PredictionResult; DygraphPredictor(model, meta): the same API without export
    predict.py    predict_folder: a folder or dataset split -> CSV (general or PALM submission)
    gradcam.py    GradCAM, overlay_heatmap, save_gradcam, find_layer: where did the model look?
    occlusion.py  Occlusion: cover the image patch by patch, map the drop of the class's probability
    sanity.py     randomized_copies, map_rank_correlation: does the map change when the weights do?
    ensemble.py   average_probs, majority_vote, Ensemble
    analysis.py   error_table, per_class_errors, per_predicted_class_errors, under_graded, misclassified_indices

Typical use::

    from paddle_models.inference import export_checkpoint, Predictor, predict_folder
    export_checkpoint("runs/resnet50/best.pdparams", "export/resnet50")
    predictor = Predictor("export/resnet50")
    predict_folder(predictor, "PALM-Validation400", "classification_results.csv", palm=True)
"""
from .analysis import (confusion_counts, error_table, format_error_table, misclassified_indices,
                       over_graded, per_class_errors, per_predicted_class_errors, under_graded)
from .ensemble import Ensemble, average_probs, majority_vote
from .export import (ExportedModel, MainHead, export_checkpoint, export_model, find_model_files,
                     load_dygraph, load_export_meta, load_export_record)
from .gradcam import GradCAM, explain_images, find_layer, gradcam, map_layers, overlay_heatmap, save_gradcam
from .occlusion import Occlusion, occlusion
from .sanity import map_rank_correlation, randomized_copies
from .predict import list_images, predict_folder, write_palm_csv, write_predictions_csv
from .predictor import BasePredictor, DygraphPredictor, PredictionResult, Predictor, to_probabilities

__all__ = [
    "export_model", "export_checkpoint", "ExportedModel", "MainHead", "find_model_files", "load_export_meta", "load_export_record",
    "load_dygraph",
    "Predictor", "DygraphPredictor", "BasePredictor", "PredictionResult", "to_probabilities",
    "predict_folder", "list_images", "write_predictions_csv", "write_palm_csv",
    "GradCAM", "gradcam", "overlay_heatmap", "save_gradcam", "explain_images", "find_layer", "map_layers",
    "Occlusion", "occlusion", "map_rank_correlation", "randomized_copies",
    "Ensemble", "average_probs", "majority_vote",
    "error_table", "per_class_errors", "per_predicted_class_errors", "under_graded", "over_graded",
    "misclassified_indices",
    "confusion_counts", "format_error_table",
]
