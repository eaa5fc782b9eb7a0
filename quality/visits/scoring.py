"""Applying the version's rating rule to a visit's answers, and storing the result.

The rule itself is pure (``rating``); this module reads the visit's answers and amendments,
and writes ``VisitStandardRating`` rows and the visit's indicative rating.
"""

from collections import defaultdict

from django.utils import timezone

from ..models import Answer, Visit, VisitStandardRating
from .framework import standards_for
from .rating import (
    Assessment,
    RatingRule,
    ScoredQuestion,
    StandardInput,
    assess,
    rate_standard,
    to_decimal,
)


def visit_standards(visit: Visit) -> list:
    """The standards of the visit's framework version that apply to the home, in order."""
    return list(standards_for(visit.framework_version, visit.care_home.registration_type)
                .prefetch_related("questions"))


def _inputs(visit: Visit, standards: list) -> list[StandardInput]:
    scores = dict(Answer.objects.filter(visit=visit).values_list("question_id", "score"))
    return [StandardInput(code=s.code, weight=s.weight, is_key=s.is_key, module=s.module,
                          questions=[ScoredQuestion(q.weight, scores.get(q.pk)) for q in s.questions.all()])
            for s in standards]


def _rule(visit: Visit) -> RatingRule:
    return RatingRule.from_config(visit.framework_version.rating_rule)


def visit_assessment(visit: Visit, standards: list | None = None) -> Assessment:
    """The rule applied to the visit's scores now, amendments included (reads only)."""
    standards = standards if standards is not None else visit_standards(visit)
    amended = dict(VisitStandardRating.objects.filter(visit=visit, is_amended=True)
                   .values_list("standard__code", "rating"))
    return assess(_rule(visit), _inputs(visit, standards), amended)


def ratings_store(visit: Visit) -> Assessment:
    """Work out the ratings and keep them: one row per standard (findings and amendments are
    left as they are) and the visit's indicative overall rating with the rule's working."""
    standards = visit_standards(visit)
    rule = _rule(visit)
    inputs = _inputs(visit, standards)
    existing = {r.standard_id: r for r in
                VisitStandardRating.objects.filter(visit=visit).select_related("standard")}
    amended = {r.standard.code: r.rating for r in existing.values() if r.is_amended}
    assessment = assess(rule, inputs, amended)
    changed, created = [], []
    for standard, standard_input in zip(standards, inputs, strict=True):
        from_scores = rate_standard(rule, standard_input)
        row = existing.get(standard.pk) or VisitStandardRating(visit=visit, standard=standard)
        row.mean_score, row.scored_questions = to_decimal(from_scores.mean), from_scores.scored
        row.indicative_rating = from_scores.rating or ""
        if not row.is_amended:
            row.rating = row.indicative_rating
        (changed if row.pk else created).append(row)
    VisitStandardRating.objects.bulk_create(created)
    VisitStandardRating.objects.bulk_update(changed, ["mean_score", "scored_questions",
                                                      "indicative_rating", "rating"])
    visit.indicative_rating = assessment.overall.rating or ""
    visit.indicative_detail = assessment.as_json()
    visit.ratings_computed_on = timezone.now()
    visit.save(update_fields=["indicative_rating", "indicative_detail", "ratings_computed_on",
                              "modified_on"])
    return assessment


def standards_by_domain(standards: list) -> dict:
    """Standards grouped by their domain, in order (for the report and the form)."""
    grouped = defaultdict(list)
    for standard in standards:
        grouped[standard.domain].append(standard)
    return dict(grouped)
