"""Pages for carrying out a visit: the assessment form (one page per visit, saved as the officer
goes by ``static/js/visit-assessment.js``, or posted whole without JavaScript), observations,
people spoken to (roles only), findings, the summary and finishing the fieldwork.

The form's JSON endpoint saves one question (or one standard's findings, or the summary) with
the same services as the whole form, and answers with the indicative ratings so far.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from commissioning import access

from ..choices import Rating, StandardModule
from ..models import Answer, Observation, PersonSpokenTo, Question, Standard, VisitStandardRating
from ..visit_forms import (
    SCORE_CHOICES,
    AnswerForm,
    AssessmentForm,
    FinishForm,
    ObservationForm,
    PersonSpokenToForm,
    add_service_errors,
)
from ..visits import selectors, services
from ..visits.scoring import standards_by_domain, visit_assessment, visit_standards
from .visit_helpers import FIELDWORK, A, abilities, posted, refused, to_visit, visit_or_404

OFFICERS_ONLY = ("Only quality officers and commissioners of the home's council or NHS commissioner "
                 "can score it.")


def _label(rating) -> str:
    return Rating(rating).label if rating else "Not rated yet"


def ratings_json(assessment) -> dict:
    """The indicative ratings so far, for the page to show after each save."""
    def group(result):
        return {"rating": result.rating or "", "label": _label(result.rating),
                "mean": str(result.mean_display) if getattr(result, "mean_display", None) else ""}

    return {
        "overall": {"rating": assessment.overall.rating or "", "label": _label(assessment.overall.rating)},
        "modules": {m: {"rating": g.rating or "", "label": _label(g.rating), "name": StandardModule(m).label}
                    for m, g in assessment.modules.items()},
        "standards": {code: group(result) for code, result in assessment.standards.items()},
    }


def _fieldwork_or_redirect(request, visit):
    if visit.status in FIELDWORK:
        return None
    messages.info(request, f"The visit is {visit.get_status_display().lower()}, so its scores can no "
                           "longer change.")
    return to_visit(visit)


def _rows(visit, standards, form, answers, ratings, assessment) -> list[dict]:
    """Domains → standards → questions, with what is saved (or what was just posted)."""
    posted = form.data if form is not None and form.is_bound else None
    domains = []
    for domain, domain_standards in standards_by_domain(standards).items():
        items = []
        for standard in domain_standards:
            questions = []
            for question in standard.questions.all():
                answer = answers.get(question.pk)
                if posted is not None:
                    score = posted.get(f"score-{question.pk}", "")
                    evidence = posted.get(f"evidence-{question.pk}", "")
                else:
                    score = "" if answer is None or answer.score is None else str(answer.score)
                    evidence = answer.evidence if answer else ""
                errors = form.errors.get(f"score-{question.pk}", []) if posted is not None else []
                questions.append({"question": question, "answer": answer, "score": score,
                                  "evidence": evidence, "errors": errors})
            row = ratings.get(standard.pk)
            findings = (posted.get(f"findings-{standard.pk}", "") if posted is not None
                        else row.findings if row else "")
            items.append({"standard": standard, "questions": questions, "findings": findings,
                          "result": assessment.standards.get(standard.code)})
        domains.append({"domain": domain, "standards": items})
    return domains


def assessment_page(request, visit, *, form=None, observation_form=None, person_form=None, status=200):
    standards = visit_standards(visit)
    answers = {a.question_id: a for a in access.restrict(Answer.objects.filter(visit=visit),
                                                                  request.user)}
    ratings = {r.standard_id: r for r in access.restrict(VisitStandardRating.objects.filter(visit=visit),
                                                         request.user)}
    assessment = visit_assessment(visit, standards)
    standard_choices = Standard.objects.filter(pk__in=[s.pk for s in standards]).order_by(
        "domain__order", "order")
    return render(request, "quality/visits/assessment.html", {
        "visit": visit, "home": visit.care_home, "form": form,
        "domains": _rows(visit, standards, form, answers, ratings, assessment),
        "assessment": assessment, "overall_label": _label(assessment.overall.rating),
        "modules": [{"module": m, "name": StandardModule(m).label, "rating": g.rating or "",
                     "label": _label(g.rating)} for m, g in assessment.modules.items()],
        "score_choices": SCORE_CHOICES,
        "summary": form.data.get("summary", "") if form is not None and form.is_bound else visit.summary,
        "observations": list(visit.observations.select_related("standard", "created_by")),
        "people": list(visit.people_spoken_to.all()),
        "observation_form": observation_form or ObservationForm(standards=standard_choices),
        "person_form": person_form or PersonSpokenToForm(),
        "can": abilities(request.user, visit),
        "answered": sum(1 for a in answers.values() if a.score is not None),
        "question_count": sum(len(s.questions.all()) for s in standards),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assessment(request, pk):
    """Every question of the visit on one page. Posted whole, it saves each change with the same
    services as the page's autosave, then works out the ratings."""
    visit = visit_or_404(request, pk, A.VISIT)
    if (response := _fieldwork_or_redirect(request, visit)) is not None:
        return response
    if request.method == "GET":
        return assessment_page(request, visit)
    standards = visit_standards(visit)
    form = AssessmentForm(request.POST, standards=standards)
    if form.is_valid():
        try:
            with transaction.atomic():
                _save_all(request.user, visit, standards, form.cleaned_data)
                services.visit_ratings_compute(visit=visit, user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your answers have been saved.")
            return redirect("visits:assessment", pk=visit.pk)
    return assessment_page(request, visit, form=form, status=400)


def _save_all(user, visit, standards, data) -> None:
    answers = {a.question_id: a for a in Answer.objects.filter(visit=visit)}
    ratings = {r.standard_id: r for r in VisitStandardRating.objects.filter(visit=visit)}
    for standard in standards:
        for question in standard.questions.all():
            score = data.get(f"score-{question.pk}")
            evidence = data.get(f"evidence-{question.pk}", "").strip()
            saved = answers.get(question.pk)
            if (saved is None and score is None and not evidence) or (
                    saved is not None and (saved.score, saved.evidence) == (score, evidence)):
                continue
            services.answer_save(visit=visit, question=question, user=user, score=score, evidence=evidence)
        findings = data.get(f"findings-{standard.pk}", "").strip()
        current = ratings[standard.pk].findings if standard.pk in ratings else ""
        if findings != current:
            services.findings_save(visit=visit, standard=standard, user=user, findings=findings)
    if data.get("summary", "").strip() != visit.summary:
        services.visit_summary_save(visit=visit, user=user, summary=data.get("summary", ""))


# The autosave endpoint ---------------------------------------------------------------------

def _json_error(message: str | list, status: int = 400, field: str = "") -> JsonResponse:
    messages_ = message if isinstance(message, list) else [message]
    return JsonResponse({"saved": False, "errors": messages_, "field": field}, status=status)


def _payload(request) -> dict:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


@login_required
@require_POST
def autosave(request, pk):
    """Save one question, one standard's findings or the summary; JSON in, JSON out:
    ``{"saved": true, "saved_at": "10:42", "ratings": {...}}`` or ``{"saved": false, "errors": [...]}``."""
    if not access.allowed(request.user, A.VISIT):
        return _json_error(OFFICERS_ONLY, 403)
    try:
        visit = selectors.visit_for(request.user, pk, A.VISIT)
    except Http404:
        return _json_error("There is no such visit, or it is not yours to score.", 404)
    data = _payload(request)
    started = timezone.now()
    try:
        if "question" in data:
            saved_on = _save_question(request.user, visit, data)
        elif "standard" in data:
            saved_on = _save_findings(request.user, visit, data)
        elif "summary" in data:
            services.visit_summary_save(visit=visit, user=request.user, summary=str(data["summary"]))
            saved_on = timezone.now()
        else:
            return _json_error("Send a question, a standard's findings or the summary.")
    except ValidationError as exc:
        return _json_error(exc.messages)
    except _Refused as exc:
        return _json_error(exc.args[0], field=exc.args[1])
    if "question" in data and saved_on >= started:  # a score changed: work out and keep the ratings
        result = services.visit_ratings_compute(visit=visit, user=request.user)
    else:  # the ratings as they are, without writing
        result = visit_assessment(visit)
    return JsonResponse({"saved": True, "saved_at": f"{timezone.localtime(saved_on):%H:%M}",
                         "ratings": ratings_json(result)})


class _Refused(Exception):
    """A payload the form would have refused: (message, field)."""


def _save_question(user, visit, data):
    form = AnswerForm({k: data.get(k) if data.get(k) is not None else "" for k in ("question", "score",
                                                                                   "evidence")})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise _Refused(errors[0], field)
    question = Question.objects.filter(pk=form.cleaned_data["question"],
                                       standard__version=visit.framework_version_id).select_related(
        "standard").first()
    if question is None:
        raise _Refused("This question is not part of this visit's framework.", "question")
    answer = services.answer_save(visit=visit, question=question, user=user,
                                  score=form.cleaned_data["score"], evidence=form.cleaned_data["evidence"])
    return answer.saved_on


def _save_findings(user, visit, data):
    pk = str(data.get("standard"))
    standards = Standard.objects.filter(version=visit.framework_version_id)
    standard = standards.filter(pk=pk).first() if pk.isdigit() else None
    if standard is None:
        raise _Refused("This standard is not part of this visit.", "standard")
    services.findings_save(visit=visit, standard=standard, user=user, findings=str(data.get("findings", "")))
    return timezone.now()


# Observations and people spoken to ------------------------------------------------------------

def _standard_choices(visit):
    return Standard.objects.filter(pk__in=[s.pk for s in visit_standards(visit)]).order_by("domain__order",
                                                                                           "order")


@login_required
@require_POST
def observation_add(request, pk):
    visit = visit_or_404(request, pk, A.VISIT)
    if (response := _fieldwork_or_redirect(request, visit)) is not None:
        return response
    form = ObservationForm(request.POST, standards=_standard_choices(visit))
    if form.is_valid():
        try:
            services.observation_add(visit=visit, user=request.user, text=form.cleaned_data["text"],
                                     standard=form.cleaned_data["standard"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Observation recorded.")
            return redirect(reverse("visits:assessment", args=[visit.pk]) + "#observations")
    return assessment_page(request, visit, observation_form=form, status=400)


@login_required
@require_POST
def person_add(request, pk):
    """People spoken to, by role and number. What was posted goes to the service as it is, so a
    name field is refused with the service's words, as it would be from the API."""
    visit = visit_or_404(request, pk, A.VISIT)
    if (response := _fieldwork_or_redirect(request, visit)) is not None:
        return response
    form = PersonSpokenToForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            services.person_spoken_to_add_from_data(visit=visit, user=request.user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "People spoken to recorded.")
            return redirect(reverse("visits:assessment", args=[visit.pk]) + "#people")
    return assessment_page(request, visit, person_form=form, status=400)


RECORDS = {"observation": Observation, "person": PersonSpokenTo}


@login_required
@require_POST
def record_remove(request, pk, kind, record_pk):
    visit = visit_or_404(request, pk, A.VISIT)
    model = RECORDS.get(kind)
    if model is None:
        raise Http404("No such record")
    record = access.restrict(model.objects.filter(visit=visit), request.user, A.VISIT).filter(
        pk=record_pk).first()
    if record is None:
        raise Http404("No such record")
    try:
        services.visit_record_remove(record=record, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, "Removed.")
    anchor = "#observations" if kind == "observation" else "#people"
    return redirect(reverse("visits:assessment", args=[visit.pk]) + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def finish(request, pk):
    """Finish the fieldwork: how long the visit took and the summary; the draft report follows."""
    visit = visit_or_404(request, pk, A.VISIT)
    if not abilities(request.user, visit)["finish"]:
        messages.info(request, "Only a visit in progress can be finished.")
        return to_visit(visit)
    form = FinishForm(posted(request), initial={"summary": visit.summary,
                                                     "duration_hours": visit.duration_hours})
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_draft_report(visit=visit, user=request.user,
                                        duration_hours=form.cleaned_data["duration_hours"],
                                        summary=form.cleaned_data["summary"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The draft report is ready. Check it, then share it with the provider.")
            return redirect("visits:report", pk=visit.pk)
    answered = access.restrict(Answer.objects.filter(visit=visit, score__isnull=False), request.user).count()
    return render(request, "quality/visits/finish.html", {"visit": visit, "form": form, "answered": answered},
                  status=400 if form.errors else 200)


urlpatterns = [
    path("<int:pk>/assessment/", assessment, name="assessment"),
    path("<int:pk>/assessment/save/", autosave, name="autosave"),
    path("<int:pk>/observations/", observation_add, name="observation-add"),
    path("<int:pk>/people-spoken-to/", person_add, name="person-add"),
    path("<int:pk>/records/<str:kind>/<int:record_pk>/remove/", record_remove, name="record-remove"),
    path("<int:pk>/finish/", finish, name="visit-finish"),
]
