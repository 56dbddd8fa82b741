"""paddle_models.app: a screening web page (Gradio) over exported models -- the course's last step.

    screening.py  screen_image(models, image) -> Screening: check the upload, the gradability gate,
                  preprocess as in training, predict (inference.Predictor, calibrated), Grad-CAM
                  (inference.GradCAM), average several models; PM risk or DR grades; the decision
                  at the recorded operating point (refer / no referral / uncertain / ungradable); model_card
    page.py       build_app(models, examples) -> gr.Blocks; screen_files -> one Result per image (never raises)
    command.py    `python -m paddle_models app`: add_app_parser, command_app, write_examples,
                  write_aistudio (a folder to upload as an AI Studio application)

Typical use::

    from paddle_models.app import load_screening_models, screen_image, build_app
    models = load_screening_models(["exported/pm-resnet50"])
    screening = screen_image(models, "fundus.jpg")      # .probs, .summary, .answers[0].gradcam
    build_app(models).launch()                           # http://127.0.0.1:7860

Gradio is imported only when the page is built, so the rest of the package works without it; every
name here is imported when first used (``paddle_models.lazy``).
A teaching model, not a medical device.
"""
from ..lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    ".screening": ["screen_image", "check_image", "Screening", "ModelAnswer", "ScreeningError", "ScreeningModel",
                   "load_screening_model", "load_screening_models", "summarize", "summary_text", "model_card",
                   "NOTICE"],
    ".page": ["build_app", "screen_files"],
    ".command": ["launch", "add_app_parser", "command_app", "write_examples", "write_aistudio"],
})
