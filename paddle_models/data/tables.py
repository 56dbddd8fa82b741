"""Reading label tables: CSV files and Excel sheets, with the line number of every row.

The iChallenge-PM validation labels come as an Excel file (``PM_Label_and_Fovea_Location.xlsx``);
the public course converts it by hand to ``labels.csv``.  APTOS uses ``train.csv``.  Both are
tables with a header row, so one reader serves all: it returns each row as a dict keyed by the
lower-cased column names, together with its line (or spreadsheet row) number for error messages.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Tuple

from .errors import BadSampleError

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
        table.append((number, {name: cell for name, cell in zip(names, cells) if name}))
    return table


def _read_csv(path: Path) -> Iterator[Tuple[int, list]]:
    with open(path, newline="", encoding="utf-8-sig") as file:  # utf-8-sig: Excel's BOM
        for number, cells in enumerate(csv.reader(file), start=1):
            yield number, [cell.strip() for cell in cells]


def _read_xlsx(path: Path) -> Iterator[Tuple[int, list]]:
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
        raise ValueError(f"{what} is empty")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{what} {value!r} is not an integer")
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
            raise ValueError(f"{what} {text!r} is not an integer") from None
        if not number.is_integer():
            raise ValueError(f"{what} {text!r} is not an integer") from None
        return int(number)
