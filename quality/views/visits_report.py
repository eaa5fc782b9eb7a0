"""Pages for the report and the provider's factual-accuracy comments: the report (draft, shared
or published) from ``report_context``, sharing it, the provider's comments with evidence files
within the 14-day window, the officers' responses, disputes and "no further comments".

Evidence files are served only by ``comment_evidence``, which checks the visit for this user.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import access

from ..choices import REPORT_SHARED_STATUSES, CommentOutcome, VisitStatus
from ..models import CommentEvidence, FactualAccuracyComment, VisitStandardRating
from ..visit_forms import CommentForm, EvidenceForm, ReasonForm, ResponseForm, add_service_errors
from ..visits import selectors, services
from ..visits.report import report_context
from ..visits.scoring import visit_standards
from ..visits.timing import COMMENT_WINDOW_DAYS, comments_close_on
from .visit_helpers import A, abilities, download, posted, posted_files, refused, visit_or_404


def report_url(visit, anchor: str = "") -> str:
    return reverse("visits:report", args=[visit.pk]) + anchor


def may_see_evidence(user, visit) -> bool:
    """Evidence files are the provider's: its staff and the officers open them, nobody else."""
    return access.can(user, A.VISIT, visit) or access.can(user, A.RESPOND_TO_REPORT, visit)


@login_required
@require_GET
def report(request, pk):
    """The report as it stands: ratings (indicative, amended, published), findings, observations,
    people spoken to, comments with responses, and what this user can do with it now."""
    visit = visit_or_404(request, pk)
    can = abilities(request.user, visit)
    context = report_context(visit)
    pdfs = selectors.report_pdfs_visible_to(request.user, visit)
    if not can["officer"]:
        pdfs = pdfs.filter(visit_status__in=REPORT_SHARED_STATUSES)
    context.update({
        "can": can, "today": timezone.localdate(),
        "window_open": services.comment_window_is_open(visit),
        "window_days": COMMENT_WINDOW_DAYS,
        "share_close_on": comments_close_on(timezone.localdate()),
        "publication_problems": (services.publication_problems(visit)
                                 if can["officer"] and visit.status == VisitStatus.SHARED else []),
        "open_review": next((r for r in context["senior_reviews"] if r.completed_on is None), None),
        "pdfs": list(pdfs[:5]),
        "show_evidence": may_see_evidence(request.user, visit),
        "unanswered": [c for c in context["comments"] if not hasattr(c, "response")],
        "disputes": [c for c in context["comments"] if c.is_unresolved_dispute],
    })
    return render(request, "quality/visits/report.html", context)


@login_required
@require_POST
def report_share(request, pk):
    visit = visit_or_404(request, pk, A.VISIT)
    try:
        visit = services.report_share(visit=visit, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, f"The draft report is shared with the provider. Comments close on "
                                  f"{visit.comments_close_on:%A %-d %B %Y}.")
    return redirect("visits:report", pk=visit.pk)


@login_required
@require_http_methods(["GET", "POST"])
def comment_add(request, pk):
    """The provider's comment on a standard or a section, with evidence files, within the window."""
    visit = visit_or_404(request, pk, A.RESPOND_TO_REPORT)
    standards = visit_standards(visit)
    initial = {}
    if (standard := request.GET.get("standard", "")).isdigit():
        initial["about"] = f"standard-{standard}"
    elif request.GET.get("section"):
        initial["about"] = request.GET["section"]
    form = CommentForm(posted(request), posted_files(request), standards=standards, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_add(visit=visit, user=request.user, text=form.cleaned_data["text"],
                                 files=form.cleaned_data["files"], **form.target())
        except ValidationError as exc:
            _file_errors_to_files(exc)
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your comment has been sent. The visiting officer will respond to it.")
            return redirect(report_url(visit, "#comments"))
    return render(request, "quality/visits/comment_add.html", {
        "visit": visit, "form": form, "window_open": services.comment_window_is_open(visit),
    }, status=400 if form.errors else 200)


def _file_errors_to_files(exc: ValidationError) -> None:
    """The service names the evidence field ``file``; the form's is ``files``."""
    if hasattr(exc, "error_dict") and "file" in exc.error_dict:
        exc.error_dict["files"] = exc.error_dict.pop("file")


def _comment_for(request, visit, comment_pk, action=A.VIEW) -> FactualAccuracyComment:
    comments = access.restrict(FactualAccuracyComment.objects.filter(visit=visit), request.user, action)
    comment = comments.filter(pk=comment_pk).select_related("standard", "made_by").first()
    if comment is None:
        raise Http404("No such comment")
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def comment_evidence_add(request, pk, comment_pk):
    visit = visit_or_404(request, pk, A.RESPOND_TO_REPORT)
    comment = _comment_for(request, visit, comment_pk, A.RESPOND_TO_REPORT)
    form = EvidenceForm(posted(request), posted_files(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_evidence_add(comment=comment, user=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The evidence has been added to your comment.")
            return redirect(report_url(visit, f"#comment-{comment.pk}"))
    return render(request, "quality/visits/evidence_add.html", {
        "visit": visit, "comment": comment, "form": form,
        "window_open": services.comment_window_is_open(visit),
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def comment_evidence(request, pk, evidence_pk):
    """An evidence file, for the officers and the provider's staff of a visit they may see."""
    visit = visit_or_404(request, pk)
    if not may_see_evidence(request.user, visit):
        raise Http404("No such file")
    files = access.restrict(CommentEvidence.objects.filter(comment__visit=visit), request.user)
    evidence = files.filter(pk=evidence_pk).first()
    if evidence is None:
        raise Http404("No such file")
    return download(evidence.file, evidence.original_name)


@login_required
@require_http_methods(["GET", "POST"])
def comment_respond(request, pk, comment_pk):
    """The officer's response: accepted, accepted in part with the report amended, or not accepted."""
    visit = visit_or_404(request, pk, A.VISIT)
    comment = _comment_for(request, visit, comment_pk, A.VISIT)
    response = getattr(comment, "response", None)
    row = (VisitStandardRating.objects.filter(visit=visit, standard=comment.standard_id).first()
           if comment.standard_id else None)
    form = ResponseForm(posted(request), comment=comment, current_findings=row.findings if row else "",
                        current_summary=visit.summary)
    if request.method == "POST" and response is None and form.is_valid():
        try:
            services.comment_respond(comment=comment, user=request.user, outcome=form.cleaned_data["outcome"],
                                     reason=form.cleaned_data["reason"], **form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your response has been recorded. The provider can read it.")
            return redirect(report_url(visit, f"#comment-{comment.pk}"))
    return render(request, "quality/visits/comment_respond.html", {
        "visit": visit, "comment": comment, "response": response, "form": form, "rating_row": row,
        "evidence": list(comment.evidence.all()), "show_evidence": True,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def comment_dispute(request, pk, comment_pk):
    """The provider disputes a response that did not accept its comment in full."""
    visit = visit_or_404(request, pk, A.RESPOND_TO_REPORT)
    comment = _comment_for(request, visit, comment_pk, A.RESPOND_TO_REPORT)
    response = getattr(comment, "response", None)
    form = ReasonForm(posted(request), label="Why do you dispute the response?",
                      help_text="A senior officer who was not on the visit will review the evidence.")
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_dispute(comment=comment, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your dispute has been recorded. A senior officer will review it "
                                      "before the report is published.")
            return redirect(report_url(visit, f"#comment-{comment.pk}"))
    disputable = (response is not None and response.outcome != CommentOutcome.ACCEPTED
                  and not comment.disputed_on)
    return render(request, "quality/visits/comment_dispute.html", {
        "visit": visit, "comment": comment, "response": response, "form": form, "disputable": disputable,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def provider_accept(request, pk):
    """The provider has no (further) comments: the report may be published before the 14 days end."""
    visit = visit_or_404(request, pk, A.RESPOND_TO_REPORT)
    try:
        services.report_provider_accept(visit=visit, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, "Thank you: the officers know you have no further comments.")
    return redirect("visits:report", pk=visit.pk)


urlpatterns = [
    path("<int:pk>/report/", report, name="report"),
    path("<int:pk>/report/share/", report_share, name="report-share"),
    path("<int:pk>/report/comments/", comment_add, name="comment-add"),
    path("<int:pk>/report/comments/<int:comment_pk>/evidence/", comment_evidence_add,
         name="comment-evidence-add"),
    path("<int:pk>/report/comments/<int:comment_pk>/respond/", comment_respond, name="comment-respond"),
    path("<int:pk>/report/comments/<int:comment_pk>/dispute/", comment_dispute, name="comment-dispute"),
    path("<int:pk>/report/evidence/<int:evidence_pk>/", comment_evidence, name="comment-evidence"),
    path("<int:pk>/report/no-further-comments/", provider_accept, name="provider-accept"),
]
