"""Choices for monthly returns (and, later, quality monitoring visits)."""

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
