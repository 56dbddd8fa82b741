"""The course book (``python -m paddle_models book``): every page's links resolve, and in a real browser
the lesson pages show their figures, formulas and Chinese text."""
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from paddle_models import notebooks
from paddle_models.book import BookError, build_book, github_anchor
from paddle_models.cli import main
from tests.cli_helpers import user_error
from tests.test_app import CHROMEDRIVER, browser_missing, chrome_options

REPO_ROOT = Path(__file__).resolve().parents[1]


class PageParts(HTMLParser):
    """The links (a href), images (img src) and element ids of one HTML page."""

    def __init__(self, text):
        super().__init__()
        self.links, self.images, self.ids = [], [], set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


def broken_links(site: Path) -> list:
    """Every link or image of the site's pages that points inside the site at nothing (or a missing anchor)."""
    pages = {path: PageParts(path.read_text(encoding="utf-8")) for path in site.rglob("*.html")
             if "_static" not in path.parts}
    broken = []
    for path, parts in pages.items():
        for target in parts.links + parts.images:
            if target.startswith(("http://", "https://", "data:", "mailto:")):
                continue
            address, _, fragment = target.partition("#")
            linked = (path.parent / urllib.parse.unquote(address)).resolve() if address else path
            if not linked.is_file():
                broken.append(f"{path.relative_to(site)}: {target} (no such file)")
            elif fragment and linked in pages and not {fragment, urllib.parse.unquote(fragment)} & pages[linked].ids:
                broken.append(f"{path.relative_to(site)}: {target} (no such anchor)")
    return broken


def test_the_course_book_has_a_page_per_lesson_and_no_broken_link(tmp_path):
    """The real READMEs and lessons (one "executed" copy is enough to build; the rest show as not run)."""
    executed = tmp_path / "executed"
    executed.mkdir()
    first = notebooks.lesson_paths()[0]
    (executed / first.name).write_bytes(first.read_bytes())
    started = time.perf_counter()
    pages = build_book(tmp_path / "site", executed=executed, executed_full=tmp_path / "none")
    print(f"{len(pages)} pages in {time.perf_counter() - started:.1f} s")
    site = tmp_path / "site"
    assert pages[0] == site / "index.html"
    assert {path.stem for path in (site / "lessons").glob("[0-9][0-9]_*.html")} == \
        {path.stem for path in notebooks.lesson_paths()}
    assert (site / "datasets" / "index.html").exists()  # linked from the READMEs
    assert broken_links(site) == []
    readme = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="lessons/index.html"' in readme and "Fundus image classification" in readme
    assert '<script src="_static/mathjax/MathJax.js' in readme  # MathJax comes with the site: works offline
    second = (site / "lessons" / notebooks.lesson_paths()[1].with_suffix(".html").name).read_text(encoding="utf-8")
    assert "Not executed yet" in second


def test_headings_get_githubs_anchor_names():
    assert github_anchor("Running on AI Studio") == "running-on-ai-studio"
    assert github_anchor("RetinaMNIST (MedMNIST v2)") == "retinamnist-medmnist-v2"


def small_course(root: Path) -> Path:
    """A course of three tiny lessons: a figure, a formula and Chinese text; links between the pages."""
    (root / "lessons" / "images").mkdir(parents=True)
    (root / "datasets").mkdir()
    (root / "lessons" / "images" / "eye.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="15"/></svg>')
    (root / "README.md").write_text(
        "# The course\n\n![an eye](lessons/images/eye.svg)\n\nSee [the lessons](lessons/README.md), "
        "[where data lives](datasets/README.md#where-the-course-looks) and "
        "[the trainer](paddle_models/engine/trainer.py).\n", encoding="utf-8")
    (root / "datasets" / "README.md").write_text("# Datasets\n\n## Where the course looks\n\nHere.\n")
    (root / "lessons" / "README.md").write_text(
        "# Lessons\n\n[Lesson 0](00_figure.ipynb), [lesson 1](01_formula.ipynb), [lesson 2](02_not_run.ipynb)\n")
    code = ("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
            "%matplotlib inline\nplt.plot([0, 1, 4, 9]); plt.title('loss'); plt.show()\nprint('眼底图像分类')")
    lessons = {
        "00_figure.ipynb": ["# Lesson 0: 图像 and a figure\n\n中文：近视性黄斑病变。Back to [the course](../README.md).",
                            code],
        "01_formula.ipynb": ["# Lesson 1: A formula\n\nThe loss $L = -\\sum_i y_i \\log p_i$ and\n\n"
                             "$$\\frac{\\partial L}{\\partial z_i} = p_i - y_i$$\n\n"
                             "[Datasets](../datasets/README.md#where-the-course-looks)", "print(1 + 1)"],
        "02_not_run.ipynb": ["# Lesson 2: Not run", "print('never')"],
    }
    for name, (markdown, source) in lessons.items():
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown),
                                                   nbformat.v4.new_code_cell(source)])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, str(root / "lessons" / name))
    return root


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("book")
    root = small_course(tmp / "course")
    notebooks.execute_notebook(root / "lessons" / "00_figure.ipynb", tmp / "executed", fast=True)
    notebooks.execute_notebook(root / "lessons" / "01_formula.ipynb", tmp / "executed-full", fast=False)
    pages = build_book(tmp / "site", root=root, executed=tmp / "executed", executed_full=tmp / "executed-full")
    return tmp / "site", pages


def test_the_small_book_shows_which_run_each_lesson_is_and_links_resolve(small_book):
    site, pages = small_book
    assert [path.relative_to(site).as_posix() for path in pages] == [
        "index.html", "lessons/index.html", "lessons/00_figure.html", "lessons/01_formula.html",
        "lessons/02_not_run.html", "datasets/index.html"]
    assert broken_links(site) == []
    text = {path.relative_to(site).as_posix(): path.read_text(encoding="utf-8") for path in pages}
    assert "fast mode" in text["lessons/00_figure.html"] and "full mode" in text["lessons/01_formula.html"]
    assert "Not executed yet" in text["lessons/02_not_run.html"]
    assert "paddle_models/engine/trainer.py" in text["index.html"]  # named, not a dead link
    assert (site / "lessons" / "images" / "eye.svg").exists()


def test_an_output_folder_that_is_not_a_book_is_refused(small_book, tmp_path):
    site, _ = small_book
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(BookError, match="not a book"):
        build_book(tmp_path, root=site.parent / "course", executed=site.parent / "executed")
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    with pytest.raises(BookError, match="no executed lesson"):
        build_book(tmp_path / "new", root=site.parent / "course", executed=tmp_path / "nothing",
                   executed_full=tmp_path / "nothing")


def test_the_book_command_without_executed_lessons_says_what_to_run(tmp_path, capsys):
    error = user_error(["book", "--output", str(tmp_path / "site"), "--executed", str(tmp_path / "none"),
                        "--executed-full", str(tmp_path / "none")], capsys)
    assert "python -m paddle_models lessons" in error and not (tmp_path / "site").exists()


def test_the_book_command_rebuilds_over_its_own_folder(small_book, capsys, monkeypatch):
    import paddle_models.book as book

    site, _ = small_book
    monkeypatch.setattr(book, "REPO_ROOT", site.parent / "course")  # the command builds the repository's course
    main(["book", "--output", str(site), "--executed", str(site.parent / "executed"),
          "--executed-full", str(site.parent / "executed-full")])
    assert "6 pages in" in capsys.readouterr().out and (site / "index.html").exists()


def test_in_a_real_browser_every_lesson_page_shows_its_figures_formulas_and_chinese(small_book, tmp_path):
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    site, pages = small_book
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=chrome_options(tmp_path / "profile"))
    try:
        wait = WebDriverWait(browser, 60)
        for page in [path for path in pages if path.parent.name == "lessons" and path.name != "index.html"]:
            browser.get(page.as_uri())
            wait.until(lambda b: b.execute_script("return document.readyState") == "complete")
            images = browser.execute_script(
                "return [...document.images].map(i => [i.currentSrc.slice(0, 40), i.complete && i.naturalWidth > 0])")
            assert all(loaded for _, loaded in images), (page.name, images)
            nav = browser.execute_script("return [...document.querySelectorAll('.book-nav a')].map(a => a.href)")
            assert len(nav) == len(pages), page.name
            for href in browser.execute_script("return [...document.links].map(a => a.href)"):
                if href.startswith("file://"):
                    target = Path(urllib.parse.unquote(urllib.parse.urlparse(href).path))
                    assert target.is_file(), (page.name, href)
            body = browser.execute_script("return document.body.innerText")
            if page.name == "00_figure.html":
                assert len(images) >= 1, "the matplotlib figure"
                assert "近视性黄斑病变" in body and "眼底图像分类" in body
            if page.name == "01_formula.html":  # MathJax typesets the formulas (no raw TeX left)
                wait.until(lambda b: b.execute_script("return document.querySelectorAll('.MathJax').length") >= 2)
                wait.until(lambda b: "\\frac" not in b.execute_script("return document.body.innerText"))
    finally:
        browser.quit()
