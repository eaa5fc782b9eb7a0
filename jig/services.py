"""Writes for the feeds: recording and loading batches, and the matching queue's rules.

A batch (file or API call) is validated whole (``jig.feeds.formats``): any problem rejects
it and nothing is stored, but the batch itself is always recorded with its outcome. A good
batch is loaded with ``jig.loading`` and the homes whose data changed are queued for a risk
recompute once the transaction commits.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from carehomes.importers.tables import UnreadableFile, read_table
from carehomes.models import CareHome
from commissioning import access
from commissioning.choices import JobStatus, OrganisationKind, Role
from commissioning.jobs import job_finish, job_start, job_update
from commissioning.models import Organisation

from .choices import Channel, MatchStatus
from .feeds.codes import FeedKind
from .feeds.formats import HEADER_MARKER, FeedParse, parse_feed, parse_records
from .loading import MODELS, load_rows
from .models import FeedBatch, HomeMatchRule
from .risk.services import recompute_homes_later

SOURCE_KINDS = {FeedKind.AMBULANCE: OrganisationKind.AMBULANCE_TRUST,
                FeedKind.HOSPITAL: OrganisationKind.ACUTE_TRUST}
MAX_API_RECORDS = 10_000


def feed_sources(user, kind: str) -> QuerySet:
    """The trusts this user may send a feed of this kind for: their own ambulance (or acute)
    trust, or any such trust for an administrator."""
    trusts = Organisation.objects.filter(kind=SOURCE_KINDS[kind], is_archived=False)
    if not access.allowed(user, access.Action.SEND_FEED):
        return trusts.none()
    if access.is_unrestricted(user):
        return trusts
    held = [m.organisation_id for m in access.memberships(user)
            if m.role in {Role.PARTNER_SYSTEM, Role.ADMINISTRATOR}]
    return trusts.filter(pk__in=held)


def feed_source_for(*, user, kind: str, ods_code: str = "") -> Organisation:
    """The trust a batch is sent for: the one with ``ods_code`` among ``feed_sources``, or the
    sender's only trust when no code is given.

    Raises ``PermissionDenied`` when the user cannot send this feed (for that trust), and
    ``ValidationError`` when they send for several trusts and gave no code.
    """
    label = FeedKind(kind).label.lower()
    trusts = feed_sources(user, kind)
    if ods_code.strip():
        source = trusts.filter(ods_code__iexact=ods_code.strip()).first()
        if source is None:
            raise PermissionDenied(f"You cannot send {label} for {ods_code.strip()}.")
        return source
    found = list(trusts.order_by("name")[:10])
    if not found:
        raise PermissionDenied(f"You cannot send {label}.")
    if len(found) > 1:
        codes = ", ".join(t.ods_code or t.name for t in found)
        raise ValidationError(f"Say which trust you are sending for in `source`: one of {codes}.",
                              code="source_required")
    return found[0]


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _require_source(user, kind: str, source: Organisation) -> None:
    if not feed_sources(user, kind).filter(pk=source.pk).exists():
        raise ValidationError(f"You cannot send {FeedKind(kind).label.lower()} for {source}.")


@transaction.atomic
def feed_upload_create(*, kind: str, source: Organisation, filename: str, content: bytes,
                       user) -> FeedBatch:
    """Record an uploaded feed file and queue its loading once this commits."""
    from .tasks import feed_batch_task

    _require_source(user, kind, source)
    if not content:
        raise ValidationError("The file is empty.")
    if len(content) > settings.PORTAL_MAX_IMPORT_BYTES:
        raise ValidationError(
            f"The file is larger than {settings.PORTAL_MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    batch = feed_batch_record(kind=kind, source=source, filename=filename, content=content, user=user)
    transaction.on_commit(lambda: feed_batch_task.delay(batch.pk))
    return batch


def feed_batch_record(*, kind: str, source: Organisation, filename: str, content: bytes, user) -> FeedBatch:
    """The record of an uploaded file (who, when, checksum), not yet loaded."""
    return FeedBatch.objects.create(
        kind=kind, source=source, channel=Channel.UPLOAD, filename=filename[:255], content=content,
        checksum=_checksum(content), requested_by=user, stage="Waiting to start")


def feed_batch_run(*, batch: FeedBatch) -> FeedBatch:
    """Validate and load an uploaded file (the work of the Celery task)."""
    job_start(batch, stage="Reading the file")
    try:
        table = read_table(batch.filename, bytes(batch.content), HEADER_MARKER)
    except UnreadableFile as exc:
        _reject(batch, FeedParse(rows=[], problems=[], warnings=[]), [
            {"row": 0, "column": "", "value": "", "message": str(exc)}])
        return batch
    job_update(batch, stage="Checking every row")
    parse = parse_feed(batch.kind, table)
    return _finish(batch, parse)


def feed_records_submit(*, kind: str, source: Organisation, records: list, user) -> FeedBatch:
    """Validate and load an API batch at once; the batch returned says what happened."""
    _require_source(user, kind, source)
    if not isinstance(records, list) or not records:
        raise ValidationError("Send a list of records, at least one.")
    if len(records) > MAX_API_RECORDS:
        raise ValidationError(f"Send at most {MAX_API_RECORDS:,} records in one batch; "
                              f"this one has {len(records):,}.")
    content = json.dumps(records, sort_keys=True, default=str).encode()
    batch = FeedBatch.objects.create(
        kind=kind, source=source, channel=Channel.API, checksum=_checksum(content),
        requested_by=user, stage="Checking every record")
    job_start(batch, stage="Checking every record")
    return _finish(batch, parse_records(kind, records))


def _finish(batch: FeedBatch, parse: FeedParse) -> FeedBatch:
    batch.rows_received = parse.rows_read
    if not parse.ok:
        _reject(batch, parse, [p.as_dict() for p in parse.problems])
        return batch
    job_update(batch, stage="Storing the records", rows_received=parse.rows_read,
               progress_total=len(parse.rows))
    with transaction.atomic():
        result = load_rows(batch=batch, rows=parse.rows)
        recompute_homes_later(home_ids=result.homes, batch=batch)
        FeedBatch.objects.filter(pk=batch.pk).update(content=None)
        job_finish(
            batch, status=JobStatus.SUCCEEDED, stage="Finished", rows_received=parse.rows_read,
            rows_accepted=result.accepted, rows_updated=result.updated,
            rows_unchanged=result.unchanged, rows_unmatched=result.unmatched,
            homes_affected=len(result.homes), progress_done=len(parse.rows),
            warnings=parse.warnings)
    return batch


def _reject(batch: FeedBatch, parse: FeedParse, errors: list[dict]) -> None:
    """Record a rejected batch: nothing is stored, every row counts as rejected."""
    stage = ("Refused: it holds identifiable data" if parse.refused
             else f"Rejected: {parse.problem_count or len(errors)} problem(s); nothing was stored")
    job_finish(batch, status=JobStatus.REJECTED, stage=stage, rows_received=parse.rows_read,
               rows_rejected=parse.rows_read, refused=parse.refused, errors=errors,
               warnings=parse.warnings, content=None)


@transaction.atomic
def match_rule_save(*, match_key: str, care_home: CareHome | None, user, note: str = "") -> int:
    """Remember that ``match_key`` means ``care_home`` (or none of our homes), and apply it to
    every record waiting with that key; their homes are queued for a recompute.

    Returns how many records were resolved.
    """
    access.require(user, access.Action.CHANGE)
    if care_home is not None and not access.can(user, access.Action.VIEW, care_home):
        raise ValidationError("You cannot match records to that home.")
    previous = HomeMatchRule.objects.select_for_update().filter(match_key=match_key).first()
    waiting = Q(match_status=MatchStatus.UNMATCHED)
    if previous:  # a changed decision moves the records the old one placed
        waiting |= (Q(match_status=MatchStatus.MATCHED, care_home=previous.care_home) if previous.care_home
                    else Q(match_status=MatchStatus.OUTSIDE))
    HomeMatchRule.objects.update_or_create(
        match_key=match_key, defaults={"care_home": care_home, "note": note[:500], "created_by": user})
    status = MatchStatus.MATCHED if care_home else MatchStatus.OUTSIDE
    resolved = 0
    for model in MODELS.values():
        resolved += model.objects.filter(waiting, match_key=match_key).update(
            care_home=care_home, match_status=status)
    homes = {home.pk for home in (care_home, previous and previous.care_home) if home}
    if resolved:
        recompute_homes_later(home_ids=homes)
    return resolved
