"""Pages that take a shared report to publication: reopening the comment window, sending a
dispute to senior review, the senior officer's review, publishing, and the report as a PDF
(asked for, made in the background, watched, downloaded).

The PDF's template is ``quality/visits/report_pdf.html`` (``quality.visits.pdf``); these pages
only ask for it and hand over the finished file, after checking the visit for this user.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning.choices import JobStatus
from commissioning.jobs import job_status_response

from ..choices import REPORT_SHARED_STATUSES, VisitStatus
from ..visit_forms import ReasonForm, ReopenForm, SeniorReviewForm, add_service_errors
from ..visits import selectors, services
from ..visits.report import report_context
from .visit_helpers import A, abilities, download, posted, refused, visit_or_404


@login_required
@require_http_methods(["GET", "POST"])
def window_reopen(request, pk):
    """Give the provider longer to comment (how a late comment is let in)."""
    visit = visit_or_404(request, pk, A.VISIT)
    form = ReopenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_window_reopen(visit=visit, user=request.user,
                                           close_on=form.cleaned_data["close_on"],
                                           reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The provider may comment until "
                                      f"{form.cleaned_data['close_on']:%A %-d %B %Y}.")
            return redirect("visits:report", pk=visit.pk)
    return render(request, "quality/visits/reopen.html", {
        "visit": visit, "form": form, "today": timezone.localdate()}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def escalate(request, pk):
    visit = visit_or_404(request, pk, A.VISIT)
    form = ReasonForm(posted(request), label="What should the senior officer review?",
                      help_text="The provider's dispute and the evidence you relied on.")
    if request.method == "POST" and form.is_valid():
        try:
            services.report_escalate(visit=visit, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The report has been sent for senior review.")
            return redirect("visits:report", pk=visit.pk)
    return render(request, "quality/visits/reason_form.html", {
        "visit": visit, "form": form, "title": "Send the report for senior review",
        "button": "Send for senior review",
        "intro": "A senior quality officer who was not on the visit reviews the disputed findings. "
                 "The report goes back to the officers when the review is complete.",
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def senior_review(request, pk):
    """A senior officer (not one of the visit's officers) upholds the report or amends it."""
    visit = visit_or_404(request, pk, A.SENIOR_REVIEW)
    review = visit.senior_reviews.filter(completed_on__isnull=True).select_related("requested_by").first()
    context = report_context(visit)
    sections = [section for domain in context["domains"] for section in domain.standards]
    form = SeniorReviewForm(posted(request), sections=sections)
    can = abilities(request.user, visit)
    if request.method == "POST" and review is not None and form.is_valid():
        try:
            services.senior_review_complete(review=review, user=request.user,
                                            decision=form.cleaned_data["decision"],
                                            notes=form.cleaned_data["notes"], amendments=form.amendments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your review is complete. The officers can now publish the report.")
            return redirect("visits:report", pk=visit.pk)
    rows = [{"section": s, "rating": form[f"rating-{s.standard.pk}"],
             "findings": form[f"findings-{s.standard.pk}"]} for s in sections]
    disputed = [c for c in context["comments"] if c.is_unresolved_dispute]
    return render(request, "quality/visits/senior_review.html", {
        **context, "review": review, "form": form, "rows": rows, "disputed": disputed, "can": can,
        "show_evidence": True,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk):
    """Publish the report, or say what stops it (``publication_problems``)."""
    visit = visit_or_404(request, pk, A.VISIT)
    problems = services.publication_problems(visit)
    if request.method == "POST":
        try:
            visit = services.report_publish(visit=visit, user=request.user)
        except ValidationError as exc:
            problems = exc.messages
        else:
            plan = selectors.action_plans_visible_to(request.user).filter(visit=visit).first()
            messages.success(request, f"The report is published: {visit.get_published_rating_display()}."
                             + (f" The provider must submit an action plan by {plan.due_on:%-d %B %Y}."
                                if plan else ""))
            return redirect("visits:report", pk=visit.pk)
    return render(request, "quality/visits/publish.html", {
        "visit": visit, "problems": problems, "overall": visit.indicative_rating,
    }, status=400 if request.method == "POST" else 200)


# The report as a PDF --------------------------------------------------------------------------

def _pdf_for(request, pk, job_pk):
    """The PDF job, if this user may see the visit (a provider: only PDFs made once shared)."""
    visit = visit_or_404(request, pk)
    pdfs = selectors.report_pdfs_visible_to(request.user, visit)
    if not abilities(request.user, visit)["officer"]:
        pdfs = pdfs.filter(visit_status__in=REPORT_SHARED_STATUSES)
    job = pdfs.filter(pk=job_pk).first()
    if job is None:
        raise Http404("No such PDF")
    return visit, job


@login_required
@require_POST
def pdf_request(request, pk):
    visit = visit_or_404(request, pk)
    if visit.status in (VisitStatus.PLANNED, VisitStatus.CANCELLED):
        refused(request, ValidationError("There is no report to download yet."))
        return redirect("visits:visit-detail", pk=visit.pk)
    job = services.report_pdf_request(visit=visit, user=request.user)
    return redirect("visits:report-pdf", pk=visit.pk, job_pk=job.pk)


@login_required
@require_GET
def pdf_detail(request, pk, job_pk):
    visit, job = _pdf_for(request, pk, job_pk)
    return render(request, "quality/visits/pdf.html", {"visit": visit, "job": job})


@login_required
@require_GET
def pdf_status(request, pk, job_pk):
    return job_status_response(_pdf_for(request, pk, job_pk)[1])


@login_required
@require_GET
def pdf_download(request, pk, job_pk):
    visit, job = _pdf_for(request, pk, job_pk)
    if job.status != JobStatus.SUCCEEDED:
        raise Http404("The PDF is not ready")
    draft = " (draft)" if job.is_draft else ""
    name = f"{visit.care_home.name} visit report {job.requested_on:%Y-%m-%d}{draft}.pdf"
    return download(job.file, name)


urlpatterns = [
    path("<int:pk>/report/reopen/", window_reopen, name="window-reopen"),
    path("<int:pk>/report/escalate/", escalate, name="escalate"),
    path("<int:pk>/report/senior-review/", senior_review, name="senior-review"),
    path("<int:pk>/report/publish/", publish, name="publish"),
    path("<int:pk>/report/pdf/", pdf_request, name="report-pdf-request"),
    path("<int:pk>/report/pdf/<int:job_pk>/", pdf_detail, name="report-pdf"),
    path("<int:pk>/report/pdf/<int:job_pk>/status.json", pdf_status, name="report-pdf-status"),
    path("<int:pk>/report/pdf/<int:job_pk>/download/", pdf_download, name="report-pdf-download"),
]
