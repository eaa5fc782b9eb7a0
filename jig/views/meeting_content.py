"""Pages: a meeting's content, changed. The chair flags a home for the agenda (or takes one
off) and asks the ambulance or acute trust for a deep dive; the trust's members see the deep
dives asked of them and answer with files attached; the files are served only to members who
signed the meeting's statement.

Every page here is the meeting's content: a member who has not signed its confidentiality
statement gets the 403 page that says so (``sign_first``); anybody not on the group, 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import access

from .. import meeting_selectors as sel
from .. import member_selectors as members
from ..agenda_services import deep_dive_answer, deep_dive_request, flag_add, flag_remove
from ..choices import MeetingStatus
from ..meeting_forms import DeepDiveAnswerForm, DeepDiveRequestForm, ReasonForm
from .jig_helpers import A, meeting_or_404, posted, require_member_area, service_errors, sign_first


def _require_chair(user, meeting) -> None:
    if not sel.is_chair(user, meeting.group):
        raise PermissionDenied("Only the group's chair or co-chair can do this.")


def _to_flags(meeting):
    return redirect(reverse("jig:meeting-detail", args=[meeting.pk]) + "#flags")


@login_required
@require_http_methods(["GET", "POST"])
def flag_add_page(request, pk: int):
    """Bring a home to the agenda: find it (or come from the dashboard with it), give the reason."""
    meeting = meeting_or_404(request.user, pk)
    _require_chair(request.user, meeting)
    refusal = sign_first(request, meeting)
    if refusal:
        return refusal
    home = members.home_in_groups([meeting.group], request.POST.get("home") or request.GET.get("home"))
    query = request.GET.get("q", "").strip()
    form = ReasonForm(posted(request))
    if request.method == "POST" and home is not None and form.is_valid():
        try:
            flag_add(meeting=meeting, care_home=home, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, f"{home.name} is on the agenda.")
            return _to_flags(meeting)
    return render(request, "jig/meetings/flag_add.html", {
        "meeting": meeting, "home": home, "query": query, "form": form,
        "results": members.homes_matching([meeting.group], query) if home is None else []})


@login_required
@require_http_methods(["GET", "POST"])
def flag_remove_page(request, pk: int):
    access.require(request.user, A.JIG_MEMBER_AREA)
    flag = members.flag_for(request.user, pk)
    meeting = flag.meeting
    _require_chair(request.user, meeting)
    refusal = sign_first(request, meeting)
    if refusal:
        return refusal
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            flag_remove(flag=flag, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, f"{flag.care_home.name} is off the agenda. The record is kept.")
            return _to_flags(meeting)
    return render(request, "jig/meetings/flag_remove.html", {"flag": flag, "meeting": meeting, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def deep_dive_request_page(request, pk: int):
    access.require(request.user, A.JIG_MEMBER_AREA)
    flag = members.flag_for(request.user, pk)
    meeting = flag.meeting
    _require_chair(request.user, meeting)
    refusal = sign_first(request, meeting)
    if refusal:
        return refusal
    organisations = members.deep_dive_organisations(meeting.group)
    form = DeepDiveRequestForm(posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.organisations[form.cleaned_data["organisation"]]
        try:
            deep_dive_request(flag=flag, organisation=organisation, user=request.user,
                              question=form.cleaned_data["question"], due_by=form.due_by())
        except ValidationError as exc:
            service_errors(form, exc, rename={"due_by": "due_on"})
        else:
            messages.success(request, f"{organisation} is asked for a deep dive on {flag.care_home.name}. "
                                      "Its members are emailed (the email does not name the home).")
            return _to_flags(meeting)
    return render(request, "jig/meetings/deep_dive_request.html", {
        "flag": flag, "meeting": meeting, "form": form, "organisations": organisations})


@login_required
@require_GET
def deep_dive_list(request):
    """The deep dives asked of the person's organisations; what each asks, once they signed."""
    require_member_area(request.user)
    requests = list(members.deep_dives_asked_of(request.user))
    allowed = {}
    for dive in requests:
        meeting = dive.flag.meeting
        if meeting.pk not in allowed:
            allowed[meeting.pk] = sel.meeting_content_allowed(request.user, meeting)
    return render(request, "jig/meetings/deep_dive_list.html", {
        "rows": [{"dive": dive, "readable": allowed[dive.flag.meeting_id]} for dive in requests]})


@login_required
@require_http_methods(["GET", "POST"])
def deep_dive_answer_page(request, pk: int):
    """The question, the home's reasons for the agenda, and the answer (written here by the
    members sitting for the trust asked; read by every member who signed)."""
    access.require(request.user, A.JIG_MEMBER_AREA)
    dive = members.deep_dive_for(request.user, pk)
    meeting = dive.flag.meeting
    refusal = sign_first(request, meeting)
    if refusal:
        return refusal
    answer = getattr(dive, "answer", None)
    may_answer = meeting.status != MeetingStatus.CLOSED and members.sits_for(request.user, dive)
    form = DeepDiveAnswerForm(posted(request), posted(request, files=True),
                              initial={"text": answer.text if answer else ""})
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied(f"Only members sitting for {dive.asked_of} can answer this.")
        if form.is_valid():
            try:
                deep_dive_answer(request=dive, user=request.user, text=form.cleaned_data["text"],
                                 files=form.cleaned_data["files"])
            except ValidationError as exc:
                service_errors(form, exc, rename={"file": "files"})
            else:
                messages.success(request, "Your answer is saved. Members who signed the meeting's statement "
                                          "can read it.")
                return redirect("jig:deep-dive-answer", pk=dive.pk)
    return render(request, "jig/meetings/deep_dive_answer.html", {
        "dive": dive, "flag": dive.flag, "meeting": meeting, "answer": answer, "form": form,
        "may_answer": may_answer,
        "attachments": list(answer.attachments.all()) if answer else []})


@login_required
@require_GET
def attachment_download(request, pk: int):
    """A file attached to a deep-dive answer: only for members who signed the meeting's statement."""
    access.require(request.user, A.JIG_MEMBER_AREA)
    attachment = members.attachment_for(request.user, pk)
    refusal = sign_first(request, attachment.answer.request.flag.meeting)
    if refusal:
        return refusal
    return private_download(attachment.file, attachment.original_name)


def private_download(field_file, filename: str) -> FileResponse:
    """A stored file as a download, never shown in the browser nor cached."""
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


urlpatterns = [
    path("meetings/<int:pk>/flags/add/", flag_add_page, name="flag-add"),
    path("flags/<int:pk>/remove/", flag_remove_page, name="flag-remove"),
    path("flags/<int:pk>/deep-dive/", deep_dive_request_page, name="deep-dive-request"),
    path("deep-dives/", deep_dive_list, name="deep-dive-list"),
    path("deep-dives/<int:pk>/", deep_dive_answer_page, name="deep-dive-answer"),
    path("deep-dives/attachments/<int:pk>/", attachment_download, name="deep-dive-attachment"),
]
