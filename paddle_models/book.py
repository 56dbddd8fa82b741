"""The course as a book: the executed lessons and the READMEs as a static HTML site.

``python -m paddle_models book --output site`` writes ``site/index.html`` (README.md), ``site/lessons/
index.html`` (lessons/README.md), one page per lesson (``site/lessons/03_alexnet.html``) and every other
Markdown page they link to (``site/datasets/index.html``), with a side bar to move between them.
A lesson page shows the executed copy: the full-mode copy (``lessons/executed-full/``, written by
``python -m paddle_models lessons --full``) where there is one, else the fast-mode copy
(``lessons/executed/``, ``python -m paddle_models lessons``); a lesson run in neither is shown
without outputs and says so.  Open ``site/index.html`` in a browser; nothing needs a server.

The tool: nbconvert's HTML exporter, the one Jupyter itself uses for "Download as HTML".  It comes
with ``jupyter`` (already a requirement), draws every output exactly as JupyterLab does, and puts the
figures into the page itself (PNG data URIs), so they cannot go missing.  Formulas are typeset by
MathJax from the ``jupyter-server-mathjax`` package, copied into the site, so they render offline
(nbconvert would load MathJax from a CDN).  mkdocs with mkdocs-jupyter renders notebooks through this
same exporter, adding a theme and a configuration file to maintain; Jupyter Book 2 needs Node.js,
which the package registry alone does not provide.

Links are rewritten for the site: to a page of the book (``README.md``, ``03_alexnet.ipynb``,
``../datasets/README.md#where-the-course-looks``) they point to its HTML page (headings get GitHub's
anchor names as well as nbconvert's); images are copied next to the pages; a link to any other file
of the repository (source code) becomes plain text naming the file.
"""
from __future__ import annotations

import functools
import html
import posixpath
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from .errors import UserError
from .files import write_text
from .places import REPO_ROOT

STATIC = "_static"
MARKER = ".paddle-models-book"  # marks a folder this command wrote (and may replace)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # the configuration jupyter-server-mathjax ships


class BookError(UserError):
    """The book cannot be built: no executed lessons, or an output folder that is not a book."""


@dataclass
class Page:
    """One page of the book: where its text comes from and where its HTML goes (both repo-relative)."""

    source: Path  # e.g. lessons/03_alexnet.ipynb, README.md
    output: str  # e.g. lessons/03_alexnet.html, index.html
    title: str
    notebook: Optional[Path] = None  # the notebook rendered: an executed copy, or the source
    note: str = ""  # shown at the top of the page (which run it shows)


# ----------------------------------------------------------------------------- which pages


def output_name(source: Path) -> str:
    """README.md -> index.html, lessons/README.md -> lessons/index.html, x/03_a.ipynb -> x/03_a.html."""
    if source.name.lower() == "readme.md":
        return (source.parent / "index.html").as_posix()
    return source.with_suffix(".html").as_posix()


def lesson_pages(root: Path, executed: Path, executed_full: Path) -> List[Page]:
    """A page per lesson notebook in ``root/lessons``, showing its full-mode or fast-mode executed copy."""
    # deferred: cli imports this module for its parser; notebooks loads Paddle
    from .notebooks import lesson_title

    pages = []
    for source in sorted((root / "lessons").glob("[0-9][0-9]_*.ipynb")):
        full, fast = Path(executed_full) / source.name, Path(executed) / source.name
        if full.exists():
            notebook, note = full, "Executed in full mode (the real data; python -m paddle_models lessons --full)."
        elif fast.exists():
            notebook, note = fast, ("Executed in fast mode: synthetic images and a few epochs on a CPU "
                                    "(python -m paddle_models lessons); the numbers show an effect, not real results.")
        else:
            notebook, note = source, ("Not executed yet, so no outputs: run python -m paddle_models lessons "
                                      f"{int(source.name[:2])} and build the book again.")
        title = f"{int(source.name[:2])}. {lesson_title(source)}"
        pages.append(Page(source.relative_to(root), output_name(source.relative_to(root)), title, notebook, note))
    return pages


def markdown_title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.parent.name or path.stem


def collect_pages(root: Path, executed: Path, executed_full: Path) -> List[Page]:
    """README.md, lessons/README.md, the lessons, then every other Markdown file they link to."""
    pages = [Page(Path("README.md"), "index.html", "The course"),
             Page(Path("lessons/README.md"), "lessons/index.html", "The lessons")]
    pages += lesson_pages(root, executed, executed_full)
    known = {page.source for page in pages}
    queue = list(pages)
    while queue:  # Markdown pages linked from the pages so far (datasets/README.md ...)
        page = queue.pop(0)
        for target in linked_files(root, page):
            if target.suffix.lower() == ".md" and target not in known and (root / target).is_file():
                extra = Page(target, output_name(target), markdown_title(root / target))
                known.add(target)
                pages.append(extra)
                queue.append(extra)
    return pages


# ----------------------------------------------------------------------------- links

MARKDOWN_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)((?:\s+\"[^\"]*\")?)\)")
HTML_LINK = re.compile(r"""\b(src|href)=(["'])([^"']+)\2""")


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)) or target.startswith(("#", "//"))


def resolve(page_source: Path, target: str):
    """(repo-relative path, '#fragment' or '') of a relative link in ``page_source``; None if it leaves the repo."""
    path, _, fragment = target.partition("#")
    parts = []
    for part in (page_source.parent / path).as_posix().split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return Path(*parts) if parts else Path("."), (f"#{fragment}" if fragment else "")


def page_text(root: Path, page: Page) -> str:
    """The Markdown of a page: the file itself, or a notebook's markdown cells."""
    if page.notebook is None:
        return (root / page.source).read_text(encoding="utf-8")
    # heavy: the Jupyter libraries load only when the book is built
    import nbformat

    notebook = nbformat.read(str(page.notebook), as_version=4)
    return "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def linked_files(root: Path, page: Page) -> List[Path]:
    text = page_text(root, page)
    targets = [m.group(3) for m in MARKDOWN_LINK.finditer(text)] + [m.group(3) for m in HTML_LINK.finditer(text)]
    found = [resolve(page.source, t) for t in targets if not is_external(t)]
    return [target[0] for target in found if target is not None]


def relative_url(from_output: str, to_output: str) -> str:
    """The link from one site file to another, both site-relative ('lessons/a.html', 'index.html')."""
    return posixpath.relpath(to_output, posixpath.dirname(from_output) or ".")


class LinkRewriter:
    """Rewrites the relative links of one page's Markdown for the site (and notes the images to copy)."""

    def __init__(self, root: Path, page: Page, outputs: Dict[Path, str]):
        self.root, self.page, self.outputs = root, page, outputs
        self.assets: set = set()

    def target(self, target: str) -> Optional[str]:
        """The new link, or None when it names a repository file that is not part of the site."""
        if is_external(target):
            return target
        resolved = resolve(self.page.source, target)
        if resolved is None:
            return None
        path, fragment = resolved
        if path in self.outputs:
            return relative_url(self.page.output, self.outputs[path]) + fragment
        if path.suffix.lower() in IMAGE_SUFFIXES and (self.root / path).is_file():
            self.assets.add(path)
            return relative_url(self.page.output, path.as_posix())
        return None

    def markdown_link(self, match) -> str:
        bang, text, target, title = match.groups()
        new = self.target(target)
        if new is not None:
            return f"{bang}[{text}]({new}{title})"
        shown = resolve(self.page.source, target)
        name = shown[0].as_posix() if shown else target
        return text if name in text else f"{text} (`{name}` in the repository)"

    def html_link(self, match) -> str:
        attribute, quote, target = match.groups()
        new = self.target(target)
        return f"{attribute}={quote}{new if new is not None else '#'}{quote}"

    def __call__(self, markdown: str) -> str:
        return HTML_LINK.sub(self.html_link, MARKDOWN_LINK.sub(self.markdown_link, markdown))


# ----------------------------------------------------------------------------- HTML


def github_anchor(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces -> '-'."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


HEADING = re.compile(r"(<h([1-6])\b[^>]*>)(.*?)(</h\2>)", re.S)


def add_github_anchors(page_html: str) -> str:
    """Give every heading GitHub's anchor name too (nbconvert's keeps case: 'Running-on-AI-Studio')."""
    def anchored(match):
        opening, _, inner, closing = match.groups()
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "")
        return f'{opening}<span class="book-anchor" id="{html.escape(github_anchor(text))}"></span>{inner}{closing}'
    return HEADING.sub(anchored, page_html)


def navigation(pages: List[Page], current: Page) -> str:
    """The side bar: every page of the book, the current one marked; previous/next at the bottom."""
    items = []
    for page in pages:
        link = html.escape(relative_url(current.output, page.output))
        mark = ' class="current"' if page is current else ""
        items.append(f'<li{mark}><a href="{link}">{html.escape(page.title)}</a></li>')
    return f'<nav class="book-nav"><p class="book-title">Fundus image classification with PaddlePaddle</p>' \
           f'<ul>{"".join(items)}</ul></nav>'


def neighbours(pages: List[Page], current: Page) -> str:
    index = pages.index(current)
    links = []
    if index > 0:
        links.append(f'<a rel="prev" href="{html.escape(relative_url(current.output, pages[index - 1].output))}">'
                     f'&larr; {html.escape(pages[index - 1].title)}</a>')
    if index + 1 < len(pages):
        links.append(f'<a rel="next" href="{html.escape(relative_url(current.output, pages[index + 1].output))}">'
                     f'{html.escape(pages[index + 1].title)} &rarr;</a>')
    return f'<div class="book-pager">{" ".join(links)}</div>'


BOOK_CSS = """
body { margin-left: 18rem; }
.book-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 16.5rem; overflow-y: auto; padding: 1rem;
            background: #f6f7f9; border-right: 1px solid #ddd; font: 14px/1.4 system-ui, "Noto Sans CJK SC",
            "WenQuanYi Micro Hei", sans-serif; z-index: 10; }
.book-nav ul { list-style: none; padding: 0; margin: 0; }
.book-nav li { margin: 0.25rem 0; }
.book-nav li.current a { font-weight: bold; color: #000; }
.book-nav a { color: #1a4f8b; text-decoration: none; }
.book-title { font-weight: bold; margin-top: 0; }
.book-note { margin: 1rem 2rem; padding: 0.5rem 1rem; background: #fff8e1; border-left: 4px solid #f0b400; }
.book-pager { display: flex; justify-content: space-between; margin: 2rem; }
@media (max-width: 900px) { body { margin-left: 0; } .book-nav { position: static; width: auto; } }
"""


@functools.lru_cache(maxsize=None)
def html_exporter(static: str):
    """nbconvert's exporter with JupyterLab's look and MathJax from the site (one per folder depth)."""
    # heavy: the Jupyter libraries load only when the book is built
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = f"{static}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    return exporter


def render_page(root: Path, page: Page, pages: List[Page], outputs: Dict[Path, str]) -> Tuple[str, Set[Path]]:
    """One page's HTML, and the images it links to (repo-relative paths, to copy)."""
    # heavy: the Jupyter libraries load only when the book is built
    import nbformat

    if page.notebook is None:  # a Markdown file: one Markdown cell
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(page_text(root, page))])
    else:
        notebook = nbformat.read(str(page.notebook), as_version=4)
    rewrite = LinkRewriter(root, page, outputs)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite(cell.source)
    static = relative_url(page.output, STATIC)
    body, _ = html_exporter(static).from_notebook_node(notebook, resources={"metadata": {"name": page.title}})
    # require.js (from a CDN) is only for interactive widgets, which executed copies do not keep
    body = re.sub(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/[^"]*"></script>', "", body)
    body = add_github_anchors(body)
    body = body.replace("</head>", f'<link rel="stylesheet" href="{static}/book.css"/>\n</head>', 1)
    note = f'<p class="book-note">{html.escape(page.note)}</p>' if page.note else ""
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + navigation(pages, page) + note, body, count=1)
    body = body.replace("</body>", neighbours(pages, page) + "</body>", 1)
    return body, rewrite.assets


def copy_mathjax(static_dir: Path) -> None:
    """MathJax 2 as packaged by jupyter-server-mathjax (a requirement), so formulas render offline."""
    # heavy: the Jupyter libraries load only when the book is built
    import jupyter_server_mathjax

    shutil.copytree(Path(jupyter_server_mathjax.__file__).parent / "static", static_dir / "mathjax")


# ----------------------------------------------------------------------------- the command


def prepare_output(output: Path) -> None:
    """Refuse to write into a folder holding anything but an earlier book (whose pages are replaced)."""
    if output.exists() and not output.is_dir():
        raise BookError(f"book: {output} is a file; give --output a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise BookError(f"book: {output} already holds files that are not a book written by this command; "
                        "give --output a new or empty folder")


def build_book(output, root=None, executed=None, executed_full=None) -> List[Path]:
    """Write the site to ``output``; returns the HTML files written (the course README's first)."""
    # deferred: cli imports this module for its parser; notebooks loads Paddle
    from .notebooks import EXECUTED_DIR, FULL_EXECUTED_DIR

    root, output = Path(root or REPO_ROOT), Path(output).resolve()
    executed = Path(executed) if executed else EXECUTED_DIR
    executed_full = Path(executed_full) if executed_full else FULL_EXECUTED_DIR
    pages = collect_pages(root, executed, executed_full)
    lessons = [page for page in pages if page.notebook is not None]
    if not any(page.notebook != root / page.source for page in lessons):
        raise BookError(f"book: no executed lesson in {executed} or {executed_full}; run "
                        "`python -m paddle_models lessons` first (or --executed the folder that holds them)")
    prepare_output(output)
    staging = output.with_name(f".{output.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    outputs = {page.source: page.output for page in pages}
    written, assets = [], set()
    for page in pages:
        page_html, page_assets = render_page(root, page, pages, outputs)
        written.append(write_text(staging / page.output, page_html))
        assets |= page_assets
    for asset in sorted(assets):
        (staging / asset).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / asset, staging / asset)
    copy_mathjax(staging / STATIC)
    write_text(staging / STATIC / "book.css", BOOK_CSS)
    write_text(staging / MARKER, "written by python -m paddle_models book; replaced by the next build\n")
    if output.exists():
        shutil.rmtree(output)
    staging.rename(output)
    return [output / page.output for page in pages]


def command_book(args) -> None:
    started = time.perf_counter()
    pages = build_book(args.output, executed=args.executed, executed_full=args.executed_full)
    print(f"{len(pages)} pages in {time.perf_counter() - started:.1f} s; open {pages[0]}")


def add_book_parser(commands) -> None:
    book = commands.add_parser("book", help="the executed lessons and the READMEs as a static HTML site")
    book.add_argument("--output", required=True, help="the folder to write (new, empty, or an earlier book)")
    book.add_argument("--executed", default=None,
                      help="the fast-mode executed lessons (default lessons/executed, from `lessons`)")
    book.add_argument("--executed-full", default=None,
                      help="the full-mode executed lessons (default lessons/executed-full, from `lessons --full`)")
    book.set_defaults(handler=command_book)
