"""The ambulance and hospital feed formats, and validating a file or API batch against them.

A format is data: its columns (header, whether required, type, parser, help) and the
rules that span columns. ``parse_feed`` reads a ``Table`` (carehomes.importers.tables),
``parse_records`` a list of dicts from the API; both validate every row and return
each valid row as a tuple of plain values in ``FeedFormat.output_columns`` order,
ready for ``COPY`` into a staging table. Nothing here touches the database.

Any problem rejects the whole file or batch (the caller stores nothing); identifiable
data (``identifiable``) additionally marks the parse as refused and drops every row.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from carehomes.importers.tables import Table

from . import identifiable
from .codes import (
    FeedKind,
    HospitalKind,
    Outcome,
    ResponseCategory,
    is_emergency,
    is_fall,
)
from .values import (
    LONDON,
    PARSE_CQC_ID,
    PARSE_ODS,
    PARSE_SOURCE_ID,
    Invalid,
    from_json,
    parse_admission_method,
    parse_code,
    parse_date,
    parse_datetime,
    parse_icd10,
    parse_person_token,
    parse_postcode,
    parse_text,
)

MAX_PROBLEMS = 1000  # reported; the count of all problems is kept in problem_count


@dataclass
class Problem:
    """One reason a row cannot be accepted: same shape as carehomes' importer problems."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value,
                "message": self.message}


@dataclass
class FeedParse:
    """The outcome of validating one file or batch."""

    rows: list[tuple]
    problems: list[Problem]
    warnings: list[str]
    refused: bool = False  # identifiable data: refuse the whole file, whatever else
    rows_read: int = 0
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem_count and not self.refused



@dataclass(frozen=True)
class Column:
    """One column of a feed: its header, the field it fills, and how its text is read."""

    name: str
    field: str
    type: str
    help: str
    example: str
    parse: Callable[[object], object] = parse_text()
    required: bool = False
    aliases: tuple[str, ...] = ()
    person_token: bool = False


@dataclass(frozen=True)
class FeedFormat:
    kind: str
    columns: tuple[Column, ...]
    derived: tuple[str, ...]
    check: Callable[["_Row"], None]  # rules across columns; fills the derived fields

    @property
    def output_columns(self) -> tuple[str, ...]:
        return ("row", *(c.field for c in self.columns), *self.derived)


def _key(header: str) -> str:
    """Headers match ignoring case, spacing and punctuation: "Call date-time" = call_datetime."""
    return re.sub(r"[^a-z0-9&]", "", str(header).casefold())


class _Row:
    """One row's parsed values by field, collecting its problems."""

    def __init__(self, number: int, fmt: FeedFormat, report: Callable[[Problem], None], now):
        self.number, self.fmt, self.report, self.now = number, fmt, report, now
        self.values: dict[str, object] = {}
        self.failed = False
        self.unreadable: set[str] = set()  # fields whose cell had a problem
        self.sent: dict[str, str] = {}  # each field's cell as sent, for problem reports

    def problem(self, column: str, value, message: str) -> None:
        self.failed = True
        self.report(Problem(self.number, column, "" if value is None else str(value), message))

    def show(self, field_name: str) -> str:
        return self.sent.get(field_name, "")

    def has(self, *fields: str) -> bool:
        """Whether any of the fields has a value, or was sent but could not be read."""
        return any(self.values.get(f) or f in self.unreadable for f in fields)


# --- Columns shared by both formats ---------------------------------------------------

SOURCE_RECORD_ID = Column(
    "Source record ID", "source_record_id", "text, 1–64 characters",
    "The sender's own identifier for the record; sending it again updates the record.",
    "AMB-2026-000123", PARSE_SOURCE_ID, required=True,
    aliases=("Record ID", "Incident ID", "Source ID"))
HOME_COLUMNS = (
    Column("CQC location ID", "cqc_location_id", "CQC location ID",
           "The care home's CQC location ID: the best way to identify the home.",
           "1-123039495", PARSE_CQC_ID, aliases=("Location ID", "Care home CQC ID")),
    Column("Care home ODS code", "ods_code", "ODS code",
           "The care home's ODS organisation code, when the CQC ID is not known.",
           "VN3AB", PARSE_ODS, aliases=("ODS code", "Location ODS code")),
    Column("Care home postcode", "home_postcode", "UK postcode",
           "The care home's postcode (never the person's), with the home's name.",
           "SM1 1EA", parse_postcode, aliases=("Location postcode", "Care home post code")),
    Column("Care home name", "home_name", "text, up to 200 characters",
           "The care home's name; needed with the postcode, helpful with the others.",
           "Rosewood House", parse_text(200), aliases=("Location name", "Home name")),
)
PERSON_TOKEN = Column(
    "Person token", "person_token", "pseudonym, 8–128 characters with a letter",
    "The pseudonym given at source: the same for the same person in every feed and "
    "month. Never an NHS number, hospital number, name or date of birth.",
    "p7Qk2xR9mL4v", parse_person_token, required=True,
    aliases=("Pseudonym", "Pseudonymised person token", "Patient pseudonym"), person_token=True)


def _check_home(row: _Row) -> None:
    if row.values.get("home_postcode") and not row.has("home_name"):
        row.problem("Care home name", "", "is blank; a care home postcode needs the home's name too")
    elif not row.has("cqc_location_id", "ods_code", "home_postcode"):
        row.problem("CQC location ID", "", "is blank, as are the ODS code and care home postcode: "
                                           "give at least one way to identify the care home")


def _check_when(row: _Row, column: Column, *, earliest=dt.date(2000, 1, 1)) -> None:
    when = row.values.get(column.field)
    if when is None:
        return
    day = when.date() if isinstance(when, dt.datetime) else when
    if day < earliest:
        row.problem(column.name, row.show(column.field), f"is before {earliest:%d/%m/%Y}; check the year")
    elif (when if isinstance(when, dt.datetime) else day) > (
            row.now + dt.timedelta(hours=1) if isinstance(when, dt.datetime) else row.now.date()):
        row.problem(column.name, row.show(column.field), "is in the future")


# --- Ambulance incidents -------------------------------------------------------------

CALLED_AT = Column(
    "Call date-time", "called_at", "date-time",
    "When the 999 or 111 call was received, UK time unless an offset is given.",
    "14/03/2026 09:41", lambda v: parse_datetime(v, date_alone=False), required=True,
    aliases=("Call time", "Time of call", "Call datetime"))
CONVEYED_TO = Column(
    "Conveyed-to site code", "conveyed_to_site", "ODS site code",
    "The ODS code of the site the person was taken to; only for see and convey.",
    "RRK02", PARSE_ODS, aliases=("Conveyed to", "Destination site code"))

AMBULANCE = FeedFormat(
    kind=FeedKind.AMBULANCE,
    columns=(
        SOURCE_RECORD_ID, CALLED_AT, *HOME_COLUMNS,
        Column("Response category", "response_category", "code C1–C4",
               "The ambulance response category: C1 life-threatening … C4 less urgent.",
               "C2", parse_code(ResponseCategory, "a response category: C1, C2, C3 or C4"), required=True,
               aliases=("Category",)),
        Column("Chief complaint", "chief_complaint", "text, up to 200 characters",
               "The AMPDS chief complaint or determinant, or the complaint as text; "
               "falls are AMPDS protocol 17 or text naming a fall.",
               "17-D-3 Falls", parse_text(200), required=True, aliases=("Complaint",)),
        Column("Outcome", "outcome", "code",
               "Hear and treat, see and treat, or see and convey.",
               "See and convey",
               parse_code(Outcome, "an outcome: hear and treat, see and treat or see and convey"),
               required=True),
        CONVEYED_TO, PERSON_TOKEN,
    ),
    derived=("is_fall",),
    check=lambda row: _check_ambulance(row),
)


def _check_ambulance(row: _Row) -> None:
    _check_home(row)
    _check_when(row, CALLED_AT)
    outcome, site = row.values.get("outcome"), row.values.get("conveyed_to_site")
    if outcome == Outcome.SEE_AND_CONVEY and not row.has("conveyed_to_site"):
        row.problem(CONVEYED_TO.name, "", "is blank; it is required when the outcome is see and convey")
    elif outcome and outcome != Outcome.SEE_AND_CONVEY and site:
        row.problem(CONVEYED_TO.name, site, f"is given but the outcome is {Outcome(outcome).label.lower()}; "
                                            "only see and convey has a conveyed-to site")
    row.values["is_fall"] = is_fall(row.values.get("chief_complaint"))


# --- Hospital activity ---------------------------------------------------------------

ARRIVED_AT = Column(
    "Arrival date-time", "arrived_at", "date-time (or date)",
    "A&E arrival, or admission, date-time in UK time; a date alone means 00:00.",
    "14/03/2026 10:32", lambda v: parse_datetime(v, date_alone=True), required=True,
    aliases=("Admission date-time", "Arrival/admission date-time", "Admission date", "Arrival time"))
ADMISSION_METHOD = Column(
    "Admission method", "admission_method", "NHS admission method code",
    "For admissions only: emergency 21–25, 2A, 2B, 2D, 28; elective 11–13; others.",
    "21", parse_admission_method, aliases=("Admission method code", "Admimeth"))
DISCHARGED_ON = Column(
    "Discharge date", "discharged_on", "date",
    "The day the person left hospital; blank while still in. Bed days follow.",
    "18/03/2026", parse_date, aliases=("Discharge date-time", "Date of discharge"))

HOSPITAL = FeedFormat(
    kind=FeedKind.HOSPITAL,
    columns=(
        SOURCE_RECORD_ID,
        Column("Kind", "kind", "code", "A&E attendance or admission.", "Admission",
               parse_code(HospitalKind, "a kind: A&E attendance or admission"), required=True,
               aliases=("Activity", "Activity type")),
        ARRIVED_AT, ADMISSION_METHOD, DISCHARGED_ON,
        Column("Primary diagnosis", "primary_diagnosis", "ICD-10 code",
               "The primary diagnosis as ICD-10 (S72.0 or S720); stored with the dot.",
               "S72.0", parse_icd10, aliases=("Primary diagnosis code", "Diagnosis")),
        Column("Discharge destination", "discharge_destination", "text, up to 100 characters",
               "Where the person went on leaving: the trust's code or description.",
               "Care home", parse_text(100), aliases=("Destination",)),
        *HOME_COLUMNS, PERSON_TOKEN,
    ),
    derived=("is_emergency", "bed_days"),
    check=lambda row: _check_hospital(row),
)


def _check_hospital(row: _Row) -> None:
    _check_home(row)
    _check_when(row, ARRIVED_AT)
    _check_when(row, DISCHARGED_ON)
    v = row.values
    admission = v.get("kind") == HospitalKind.ADMISSION
    if admission and not v.get("admission_method") and "admission_method" not in row.unreadable:
        row.problem(ADMISSION_METHOD.name, "", "is blank; it is required for an admission")
    elif v.get("kind") == HospitalKind.AE_ATTENDANCE and v.get("admission_method"):
        row.problem(ADMISSION_METHOD.name, v["admission_method"],
                    "is given for an A&E attendance; leave it blank (admissions only)")
    arrived, discharged = v.get("arrived_at"), v.get("discharged_on")
    v["is_emergency"] = is_emergency(v.get("admission_method")) if admission else False
    v["bed_days"] = None
    if arrived and discharged:
        bed_days = (discharged - arrived.date()).days
        if bed_days < 0:
            row.problem(DISCHARGED_ON.name, row.show("discharged_on"),
                        f"is before the arrival date ({arrived:%d/%m/%Y})")
        elif admission:
            v["bed_days"] = bed_days


FORMATS = {FeedKind.AMBULANCE: AMBULANCE, FeedKind.HOSPITAL: HOSPITAL}


# --- Validation ----------------------------------------------------------------------

class _Collector:
    def __init__(self):
        self.result = FeedParse(rows=[], problems=[], warnings=[])

    def __call__(self, problem: Problem) -> None:
        self.result.problem_count += 1
        if len(self.result.problems) < MAX_PROBLEMS:
            self.result.problems.append(problem)

    def refuse(self, problem: Problem) -> None:
        self.result.refused = True
        self(problem)


def _columns(fmt: FeedFormat, header: list[str], header_row: int, out: _Collector) -> dict[int, Column]:
    """Map cell positions to the format's columns; refuse identifiable headers."""
    by_key = {_key(a): c for c in fmt.columns for a in (c.name, c.field, *c.aliases)}
    found: dict[int, Column] = {}
    for index, name in enumerate(header):
        column = by_key.get(_key(name))
        if column in found.values():
            out(Problem(header_row, str(name), "", f"column appears twice (it is the {column.name})"))
        elif column:
            found[index] = column
        elif reason := identifiable.header_reason(name):
            out.refuse(Problem(header_row, str(name), "", f"column {reason}"))
        elif _key(name):
            out.result.warnings.append(
                f"Column “{name}” is not part of the {fmt.kind} feed format; it was ignored.")
    for column in fmt.columns:
        if column.required and column not in found.values():
            out(Problem(header_row, column.name, "", "column is missing from the header row"))
    if not {c.field for c in found.values()} & {c.field for c in HOME_COLUMNS}:
        out(Problem(header_row, "CQC location ID", "", "column is missing: give the CQC location ID, "
                                                      "ODS code, or care home postcode and name"))
    return found


def _scan_identifiable(row: _Row, cells: list, header: list[str], found: dict[int, Column],
                       out: _Collector) -> set[int]:
    """Refuse every cell, in any column, holding an NHS number, a name or a date of birth."""
    flagged = set()
    texts = [cell if isinstance(cell, str) else str(cell) for cell in cells if not isinstance(cell, dt.date)]
    indexes = range(len(cells))
    if not identifiable.might_identify(identifiable.CELL_SEPARATOR.join(texts)):
        # Nothing anywhere in the row: only a person token can still be refused (as a date).
        indexes = [index for index, column in found.items() if column.person_token and index < len(cells)]
    for index in indexes:
        cell = cells[index]
        if isinstance(cell, dt.date):
            continue
        column = found.get(index)
        check = identifiable.person_token_reason if column and column.person_token else \
            identifiable.value_reason
        if reason := check(str(cell)):
            name = column.name if column else (header[index] if index < len(header) else f"#{index + 1}")
            out.refuse(Problem(row.number, name, identifiable.WITHHELD, reason))
            flagged.add(index)
    return flagged


def _parse_cells(row: _Row, cells: list, found: dict[int, Column], flagged: set[int]) -> None:
    for index, column in found.items():
        cell = cells[index] if index < len(cells) else ""
        cell = cell.strip() if isinstance(cell, str) else cell
        row.values[column.field] = None
        row.sent[column.field] = "" if cell is None else str(cell)
        if index in flagged:
            row.failed = True
            row.unreadable.add(column.field)
        elif cell in ("", None):
            if column.required:
                row.problem(column.name, "", "is blank; it is required")
        else:
            try:
                row.values[column.field] = column.parse(cell)
            except Invalid as exc:
                row.problem(column.name, cell, str(exc))
                row.unreadable.add(column.field)


def _validate(fmt: FeedFormat, header: list, header_row: int, rows: Iterable[tuple[int, list]],
              now: dt.datetime | None) -> FeedParse:
    out = _Collector()
    found = _columns(fmt, [str(h).strip() for h in header], header_row, out)
    if out.result.refused:
        return out.result  # identifiable columns: do not read a single value
    now = now or dt.datetime.now(LONDON)
    seen: dict[str, int] = {}
    for number, cells in rows:
        if not any(str(c).strip() for c in cells):
            continue
        out.result.rows_read += 1
        row = _Row(number, fmt, out, now)
        flagged = _scan_identifiable(row, cells, header, found, out)
        _parse_cells(row, cells, found, flagged)
        fmt.check(row)
        record_id = row.values.get("source_record_id")
        if record_id in seen:
            row.problem(SOURCE_RECORD_ID.name, record_id, f"appears twice: also on row {seen[record_id]}")
        elif record_id:
            seen[record_id] = number
        if not row.failed:
            out.result.rows.append((number, *(row.values.get(f) for f in fmt.output_columns[1:])))
    if out.result.refused:
        out.result.rows = []
    return out.result


def parse_feed(kind: str, table: Table, *, now: dt.datetime | None = None) -> FeedParse:
    """Validate a feed file read by ``read_table(..., header_marker=HEADER_MARKER)``."""
    return _validate(FORMATS[kind], table.header, table.header_row, table.rows, now)


def parse_records(kind: str, records: list[dict], *, now: dt.datetime | None = None) -> FeedParse:
    """Validate an API batch: field names as headers, "row" is the 1-based record index.

    Problems with the batch as a whole (a missing field, an identifiable field) have row 0.
    """
    header: list[str] = []
    for record in records:
        if isinstance(record, dict):
            header.extend(k for k in record if k not in header)
    rows, bad = [], []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            bad.append(Problem(number, "", "", "is not an object of field names and values"))
            continue
        rows.append((number, [from_json(record.get(k)) for k in header]))
    result = _validate(FORMATS[kind], header, 0, rows, now)
    result.problems[:0] = bad
    result.problem_count += len(bad)
    return result


HEADER_MARKER = SOURCE_RECORD_ID.name
