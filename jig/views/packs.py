"""Pages: the meeting pack. A member who signed the meeting's statement asks for it (a
background job with visible progress), watches it being made and downloads the PDF.

The PDF itself is made by ``jig.meeting_pack`` through ``jig.meeting_tasks.meeting_pack_task``;
these pages only ask for it (``meeting_pack_request``) and serve the stored file, to current
members who signed the meeting's statement only (``pack_download_allowed``): 403 for a
member who has not signed, 404 for anybody not on the group.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from commissioning.jobs import job_status_response

from .. import meeting_selectors as sel
from .. import member_selectors as members
from ..meeting_services import meeting_pack_request
from .jig_helpers import meeting_or_404, refused, sign_first
from .meeting_content import private_download


@login_required
@require_POST
def pack_request(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    refusal = sign_first(request, meeting)
    if refusal:
        return refusal
    try:
        pack = meeting_pack_request(meeting=meeting, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
        return redirect("jig:meeting-detail", pk=meeting.pk)
    messages.success(request, "The meeting pack is being made.")
    return redirect("jig:pack-detail", pk=meeting.pk, pack_pk=pack.pk)


def _pack(request, pk: int, pack_pk: int):
    """The meeting's pack: 404 off the group, the sign-first 403 for a member who has not signed."""
    meeting = meeting_or_404(request.user, pk)
    refusal = sign_first(request, meeting)
    if refusal:
        return meeting, None, refusal
    return meeting, members.pack_for(meeting, pack_pk), None


@login_required
@require_GET
def pack_detail(request, pk: int, pack_pk: int):
    meeting, pack, refusal = _pack(request, pk, pack_pk)
    if refusal:
        return refusal
    return render(request, "jig/meetings/pack_detail.html", {
        "meeting": meeting, "pack": pack, "downloadable": sel.pack_download_allowed(request.user, pack)})


@login_required
@require_GET
def pack_status(request, pk: int, pack_pk: int):
    _, pack, refusal = _pack(request, pk, pack_pk)
    return refusal or job_status_response(pack)


@login_required
@require_GET
def pack_download(request, pk: int, pack_pk: int):
    meeting, pack, refusal = _pack(request, pk, pack_pk)
    if refusal:
        return refusal
    if not sel.pack_download_allowed(request.user, pack):
        raise Http404("The pack is not ready")
    return private_download(pack.file, f"jig-meeting-pack-{meeting.date:%Y-%m-%d}.pdf")


urlpatterns = [
    path("meetings/<int:pk>/pack/", pack_request, name="pack-request"),
    path("meetings/<int:pk>/packs/<int:pack_pk>/", pack_detail, name="pack-detail"),
    path("meetings/<int:pk>/packs/<int:pack_pk>/status.json", pack_status, name="pack-status"),
    path("meetings/<int:pk>/packs/<int:pack_pk>/download/", pack_download, name="pack-download"),
]
