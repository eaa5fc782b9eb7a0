"""Writes for planning and carrying out a visit, up to the draft report (docs/visits.md).

Every function takes the acting ``user``, checks them through ``commissioning.access``
(``Action.VISIT`` on the visit's home), checks the visit's status, and writes a dated event.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from carehomes.models import CareHome
from commissioning import access
from commissioning.choices import OrganisationKind
from commissioning.models import Organisation

from ..choices import VISIT_OPEN_STATUSES, PersonSpokenToRole, VisitEventKind, VisitKind, VisitStatus
from ..models import (
    Answer,
    Observation,
    PersonSpokenTo,
    Question,
    Standard,
    Visit,
    VisitOfficer,
    VisitStandardRating,
)
from .events import event_record, require_can
from .framework import framework_current
from .no_names import refuse_name_fields
from .planning import lead_organisation_for
from .rating import Assessment
from .scoring import ratings_store

A = access.Action
OFFICER_ORG_KINDS = (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.NHS_COMMISSIONER)
# While these hold, officers may still change scores, evidence, findings and the summary.
FIELDWORK_STATUSES = (VisitStatus.IN_PROGRESS, VisitStatus.DRAFT_REPORT)


def visit_lock(visit: Visit) -> Visit:
    """The visit's row, locked for the rest of the transaction and read afresh."""
    return Visit.objects.select_for_update(of=("self",)).select_related(
        "care_home", "framework_version").get(pk=visit.pk)


def status_or_error(visit: Visit, allowed: Iterable[str], doing: str) -> None:
    """Refuse, in words, to ``doing`` unless the visit's status is one of ``allowed``."""
    allowed = tuple(allowed)
    if visit.status not in allowed:
        raise ValidationError(
            f"You cannot {doing} while the visit is {visit.get_status_display().lower()} "
            f"(only when {' or '.join(VisitStatus(s).label.lower() for s in allowed)}).")


def _require_visit(user, visit_or_home) -> None:
    require_can(user, A.VISIT, visit_or_home, "Only quality officers and commissioners of the "
                "home's council or NHS commissioner can do this.")


def standard_applies(visit: Visit, standard_id: int) -> bool:
    """Whether a standard is one of the visit's: its framework version, a module for the home."""
    return Standard.objects.filter(
        pk=standard_id, version=visit.framework_version_id,
        module__in=visit.framework_version.modules_for(visit.care_home.registration_type)).exists()


def officer_organisation(officer, care_home: CareHome) -> Organisation:
    """The council or NHS commissioner an officer visits this home for: one of their
    memberships that carries out visits (``Action.VISIT``) and reaches the home."""
    for membership in access.memberships(officer):
        if (A.VISIT in access.ROLE_ACTIONS.get(membership.role, ())
                and membership.organisation.kind in OFFICER_ORG_KINDS
                and CareHome.objects.filter(access.membership_homes_q(membership), pk=care_home.pk).exists()):
            return membership.organisation
    raise ValidationError({"officer": f"{officer} is not a quality officer or commissioner of the "
                                      f"council or NHS commissioner for {care_home.name}."})


@transaction.atomic
def visit_schedule(*, care_home: CareHome, user, planned_on: dt.date, kind: str = VisitKind.ANNOUNCED,
                   planned_days: int = 1, lead_organisation: str = "", officers: Iterable = (),
                   lead_officer=None, notes: str = "") -> Visit:
    """Plan a visit with the published framework version (kept for good), the lead organisation
    by registration type unless given, and its officers (``lead_officer`` leads)."""
    _require_visit(user, care_home)
    care_home = CareHome.objects.select_for_update().get(pk=care_home.pk)  # one visit under way
    under_way = Visit.objects.filter(care_home=care_home, status__in=VISIT_OPEN_STATUSES).first()
    if under_way:
        raise ValidationError(f"{care_home.name} already has a visit under way "
                              f"({under_way.get_status_display().lower()}, planned for "
                              f"{under_way.planned_on:%d/%m/%Y}).")
    if planned_on < timezone.localdate():
        raise ValidationError({"planned_on": "A visit cannot be planned for a day that has passed."})
    visit = Visit(care_home=care_home, framework_version=framework_current(),
                  lead_organisation=lead_organisation or lead_organisation_for(care_home), kind=kind,
                  planned_on=planned_on, planned_days=planned_days, notes=notes.strip(),
                  created_by=user, modified_by=user)
    visit.full_clean()
    visit.save()
    event_record(visit=visit, kind=VisitEventKind.SCHEDULED, user=user,
                 summary=f"{visit.get_kind_display()} visit planned for {planned_on:%d/%m/%Y}, led by "
                         f"{visit.get_lead_organisation_display().lower()}.",
                 planned_on=planned_on.isoformat(), visit_kind=kind, lead=visit.lead_organisation,
                 framework_version=visit.framework_version.number)
    for officer in {*officers, *([lead_officer] if lead_officer else [])}:
        visit_officer_assign(visit=visit, user=user, officer=officer, is_lead=officer == lead_officer)
    return visit


@transaction.atomic
def visit_reschedule(*, visit: Visit, user, planned_on: dt.date, reason: str,
                     planned_days: int | None = None, kind: str | None = None) -> Visit:
    """Move a planned visit (or change its length or whether it is announced), with a reason."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.PLANNED], "reschedule the visit")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the visit is being moved"})
    if planned_on < timezone.localdate():
        raise ValidationError({"planned_on": "A visit cannot be planned for a day that has passed."})
    before = visit.planned_on
    visit.planned_on = planned_on
    visit.planned_days = planned_days or visit.planned_days
    visit.kind = kind or visit.kind
    visit.modified_by = user
    visit.full_clean()
    visit.save()
    event_record(visit=visit, kind=VisitEventKind.RESCHEDULED, user=user,
                 summary=f"Moved from {before:%d/%m/%Y} to {planned_on:%d/%m/%Y}: {reason.strip()}",
                 before=before.isoformat(), after=planned_on.isoformat(), reason=reason.strip())
    return visit


@transaction.atomic
def visit_officer_assign(*, visit: Visit, user, officer, is_lead: bool = False) -> VisitOfficer:
    """Put an officer from the council or the NHS on the visit (``is_lead``: they lead it)."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.PLANNED, VisitStatus.IN_PROGRESS], "change the officers")
    organisation = officer_organisation(officer, visit.care_home)
    if is_lead:
        VisitOfficer.objects.filter(visit=visit, is_lead=True).exclude(user=officer).update(is_lead=False)
    assignment, created = VisitOfficer.objects.update_or_create(
        visit=visit, user=officer,
        defaults={"organisation": organisation, "is_lead": is_lead, "assigned_by": user},
        create_defaults={"organisation": organisation, "is_lead": is_lead, "assigned_by": user,
                         "assigned_on": timezone.now()})
    event_record(visit=visit, kind=VisitEventKind.OFFICER_ASSIGNED, user=user,
                 summary=f"{officer} ({organisation}){' leads the visit' if is_lead else ' assigned'}.",
                 officer=officer.pk, organisation=organisation.pk, is_lead=is_lead)
    return assignment


@transaction.atomic
def visit_officer_remove(*, visit: Visit, user, officer) -> None:
    """Take an officer off a visit that has not yet reached its draft report."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.PLANNED, VisitStatus.IN_PROGRESS], "change the officers")
    deleted, _ = VisitOfficer.objects.filter(visit=visit, user=officer).delete()
    if deleted:
        event_record(visit=visit, kind=VisitEventKind.OFFICER_REMOVED, user=user,
                     summary=f"{officer} taken off the visit.", officer=officer.pk)


@transaction.atomic
def visit_start(*, visit: Visit, user, started_on: dt.date | None = None) -> Visit:
    """The officers arrive: the visit is in progress from ``started_on`` (today by default)."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.PLANNED], "start the visit")
    if not visit.visit_officers.exists():
        raise ValidationError("Assign at least one officer before starting the visit.")
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "A visit cannot start on a day still to come."})
    visit.status, visit.started_on, visit.modified_by = VisitStatus.IN_PROGRESS, started_on, user
    visit.full_clean()
    visit.save()
    event_record(visit=visit, kind=VisitEventKind.STARTED, user=user,
                 summary=f"Visit started on {started_on:%d/%m/%Y}.", started_on=started_on.isoformat())
    return visit


@transaction.atomic
def answer_save(*, visit: Visit, question: Question, user, score: int | None,
                evidence: str = "") -> Answer:
    """Save one question's score (1–4, or None for not assessed) and evidence: the tablet form
    calls this as the officer goes. Sending the same values again changes nothing."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, FIELDWORK_STATUSES, "change scores")
    if not standard_applies(visit, question.standard_id):
        raise ValidationError({"question": "This question is not part of this visit's framework."})
    answer = Answer.objects.select_for_update().filter(visit=visit, question=question).first()
    evidence = evidence.strip()
    if answer and answer.score == score and answer.evidence == evidence:
        return answer
    answer = answer or Answer(visit=visit, question=question)
    answer.score, answer.evidence = score, evidence
    answer.saved_on, answer.saved_by = timezone.now(), user
    answer.full_clean(exclude=["visit", "question", "saved_by"], validate_constraints=False)
    answer.save()
    event_record(visit=visit, kind=VisitEventKind.ANSWER_SAVED, user=user,
                 summary=f"Question {question.code}: {answer.get_score_display() or 'not assessed'}.",
                 question=question.code, score=score)
    return answer


@transaction.atomic
def observation_add(*, visit: Visit, user, text: str, standard: Standard | None = None,
                    observed_on: dt.date | None = None) -> Observation:
    """Record something the officers saw, optionally against a standard."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, FIELDWORK_STATUSES, "record observations")
    if standard and standard.version_id != visit.framework_version_id:
        raise ValidationError({"standard": "This standard is not part of this visit's framework."})
    observation = Observation(visit=visit, standard=standard, text=text.strip(),
                              observed_on=observed_on or timezone.localdate(),
                              created_by=user, modified_by=user)
    observation.full_clean()
    observation.save()
    event_record(visit=visit, kind=VisitEventKind.OBSERVATION_ADDED, user=user,
                 summary="Observation recorded" + (f" for standard {standard.code}." if standard else "."),
                 observation=observation.pk)
    return observation


@transaction.atomic
def person_spoken_to_add(*, visit: Visit, user, role: str, count: int = 1,
                         description: str = "") -> PersonSpokenTo:
    """Record people spoken to by role and number. A description that looks like a person's
    name is refused (``no_names``)."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, FIELDWORK_STATUSES, "record people spoken to")
    person = PersonSpokenTo(visit=visit, role=role, count=count, description=description.strip(),
                            created_by=user, modified_by=user)
    person.full_clean()
    person.save()
    event_record(visit=visit, kind=VisitEventKind.PERSON_SPOKEN_TO_ADDED, user=user,
                 summary=f"Spoke to {count} × {person.get_role_display().lower()}.",
                 role=role, count=count)
    return person


def person_spoken_to_add_from_data(*, visit: Visit, user, data: Mapping) -> PersonSpokenTo:
    """For forms and the API: refuses a payload with a name field (``name``, ``surname`` …)
    or any field but role, count and description, then records it."""
    refuse_name_fields(data)
    if unknown := set(data) - {"role", "count", "description"}:
        raise ValidationError({key: "Unknown field." for key in sorted(unknown)})
    role = data.get("role", "")
    if role not in PersonSpokenToRole.values:
        raise ValidationError({"role": f"Choose one of {', '.join(PersonSpokenToRole.values)}."})
    try:
        count = int(data.get("count", 1))
    except (TypeError, ValueError):
        raise ValidationError({"count": "Give a whole number."}) from None
    return person_spoken_to_add(visit=visit, user=user, role=role, count=count,
                                description=str(data.get("description", "")))


@transaction.atomic
def visit_record_remove(*, record: Observation | PersonSpokenTo, user) -> None:
    """Remove an observation or people-spoken-to entry before the report is shared."""
    _require_visit(user, record.visit)
    visit = visit_lock(record.visit)
    status_or_error(visit, FIELDWORK_STATUSES, "remove records")
    event_record(visit=visit, kind=VisitEventKind.RECORD_REMOVED, user=user,
                 summary=f"Removed {record._meta.verbose_name}: {record}.")
    record.delete()


@transaction.atomic
def findings_save(*, visit: Visit, standard: Standard, user, findings: str) -> VisitStandardRating:
    """The report's findings for one standard, written before the report is shared."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, FIELDWORK_STATUSES, "change findings")
    if not standard_applies(visit, standard.pk):
        raise ValidationError({"standard": "This standard is not part of this visit."})
    row, _ = VisitStandardRating.objects.get_or_create(visit=visit, standard=standard)
    row.findings = findings.strip()
    row.full_clean(exclude=["visit", "standard", "amended_by"])
    row.save()
    event_record(visit=visit, kind=VisitEventKind.FINDINGS_SAVED, user=user,
                 summary=f"Findings saved for standard {standard.code}.", standard=standard.code)
    return row


@transaction.atomic
def visit_summary_save(*, visit: Visit, user, summary: str) -> Visit:
    """The report's summary of findings, written before the report is shared."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, FIELDWORK_STATUSES, "change the summary")
    visit.summary, visit.modified_by = summary.strip(), user
    visit.save(update_fields=["summary", "modified_by", "modified_on"])
    event_record(visit=visit, kind=VisitEventKind.FINDINGS_SAVED, user=user, summary="Summary saved.")
    return visit


@transaction.atomic
def visit_ratings_compute(*, visit: Visit, user) -> Assessment:
    """Work out and store the indicative ratings from the scores so far (the form shows them)."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, FIELDWORK_STATUSES, "work out ratings")
    assessment = ratings_store(visit)
    event_record(visit=visit, kind=VisitEventKind.RATINGS_COMPUTED, user=user,
                 summary=f"Indicative rating: {visit.get_indicative_rating_display() or 'not rated'}.",
                 rating=visit.indicative_rating)
    return assessment


@transaction.atomic
def visit_draft_report(*, visit: Visit, user, duration_hours: Decimal | float | str,
                       summary: str | None = None) -> Visit:
    """Finish the fieldwork: record how long the visit took, work out the indicative ratings and
    make the draft report (at least one standard must be rated)."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.IN_PROGRESS], "complete the draft report")
    if summary is not None:
        visit.summary = summary.strip()
    visit.duration_hours = Decimal(str(duration_hours))
    assessment = ratings_store(visit)
    if assessment.overall.rating is None:
        raise ValidationError("Score at least one question of the core standards before drafting the report.")
    visit.status, visit.report_drafted_on, visit.modified_by = VisitStatus.DRAFT_REPORT, timezone.now(), user
    visit.full_clean()
    visit.save()
    event_record(visit=visit, kind=VisitEventKind.REPORT_DRAFTED, user=user,
                 summary=f"Draft report: indicative rating {visit.get_indicative_rating_display()}; "
                         f"{visit.duration_hours} hours at the home.",
                 rating=visit.indicative_rating, duration_hours=str(visit.duration_hours))
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, user, reason: str) -> Visit:
    """Cancel a visit before its report is shared, with a reason (kept, not deleted)."""
    _require_visit(user, visit)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.PLANNED, *FIELDWORK_STATUSES], "cancel the visit")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the visit is cancelled"})
    visit.status, visit.cancelled_reason = VisitStatus.CANCELLED, reason.strip()[:500]
    visit.modified_by = user
    visit.full_clean()
    visit.save()
    event_record(visit=visit, kind=VisitEventKind.CANCELLED, user=user,
                 summary=f"Cancelled: {reason.strip()}",
                 reason=reason.strip())
    return visit
