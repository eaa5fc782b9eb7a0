"""Returns for many homes at once, from a CSV or XLSX file: all or nothing per file.

A provider group sends one row per home and month. The whole file is checked first with
the same rules as the web form (``validation.check_return`` with each home's history, and
the checks ``services.return_save`` makes). Only if no row has a problem are the rows
saved, in one transaction, through ``services.return_save``. Sending the same file again
changes nothing: identical submitted values are left as they are.

The file's columns (see the upload page, which explains them to people):

* ``CQC location ID`` and ``Month`` (``2026-10``, a date in the month, or an XLSX date);
* one column per question, headed by its key (``beds_occupied``) or its label
  (``Occupied beds``), either in any case;
* optional ``Submit``: ``Y`` (or blank) submits, ``N`` saves a draft;
* optional ``Amendment reason``: needed when a row changes a submitted return;
* optional ``Confirmations``: reasons for unusual values, as ``key: reason; key: reason``.
"""

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from carehomes.choices import HomeStatus
from carehomes.importers.tables import Table, UnreadableFile, read_table
from carehomes.models import CareHome
from commissioning import access
from commissioning.choices import JobStatus
from commissioning.jobs import job_finish, job_log, job_start, job_update

from .choices import ReturnSource, ReturnStatus
from .models import Indicator, IndicatorSet, MonthlyReturn, ReturnUpload
from .services import (
    ReturnNeedsConfirmation,
    ReturnRejected,
    first_of_month,
    indicator_set_current,
    return_save,
)
from .validation import SPIKE_MONTHS, check_return, to_json

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


def _read_columns(table: Table, plan: Plan) -> Columns:
    fixed = {LOCATION.casefold(): "location", MONTH.casefold(): "month",
             SUBMIT.casefold(): "submit", REASON.casefold(): "reason",
             CONFIRMATIONS.casefold(): "confirmations"}
    names = _indicator_names()
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


# -- checking the rows ------------------------------------------------------------------


def _existing_returns(rows: list[UploadRow]) -> dict:
    """The returns already held for the file's homes, up to its latest month (one query)."""
    if not rows:
        return {}
    latest = max(r.month for r in rows)
    found = MonthlyReturn.objects.filter(
        care_home__in={r.home.pk for r in rows}, month__lte=latest).only(
        "care_home_id", "month", "status", "values", "version_count", "indicator_set_id")
    return {(r.care_home_id, r.month): r for r in found}


def _indicators_by_set(existing: dict) -> tuple[IndicatorSet, dict[int, list]]:
    current = indicator_set_current()
    ids = {current.pk} | {r.indicator_set_id for r in existing.values()}
    sets = IndicatorSet.objects.filter(pk__in=ids).prefetch_related("indicators")
    return current, {s.pk: list(s.indicators.all()) for s in sets}


def _history(home_id: int, month: dt.date, submitted: dict) -> list[dict]:
    """As ``services.history_for``: submitted values before ``month``, most recent first."""
    earlier = sorted((m for m in submitted[home_id] if m < month), reverse=True)
    return [submitted[home_id][m] for m in earlier[:SPIKE_MONTHS]]


def _check_values(row: UploadRow, plan: Plan, indicators: list, headings: dict,
                  submitted: dict) -> None:
    keys = {i.key for i in indicators}
    # A blank cell for a question this version does not ask is no answer, not an error.
    row.values = values = {k: v for k, v in row.values.items() if k in keys or v.strip()}
    existing = plan.existing.get((row.home.pk, row.month))
    if not row.submit:
        if existing and existing.status != ReturnStatus.DRAFT:
            plan.problem(row.row, SUBMIT, "N", SUBMITTED_NOT_DRAFT)
        check = check_return(indicators, values, complete=False)
    else:
        check = check_return(indicators, values,
                             history=_history(row.home.pk, row.month, submitted))
    for key, message in check.errors.items():
        plan.problem(row.row, headings.get(key, key), row.values.get(key, ""), message)
    if not row.submit or check.errors:
        return
    for key, message in check.unconfirmed(row.confirmations).items():
        plan.problem(row.row, headings.get(key, key), row.values.get(key, ""),
                     f"{message}. If it is right, add “{key}: the reason” to the "
                     "Confirmations column")
    new_values = to_json(check.cleaned)
    if (existing and existing.version_count > 0 and not row.reason
            and not (existing.status != ReturnStatus.DRAFT and existing.values == new_values)):
        plan.problem(row.row, REASON, "", AMEND_REASON)
    if existing and existing.status != ReturnStatus.DRAFT and existing.values == new_values:
        row.unchanged_values = new_values
    submitted[row.home.pk][row.month] = new_values


def _check_rows(plan: Plan, headings: dict, progress) -> None:
    """Every row against the rules, in the order they will be saved (home, then month), so a
    month's history includes the earlier months of the same file."""
    plan.existing = _existing_returns(plan.rows)
    current, indicators = _indicators_by_set(plan.existing)
    submitted: dict[int, dict] = defaultdict(dict)
    for (home_id, month), existing in plan.existing.items():
        if existing.status != ReturnStatus.DRAFT:
            submitted[home_id][month] = existing.values
    plan.rows.sort(key=lambda r: (r.home.pk, r.month))
    if any(r.submit for r in plan.rows):
        missing = [i for i in indicators[current.pk] if i.required and i.key not in headings]
        for indicator in missing:
            plan.problem(None, indicator.key, "", f"The file has no column for "
                                                  f"“{indicator.label}” ({indicator.key})")
        if missing:
            return
    for done, row in enumerate(plan.rows, start=1):
        existing = plan.existing.get((row.home.pk, row.month))
        set_id = existing.indicator_set_id if existing else current.pk
        _check_values(row, plan, indicators[set_id], headings, submitted)
        if done % PROGRESS_EVERY == 0:
            progress(done)


def upload_check(upload: ReturnUpload, table: Table, progress=lambda done: None) -> Plan:
    """Read and check the whole file, writing nothing. ``plan.problems`` lists every problem."""
    plan = Plan()
    columns = _read_columns(table, plan)  # read_table found the location column
    raw_rows = _raw_rows(table, plan)
    if plan.problems:
        return plan
    homes = _homes_for(upload.requested_by,
                       {str(_cell(r.cells, columns.location)).strip().upper() for r in raw_rows})
    names = _indicator_names()
    seen: dict = {}
    for raw in raw_rows:
        row = _row_basics(raw, columns, homes, plan, names, seen)
        if row is not None:
            plan.rows.append(row)
    if not plan.rows_in_file:
        plan.problem(None, "", "", "The file has no rows of returns under its header")
    if plan.problems:
        return plan
    _check_rows(plan, columns.headings, progress)
    return plan


# -- saving -----------------------------------------------------------------------------


def _still_unchanged(plan: Plan) -> set:
    """The rows the checks found already submitted as they are, confirmed under a row lock
    (one query), so a re-sent file skips them instead of calling ``return_save`` for each
    only to be told nothing changed."""
    expected = {(r.home.pk, r.month): r.unchanged_values for r in plan.rows if r.unchanged_values}
    if not expected:
        return set()
    locked = MonthlyReturn.objects.select_for_update().filter(
        pk__in=[plan.existing[key].pk for key in expected]).only(
        "care_home_id", "month", "status", "values")
    return {(r.care_home_id, r.month) for r in locked
            if r.status != ReturnStatus.DRAFT and r.values == expected[(r.care_home_id, r.month)]}


@transaction.atomic
def _apply(plan: Plan, upload: ReturnUpload) -> dict:
    """Save every row through ``return_save``; any refusal undoes the whole file."""
    created = updated = unchanged = 0
    skip = _still_unchanged(plan)
    for row in plan.rows:
        if (row.home.pk, row.month) in skip:
            unchanged += 1
            continue
        try:
            _, changed = return_save(
                care_home=row.home, month=row.month, values=row.values,
                user=upload.requested_by, source=ReturnSource.UPLOAD, submit=row.submit,
                confirmations=row.confirmations, reason=row.reason)
        except (ReturnRejected, ReturnNeedsConfirmation, ValidationError) as exc:
            raise UploadFailed(_problems_from(row, exc)) from exc
        if (row.home.pk, row.month) not in plan.existing:
            created += 1
        elif changed:
            updated += 1
        else:
            unchanged += 1
    return {"rows_created": created, "rows_updated": updated, "rows_unchanged": unchanged}


def _problems_from(row: UploadRow, exc: ValidationError) -> list[dict]:
    messages = (exc.unconfirmed if isinstance(exc, ReturnNeedsConfirmation)
                else exc.message_dict if hasattr(exc, "error_dict") else {"": " ".join(exc.messages)})
    return [{"row": row.row, "column": key, "value": _shown(row.values.get(key, "")),
             "message": message if isinstance(message, str) else " ".join(message)}
            for key, message in messages.items()]


def return_upload_run(*, upload: ReturnUpload) -> ReturnUpload:
    """Check the whole file, then save it in one transaction, or change nothing."""
    job_start(upload, stage="Reading the file")
    warnings = []
    previous = (ReturnUpload.objects.filter(checksum=upload.checksum, status=JobStatus.SUCCEEDED,
                                            requested_by=upload.requested_by)
                .exclude(pk=upload.pk).first())
    if previous:
        warnings.append("You uploaded this file before, on "
                        f"{timezone.localtime(previous.requested_on):%d/%m/%Y at %H:%M}. "
                        "Returns already up to date are counted as unchanged.")
    try:
        table = read_table(upload.filename, bytes(upload.content), LOCATION)
    except UnreadableFile as exc:
        return _reject(upload, Plan(problems=[{"row": None, "column": "", "value": "",
                                               "message": str(exc)}]), warnings)
    plan = upload_check(upload, table, progress=lambda done: job_update(
        upload, progress_done=done, stage=f"Checking row {done:,}"))
    if plan.problems:
        return _reject(upload, plan, warnings)
    job_update(upload, rows_in_file=plan.rows_in_file, progress_total=2 * len(plan.rows),
               progress_done=len(plan.rows), stage=f"Saving {len(plan.rows):,} returns")
    try:
        outcome = _apply(plan, upload)
    except UploadFailed as exc:
        plan.problems = exc.problems
        plan.rejected_rows = {p["row"] for p in exc.problems}
        return _reject(upload, plan, warnings)
    job_finish(upload, status=JobStatus.SUCCEEDED, stage="Finished", warnings=warnings,
               progress_done=2 * len(plan.rows), errors=[], rows_rejected=0, **outcome)
    job_log(upload, f"Saved {len(plan.rows):,} returns: {outcome}")
    return upload


def _reject(upload: ReturnUpload, plan: Plan, warnings: list[str]) -> ReturnUpload:
    problems = len(plan.problems)
    rows = len(plan.rejected_rows)
    where = f" in {rows:,} row{'' if rows == 1 else 's'}" if rows else ""
    job_finish(upload, status=JobStatus.REJECTED,
               stage=f"The file was rejected: {problems:,} problem{'' if problems == 1 else 's'}"
                     f"{where}. Nothing was changed.",
               errors=plan.problems[:MAX_REPORTED_ERRORS], warnings=warnings,
               rows_in_file=plan.rows_in_file, rows_rejected=rows,
               rows_created=0, rows_updated=0, rows_unchanged=0)
    return upload


# -- recording, visibility and the template ---------------------------------------------


def return_upload_record(*, filename: str, content: bytes, user) -> ReturnUpload:
    """The record of a file to apply (who, when, checksum), not yet run."""
    if not content:
        raise ValidationError("The selected file is empty.")
    if len(content) > settings.PORTAL_MAX_IMPORT_BYTES:
        raise ValidationError(
            f"The file must be smaller than {settings.PORTAL_MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    return ReturnUpload.objects.create(
        filename=filename[:255], content=content, requested_by=user,
        checksum=hashlib.sha256(content).hexdigest(), stage="Waiting to start")


def return_upload_create(*, filename: str, content: bytes, user) -> ReturnUpload:
    """Record an uploaded file of returns and queue its processing once this commits."""
    from .tasks import return_upload_task

    if not access.allowed(user, access.Action.SUBMIT_RETURN):
        raise ValidationError("You cannot send returns.")
    upload = return_upload_record(filename=filename, content=content, user=user)
    transaction.on_commit(lambda: return_upload_task.delay(upload.pk))
    return upload


def uploads_visible_to(user) -> QuerySet:
    """People who send returns see their own uploads; administrators see every upload.

    An upload can hold homes of several councils, so it is not shown to commissioners:
    they see the returns it made on the return pages, each through ``access.restrict``.
    """
    uploads = ReturnUpload.objects.select_related("requested_by").defer("content")
    if access.is_unrestricted(user):
        return uploads
    if not access.allowed(user, access.Action.SUBMIT_RETURN):
        return uploads.none()
    return uploads.filter(requested_by=user)


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
