"""The web page: a ``gr.Blocks`` around ``screen_image`` (Gradio is imported only here, lazily).

Layout: the notice, then two columns -- left: upload (drag and drop, several files) or a bundled
synthetic example; right: the answer (summary, class probabilities as bars, the image the model saw,
the Grad-CAM overlay of the predicted class), and the model card(s) below.

``screen_files`` is what the page calls.  It never raises: a bad upload becomes a line starting with
"Cannot screen" in the summary, and the app keeps serving the next request.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import List, Sequence, Tuple

from .screening import NOTICE, ScreeningError, ScreeningModel, model_card, screen_image, summary_text

TITLE = "Fundus screening (眼底筛查) with PaddlePaddle"


def upload_paths(files) -> List[str]:
    """Gradio gives a path, a list of paths, or file objects with ``.name``; -> list of paths."""
    if files is None:
        return []
    if not isinstance(files, (list, tuple)):
        files = [files]
    return [str(getattr(item, "name", item)) for item in files if item is not None]


def screen_files(models: Sequence[ScreeningModel], files) -> Tuple[str, dict, list, list]:
    """Uploaded files -> (summary Markdown, {class: probability} of the first good image,
    [(model input, caption)], [(Grad-CAM overlay, caption)])."""
    lines, probabilities, inputs, heatmaps = [], {}, [], []
    paths = upload_paths(files)
    if not paths:
        return "Upload a fundus photograph (JPEG or PNG) or pick an example.", {}, [], []
    for path in paths:
        try:
            screening = screen_image(models, path)
        except ScreeningError as error:
            lines.append(f"- Cannot screen {error}")
            continue
        except Exception as error:  # anything unexpected: one readable line, and keep serving
            lines.append(f"- Cannot screen {Path(path).name}: {type(error).__name__}: {error}")
            continue
        lines.append(f"- {summary_text(screening)}")
        lines += [f"  - note: {note}" for note in screening.notes]
        probabilities = probabilities or screening.probabilities()
        for answer in screening.answers:
            caption = f"{screening.source} | {answer.model}: {screening.class_names[answer.predicted]}"
            inputs.append((answer.input_image, caption))
            if answer.gradcam is not None:
                heatmaps.append((answer.gradcam, caption))
    return "\n".join(lines), probabilities, inputs, heatmaps


def build_app(models: Sequence[ScreeningModel], examples: Sequence[Path] = ()):
    """The ``gr.Blocks`` page for these models (launch it with ``.launch()``)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no usage reports
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one log line per start-up check of Gradio
    import gradio as gr

    examples = {Path(path).name: str(path) for path in examples}
    num_classes = len(models[0].class_names)
    with gr.Blocks(title=TITLE) as page:
        gr.Markdown(f"# {TITLE}\n**{NOTICE}**")
        with gr.Row():
            with gr.Column(scale=1):
                files = gr.File(label="fundus photographs (眼底照片), JPEG/PNG",
                                file_count="multiple", elem_id="upload")
                if examples:
                    example = gr.Radio(list(examples), label="or a synthetic example (合成示例)",
                                       elem_id="examples")
                    example_button = gr.Button("Screen the example", elem_id="screen-example")
                gr.Markdown("\n\n".join(model_card(model) for model in models), elem_id="model-card")
            with gr.Column(scale=2):
                summary = gr.Markdown("Upload a fundus photograph (JPEG or PNG) or pick an example.",
                                      elem_id="summary")
                probabilities = gr.Label(label="class probabilities (类别概率)", num_top_classes=num_classes,
                                         elem_id="probabilities")
                with gr.Row():
                    inputs = gr.Gallery(label="what the model saw (模型输入)", columns=2,
                                        height="auto", elem_id="model-input")
                    heatmaps = gr.Gallery(label="Grad-CAM (类激活热力图)", columns=2,
                                          height="auto", elem_id="gradcam")
        outputs = [summary, probabilities, inputs, heatmaps]
        files.upload(lambda uploaded: screen_files(models, uploaded), inputs=files, outputs=outputs)
        if examples:
            example_button.click(lambda name: screen_files(models, [examples[name]] if name else None),
                                 inputs=example, outputs=outputs)
    return page
