"""The web page: a ``gr.Blocks`` around ``screen_image`` (Gradio is imported only here, lazily).

Layout: the notice, then two columns -- left: upload (drag and drop, several files), the bundled
synthetic examples as thumbnails (click one to screen it), Clear, and the model card(s); right: one
result per screened image, newest first -- the decision, the class probabilities in class (grade)
order, the image the model saw and the Grad-CAM overlay of the predicted class.

``screen_files`` turns uploads into ``Result``\\ s and never raises; ``render`` lays the results out.
The page's handlers raise ``gr.Error`` when nothing in a request could be screened (a damaged file,
a photograph the gate refuses), so the page shows the reason and the API answers with an error
status.  The endpoints are named: ``/screen`` (upload), ``/screen_example``, ``/clear``.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .screening import (NOTICE, Screening, ScreeningError, ScreeningModel, model_card, screen_image,
                        summary_text)

TITLE = "Fundus screening (眼底筛查) with PaddlePaddle"
WELCOME = "Upload a fundus photograph (JPEG or PNG) or click an example."


@dataclass
class Result:
    """One image's answer on the page."""

    text: str  # Markdown: the headline (names the image) and notes
    table: str = ""  # Markdown: the probabilities in class order
    inputs: list = field(default_factory=list)  # [(model input, caption)]
    heatmaps: list = field(default_factory=list)  # [(Grad-CAM overlay, caption)]
    refused: bool = False  # not screened: a bad file, or ungradable


def upload_paths(files) -> List[str]:
    """Gradio gives a path, a list of paths, or file objects with ``.name``; -> list of paths."""
    if files is None:
        return []
    if not isinstance(files, (list, tuple)):
        files = [files]
    return [str(getattr(item, "name", item)) for item in files if item is not None]


def probability_table(screening: Screening) -> str:
    """The probabilities as a Markdown table in class order (grade 0 first), with a bar each."""
    rows = [f"| {name} | {p:.1%} | {'█' * int(round(p * 20))} |" for name, p in screening.probabilities().items()]
    return f"**{screening.source}**\n\n| class | probability | |\n|---|---:|---|\n" + "\n".join(rows)


def result_of(models: Sequence[ScreeningModel], path: str) -> Result:
    """Screen one file; a bad file or an unexpected failure becomes a refused Result with one line."""
    try:
        screening = screen_image(models, path)
    except ScreeningError as error:
        return Result(f"Cannot screen {error}", refused=True)
    except Exception as error:  # anything unexpected: one readable line, and keep serving
        return Result(f"Cannot screen {Path(path).name}: {type(error).__name__}: {error}", refused=True)
    text = "\n".join([summary_text(screening, models)] + [f"- note: {note}" for note in screening.notes])
    if not screening.gradable:
        return Result(text, refused=True)
    result = Result(text, probability_table(screening))
    for answer in screening.answers:
        caption = f"{screening.source} | {answer.model}: {screening.class_names[answer.predicted]}"
        result.inputs.append((answer.input_image, caption))
        if answer.gradcam is not None:
            result.heatmaps.append((answer.gradcam, caption))
    return result


def screen_files(models: Sequence[ScreeningModel], files) -> List[Result]:
    """Uploaded files -> one ``Result`` per file, in upload order (never raises)."""
    return [result_of(models, path) for path in upload_paths(files)]


def render(results: Sequence[Result]) -> Tuple[str, str, list, list]:
    """(results Markdown, newest probabilities table, model inputs, Grad-CAM overlays), newest first."""
    if not results:
        return WELCOME, "", [], []
    newest_first = list(reversed(results))
    text = "\n\n---\n\n".join(result.text for result in newest_first)
    table = next((result.table for result in newest_first if result.table), "")
    inputs = [item for result in newest_first for item in result.inputs]
    heatmaps = [item for result in newest_first for item in result.heatmaps]
    return text, table, inputs, heatmaps


def add_results(history: Optional[list], new: List[Result]):
    """The handlers' answer: the grown history and its rendering; ``gr.Error`` if nothing could be screened."""
    # optional: Gradio (seconds to load) is only needed for the app
    import gradio as gr

    if not new:
        raise gr.Error(WELCOME, title="No image")
    if all(result.refused for result in new):
        raise gr.Error(" ".join(result.text.split("\n")[0].replace("**", "") for result in new), title="Not screened")
    history = list(history or []) + new
    return (history, *render(history))


def build_app(models: Sequence[ScreeningModel], examples: Sequence[Path] = ()):
    """The ``gr.Blocks`` page for these models (launch it with ``.launch()``)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no usage reports
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one log line per start-up check of Gradio
    # optional: Gradio (seconds to load) is only needed for the app
    import gradio as gr

    examples = [str(path) for path in examples]
    # delete_cache: the copies Gradio keeps of uploads and outputs go when they are a day old and when the app stops
    with gr.Blocks(title=TITLE, delete_cache=(86400, 86400)) as page:
        gr.Markdown(f"# {TITLE}\n**{NOTICE}**")
        history = gr.State([])
        with gr.Row():
            with gr.Column(scale=1):
                files = gr.File(label="fundus photographs (眼底照片), JPEG/PNG",
                                file_count="multiple", elem_id="upload")
                if examples:
                    gallery = gr.Gallery(value=[(path, Path(path).stem) for path in examples], columns=3, height=160,
                                         allow_preview=False, interactive=False, elem_id="examples",
                                         label="or click a synthetic example (合成示例)")
                clear = gr.Button("Clear", elem_id="clear")
                gr.Markdown("\n\n".join(model_card(model) for model in models), elem_id="model-card")
            with gr.Column(scale=2):
                summary = gr.Markdown(WELCOME, elem_id="summary")
                probabilities = gr.Markdown("", elem_id="probabilities")
                with gr.Row():
                    inputs = gr.Gallery(label="what the model saw (模型输入)", columns=2,
                                        height="auto", elem_id="model-input")
                    heatmaps = gr.Gallery(label="Grad-CAM (类激活热力图)", columns=2,
                                          height="auto", elem_id="gradcam")
        outputs = [history, summary, probabilities, inputs, heatmaps]

        def screen_uploads(uploaded, past):
            return add_results(past, screen_files(models, uploaded))

        def screen_example(past, selection: gr.SelectData):
            return add_results(past, screen_files(models, [examples[selection.index]]))

        def reset():
            return ([], *render([]), None)

        files.upload(screen_uploads, inputs=[files, history], outputs=outputs, api_name="screen")
        files.clear(reset, outputs=outputs + [files], api_name=False)
        clear.click(reset, outputs=outputs + [files], api_name="clear")
        if examples:
            gallery.select(screen_example, inputs=history, outputs=outputs, api_name="screen_example")
    return page
