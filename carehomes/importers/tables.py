"""Reading a spreadsheet (CSV or XLSX) as a header and rows of text, whatever its origin."""

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX we can read, or has no header row."""


@dataclass
class Table:
    header: list[str]
    header_row: int  # spreadsheet row number of the header (1-based)
    rows: Iterator[tuple[int, list]]  # (spreadsheet row number, cell values)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("The file is not text in UTF-8 or Windows-1252. Save it as CSV UTF-8.")


def _find_header(rows: Iterator[list], marker: str, start: int = 1) -> tuple[int, list[str]]:
    wanted = marker.casefold()
    for number, row in enumerate(rows, start=start):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if any(c.casefold() == wanted for c in cells):
            return number, cells
        if number >= start + 9:
            break
    raise UnreadableFile(f"No header row with a “{marker}” column in the first 10 rows.")


def _cell(value) -> object:
    """XLSX cells: keep dates as dates, whole floats as whole numbers, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, content: bytes, header_marker: str) -> Table:
    """Open a CSV or XLSX and position after the row holding ``header_marker``."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        return _read_xlsx(content, header_marker)
    if name.endswith((".xls", ".ods")):
        raise UnreadableFile("Save the spreadsheet as CSV or XLSX (Excel 2007 or later).")
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    header_row, header = _find_header(reader, header_marker)
    rows = ((n, [c.strip() for c in r]) for n, r in enumerate(reader, start=header_row + 1))
    return Table(header=header, header_row=header_row, rows=rows)


def _read_xlsx(content: bytes, header_marker: str) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(f"The XLSX file could not be opened: {exc}") from exc
    for sheet in book.worksheets:
        values = sheet.iter_rows(values_only=True)
        try:
            header_row, header = _find_header(values, header_marker)
        except UnreadableFile:
            continue
        rows = ((n, [_cell(c) for c in r]) for n, r in enumerate(values, start=header_row + 1))
        return Table(header=header, header_row=header_row, rows=rows)
    raise UnreadableFile(f"No sheet has a header row with a “{header_marker}” column.")
