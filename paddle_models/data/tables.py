"""Reading label tables: CSV files and Excel sheets, with the line number of every row.

The iChallenge-PM validation labels come as an Excel file (``PM_Label_and_Fovea_Location.xlsx``);
the public course converts it by hand to ``labels.csv``.  APTOS uses ``train.csv``.  Both are
tables with a header row, so one reader serves all: it returns each row as a dict keyed by the
lower-cased column names, together with its line (or spreadsheet row) number for error messages.

``rows_to_samples`` is the loop every labelled reader (iChallenge-PM, DDR, APTOS) runs over such
rows: parse each row, refuse a malformed one, find its image, and catch an image listed twice --
with different labels that is an error naming both rows; an exact repeat is a warning.
"""
from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Sequence, Tuple

from ..errors import WrongValueError
from .base import missing_file_problem
from .errors import BadSample, BadSampleError


class DuplicateRowWarning(UserWarning):
    """A label table lists the same image twice with the same label (the repeat is ignored)."""

Row = Tuple[int, Dict[str, object]]  # (1-based line or row number, {column name: value})


def read_table(path: Path, required: Sequence[str]) -> List[Row]:
    """Rows of a .csv or .xlsx table with a header row containing the ``required`` columns.

    Column names are matched case-insensitively.  Empty rows are skipped.  A missing column is a
    ``BadSampleError`` naming the file and showing the header that was found.
    """
    path = Path(path)
    rows = _read_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _read_csv(path)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise BadSampleError(f"{path}: the table is empty; expected a header row with columns "
                             f"{', '.join(required)}") from None
    names = [str(cell).strip().lower() if cell is not None else "" for cell in header]
    missing = [column for column in required if column.lower() not in names]
    if missing:
        raise BadSampleError(f"{path}:{header_line}: missing column(s) {missing}; the header is "
                             f"{[str(c) for c in header]}, expected at least {list(required)}")
    table = []
    for number, cells in rows:
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        cells = list(cells) + [None] * (len(names) - len(cells))  # a short row: its missing cells are empty
        table.append((number, {name: cell for name, cell in zip(names, cells) if name}))
    return table


def read_text(path: Path) -> str:
    """A label file's text: UTF-8 (with or without Excel's BOM), or UTF-16 with its BOM (Notepad's "Unicode").

    Any other encoding is a ``BadSampleError`` naming the file and the line of the first bad byte.
    """
    data = Path(path).read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise BadSampleError(f"{path}:{line}: not UTF-8 text (byte {data[error.start]:#04x}); save the file "
                             "as UTF-8 (e.g. an editor's 'Save as', encoding UTF-8)") from None


def text_lines(path: Path) -> List[str]:
    """``read_text`` split into lines (\\n, \\r\\n or \\r), without their line ends."""
    return read_text(path).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _read_csv(path: Path) -> Iterator[Tuple[int, list]]:
    rows = csv.reader(io.StringIO(read_text(path), newline=""))
    for number, cells in enumerate(rows, start=1):
        yield number, [cell.strip() for cell in cells]


def _read_xlsx(path: Path) -> Iterator[Tuple[int, list]]:
    # heavy: openpyxl is slow to load and only Excel tables need it
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile.BadZipFile, KeyError, ... : not a readable workbook
        raise BadSampleError(f"{path}: cannot read this Excel file ({error}); re-download it or "
                             "export the sheet as CSV with the same columns") from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def parse_int(value, what: str) -> int:
    """An integer cell ('1', 1, 1.0) -> 1; anything else raises ValueError with a short reason."""
    if isinstance(value, bool) or value is None:
        raise WrongValueError(f"{what} is empty")
    if isinstance(value, float):
        if not value.is_integer():
            raise WrongValueError(f"{what} {value!r} is not an integer")
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            raise WrongValueError(f"{what} {text!r} is not an integer") from None
        if not number.is_integer():
            raise WrongValueError(f"{what} {text!r} is not an integer") from None
        return int(number)


@dataclass
class LabelledRows:
    """What a reader found: usable samples, bad ones, every image name listed, and where it is listed.

    ``rows_to_samples`` fills all four from a label table; a reader without one (iChallenge-PM's
    training folder, labelled by file names) fills only ``samples`` and ``bad``.
    """

    samples: List[Tuple[Path, int]] = field(default_factory=list)
    bad: List[BadSample] = field(default_factory=list)
    listed: set = field(default_factory=set)
    listed_at: Dict[str, Tuple[str, int]] = field(default_factory=dict)  # image path -> (label file, line)


def rows_to_samples(rows: Iterable[Tuple[int, object]], parse_row: Callable[[object], Tuple[str, int]],
                    source: Path, image_path: Callable[[str], Path]) -> LabelledRows:
    """Turn label-table rows into (image path, label) samples.

    rows        (line number, row) pairs, a row being whatever ``parse_row`` understands
    parse_row   row -> (image name, label); raises ValueError(reason) for a malformed row, with
                ``error.name`` set when the image name is known
    image_path  image name -> its path (e.g. ``folder / name``)

    A missing image, a malformed row, and an image listed twice with *different* labels (both rows
    named) are bad samples; the same image listed twice with the *same* label gives a
    ``DuplicateRowWarning`` and is used once.
    """
    found = LabelledRows()
    first: Dict[str, Tuple[int, int]] = {}  # image name -> (line, label) of its first row
    conflicting: set = set()
    repeats = []
    for line, row in rows:
        try:
            name, label = parse_row(row)
        except ValueError as error:
            name = getattr(error, "name", None)
            found.bad.append(BadSample(name or "?", str(error), str(source), line))
            found.listed.add(name)
            continue
        found.listed.add(name)
        if name in first:
            first_line, first_label = first[name]
            if label == first_label:
                repeats.append(f"{source}:{line} repeats line {first_line} ({name}, label {label})")
            else:
                conflicting.add(image_path(name))
                found.bad.append(BadSample(name, f"listed twice with different labels: line {first_line} "
                                                 f"says {first_label}, line {line} says {label}",
                                           str(source), line))
            continue
        first[name] = (line, label)
        path = image_path(name)
        problem = missing_file_problem(path, source, line)
        if problem:
            found.bad.append(problem)
        else:
            found.samples.append((path, label))
            found.listed_at[str(path)] = (str(source), line)
    if not found.listed:
        raise BadSampleError(f"{source}: lists no images (the file is empty, or holds only its header); "
                             "copy it again from the dataset's download")
    if conflicting:  # neither label can be trusted: drop the first row's sample too
        found.samples = [(path, label) for path, label in found.samples if path not in conflicting]
    if repeats:
        warnings.warn(f"{source}: {len(repeats)} image(s) listed twice with the same label, used once:\n  "
                      + "\n  ".join(repeats), DuplicateRowWarning, stacklevel=3)
    return found


def row_error(message: str, name=None) -> ValueError:
    """A ValueError for ``rows_to_samples`` that carries the image name, if known."""
    error = ValueError(message)
    error.name = name or None
    return error
