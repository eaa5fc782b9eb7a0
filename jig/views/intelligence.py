"""Pages: soft intelligence, the concerns members bring to the group about a home.

Only current members of the group it was recorded for ever see an item
(``soft_intelligence_visible_to``): commissioners, care home managers, administrators and
people whose seat has ended get 403 here (no seat on any group) or 404 (another group's).
Chairs and members record items; the member who recorded one, or the chair, corrects or
archives it (never deletes it).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import access

from .. import meeting_selectors as sel
from .. import member_selectors as members
from ..intelligence_forms import ArchiveForm, SoftIntelligenceForm
from ..intelligence_services import (
    soft_intelligence_archive,
    soft_intelligence_record,
    soft_intelligence_update,
)
from ..meeting_filtersets import SoftIntelligenceFilterSet
from .jig_helpers import A, posted, querystring_without, require_member_area, service_errors

PAGE_SIZE = 25


@login_required
@require_GET
def intelligence_list(request):
    require_member_area(request.user)
    archived = request.GET.get("archived") == "1"
    items = sel.soft_intelligence_visible_to(request.user, include_archived=archived)
    if archived:
        items = items.filter(archived_at__isnull=False)
    filterset = SoftIntelligenceFilterSet(request.GET or None, queryset=items)
    page = Paginator(filterset.qs.select_related("meeting"), PAGE_SIZE).get_page(request.GET.get("page"))
    chaired = {s.group_id for s in sel.seats(request.user) if sel.is_chair(request.user, s.group)}
    querystring = querystring_without(request, "page")
    return render(request, "jig/meetings/intelligence_list.html", {
        "filterset": filterset, "page_obj": page, "archived": archived,
        "items": [{"item": item, "editable": not item.is_archived and (
            item.recorded_by_id == request.user.pk or item.group_id in chaired)}
            for item in page.object_list],
        "may_record": members.voting_groups(request.user).exists(),
        "querystring_without_page": f"{querystring}&" if querystring else "",
    })


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_record(request):
    """Find the home (or come from the dashboard or its risk page with it), then the concern."""
    require_member_area(request.user)
    groups = list(members.voting_groups(request.user))
    if not groups:
        raise PermissionDenied("Only the group's chairs and members record soft intelligence.")
    home_pk = request.POST.get("home") or request.GET.get("home")
    home = members.home_in_groups(groups, home_pk) if home_pk else None
    query = request.GET.get("q", "").strip()
    form = SoftIntelligenceForm(posted(request))
    if request.method == "POST" and home is not None and form.is_valid():
        group = next(g for g in groups if members.home_in_groups([g], home.pk))
        try:
            item = soft_intelligence_record(group=group, care_home=home, user=request.user, **form.changes())
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, f"The concern about {item.care_home.name} is recorded. Only members of "
                                      f"{group} can see it.")
            return redirect("jig:intelligence-list")
    return render(request, "jig/meetings/intelligence_form.html", {
        "form": form, "home": home, "query": query, "editing": None,
        "results": members.homes_matching(groups, query) if home is None else []})


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_edit(request, pk: int):
    access.require(request.user, A.JIG_MEMBER_AREA)
    item = members.soft_intelligence_item_for(request.user, pk)
    if not members.may_edit_intelligence(request.user, item):
        raise PermissionDenied("Only the member who recorded it, or the chair, can change it.")
    initial = {name: getattr(item, name) for name in SoftIntelligenceForm.base_fields}
    form = SoftIntelligenceForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            soft_intelligence_update(item=item, user=request.user, **form.changes())
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, "The concern is corrected. Its history keeps the earlier version.")
            return redirect("jig:intelligence-list")
    return render(request, "jig/meetings/intelligence_form.html", {
        "form": form, "home": item.care_home, "editing": item, "results": []})


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_archive(request, pk: int):
    access.require(request.user, A.JIG_MEMBER_AREA)
    item = members.soft_intelligence_item_for(request.user, pk)
    if not members.may_edit_intelligence(request.user, item):
        raise PermissionDenied("Only the member who recorded it, or the chair, can change it.")
    form = ArchiveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            soft_intelligence_archive(item=item, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, "The concern is archived: it is kept, but no longer counted or shown.")
            return redirect("jig:intelligence-list")
    return render(request, "jig/meetings/intelligence_archive.html", {"item": item, "form": form})


urlpatterns = [
    path("soft-intelligence/", intelligence_list, name="intelligence-list"),
    path("soft-intelligence/new/", intelligence_record, name="intelligence-record"),
    path("soft-intelligence/<int:pk>/edit/", intelligence_edit, name="intelligence-edit"),
    path("soft-intelligence/<int:pk>/archive/", intelligence_archive, name="intelligence-archive"),
]
