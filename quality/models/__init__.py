"""Models of the quality app: monthly returns, and quality monitoring visits with their
framework, reports and action plans (docs/visits.md)."""

from .action_plans import ActionPlan, ActionUpdate, PlanAction, VisitNotice
from .framework import FrameworkDomain, FrameworkVersion, Question, Standard
from .returns import (
    Indicator,
    IndicatorSet,
    MonthlyReturn,
    ReminderSent,
    ReturnUpload,
    ReturnVersion,
)
from .visit_reports import (
    CommentEvidence,
    CommentResponse,
    CommentWindowReopen,
    FactualAccuracyComment,
    ReportPdf,
    SeniorReview,
    VisitStandardRating,
)
from .visits import Answer, Observation, PersonSpokenTo, Visit, VisitEvent, VisitOfficer, VisitScoped

__all__ = [
    "ActionPlan", "ActionUpdate", "Answer", "CommentEvidence", "CommentResponse",
    "CommentWindowReopen", "FactualAccuracyComment", "FrameworkDomain", "FrameworkVersion",
    "Indicator", "IndicatorSet", "MonthlyReturn", "Observation", "PersonSpokenTo", "PlanAction",
    "Question", "ReminderSent", "ReportPdf", "ReturnUpload", "ReturnVersion", "SeniorReview",
    "Standard", "Visit", "VisitEvent", "VisitNotice", "VisitOfficer", "VisitScoped",
    "VisitStandardRating",
]
