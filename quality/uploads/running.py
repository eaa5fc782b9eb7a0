"""Checking a whole upload, then saving it all in one transaction or nothing."""

import datetime as dt
import hashlib
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from carehomes.importers.tables import Table, UnreadableFile, read_table
from commissioning import access
from commissioning.choices import JobStatus
from commissioning.jobs import job_finish, job_log, job_start, job_update

from ..choices import ReturnSource, ReturnStatus
from ..models import IndicatorSet, MonthlyReturn, ReturnUpload
from ..services import (
    ReturnNeedsConfirmation,
    ReturnRejected,
    indicator_set_current,
    return_save,
)
from ..validation import SPIKE_MONTHS, check_return, to_json
from .reading import (
    AMEND_REASON,
    LOCATION,
    MAX_REPORTED_ERRORS,
    PROGRESS_EVERY,
    REASON,
    SUBMIT,
    SUBMITTED_NOT_DRAFT,
    Plan,
    UploadFailed,
    UploadRow,
    _cell,
    _homes_for,
    _indicator_names,
    _raw_rows,
    _read_columns,
    _row_basics,
    _shown,
)


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
    unchanged = existing and existing.status != ReturnStatus.DRAFT and existing.values == new_values
    if unchanged:
        row.unchanged_values = new_values
    elif existing and existing.version_count > 0 and not row.reason:
        plan.problem(row.row, REASON, "", AMEND_REASON)
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
    names = _indicator_names()
    columns = _read_columns(table, plan, names)  # read_table found the location column
    raw_rows = _raw_rows(table, plan)
    if plan.problems:
        return plan
    homes = _homes_for(upload.requested_by,
                       {str(_cell(r.cells, columns.location)).strip().upper() for r in raw_rows})
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
    from ..tasks import return_upload_task

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
