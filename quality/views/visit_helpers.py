"""What the visit pages share: finding the visit for this user, telling them a service's refusal,
and working out what they may do next.

Every page finds its visit through ``visit_or_404``: 403 when the user's roles never allow
the action, 404 when the visit is missing or not theirs to see (a provider asking for an
unshared draft or another provider's report), so a page never reveals that a visit exists.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse

from commissioning import access

from ..choices import VisitStatus
from ..models import Visit, VisitOfficer
from ..visits import selectors

A = access.Action
S = VisitStatus
# While these hold, officers may still change scores, evidence, findings and the summary.
FIELDWORK = (S.IN_PROGRESS, S.DRAFT_REPORT)
# Events that a visit writes many times over while officers score: the log shows each run once.
CHATTY_EVENTS = ("answer_saved", "ratings_computed", "findings_saved")


def visit_or_404(request, pk: int, action: access.Action = A.VIEW) -> Visit:
    access.require(request.user, action)
    return selectors.visit_for(request.user, pk, action)


def refused(request, exc: ValidationError) -> None:
    """A service's refusal, as messages at the top of the next page."""
    for message in exc.messages:
        messages.error(request, message)


def to_visit(visit: Visit, anchor: str = ""):
    return redirect(f"{visit_url(visit)}{anchor}")


def visit_url(visit: Visit) -> str:
    return reverse("visits:visit-detail", args=[visit.pk])


def abilities(user, visit: Visit) -> dict:
    """What this user may do with this visit, by role and by the visit's status."""
    officer = access.can(user, A.VISIT, visit)
    provider = not officer and access.can(user, A.RESPOND_TO_REPORT, visit)
    on_visit = VisitOfficer.objects.filter(visit=visit, user=user).exists()
    reviewer = visit.status == S.SENIOR_REVIEW and not on_visit and access.can(user, A.SENIOR_REVIEW, visit)
    return {
        "officer": officer, "provider": provider, "on_visit": on_visit, "reviewer": reviewer,
        "plan": visit.status == S.PLANNED and officer,
        "assess": visit.status in FIELDWORK and officer,
        "finish": visit.status == S.IN_PROGRESS and officer,
        "share": visit.status == S.DRAFT_REPORT and officer,
        "respond": visit.status == S.SHARED and officer,
        "comment": visit.status == S.SHARED and provider,
        "cancel": visit.status in (S.PLANNED, *FIELDWORK) and officer,
        "report": visit.status not in (S.PLANNED, S.CANCELLED) and (officer or visit.status != S.IN_PROGRESS),
    }


def condensed_events(events) -> list[dict]:
    """The visit's log with each run of scoring saves shown once ("12 scores saved")."""
    rows: list[dict] = []
    for event in events:
        last = rows[-1] if rows else None
        if event.kind in CHATTY_EVENTS and last and last.get("chatty"):
            last["count"] += event.kind == "answer_saved"
            last["until"] = event.at
            last["by"].add(str(event.by) if event.by else "the system")
            continue
        if event.kind in CHATTY_EVENTS:
            rows.append({"chatty": True, "at": event.at, "until": event.at,
                         "count": int(event.kind == "answer_saved"),
                         "by": {str(event.by) if event.by else "the system"}, "event": event})
        else:
            rows.append({"chatty": False, "at": event.at, "event": event})
    for row in rows:
        if row["chatty"]:
            row["by"] = ", ".join(sorted(row["by"]))
    return rows


def download(field_file, filename: str) -> FileResponse:
    """A stored file as a download (never shown in the browser, so it cannot run as a page)."""
    if not field_file:
        raise Http404("No file")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing") from exc
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def posted(request):
    """The form data on a POST, even an empty one (a form bound to nothing shows its errors)."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None
