"""Pages: the JIG groups, a group's overview (its documents with their versions, its members
and its quorum rule), publishing a new version of a document, and adding or ending a seat.

Members see their own groups; administrators see every group, to set them up. Publishing
and changing seats is for the group's chairs and administrators (``may_manage_group``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import access

from .. import meeting_selectors as sel
from .. import member_selectors as members
from ..choices import DocumentKind
from ..meeting_forms import DocumentPublishForm, MembershipAddForm, MembershipEndForm
from ..meeting_services import group_document_publish, membership_add, membership_end
from .jig_helpers import A, posted, service_errors


def _group(request, pk: int):
    access.require(request.user, A.JIG_MEMBER_AREA)
    return members.group_for(request.user, pk)


def _require_manager(user, group) -> None:
    if not sel.may_manage_group(user, group):
        raise PermissionDenied("Only the group's chair or co-chair, or an administrator, can do this.")


@login_required
@require_GET
def group_list(request):
    access.require(request.user, A.JIG_MEMBER_AREA)
    groups = list(sel.groups_visible_to(request.user).prefetch_related("councils", "commissioners"))
    if not groups and not access.is_unrestricted(request.user):
        raise PermissionDenied("Only members of a Joint Intelligence Group can see this.")
    return render(request, "jig/meetings/group_list.html", {"groups": groups})


@login_required
@require_GET
def group_detail(request, pk: int):
    group = _group(request, pk)
    documents = list(group.documents.select_related("published_by").order_by("kind", "-version"))
    by_kind = [{"kind": kind, "label": label,
                "current": next((d for d in documents if d.kind == kind and d.is_current), None),
                "earlier": [d for d in documents if d.kind == kind and not d.is_current]}
               for kind, label in DocumentKind.choices]
    today = timezone.localdate()
    seats = list(group.memberships.select_related("user", "organisation").order_by("role", "user__full_name"))
    return render(request, "jig/meetings/group_detail.html", {
        "group": group, "documents": by_kind,
        "current_seats": [s for s in seats if s.is_current(today)],
        "other_seats": [s for s in seats if not s.is_current(today)],
        "councils": list(group.councils.all()), "commissioners": list(group.commissioners.all()),
        "can_manage": sel.may_manage_group(request.user, group),
        "is_member": sel.is_member(request.user, group),
    })


@login_required
@require_http_methods(["GET", "POST"])
def document_publish(request, pk: int, kind: str):
    group = _group(request, pk)
    if kind not in DocumentKind.values:
        raise Http404("No such document")
    _require_manager(request.user, group)
    current = sel.group_document(group, kind)
    form = DocumentPublishForm(posted(request), initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            document = group_document_publish(group=group, kind=kind, text=form.cleaned_data["text"],
                                              notes=form.cleaned_data["notes"], user=request.user)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, f"Version {document.version} of the "
                                      f"{document.get_kind_display().lower()} is now the current one.")
            return redirect("jig:group-detail", pk=group.pk)
    return render(request, "jig/meetings/document_publish.html", {
        "group": group, "form": form, "kind_label": DocumentKind(kind).label, "current": current})


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk: int):
    group = _group(request, pk)
    _require_manager(request.user, group)
    form = MembershipAddForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            seat = membership_add(group=group, user=request.user, person=form.person,
                                  organisation=data["organisation"], role=data["role"],
                                  starts_on=data["starts_on"])
        except ValidationError as exc:
            service_errors(form, exc, rename={"person": "email"})
        else:
            messages.success(request, f"{seat.user} now sits on {group} for {seat.organisation}.")
            return redirect("jig:group-detail", pk=group.pk)
    return render(request, "jig/meetings/member_add.html", {"group": group, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def member_end(request, pk: int, seat_pk: int):
    group = _group(request, pk)
    _require_manager(request.user, group)
    seat = members.membership_for(group, seat_pk)
    form = MembershipEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            membership_end(membership=seat, user=request.user, ends_on=form.cleaned_data["ends_on"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, f"{seat.user}'s seat ends on {form.cleaned_data['ends_on']:%-d %B %Y}.")
            return redirect("jig:group-detail", pk=group.pk)
    return render(request, "jig/meetings/member_end.html", {"group": group, "seat": seat, "form": form})


urlpatterns = [
    path("groups/", group_list, name="group-list"),
    path("groups/<int:pk>/", group_detail, name="group-detail"),
    path("groups/<int:pk>/documents/<str:kind>/", document_publish, name="group-document-publish"),
    path("groups/<int:pk>/members/add/", member_add, name="group-member-add"),
    path("groups/<int:pk>/members/<int:seat_pk>/end/", member_end, name="group-member-end"),
]
