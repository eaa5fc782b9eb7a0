"""Choices for monthly returns and for quality monitoring visits and action plans."""

from django.db import models


class IndicatorKind(models.TextChoices):
    COUNT = "count", "Whole number"
    NUMBER = "number", "Number"
    PERCENT = "percent", "Percentage"
    TEXT = "text", "Free text"


class IndicatorSection(models.TextChoices):
    BEDS = "beds", "Beds"
    MOVEMENTS = "movements", "Admissions, discharges and deaths"
    SAFETY = "safety", "Safety"
    URGENT_CARE = "urgent_care", "Urgent care"
    WORKFORCE = "workforce", "Workforce"
    COMMENTS = "comments", "Anything else"


class ReturnStatus(models.TextChoices):
    """Stored states. "Not started" (no return yet) and "late" are worked out, not stored."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    AMENDED = "amended", "Amended"


class ComplianceStatus(models.TextChoices):
    """What the compliance pages show for a home and month."""

    SUBMITTED = "submitted", "Submitted"
    SUBMITTED_LATE = "submitted_late", "Submitted late"
    DRAFT = "draft", "Draft"
    LATE = "late", "Late"
    NOT_DUE = "not_due", "Not due yet"


class ReturnSource(models.TextChoices):
    WEB = "web", "Web form"
    UPLOAD = "upload", "File upload"
    API = "api", "API"
    DEMO = "demo", "Demo data"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due in five days"
    LATE = "late", "Late"
    WEEKLY_DIGEST = "weekly_digest", "Weekly digest of late homes"


# Quality monitoring visits (docs/visits.md) ----------------------------------------------


class FrameworkStatus(models.TextChoices):
    """A framework version is edited as a draft, then published (new visits use it), then
    retired when a newer version is published. Visits keep the version they started with."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class StandardModule(models.TextChoices):
    """Which part of the framework a standard belongs to. Which homes each module applies to
    is set per framework version (``FrameworkVersion.applies_to``)."""

    CORE = "core", "Core standards"
    MEDICINES = "medicines", "Medicines management"


class Rating(models.TextChoices):
    """The four-point rating of a standard, a module and a visit overall."""

    EXCELLENT = "excellent", "Excellent"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    POOR = "poor", "Poor"


# Points of each rating: the scale question scores use too (4 best, 1 worst).
RATING_POINTS = {Rating.EXCELLENT: 4, Rating.GOOD: 3, Rating.REQUIRES_IMPROVEMENT: 2, Rating.POOR: 1}
# Ratings that make a standard a shortfall, and that (overall or for a module) call for an
# action plan.
SHORTFALL_RATINGS = frozenset({Rating.REQUIRES_IMPROVEMENT, Rating.POOR})


class QuestionScore(models.IntegerChoices):
    """An officer's score for one question (no score means not assessed)."""

    EXCELLENT = 4, "4 – Excellent"
    GOOD = 3, "3 – Good"
    REQUIRES_IMPROVEMENT = 2, "2 – Requires improvement"
    POOR = 1, "1 – Poor"


class LeadOrganisation(models.TextChoices):
    """Who leads a visit. By default from the home's registration type
    (``settings.VISIT_LEAD_BY_REGISTRATION``)."""

    COUNCIL = "council", "Council"
    NHS = "nhs", "NHS"
    JOINT = "joint", "Joint (council and NHS)"


class VisitKind(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    UNANNOUNCED = "unannounced", "Unannounced"


class VisitStatus(models.TextChoices):
    """The visit's place in the workflow; it only moves forward (docs/visits.md)."""

    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DRAFT_REPORT = "draft_report", "Draft report"
    SHARED = "shared", "Shared with provider"
    SENIOR_REVIEW = "senior_review", "Under senior review"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


# Visits still under way: a home has at most one of these at a time.
VISIT_OPEN_STATUSES = (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS, VisitStatus.DRAFT_REPORT,
                       VisitStatus.SHARED, VisitStatus.SENIOR_REVIEW)
# Once a report reaches these, the provider's staff may read it (never before).
REPORT_SHARED_STATUSES = (VisitStatus.SHARED, VisitStatus.SENIOR_REVIEW, VisitStatus.PUBLISHED)


class PersonSpokenToRole(models.TextChoices):
    """Who an officer spoke to, by role only: a report never names a resident or relative."""

    RESIDENT = "resident", "Resident"
    RELATIVE = "relative", "Relative or friend"
    MANAGER = "manager", "Registered or deputy manager"
    NURSE = "nurse", "Nurse"
    CARE_STAFF = "care_staff", "Care staff"
    ANCILLARY_STAFF = "ancillary_staff", "Kitchen, domestic or maintenance staff"
    VISITING_PROFESSIONAL = "visiting_professional", "Visiting professional"
    OTHER = "other", "Other"


class CommentSection(models.TextChoices):
    """What a factual-accuracy comment is about when it is not one standard."""

    STANDARD = "standard", "A standard"
    SUMMARY = "summary", "Summary and overall rating"
    VISIT_DETAILS = "visit_details", "Visit details"
    OBSERVATIONS = "observations", "Observations"
    OTHER = "other", "Other"


class CommentOutcome(models.TextChoices):
    """The officer's response to a factual-accuracy comment."""

    ACCEPTED = "accepted", "Accepted"
    AMENDED = "amended", "Accepted in part: report amended"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class SeniorReviewDecision(models.TextChoices):
    UPHELD = "upheld", "Report upheld as drafted"
    AMENDED = "amended", "Report amended"


class ActionPlanStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting submission"
    SUBMITTED = "submitted", "Submitted"
    CLOSED = "closed", "Closed: every action verified"


class PlanActionStatus(models.TextChoices):
    """An action's state; ``quality.visits.action_plans.TRANSITIONS`` says who moves it where."""

    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed (awaiting verification)"
    VERIFIED = "verified", "Verified"
    REOPENED = "reopened", "Reopened"


# Actions the provider still has to finish: these become overdue after their target date.
ACTION_OUTSTANDING_STATUSES = (PlanActionStatus.OPEN, PlanActionStatus.IN_PROGRESS,
                               PlanActionStatus.REOPENED)


class VisitEventKind(models.TextChoices):
    """Every step of a visit, its report and its action plan, as kept in the visit's log."""

    SCHEDULED = "scheduled", "Visit scheduled"
    RESCHEDULED = "rescheduled", "Visit rescheduled"
    OFFICER_ASSIGNED = "officer_assigned", "Officer assigned"
    OFFICER_REMOVED = "officer_removed", "Officer removed"
    STARTED = "started", "Visit started"
    ANSWER_SAVED = "answer_saved", "Answer saved"
    OBSERVATION_ADDED = "observation_added", "Observation recorded"
    PERSON_SPOKEN_TO_ADDED = "person_spoken_to_added", "People spoken to recorded"
    RECORD_REMOVED = "record_removed", "Record removed"
    FINDINGS_SAVED = "findings_saved", "Findings saved"
    RATINGS_COMPUTED = "ratings_computed", "Indicative ratings worked out"
    REPORT_DRAFTED = "report_drafted", "Draft report completed"
    SHARED = "shared", "Draft report shared with the provider"
    COMMENT_ADDED = "comment_added", "Factual-accuracy comment made"
    EVIDENCE_ADDED = "evidence_added", "Evidence attached to a comment"
    COMMENT_RESPONDED = "comment_responded", "Officer responded to a comment"
    COMMENT_DISPUTED = "comment_disputed", "Provider disputed a response"
    PROVIDER_ACCEPTED = "provider_accepted", "Provider has no further comments"
    WINDOW_REOPENED = "window_reopened", "Comment window reopened"
    ESCALATED = "escalated", "Sent for senior review"
    REVIEW_COMPLETED = "review_completed", "Senior review completed"
    RATING_AMENDED = "rating_amended", "Rating or findings amended"
    PUBLISHED = "published", "Report published"
    CANCELLED = "cancelled", "Visit cancelled"
    PDF_REQUESTED = "pdf_requested", "Report PDF requested"
    PLAN_CREATED = "plan_created", "Action plan required"
    ACTION_ADDED = "action_added", "Action added"
    ACTION_CHANGED = "action_changed", "Action changed"
    ACTION_REMOVED = "action_removed", "Action removed"
    PLAN_SUBMITTED = "plan_submitted", "Action plan submitted"
    ACTION_MOVED = "action_moved", "Action status changed"
    PLAN_CLOSED = "plan_closed", "Action plan closed"
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    PLAN_OVERDUE = "plan_overdue", "Action plan overdue"
    NOTICE_SENT = "notice_sent", "Overdue notice sent"


class VisitNoticeKind(models.TextChoices):
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    PLAN_OVERDUE = "plan_overdue", "Action plan overdue"
