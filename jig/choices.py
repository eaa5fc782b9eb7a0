"""Choices for feed batches, matching and risk ratings."""

from django.db import models


class Channel(models.TextChoices):
    UPLOAD = "upload", "File upload"
    API = "api", "API"


class MatchStatus(models.TextChoices):
    MATCHED = "matched", "Matched to a home"
    UNMATCHED = "unmatched", "Waiting to be matched"
    OUTSIDE = "outside", "Not one of our homes"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


class RecomputeScope(models.TextChoices):
    HOMES = "homes", "Homes with new feed data"
    FULL = "full", "Every home"
    NIGHTLY = "nightly", "Every home (nightly)"


# The JIG's meetings (docs/jig-meetings.md) ------------------------------------------------


class JigRole(models.TextChoices):
    """A person's place in a Joint Intelligence Group. Chairs and co-chairs run meetings;
    observers attend and sign but do not record, decide or count towards the quorum."""

    CHAIR = "chair", "Chair"
    CO_CHAIR = "co_chair", "Co-chair"
    MEMBER = "member", "Member"
    OBSERVER = "observer", "Observer"


CHAIR_ROLES = frozenset({JigRole.CHAIR, JigRole.CO_CHAIR})
# Roles that record soft intelligence, planning notices and count towards the quorum.
VOTING_ROLES = frozenset({JigRole.CHAIR, JigRole.CO_CHAIR, JigRole.MEMBER})


class DocumentKind(models.TextChoices):
    """The group's versioned documents: one current version of each."""

    TERMS_OF_REFERENCE = "terms_of_reference", "Terms of reference"
    STANDING_AGENDA = "standing_agenda", "Standing agenda"
    CONFIDENTIALITY_STATEMENT = "confidentiality_statement", "Confidentiality statement"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class MeetingStatus(models.TextChoices):
    """Scheduled, then opened by the chair on the day, then closed. It only moves forward."""

    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"


class Movement(models.TextChoices):
    """How a home's RAG moved since the last meeting's month (worse is towards red)."""

    WORSE = "worse", "Worse"
    BETTER = "better", "Better"
    SAME = "same", "No change"
    NEW = "new", "No earlier rating"


class IntelligenceCategory(models.TextChoices):
    STAFFING = "staffing", "Staffing"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    LEADERSHIP = "leadership", "Leadership and management"
    COMPLAINTS = "complaints", "Complaints"
    CLINICAL_CARE = "clinical_care", "Clinical care"
    ENVIRONMENT = "environment", "Environment and premises"
    OTHER = "other", "Other"


class Sensitivity(models.TextChoices):
    """How sensitive a piece of soft intelligence is (the risk model weights it 1, 2 or 3)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High: could identify a person or the source"


class JigActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# Actions still to do: these carry forward to the next agenda and become overdue.
JIG_ACTION_OUTSTANDING = (JigActionStatus.OPEN, JigActionStatus.IN_PROGRESS)


class TrainingTheme(models.TextChoices):
    """The theme of a training action: gaps the JIG finds become co-produced training."""

    FALLS = "falls", "Falls"
    UTI_CATHETER = "uti_catheter", "UTIs and catheter care"
    PRESSURE_ULCERS = "pressure_ulcers", "Pressure ulcers"
    END_OF_LIFE = "end_of_life", "End of life care"
    DEMENTIA = "dementia", "Dementia"
    OTHER = "other", "Other"


class PlanningDecision(models.TextChoices):
    PENDING = "pending", "Awaiting the JIG's decision"
    SUPPORT = "support", "Support"
    DO_NOT_SUPPORT = "do_not_support", "Do not support"
