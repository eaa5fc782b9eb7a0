"""Writes for the report: share the draft, the provider's 14-day factual-accuracy window, the
officers' responses, senior review of disputes, and publication (docs/visits.md).

Officers act with ``Action.VISIT``; the provider's staff with ``Action.RESPOND_TO_REPORT``
(and ``access`` shows them a report only once shared); senior officers with
``Action.SENIOR_REVIEW``. Dates are UK dates.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import access

from ..choices import (
    SHORTFALL_RATINGS,
    CommentOutcome,
    CommentSection,
    Rating,
    SeniorReviewDecision,
    StandardModule,
    VisitEventKind,
    VisitStatus,
)
from ..models import (
    CommentEvidence,
    CommentResponse,
    CommentWindowReopen,
    FactualAccuracyComment,
    SeniorReview,
    Standard,
    Visit,
    VisitOfficer,
    VisitStandardRating,
)
from .action_plans import action_plan_require
from .conduct import standard_applies, status_or_error, visit_lock
from .events import event_record, home_rerate_later, require_can
from .scoring import ratings_store
from .timing import comments_close_on

A = access.Action
PROVIDER_ONLY = "Only the home's provider can do this, once the draft report is shared with them."
OFFICERS_ONLY = ("Only quality officers and commissioners of the home's council or NHS commissioner "
                 "can do this.")


def comment_window_is_open(visit: Visit, today: dt.date | None = None) -> bool:
    """Whether the provider may comment today: the draft is shared and today (UK date) is on
    or before ``comments_close_on`` (the shared date + 14 days, or a later date on reopening)."""
    today = today or timezone.localdate()
    return (visit.status == VisitStatus.SHARED and visit.comments_close_on is not None
            and today <= visit.comments_close_on)


def _window_or_error(visit: Visit) -> None:
    status_or_error(visit, [VisitStatus.SHARED], "comment on the report")
    if not comment_window_is_open(visit):
        raise ValidationError(
            f"The time for comments ended on {visit.comments_close_on:%-d %B %Y}. Ask the visiting "
            "officer to reopen it if you need to comment.")


@transaction.atomic
def report_share(*, visit: Visit, user) -> Visit:
    """Share the draft report with the provider: its indicative ratings, and 14 days (UK
    dates, today counted as day 0) for factual-accuracy comments."""
    require_can(user, A.VISIT, visit, OFFICERS_ONLY)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.DRAFT_REPORT], "share the report")
    ratings_store(visit)
    now = timezone.now()
    visit.shared_at, visit.shared_on = now, timezone.localdate(now)
    visit.comments_close_on = comments_close_on(visit.shared_on)
    visit.status, visit.modified_by = VisitStatus.SHARED, user
    visit.full_clean()
    visit.save()
    event_record(visit=visit, kind=VisitEventKind.SHARED, user=user,
                 summary="Draft shared with the provider; comments close on "
                         f"{visit.comments_close_on:%d/%m/%Y}.",
                 shared_on=visit.shared_on.isoformat(), comments_close_on=visit.comments_close_on.isoformat())
    return visit


@transaction.atomic
def comment_add(*, visit: Visit, user, text: str, standard: Standard | None = None,
                section: str = "", files: Iterable = ()) -> FactualAccuracyComment:
    """The provider's factual-accuracy comment on a standard (or a section of the report), with
    any evidence files. Refused after the window closes unless an officer reopens it."""
    require_can(user, A.RESPOND_TO_REPORT, visit, PROVIDER_ONLY)
    visit = visit_lock(visit)
    _window_or_error(visit)
    section = CommentSection.STANDARD if standard else (section or CommentSection.OTHER)
    if standard and not standard_applies(visit, standard.pk):
        raise ValidationError({"standard": "This standard is not part of this visit."})
    comment = FactualAccuracyComment(visit=visit, section=section, standard=standard, text=text.strip(),
                                     made_by=user, made_on=timezone.now())
    comment.full_clean()
    comment.save()
    if visit.provider_accepted_on:  # commenting again withdraws "no further comments"
        visit.provider_accepted_on = None
        visit.save(update_fields=["provider_accepted_on", "modified_on"])
    event_record(visit=visit, kind=VisitEventKind.COMMENT_ADDED, user=user,
                 summary=f"Comment on {standard or comment.get_section_display().lower()}.",
                 comment=comment.pk)
    for file in files:
        _evidence_save(comment, user, file)
    return comment


def _evidence_save(comment: FactualAccuracyComment, user, file) -> CommentEvidence:
    evidence = CommentEvidence(comment=comment, file=file, uploaded_by=user,
                               original_name=getattr(file, "name", "evidence")[:255])
    evidence.full_clean(exclude=["uploaded_by"])
    evidence.save()
    event_record(visit=comment.visit, kind=VisitEventKind.EVIDENCE_ADDED, user=user,
                 summary=f"Evidence attached: {evidence.original_name}.", comment=comment.pk)
    return evidence


@transaction.atomic
def comment_evidence_add(*, comment: FactualAccuracyComment, user, file) -> CommentEvidence:
    """Attach another evidence file to a comment while the window is open."""
    require_can(user, A.RESPOND_TO_REPORT, comment.visit, PROVIDER_ONLY)
    _window_or_error(visit_lock(comment.visit))
    return _evidence_save(comment, user, file)


def _amend(visit: Visit, standard: Standard, user, *, rating: str | None, findings: str | None,
           reason: str) -> dict:
    """Change a standard's rating and/or findings after sharing; returns before and after."""
    row = VisitStandardRating.objects.select_for_update().get(visit=visit, standard=standard)
    before = {"rating": row.rating, "findings": row.findings}
    if rating is not None:
        if rating not in Rating.values:
            raise ValidationError({"rating": f"Choose one of {', '.join(Rating.values)}."})
        row.rating, row.is_amended = rating, True
    if findings is not None:
        row.findings = findings.strip()
    row.amendment_reason = reason.strip() or row.amendment_reason
    row.amended_by, row.amended_on = user, timezone.now()
    row.full_clean(exclude=["visit", "standard", "amended_by"])
    row.save()
    after = {"rating": row.rating, "findings": row.findings}
    event_record(visit=visit, kind=VisitEventKind.RATING_AMENDED, user=user,
                 summary=f"Standard {standard.code} amended: {reason.strip()}"[:500],
                 standard=standard.code, before=before, after=after)
    return {"standard": standard.code, "before": before, "after": after}


@transaction.atomic
def comment_respond(*, comment: FactualAccuracyComment, user, outcome: str, reason: str,
                    rating: str | None = None, findings: str | None = None,
                    summary: str | None = None) -> CommentResponse:
    """The officer's response to a comment: accepted, amended (give the new ``rating`` and/or
    ``findings`` of the comment's standard, or the report's new ``summary``) or not accepted,
    always with a reason. Each comment gets one response."""
    require_can(user, A.VISIT, comment.visit, OFFICERS_ONLY)
    visit = visit_lock(comment.visit)
    status_or_error(visit, [VisitStatus.SHARED], "respond to comments")
    comment = FactualAccuracyComment.objects.select_for_update().get(pk=comment.pk)
    if CommentResponse.objects.filter(comment=comment).exists():
        raise ValidationError("This comment already has a response.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for your response"})
    changes = (rating, findings) if comment.standard_id else (None, None)
    if outcome == CommentOutcome.AMENDED and changes == (None, None) and summary is None:
        raise ValidationError("Say what was amended: the standard's rating or findings, or the summary.")
    if outcome == CommentOutcome.NOT_ACCEPTED and (rating, findings, summary) != (None, None, None):
        raise ValidationError("A comment that is not accepted leaves the report as it is.")
    response = CommentResponse(comment=comment, outcome=outcome, reason=reason.strip(),
                               responded_by=user, responded_on=timezone.now())
    response.full_clean(exclude=["comment", "responded_by"])
    response.save()
    if changes != (None, None):
        _amend(visit, comment.standard, user, rating=rating, findings=findings,
               reason=f"Factual-accuracy comment: {reason}")
        ratings_store(visit)
    if summary is not None:
        visit.summary, visit.modified_by = summary.strip(), user
        visit.save(update_fields=["summary", "modified_by", "modified_on"])
    event_record(visit=visit, kind=VisitEventKind.COMMENT_RESPONDED, user=user,
                 summary=f"Comment {response.get_outcome_display().lower()}: {reason.strip()}"[:500],
                 comment=comment.pk, outcome=outcome)
    return response


@transaction.atomic
def comment_dispute(*, comment: FactualAccuracyComment, user, reason: str) -> FactualAccuracyComment:
    """The provider disputes the officer's response (not accepted, or amended less than asked):
    an unresolved dispute must go to a senior officer's review before publication."""
    require_can(user, A.RESPOND_TO_REPORT, comment.visit, PROVIDER_ONLY)
    visit = visit_lock(comment.visit)
    status_or_error(visit, [VisitStatus.SHARED], "dispute a response")
    comment = FactualAccuracyComment.objects.select_for_update().get(pk=comment.pk)
    response = CommentResponse.objects.filter(comment=comment).first()
    if response is None or response.outcome == CommentOutcome.ACCEPTED:
        raise ValidationError("Only a response that did not accept the comment in full can be disputed.")
    if comment.disputed_on:
        raise ValidationError("This response is already disputed.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you dispute the response"})
    comment.disputed_on, comment.dispute_reason = timezone.now(), reason.strip()
    comment.full_clean(exclude=["visit", "standard", "made_by", "resolved_by_review"])
    comment.save()
    event_record(visit=visit, kind=VisitEventKind.COMMENT_DISPUTED, user=user,
                 summary=f"Response disputed: {reason.strip()}"[:500], comment=comment.pk)
    return comment


@transaction.atomic
def report_provider_accept(*, visit: Visit, user) -> Visit:
    """The provider says it has no (further) comments, so the report may be published before
    the 14 days are up."""
    require_can(user, A.RESPOND_TO_REPORT, visit, PROVIDER_ONLY)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.SHARED], "confirm you have no further comments")
    visit.provider_accepted_on = timezone.now()
    visit.save(update_fields=["provider_accepted_on", "modified_on"])
    event_record(visit=visit, kind=VisitEventKind.PROVIDER_ACCEPTED, user=user,
                 summary="The provider has no further comments.")
    return visit


@transaction.atomic
def comment_window_reopen(*, visit: Visit, user, close_on: dt.date, reason: str) -> CommentWindowReopen:
    """Give the provider until ``close_on`` (a UK date, today or later, after the current last
    day) to comment, with a reason: how a late comment is let in."""
    require_can(user, A.VISIT, visit, OFFICERS_ONLY)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.SHARED], "reopen comments")
    if not reason.strip():
        raise ValidationError({"reason": "Say why comments are reopened"})
    if close_on < timezone.localdate() or close_on <= visit.comments_close_on:
        raise ValidationError({"close_on": f"Choose a day from today that is after "
                                           f"{visit.comments_close_on:%-d %B %Y}."})
    reopen = CommentWindowReopen(visit=visit, reopened_by=user, previous_close_on=visit.comments_close_on,
                                 new_close_on=close_on, reason=reason.strip())
    reopen.full_clean(exclude=["reopened_by"])
    reopen.save()
    visit.comments_close_on, visit.provider_accepted_on, visit.modified_by = close_on, None, user
    visit.save(update_fields=["comments_close_on", "provider_accepted_on", "modified_by", "modified_on"])
    event_record(visit=visit, kind=VisitEventKind.WINDOW_REOPENED, user=user,
                 summary=f"Comments reopened until {close_on:%d/%m/%Y}: {reason.strip()}"[:500],
                 previous=reopen.previous_close_on.isoformat(), close_on=close_on.isoformat())
    return reopen


def unresolved_disputes(visit: Visit):
    return visit.comments.filter(disputed_on__isnull=False, resolved_by_review__isnull=True)


@transaction.atomic
def report_escalate(*, visit: Visit, user, reason: str) -> SeniorReview:
    """Send a report with an unresolved dispute to a senior officer's review."""
    require_can(user, A.VISIT, visit, OFFICERS_ONLY)
    visit = visit_lock(visit)
    status_or_error(visit, [VisitStatus.SHARED], "send the report for senior review")
    if not unresolved_disputes(visit).exists():
        raise ValidationError("There is no unresolved dispute to review.")
    if not reason.strip():
        raise ValidationError({"reason": "Say what the senior officer should review"})
    review = SeniorReview(visit=visit, requested_by=user, reason=reason.strip())
    review.full_clean(exclude=["requested_by", "reviewer"])
    review.save()
    visit.status, visit.modified_by = VisitStatus.SENIOR_REVIEW, user
    visit.save(update_fields=["status", "modified_by", "modified_on"])
    event_record(visit=visit, kind=VisitEventKind.ESCALATED, user=user,
                 summary=f"Sent for senior review: {reason.strip()}"[:500], review=review.pk)
    return review


@transaction.atomic
def senior_review_complete(*, review: SeniorReview, user, decision: str, notes: str,
                           amendments: Iterable[Mapping] = ()) -> SeniorReview:
    """A senior officer (not one of the visit's officers) checks the evidence against the
    standards and upholds the report or amends it. ``amendments``: each
    ``{"standard": Standard, "rating": str | None, "findings": str | None}``. The disputes
    are then resolved and the report can be published."""
    require_can(user, A.SENIOR_REVIEW, review.visit, "Only a senior quality officer can review a report.")
    visit = visit_lock(review.visit)
    status_or_error(visit, [VisitStatus.SENIOR_REVIEW], "complete a senior review")
    review = SeniorReview.objects.select_for_update().get(pk=review.pk)
    if review.completed_on:
        raise ValidationError("This review is already complete.")
    if VisitOfficer.objects.filter(visit=visit, user=user).exists():
        raise ValidationError("A senior review must be made by someone who was not on the visit.")
    amendments = list(amendments)
    if decision == SeniorReviewDecision.AMENDED and not amendments:
        raise ValidationError("Give the amendments, or uphold the report.")
    if decision == SeniorReviewDecision.UPHELD and amendments:
        raise ValidationError("A report that is upheld is not amended.")
    if not notes.strip():
        raise ValidationError({"notes": "Record the reasons for the decision"})
    applied = []
    for amendment in amendments:
        standard = amendment["standard"]
        if not standard_applies(visit, standard.pk):
            raise ValidationError({"amendments": f"Standard {standard.code} is not part of this visit."})
        applied.append(_amend(visit, standard, user, rating=amendment.get("rating"),
                              findings=amendment.get("findings"), reason=f"Senior review: {notes}"))
    ratings_store(visit)
    review.reviewer, review.decision, review.notes = user, decision, notes.strip()
    review.amendments, review.completed_on = applied, timezone.now()
    review.full_clean(exclude=["visit", "requested_by", "reviewer"])
    review.save()
    unresolved_disputes(visit).update(resolved_by_review=review)
    visit.status, visit.modified_by = VisitStatus.SHARED, user
    visit.save(update_fields=["status", "modified_by", "modified_on"])
    event_record(visit=visit, kind=VisitEventKind.REVIEW_COMPLETED, user=user,
                 summary=f"Senior review: {review.get_decision_display().lower()}.", review=review.pk,
                 decision=decision)
    return review


def publication_problems(visit: Visit, today: dt.date | None = None) -> list[str]:
    """What stops the report being published, in words (empty when it can be)."""
    today = today or timezone.localdate()
    if visit.status != VisitStatus.SHARED:
        return [f"The report is {visit.get_status_display().lower()}; only a shared report can be published."]
    problems = []
    if today <= visit.comments_close_on and not visit.provider_accepted_on:
        problems.append(f"The provider may comment until {visit.comments_close_on:%-d %B %Y} "
                        "and has not said it has no further comments.")
    if visit.comments.filter(response__isnull=True).exists():
        problems.append("Every comment needs a response.")
    if unresolved_disputes(visit).exists():
        problems.append("A disputed response must go to a senior officer's review first.")
    return problems


def plan_reasons(visit: Visit) -> list[str]:
    """Why the published ratings call for an action plan (empty: no plan needed)."""
    reasons = []
    if visit.published_rating in SHORTFALL_RATINGS:
        reasons.append(f"Overall: {Rating(visit.published_rating).label}")
    for module, result in (visit.published_detail.get("modules") or {}).items():
        if result.get("rating") in SHORTFALL_RATINGS:
            reasons.append(f"{StandardModule(module).label}: {Rating(result['rating']).label}")
    return reasons


@transaction.atomic
def report_publish(*, visit: Visit, user) -> Visit:
    """Publish the report: the ratings as they now stand become the published ones. After a
    Requires improvement or Poor rating (overall or for a module) an action plan is required
    within 14 days."""
    require_can(user, A.VISIT, visit, OFFICERS_ONLY)
    visit = visit_lock(visit)
    if problems := publication_problems(visit):
        raise ValidationError(problems)
    ratings_store(visit)
    now = timezone.now()
    visit.status, visit.published_at, visit.published_on = VisitStatus.PUBLISHED, now, timezone.localdate(now)
    visit.published_rating, visit.published_detail = visit.indicative_rating, visit.indicative_detail
    visit.modified_by = user
    visit.full_clean()
    visit.save()
    rows = list(VisitStandardRating.objects.filter(visit=visit))
    for row in rows:
        row.published_rating = row.rating
    VisitStandardRating.objects.bulk_update(rows, ["published_rating"])
    event_record(visit=visit, kind=VisitEventKind.PUBLISHED, user=user,
                 summary=f"Report published: {visit.get_published_rating_display()}.",
                 rating=visit.published_rating, published_on=visit.published_on.isoformat())
    if reasons := plan_reasons(visit):
        action_plan_require(visit=visit, reasons=reasons)
    home_rerate_later(visit)
    return visit
