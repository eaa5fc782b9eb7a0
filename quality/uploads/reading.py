"""Reading an upload file: its columns, months, confirmations and rows."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone

from carehomes.choices import HomeStatus
from carehomes.importers.tables import Table
from carehomes.models import CareHome
from commissioning import access

from ..models import Indicator, IndicatorSet
from ..services import (
    first_of_month,
    indicator_set_current,
)

LOCATION = "CQC location ID"
MONTH = "Month"
SUBMIT = "Submit"
REASON = "Amendment reason"
CONFIRMATIONS = "Confirmations"
MAX_REPORTED_ERRORS = 500
PROGRESS_EVERY = 250
NOT_YOURS = "You cannot send returns for this home"
MONTH_FORMAT = "Enter the month as year and month, like 2026-10"
AMEND_REASON = "Give a reason for amending the return"  # as services.return_save says
SUBMITTED_NOT_DRAFT = ("This return has been submitted. To change it, amend it and give a "
                       "reason.")
YES, NO = {"", "y", "yes", "true", "1"}, {"n", "no", "false", "0"}


class UploadFailed(Exception):
    """A row that passed the checks was refused when saved: the whole file is rolled back."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__(problems)


@dataclass
class UploadRow:
    """One row of the file, checked, ready for ``return_save``."""

    row: int
    home: CareHome
    month: dt.date
    values: dict
    submit: bool = True
    reason: str = ""
    confirmations: dict = field(default_factory=dict)
    # Set by the checks when the row submits exactly the values already submitted.
    unchanged_values: dict | None = None


@dataclass
class Columns:
    """Which column of the file holds what. ``indicators`` maps column index to key."""

    location: int
    month: int | None = None
    submit: int | None = None
    reason: int | None = None
    confirmations: int | None = None
    indicators: dict[int, str] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)  # key -> heading as written


@dataclass
class Plan:
    rows: list[UploadRow] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    rejected_rows: set = field(default_factory=set)
    rows_in_file: int = 0
    existing: dict = field(default_factory=dict)  # (home id, month) -> MonthlyReturn

    def problem(self, row, column: str, value, message: str) -> None:
        self.problems.append({"row": row, "column": column, "value": _shown(value),
                              "message": message})
        if row is not None:
            self.rejected_rows.add(row)


def _shown(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d/%m/%Y}"
    text = "" if value is None else str(value)
    return text if len(text) <= 100 else text[:99] + "…"


# -- reading the file -------------------------------------------------------------------


def parse_month(value) -> dt.date | None:
    """The first day of the month ``value`` names: ``2026-10``, a date in it, or None."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    patterns = [(r"(\d{4})-(\d{1,2})", lambda y, m: (y, m)),
                (r"(\d{4})-(\d{1,2})-(\d{1,2})", lambda y, m, d: (y, m, d)),
                (r"(\d{1,2})/(\d{1,2})/(\d{4})", lambda d, m, y: (y, m, d)),
                (r"(\d{1,2})/(\d{4})", lambda m, y: (y, m))]
    for pattern, order in patterns:
        match = re.fullmatch(pattern, text)
        if match:
            parts = [int(p) for p in order(*match.groups())]
            try:
                return dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1).replace(day=1)
            except ValueError:
                return None
    for fmt in ("%B %Y", "%b %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _indicator_names() -> dict[str, str]:
    """Every name a column may have (key or label, casefolded) -> indicator key.

    The current version's labels win; older versions' keys and labels are still understood.
    """
    current = indicator_set_current()
    names: dict[str, str] = {}
    for indicator in Indicator.objects.order_by("-indicator_set__version", "order"):
        for name in (indicator.key, indicator.label):
            names.setdefault(name.strip().casefold(), indicator.key)
    for indicator in current.indicators.all():
        names[indicator.label.strip().casefold()] = indicator.key
    return names


def _read_columns(table: Table, plan: Plan, names: dict[str, str]) -> Columns:
    fixed = {LOCATION.casefold(): "location", MONTH.casefold(): "month",
             SUBMIT.casefold(): "submit", REASON.casefold(): "reason",
             CONFIRMATIONS.casefold(): "confirmations"}
    columns = Columns(location=-1)
    for index, heading in enumerate(table.header):
        name = heading.strip().casefold()
        if not name:
            continue
        if name in fixed:
            setattr(columns, fixed[name], index)
        elif name in names:
            key = names[name]
            if key in columns.headings:
                plan.problem(table.header_row, heading, "",
                             f"This question is also in the column “{columns.headings[key]}”. "
                             "Give each question once")
            columns.indicators[index] = key
            columns.headings[key] = heading
        else:
            plan.problem(table.header_row, heading, "",
                         "This column is not a question in the return. Check its heading "
                         "against the template, or remove it")
    if columns.month is None:
        plan.problem(table.header_row, MONTH, "", "The file has no “Month” column")
    return columns


def _cell(cells: list, index: int | None):
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


def _parse_confirmations(text: str, names: dict[str, str], plan: Plan, row: int) -> dict:
    confirmations = {}
    for part in filter(None, (p.strip() for p in str(text).split(";"))):
        name, sep, reason = part.partition(":")
        key = names.get(name.strip().casefold())
        if not sep or not reason.strip():
            plan.problem(row, CONFIRMATIONS, part,
                         "Write each confirmation as the question's key, a colon and the "
                         "reason, like “falls: a resident fell often before a hospital stay”")
        elif key is None:
            plan.problem(row, CONFIRMATIONS, part,
                         f"“{name.strip()}” is not a question in the return")
        else:
            confirmations[key] = reason.strip()
    return confirmations


@dataclass
class _RawRow:
    row: int
    cells: list


def _raw_rows(table: Table, plan: Plan) -> list[_RawRow]:
    rows = []
    for number, cells in table.rows:
        if not any(str(c).strip() for c in cells if c is not None):
            continue
        plan.rows_in_file += 1
        rows.append(_RawRow(number, cells))
    return rows


def _homes_for(user, location_ids: set[str]) -> dict[str, CareHome]:
    """The homes in the file that ``user`` may send returns for, by CQC location ID."""
    homes = access.restrict(CareHome.objects.filter(cqc_location_id__in=location_ids), user,
                            access.Action.SUBMIT_RETURN)
    return {home.cqc_location_id: home for home in homes}


def _row_basics(raw: _RawRow, columns: Columns, homes: dict, plan: Plan, names, seen: dict
                ) -> UploadRow | None:
    """The row's home, month and options, or None (with problems) if they are not usable."""
    location = str(_cell(raw.cells, columns.location)).strip().upper()
    if not location:
        plan.problem(raw.row, LOCATION, "", "Enter the CQC location ID")
        return None
    home = homes.get(location)
    if home is None:
        # The same words whether the home is another provider's or does not exist.
        plan.problem(raw.row, LOCATION, location, NOT_YOURS)
        return None
    month_value = _cell(raw.cells, columns.month)
    month = parse_month(month_value)
    if month is None:
        plan.problem(raw.row, MONTH, month_value, MONTH_FORMAT)
        return None
    if month > first_of_month(timezone.localdate()):
        plan.problem(raw.row, MONTH, month_value,
                     f"A return for {month:%B %Y} cannot be made before that month starts")
        return None
    if home.status == HomeStatus.DEREGISTERED and home.deregistered_on and (
            month > first_of_month(home.deregistered_on)):
        plan.problem(raw.row, MONTH, month_value,
                     f"{home.name} left the CQC register on {home.deregistered_on:%d/%m/%Y}")
        return None
    earlier = seen.setdefault((home.pk, month), raw.row)
    if earlier != raw.row:
        plan.problem(raw.row, LOCATION, location,
                     f"Row {earlier} is also for this home and {month:%B %Y}. Give each home "
                     "and month once")
        return None
    submit_text = str(_cell(raw.cells, columns.submit)).strip().casefold()
    if submit_text not in YES | NO:
        plan.problem(raw.row, SUBMIT, submit_text, "Enter Y to submit the return or N to save "
                                                   "it as a draft")
        return None
    values = {key: _cell(raw.cells, index) for index, key in columns.indicators.items()}
    values = {k: (v if isinstance(v, str) else str(v)) for k, v in values.items()}
    return UploadRow(row=raw.row, home=home, month=month, values=values,
                     submit=submit_text in YES,
                     reason=str(_cell(raw.cells, columns.reason)).strip(),
                     confirmations=_parse_confirmations(
                         _cell(raw.cells, columns.confirmations), names, plan, raw.row))


# -- the template ------------------------------------------------------------------------


def template_header(indicator_set: IndicatorSet | None = None) -> list[str]:
    indicator_set = indicator_set or indicator_set_current()
    return [LOCATION, MONTH, *(i.key for i in indicator_set.indicators.all()), SUBMIT, REASON,
            CONFIRMATIONS]


def template_rows(user, month: dt.date, width: int):
    """A row for each home the user may send returns for, with the month filled in."""
    homes = (access.restrict(CareHome.objects.all(), user, access.Action.SUBMIT_RETURN)
             .exclude(status=HomeStatus.DEREGISTERED).order_by("name")
             .values_list("cqc_location_id", flat=True))
    for location in homes.iterator(chunk_size=2000):
        yield [location, f"{month:%Y-%m}", *([""] * (width - 5)), "Y", "", ""]
