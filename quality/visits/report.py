"""Everything a report page, the provider's view and the report PDF need, in one read.

``report_context(visit)`` is the one shape they all share. Get the visit through
``selectors.visit_for(user, pk)`` first: this function does not check who is asking.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..choices import RATING_POINTS, SHORTFALL_RATINGS, Rating, StandardModule, VisitStatus
from ..models import (
    Answer,
    CommentEvidence,
    FactualAccuracyComment,
    Observation,
    Visit,
    VisitOfficer,
    VisitStandardRating,
)
from .rating import RatingRule
from .scoring import visit_standards
from .selectors import plan_with_actions


@dataclass
class QuestionRow:
    question: object
    answer: Answer | None

    @property
    def score(self) -> int | None:
        return self.answer.score if self.answer else None


@dataclass
class StandardSection:
    """One standard in the report: its rating row, questions with scores and evidence, the
    observations against it and the provider's comments on it."""

    standard: object
    rating: VisitStandardRating | None
    questions: list[QuestionRow] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    comments: list[FactualAccuracyComment] = field(default_factory=list)

    @property
    def current_rating(self) -> str:
        if self.rating is None:
            return ""
        return self.rating.published_rating or self.rating.rating

    @property
    def is_shortfall(self) -> bool:
        return self.current_rating in SHORTFALL_RATINGS


@dataclass
class DomainSection:
    domain: object
    standards: list[StandardSection] = field(default_factory=list)


def _rating_label(value: str) -> str:
    return Rating(value).label if value else "Not rated"


def report_context(visit: Visit) -> dict:
    """The report's content (a dict for templates). Keys:

    ``visit``, ``care_home``, ``framework_version``, ``is_draft`` (not yet published),
    ``status_label``, ``officers`` (VisitOfficer rows), ``overall`` (``rating``, ``label``,
    ``indicative``, ``published``, ``mean``, ``caps_applied``), ``module_ratings`` (list of
    ``module``, ``label``, ``rating``, ``rating_label``), ``domains`` (``DomainSection`` →
    ``StandardSection`` with questions, answers, observations and comments), ``shortfalls``
    (StandardSections rated Requires improvement or Poor), ``observations`` (those on no
    standard), ``people_spoken_to``, ``comments`` (all, with ``response`` and ``evidence``),
    ``general_comments`` (those on a section, not a standard), ``window_reopens``,
    ``senior_reviews``, ``action_plan`` (with actions and their updates, or None),
    ``events`` (the dated log), ``rule`` (the rating rule in sentences), ``rating_points``.
    """
    visit = Visit.objects.select_related(
        "care_home__provider", "care_home__local_authority", "care_home__nhs_commissioner",
        "framework_version").get(pk=visit.pk)
    standards = visit_standards(visit)
    ratings = {r.standard_id: r for r in VisitStandardRating.objects.filter(visit=visit)}
    answers = {a.question_id: a for a in Answer.objects.filter(visit=visit).select_related("saved_by")}
    observations = list(Observation.objects.filter(visit=visit).select_related("standard", "created_by"))
    comments = list(FactualAccuracyComment.objects.filter(visit=visit).select_related(
        "standard", "made_by", "response__responded_by", "resolved_by_review").prefetch_related(
        Prefetch("evidence", queryset=CommentEvidence.objects.order_by("uploaded_on"))))
    domains: dict[int, DomainSection] = {}
    sections = []
    for standard in standards:
        section = StandardSection(
            standard=standard, rating=ratings.get(standard.pk),
            questions=[QuestionRow(q, answers.get(q.pk)) for q in standard.questions.all()],
            observations=[o for o in observations if o.standard_id == standard.pk],
            comments=[c for c in comments if c.standard_id == standard.pk])
        domains.setdefault(standard.domain_id, DomainSection(standard.domain)).standards.append(section)
        sections.append(section)
    detail = visit.published_detail if visit.status == VisitStatus.PUBLISHED else visit.indicative_detail
    overall = (detail or {}).get("overall") or {}
    plan = getattr(visit, "action_plan", None)
    return {
        "visit": visit, "care_home": visit.care_home, "framework_version": visit.framework_version,
        "is_draft": visit.status != VisitStatus.PUBLISHED, "status_label": visit.get_status_display(),
        "officers": list(VisitOfficer.objects.filter(visit=visit).select_related("user", "organisation")),
        "overall": {"rating": visit.rating, "label": _rating_label(visit.rating),
                    "indicative": visit.indicative_rating, "published": visit.published_rating,
                    "mean": overall.get("mean"), "caps_applied": overall.get("caps_applied", [])},
        "module_ratings": [{"module": m, "label": StandardModule(m).label, "rating": r.get("rating") or "",
                            "rating_label": _rating_label(r.get("rating") or "")}
                           for m, r in ((detail or {}).get("modules") or {}).items()],
        "domains": list(domains.values()),
        "shortfalls": [s for s in sections if s.is_shortfall],
        "observations": [o for o in observations if o.standard_id is None],
        "people_spoken_to": list(visit.people_spoken_to.order_by("role")),
        "comments": comments,
        "general_comments": [c for c in comments if c.standard_id is None],
        "window_reopens": list(visit.window_reopens.select_related("reopened_by")),
        "senior_reviews": list(visit.senior_reviews.select_related("reviewer", "requested_by")),
        "action_plan": plan_with_actions(plan) if plan else None,
        "events": list(visit.events.select_related("by").order_by("at", "pk")),
        "rule": RatingRule.from_config(visit.framework_version.rating_rule).describe(),
        "rating_points": RATING_POINTS,
    }
