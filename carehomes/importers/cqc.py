"""Parsing and validating the CQC care directory ("care directory with filters").

Columns are matched by header name (case and spacing ignored); unknown columns are
ignored; missing required ones are reported. Only care homes in the councils the
deployment serves are validated and kept; every other row is counted as skipped.
Nothing here writes to the database: ``carehomes.services`` applies the result.
"""

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..choices import CqcRatingValue, HomeStatus, KeyQuestion, RegistrationType, ServiceUserBand
from ..models import CQC_LOCATION_ID_PATTERN, POSTCODE_PATTERN
from .tables import Table

LOCATION_ID = "Location ID"
REQUIRED_COLUMNS = [
    LOCATION_ID, "Care home?", "Location Name", "Location Local Authority",
    "Location Postal Code", "Provider ID", "Provider Name",
]
OPTIONAL_COLUMNS = [
    "Location HSCA start date", "Dormant (Y/N)", "Location ODS Code", "Registered manager",
    "Care homes beds", "Location Primary Inspection Category", "Location Latest Overall Rating",
    "Publication Date", "Location ONSPD CCG Code", "Location ONSPD CCG",
    "Location Street Address", "Location Address Line 2", "Location City", "Location County",
    "Location Latitude", "Location Longitude", "Brand Name",
    "Service type - Care home service with nursing",
    "Service type - Care home service without nursing",
    "Regulated activity - Nursing care", "Location Dual Registered",
]
BAND_PREFIX = "Service user band - "
# Key-question ratings are not in the public directory but some areas add them.
KEY_QUESTION_COLUMNS = {
    f"Latest Rating - {kq.label}": kq for kq in KeyQuestion if kq != KeyQuestion.OVERALL
}
RATING_WORDS = {c.label.casefold(): c.value for c in CqcRatingValue}
NOT_RATED = {"", "not yet rated", "insufficient evidence to rate", "not rated", "no rating"}
BAND_LABELS = {c.label.casefold(): c.value for c in ServiceUserBand}
MAX_REPORTED_ERRORS = 500


@functools.cache
def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", str(header)).strip().casefold()


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value,
                "message": self.message}


@dataclass
class ParsedHome:
    """One care home row, validated and converted, ready to apply."""

    row: int
    cqc_location_id: str
    name: str
    provider_id: str
    provider_name: str
    brand_name: str
    location_ods_code: str
    address_line_1: str
    address_line_2: str
    town: str
    county: str
    postcode: str
    latitude: Decimal | None
    longitude: Decimal | None
    local_authority_name: str
    ccg_code: str
    ccg_name: str
    registration_type: str
    beds: int
    registered_manager: str
    service_user_bands: list[str]
    status: str
    registered_on: dt.date | None
    ratings: dict[str, tuple[str, dt.date]] = field(default_factory=dict)


@dataclass
class ParseResult:
    homes: list[ParsedHome]
    rows_in_file: int
    rows_skipped: int
    errors: list[Problem]
    warnings: list[str]
    rejected_rows: set[int]
    location_ids: set[str] = field(default_factory=set)  # every row's, in scope or not


class _Row:
    """A row's cells by column name, collecting problems as values are converted."""

    def __init__(self, number: int, cells: list, columns: dict[str, int], problems: list):
        self.number, self.cells, self.columns, self.problems = number, cells, columns, problems

    def raw(self, column: str):
        index = self.columns.get(_norm(column))
        if index is None or index >= len(self.cells):
            return ""
        value = self.cells[index]
        return value if isinstance(value, dt.date) else str(value).strip()

    def text(self, column: str, *, required: bool = False, max_length: int = 200) -> str:
        value = str(self.raw(column))
        if required and not value:
            self.problem(column, value, "is blank; it is required for a care home")
        elif len(value) > max_length:
            self.problem(column, value[:40] + "…", f"is longer than {max_length} characters")
        return value

    def problem(self, column: str, value, message: str) -> None:
        self.problems.append(Problem(self.number, column, str(value), message))

    def flag(self, column: str) -> bool:
        value = str(self.raw(column)).upper()
        if value not in {"", "Y", "N", "YES", "NO"}:
            self.problem(column, value, "must be Y, N or blank")
        return value in {"Y", "YES"}

    def matching(self, column: str, pattern: str, hint: str, *, required=True) -> str:
        value = str(self.raw(column)).upper().strip()
        if not value and not required:
            return ""
        if not re.match(pattern, value):
            self.problem(column, value, f"is not {hint}")
        return value

    def date(self, column: str) -> dt.date | None:
        value = self.raw(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date) or value == "":
            return value or None
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        self.problem(column, value, "is not a date (use DD/MM/YYYY)")
        return None

    def whole_number(self, column: str) -> int:
        value = str(self.raw(column))
        if value == "":
            return 0
        if not value.isdigit():
            self.problem(column, value, "is not a whole number of 0 or more")
            return 0
        return int(value)

    def coordinate(self, column: str, low: int, high: int) -> Decimal | None:
        value = str(self.raw(column))
        if value == "":
            return None
        try:
            number = Decimal(value).quantize(Decimal("0.000001"))
        except InvalidOperation:
            self.problem(column, value, "is not a number")
            return None
        if not low <= number <= high:
            self.problem(column, value, f"is outside the UK (expected {low} to {high})")
            return None
        return number

    def rating(self, column: str) -> str:
        value = str(self.raw(column))
        if value.casefold() in NOT_RATED:
            return ""
        rating = RATING_WORDS.get(value.casefold())
        if rating is None:
            self.problem(column, value, "is not a CQC rating (Outstanding, Good, "
                                        "Requires improvement, Inadequate or blank)")
            return ""
        return rating


def _postcode(row: _Row) -> str:
    value = re.sub(r"\s+", "", str(row.raw("Location Postal Code")).upper())
    if len(value) > 3:
        value = f"{value[:-3]} {value[-3:]}"
    if not re.match(POSTCODE_PATTERN, value):
        row.problem("Location Postal Code", value, "is not a full UK postcode")
    return value


def _registration_type(row: _Row) -> str:
    with_nursing = row.flag("Service type - Care home service with nursing")
    without_nursing = row.flag("Service type - Care home service without nursing")
    if with_nursing and without_nursing:
        return RegistrationType.DUAL
    if with_nursing or (not without_nursing and row.flag("Regulated activity - Nursing care")):
        return RegistrationType.NURSING
    return RegistrationType.RESIDENTIAL


def _ratings(row: _Row) -> dict[str, tuple[str, dt.date]]:
    published = row.date("Publication Date")
    found = {KeyQuestion.OVERALL.value: row.rating("Location Latest Overall Rating")}
    for column, key_question in KEY_QUESTION_COLUMNS.items():
        found[key_question.value] = row.rating(column)
    found = {kq: rating for kq, rating in found.items() if rating}
    if found and published is None:
        row.problem("Publication Date", "", "is blank but the row has a rating; "
                                            "a rating needs its publication date")
        return {}
    return {kq: (rating, published) for kq, rating in found.items()}


def _parse_home(row: _Row, bands: dict[int, str]) -> ParsedHome:
    return ParsedHome(
        row=row.number,
        cqc_location_id=row.matching(LOCATION_ID, CQC_LOCATION_ID_PATTERN,
                                     "a CQC location ID (1- then 9 to 11 digits)"),
        name=row.text("Location Name", required=True),
        provider_id=row.matching("Provider ID", CQC_LOCATION_ID_PATTERN,
                                 "a CQC provider ID (1- then 9 to 11 digits)"),
        provider_name=row.text("Provider Name", required=True),
        brand_name=row.text("Brand Name").removeprefix("BRAND "),
        location_ods_code=row.text("Location ODS Code", max_length=10),
        address_line_1=row.text("Location Street Address"),
        address_line_2=row.text("Location Address Line 2"),
        town=row.text("Location City", max_length=100),
        county=row.text("Location County", max_length=100),
        postcode=_postcode(row),
        latitude=row.coordinate("Location Latitude", 49, 61),
        longitude=row.coordinate("Location Longitude", -9, 3),
        local_authority_name=row.text("Location Local Authority"),
        ccg_code=row.text("Location ONSPD CCG Code", max_length=12),
        ccg_name=row.text("Location ONSPD CCG"),
        registration_type=_registration_type(row),
        beds=row.whole_number("Care homes beds"),
        registered_manager=row.text("Registered manager"),
        service_user_bands=sorted(
            band for index, band in bands.items()
            if index < len(row.cells) and str(row.cells[index]).strip().upper() == "Y"),
        status=HomeStatus.DORMANT if row.flag("Dormant (Y/N)") else HomeStatus.ACTIVE,
        registered_on=row.date("Location HSCA start date"),
        ratings=_ratings(row),
    )


def _columns(table: Table) -> tuple[dict[str, int], dict[int, str], list[Problem], list[str]]:
    columns: dict[str, int] = {}
    for index, header in enumerate(table.header):
        columns.setdefault(_norm(header), index)
    problems = [
        Problem(table.header_row, name, "", "column is missing from the header row")
        for name in REQUIRED_COLUMNS if _norm(name) not in columns
    ]
    bands: dict[int, str] = {}
    warnings: list[str] = []
    for index, header in enumerate(table.header):
        if _norm(header).startswith(_norm(BAND_PREFIX)):
            label = header.strip()[len(BAND_PREFIX):].strip().casefold()
            if label in BAND_LABELS:
                bands[index] = BAND_LABELS[label]
            else:
                warnings.append(f"Column “{header}” is a service user band the portal does not "
                                "know; it was ignored.")
    return columns, bands, problems, warnings


def parse_directory(table: Table, served_areas: set[str], progress=None) -> ParseResult:
    """Validate every care home row in the served councils' areas.

    ``served_areas`` holds the casefolded council names to keep. ``progress(done)`` is
    called every 1,000 rows.
    """
    columns, bands, errors, warnings = _columns(table)
    if errors:
        return ParseResult([], 0, 0, errors, warnings, set())
    homes: list[ParsedHome] = []
    location_ids: set[str] = set()
    seen: dict[str, int] = {}
    rows_in_file = skipped = 0
    for number, cells in table.rows:
        if not any(str(c).strip() for c in cells):
            continue
        rows_in_file += 1
        if progress and rows_in_file % 1000 == 0:
            progress(rows_in_file)
        row = _Row(number, cells, columns, errors)
        location_ids.add(str(row.raw(LOCATION_ID)).upper())
        in_area = str(row.raw("Location Local Authority")).casefold() in served_areas
        if not in_area or not row.flag("Care home?"):
            skipped += 1
            continue
        home = _parse_home(row, bands)
        if home.cqc_location_id in seen:
            row.problem(LOCATION_ID, home.cqc_location_id,
                        f"appears twice: also on row {seen[home.cqc_location_id]}")
        seen.setdefault(home.cqc_location_id, number)
        homes.append(home)
    rejected = {p.row for p in errors}
    return ParseResult(homes, rows_in_file, skipped, errors, warnings, rejected, location_ids)
