"""Writes to the care home registry. Views, the API, commands and tasks all come here."""

import gc
import hashlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commissioning.choices import JobStatus, OrganisationKind
from commissioning.jobs import advisory_xact_lock, job_finish, job_log, job_start, job_update
from commissioning.models import Organisation

from .choices import HomeStatus, KeyQuestion
from .importers.cqc import LOCATION_ID, MAX_REPORTED_ERRORS, ParsedHome, ParseResult, parse_directory
from .importers.tables import UnreadableFile, read_table
from .models import CareHome, CqcImport, CqcRating, GpPractice

logger = logging.getLogger(__name__)

# Only one CQC import applies its changes at a time (PostgreSQL advisory lock key).
CQC_IMPORT_LOCK = 0x43514331

HOME_FIELDS = [
    "name", "provider_id", "location_ods_code", "address_line_1", "address_line_2", "town",
    "county", "postcode", "latitude", "longitude", "local_authority_id", "nhs_commissioner_id",
    "registration_type", "beds", "registered_manager", "service_user_bands", "status",
    "registered_on", "deregistered_on", "cqc_overall_rating", "cqc_rating_published_on",
]


def cqc_import_create(*, filename: str, content: bytes, user) -> CqcImport:
    """Record an uploaded CQC directory file and queue its import once this commits."""
    from .tasks import cqc_import_task

    if len(content) > settings.PORTAL_MAX_IMPORT_BYTES:
        raise ValidationError(
            f"The file is larger than {settings.PORTAL_MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    if not content:
        raise ValidationError("The file is empty.")
    cqc_import = cqc_import_record(filename=filename, content=content, user=user)
    transaction.on_commit(lambda: cqc_import_task.delay(cqc_import.pk))
    return cqc_import


def cqc_import_record(*, filename: str, content: bytes, user) -> CqcImport:
    """The record of a file to import (who, when, checksum), not yet run."""
    return CqcImport.objects.create(
        filename=filename[:255], content=content, requested_by=user,
        checksum=hashlib.sha256(content).hexdigest(), stage="Waiting to start",
    )


def served_area_names() -> dict[str, Organisation]:
    """The councils this deployment serves, by the (casefolded) names the CQC file uses."""
    names = {}
    for council in Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY,
                                               is_served=True, is_archived=False):
        names[council.name.casefold()] = council
        if council.cqc_area_name:
            names[council.cqc_area_name.casefold()] = council
    return names


def cqc_import_run(*, cqc_import: CqcImport) -> CqcImport:
    """Validate the whole file, then apply it in one transaction, or change nothing.

    Idempotent: a file already applied leaves every home unchanged.
    """
    job_start(cqc_import, stage="Reading the file")
    previous = (CqcImport.objects.filter(checksum=cqc_import.checksum, status=JobStatus.SUCCEEDED)
                .exclude(pk=cqc_import.pk).first())
    warnings = []
    if previous:
        warnings.append(f"This file was imported before, on "
                        f"{timezone.localtime(previous.requested_on):%d/%m/%Y at %H:%M}; "
                        "homes already up to date are counted as unchanged.")
    areas = served_area_names()
    try:
        table = read_table(cqc_import.filename, bytes(cqc_import.content), LOCATION_ID)
        result = parse_directory(
            table, set(areas),
            progress=lambda done: job_update(cqc_import, progress_done=done,
                                             stage=f"Checking row {done:,}"))
    except UnreadableFile as exc:
        job_finish(cqc_import, status=JobStatus.REJECTED, stage="The file was rejected",
                   errors=[{"row": None, "column": "", "value": "", "message": str(exc)}])
        return cqc_import
    warnings += result.warnings
    counts = {"rows_in_file": result.rows_in_file, "rows_skipped": result.rows_skipped,
              "rows_in_area": len(result.homes), "progress_total": result.rows_in_file,
              "progress_done": result.rows_in_file}
    if result.errors:
        job_finish(cqc_import, status=JobStatus.REJECTED,
                   stage=f"The file was rejected: {_count(len(result.errors), 'problem')} in "
                         f"{_count(len(result.rejected_rows), 'row')}. Nothing was changed.",
                   errors=[p.as_dict() for p in result.errors[:MAX_REPORTED_ERRORS]],
                   rows_rejected=len(result.rejected_rows), warnings=warnings, **counts)
        return cqc_import
    if not areas:
        warnings.append("No council is marked as served, so no home was imported.")
    job_update(cqc_import, stage="Applying changes", **counts)
    outcome = _apply_directory(cqc_import, result, areas, warnings)
    job_finish(cqc_import, status=JobStatus.SUCCEEDED, stage="Finished", warnings=warnings,
               **outcome)
    job_log(cqc_import, f"Imported {len(result.homes):,} homes: {outcome}")
    return cqc_import


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class _Lookups:
    areas: dict[str, Organisation]
    commissioners: dict[str, Organisation]
    providers: dict[str, Organisation]


def _commissioner_lookup() -> dict[str, Organisation]:
    found = {}
    for org in Organisation.objects.filter(kind=OrganisationKind.NHS_COMMISSIONER):
        for key in (org.gss_code, org.ods_code, org.name.casefold()):
            if key:
                found[key] = org
    return found


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector while a bulk write builds its objects.

    A national import holds tens of thousands of model instances and builds very large
    INSERT parameter lists; the collector rescans them over and over, which took about
    45% of a 15,000-home import (see bench/README.md). Reference counting still frees
    everything; only cycles wait until the collector is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_gc_paused()
@transaction.atomic
def _apply_directory(cqc_import, result: ParseResult, areas, warnings) -> dict:
    parsed = result.homes
    advisory_xact_lock(CQC_IMPORT_LOCK)
    user = cqc_import.requested_by
    lookups = _Lookups(areas, _commissioner_lookup(), _providers_upsert(parsed, user))
    existing = {h.cqc_location_id: h for h in CareHome.objects.filter(
        cqc_location_id__in=[p.cqc_location_id for p in parsed])}
    created, changed, unchanged = [], [], 0
    now = timezone.now()
    unmatched_ccgs: set[str] = set()
    for row in parsed:
        home = existing.get(row.cqc_location_id)
        values = _home_values(row, lookups, home, unmatched_ccgs)
        if home is None:
            created.append(CareHome(cqc_location_id=row.cqc_location_id, created_by=user,
                                    modified_by=user, **values))
        elif any(getattr(home, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(home, name, value)
            home.modified_by, home.modified_on = user, now
            changed.append(home)
        else:
            unchanged += 1
    if unmatched_ccgs:
        warnings.append("No NHS commissioner in the portal matches these CCG or sub-ICB codes, "
                        f"so their homes keep their commissioner: {', '.join(sorted(unmatched_ccgs))}.")
    bulk_create_with_history(created, CareHome, batch_size=1000, default_user=user,
                             default_change_reason=f"CQC import {cqc_import.pk}")
    bulk_update_with_history(changed, CareHome, fields=[*HOME_FIELDS, "modified_by", "modified_on"],
                             batch_size=1000, default_user=user, default_date=now,
                             default_change_reason=f"CQC import {cqc_import.pk}")
    ratings = _ratings_record(cqc_import, parsed)
    deregistered = _deregister_missing(cqc_import, result.location_ids, areas)
    _warn_moved_out(result, areas, warnings)
    return {"rows_created": len(created), "rows_updated": len(changed),
            "rows_unchanged": unchanged, "homes_deregistered": deregistered,
            "ratings_recorded": ratings}


def _providers_upsert(parsed: list[ParsedHome], user) -> dict[str, Organisation]:
    """Create new providers and rename changed ones; return all by CQC provider ID."""
    wanted = {p.provider_id: p for p in parsed}
    providers = {o.cqc_provider_id: o for o in Organisation.objects.filter(
        kind=OrganisationKind.CARE_PROVIDER, cqc_provider_id__in=list(wanted))}
    new, renamed = [], []
    for provider_id, row in wanted.items():
        org = providers.get(provider_id)
        if org is None:
            new.append(Organisation(kind=OrganisationKind.CARE_PROVIDER, name=row.provider_name,
                                    cqc_provider_id=provider_id, brand_name=row.brand_name,
                                    created_by=user, modified_by=user))
        elif (org.name, org.brand_name) != (row.provider_name, row.brand_name):
            org.name, org.brand_name, org.modified_by = row.provider_name, row.brand_name, user
            renamed.append(org)
    bulk_create_with_history(new, Organisation, batch_size=1000, default_user=user)
    bulk_update_with_history(renamed, Organisation, fields=["name", "brand_name", "modified_by"],
                             batch_size=1000, default_user=user)
    providers.update({o.cqc_provider_id: o for o in Organisation.objects.filter(
        kind=OrganisationKind.CARE_PROVIDER, cqc_provider_id__in=[o.cqc_provider_id for o in new])})
    return providers


def _home_values(row: ParsedHome, lookups: _Lookups, home, unmatched: set[str]) -> dict:
    commissioner = (lookups.commissioners.get(row.ccg_code)
                    or lookups.commissioners.get(row.ccg_name.casefold()))
    if commissioner is None and (row.ccg_code or row.ccg_name):
        unmatched.add(row.ccg_code or row.ccg_name)
    overall = row.ratings.get(KeyQuestion.OVERALL)
    values = {
        "name": row.name, "provider_id": lookups.providers[row.provider_id].pk,
        "location_ods_code": row.location_ods_code, "address_line_1": row.address_line_1,
        "address_line_2": row.address_line_2, "town": row.town, "county": row.county,
        "postcode": row.postcode, "latitude": row.latitude, "longitude": row.longitude,
        "local_authority_id": lookups.areas[row.local_authority_name.casefold()].pk,
        "nhs_commissioner_id": commissioner.pk if commissioner else (
            home.nhs_commissioner_id if home else None),
        "registration_type": row.registration_type, "beds": row.beds,
        "registered_manager": row.registered_manager,
        "service_user_bands": row.service_user_bands, "status": row.status,
        "registered_on": row.registered_on, "deregistered_on": None,
        "cqc_overall_rating": home.cqc_overall_rating if home else "",
        "cqc_rating_published_on": home.cqc_rating_published_on if home else None,
    }
    if overall and (values["cqc_rating_published_on"] is None
                    or overall[1] >= values["cqc_rating_published_on"]):
        values["cqc_overall_rating"], values["cqc_rating_published_on"] = overall
    return values


def _ratings_record(cqc_import, parsed: list[ParsedHome]) -> int:
    """Add each rating publication not already held; history is never overwritten."""
    home_ids = dict(CareHome.objects.filter(
        cqc_location_id__in=[p.cqc_location_id for p in parsed if p.ratings]
    ).values_list("cqc_location_id", "pk"))
    held = set(CqcRating.objects.filter(care_home_id__in=home_ids.values())
               .values_list("care_home_id", "key_question", "published_on"))
    new = []
    for row in parsed:
        for key_question, (rating, published_on) in row.ratings.items():
            key = (home_ids[row.cqc_location_id], key_question, published_on)
            if key not in held:
                held.add(key)
                new.append(CqcRating(care_home_id=key[0], key_question=key_question,
                                     rating=rating, published_on=published_on,
                                     source_import=cqc_import))
    CqcRating.objects.bulk_create(new, batch_size=2000)
    return len(new)


def _warn_moved_out(result: ParseResult, areas, warnings: list[str]) -> None:
    """Homes still on the register but now outside the served area are left as they were."""
    in_scope = {p.cqc_location_id for p in result.homes}
    moved = (CareHome.objects.filter(local_authority__in=[a.pk for a in areas.values()])
             .exclude(status=HomeStatus.DEREGISTERED)
             .filter(cqc_location_id__in=result.location_ids - in_scope))
    names = list(moved.values_list("name", "cqc_location_id")[:20])
    if names:
        warnings.append(
            "These homes are still on the CQC register but are now listed for a council this "
            "portal does not serve, or not as care homes; they were left as they were: "
            + ", ".join(f"{name} ({location})" for name, location in names) + ".")


def _deregister_missing(cqc_import, in_file: set[str], areas) -> int:
    """Homes of the served councils that are no longer on the register are kept, marked."""
    gone = list(CareHome.objects.filter(local_authority__in=[a.pk for a in areas.values()])
                .exclude(status=HomeStatus.DEREGISTERED)
                .exclude(cqc_location_id__in=in_file))
    today, now = timezone.localdate(), timezone.now()
    for home in gone:
        home.status, home.deregistered_on = HomeStatus.DEREGISTERED, today
        home.modified_by, home.modified_on = cqc_import.requested_by, now
    bulk_update_with_history(gone, CareHome, fields=["status", "deregistered_on", "modified_by",
                                                     "modified_on"],
                             default_user=cqc_import.requested_by,
                             default_change_reason=f"Not in CQC import {cqc_import.pk}")
    return len(gone)


@transaction.atomic
def carehome_update(*, care_home: CareHome, user, gp_practice: GpPractice | None) -> CareHome:
    """Record what the commissioners hold that CQC does not: the aligned GP practice."""
    care_home.gp_practice = gp_practice
    care_home.modified_by = user
    care_home.full_clean()
    care_home._history_user = user
    care_home.save(update_fields=["gp_practice", "modified_by", "modified_on"])
    return care_home
