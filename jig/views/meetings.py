"""Pages: the JIG's meetings, one meeting's page, and what is done to a meeting as a whole
(scheduling it, signing its confidentiality statement, opening and closing it, attendance,
apologies and minutes).

Everybody who sits on the group sees a meeting's date, status, quorum and standing agenda;
its content (flags, deep dives, soft intelligence, actions, planning decisions, minutes,
the pack) only once they have signed its statement. The content itself is listed here and
changed on the pages of ``meeting_content``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import meeting_selectors as sel
from .. import member_selectors as members
from ..choices import AttendanceStatus, DocumentKind, MeetingStatus
from ..dashboard_selectors import DashboardFilters, dashboard_rows
from ..meeting_forms import AttendanceForm, MeetingScheduleForm, MinutesForm
from ..meeting_services import (
    attendance_record,
    meeting_close,
    meeting_open,
    meeting_schedule,
    minutes_save,
    statement_sign,
)
from .jig_helpers import meeting_or_404, posted, refused, require_member_area, service_errors, sign_first


@login_required
@require_GET
def meeting_list(request):
    require_member_area(request.user)
    meetings = list(sel.meetings_visible_to(request.user))
    seats = list(sel.seats(request.user))
    return render(request, "jig/meetings/meeting_list.html", {
        "upcoming": sorted((m for m in meetings if m.status != MeetingStatus.CLOSED),
                           key=lambda m: m.starts_at),
        "past": [m for m in meetings if m.status == MeetingStatus.CLOSED],
        "seats": seats,
        "chaired_groups": [s.group for s in seats if sel.is_chair(request.user, s.group)],
        "deep_dives_waiting": members.deep_dives_waiting(request.user).count(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_schedule_page(request, pk: int):
    require_member_area(request.user)
    group = members.group_for(request.user, pk)
    if not sel.is_chair(request.user, group):
        raise PermissionDenied("Only the group's chair or co-chair can schedule a meeting.")
    form = MeetingScheduleForm(posted(request), initial={"time": group.meeting_time.strftime("%H:%M")})
    if request.method == "POST" and form.is_valid():
        starts_at = form.starts_at()
        try:
            meeting, created = meeting_schedule(group=group, month=starts_at.date().replace(day=1),
                                                user=request.user, starts_at=starts_at,
                                                location=form.cleaned_data["location"])
        except ValidationError as exc:
            service_errors(form, exc, rename={"starts_at": "date"})
        else:
            if created:
                messages.success(request, f"The meeting on {meeting.date:%-d %B %Y} is scheduled.")
            else:
                messages.info(request, f"{group} already has a meeting in {meeting.month:%B %Y}: this one.")
            return redirect("jig:meeting-detail", pk=meeting.pk)
    return render(request, "jig/meetings/meeting_schedule.html", {"group": group, "form": form})


def _content(user, meeting, chair: bool) -> dict:
    """The meeting's content, for a member who signed its statement."""
    flags = list(sel.meeting_flags(meeting, include_removed=chair))
    rows = {row.home.pk: row for row in dashboard_rows(
        user, meeting=meeting, filters=DashboardFilters(flagged_only=True)).rows}
    intelligence: dict[int, list] = {}
    for item in sel.soft_intelligence_for_meeting(user, meeting):
        intelligence.setdefault(item.care_home_id, []).append(item)
    return {
        "flags": [{"flag": f, "row": rows.get(f.care_home_id), "deep_dives": list(f.deep_dives.all()),
                   "soft_intelligence": intelligence.get(f.care_home_id, [])}
                  for f in flags if not f.is_removed],
        "removed_flags": [f for f in flags if f.is_removed],
        "actions": sel.actions_for_agenda(meeting),
        "planning": sel.planning_applications_for_agenda(meeting),
        "packs": list(sel.meeting_packs_for(user, meeting)[:5]),
    }


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    user, group = request.user, meeting.group
    chair = sel.is_chair(user, group)
    seat = sel.seat_on(user, group)
    content = sel.meeting_content_allowed(user, meeting)
    under_way = meeting.status != MeetingStatus.CLOSED
    attendance = members.meeting_attendance(meeting)
    recorded = next((a for a in attendance if a.membership.user_id == user.pk), None)
    context = {
        "meeting": meeting, "group": group, "seat": seat, "chair": chair, "content": content,
        "signature": members.signature_of(user, meeting),
        "statement": sel.group_document(group, DocumentKind.CONFIDENTIALITY_STATEMENT),
        "quorum": sel.meeting_quorum(meeting),
        "attendance": attendance,
        "previous": sel.previous_meeting(meeting),
        "under_way": under_way,
        "can_open": (chair and meeting.status == MeetingStatus.SCHEDULED
                     and timezone.localdate() >= meeting.date),
        "can_close": chair and meeting.status == MeetingStatus.OPEN,
        "can_record": chair and content and meeting.status != MeetingStatus.SCHEDULED,
        "can_flag": chair and content and under_way,
        "can_send_apologies": seat is not None and under_way and recorded is None,
    }
    if chair:
        context["signatures"] = sel.meeting_signatures(user, meeting)
    if content:
        context.update(_content(user, meeting, chair))
    return render(request, "jig/meetings/meeting_detail.html", context)


@login_required
@require_POST
def meeting_sign(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    try:
        signature = statement_sign(meeting=meeting, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, "You signed the confidentiality statement at "
                                  f"{timezone.localtime(signature.signed_at):%H:%M on %-d %B %Y}.")
    return redirect("jig:meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_open_page(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    try:
        meeting_open(meeting=meeting, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, "The meeting is open. Members who sign the statement now are recorded "
                                  "as present.")
    return redirect("jig:meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_close_page(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    try:
        meeting = meeting_close(meeting=meeting, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, "The meeting is closed: it was " + (
            "quorate." if meeting.was_quorate else "not quorate."))
    return redirect("jig:meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_apologies(request, pk: int):
    """A member sends their own apologies."""
    meeting = meeting_or_404(request.user, pk)
    seat = sel.seat_on(request.user, meeting.group)
    if seat is None:
        raise PermissionDenied
    try:
        attendance_record(meeting=meeting, membership=seat, status=AttendanceStatus.APOLOGIES,
                          user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, "Your apologies are recorded.")
    return redirect("jig:meeting-detail", pk=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request, pk: int):
    """The chair records who is present and who sent apologies."""
    meeting = meeting_or_404(request.user, pk)
    if not sel.is_chair(request.user, meeting.group):
        raise PermissionDenied("Only the chair records attendance.")
    seats = members.meeting_members(meeting)
    form = AttendanceForm(posted(request), memberships=seats)
    if request.method == "POST" and form.is_valid():
        seat = form.memberships[form.cleaned_data["membership"]]
        try:
            attendance_record(meeting=meeting, membership=seat, status=form.cleaned_data["status"],
                              note=form.cleaned_data["note"], user=request.user)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, f"{seat.user}: {AttendanceStatus(form.cleaned_data['status']).label}.")
            return redirect("jig:meeting-attendance", pk=meeting.pk)
    recorded = {a.membership_id: a for a in members.meeting_attendance(meeting)}
    return render(request, "jig/meetings/meeting_attendance.html", {
        "meeting": meeting, "form": form, "quorum": sel.meeting_quorum(meeting),
        "rows": [(seat, recorded.get(seat.pk)) for seat in seats]})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    if not sel.is_chair(request.user, meeting.group):
        raise PermissionDenied("Only the chair writes the minutes.")
    refusal = sign_first(request, meeting)
    if refusal:
        return refusal
    form = MinutesForm(posted(request), initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            minutes_save(meeting=meeting, user=request.user, minutes=form.cleaned_data["minutes"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, "The minutes are saved.")
            return redirect("jig:meeting-detail", pk=meeting.pk)
    return render(request, "jig/meetings/meeting_minutes.html", {"meeting": meeting, "form": form})


urlpatterns = [
    path("meetings/", meeting_list, name="meeting-list"),
    path("groups/<int:pk>/meetings/new/", meeting_schedule_page, name="meeting-schedule"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/sign/", meeting_sign, name="meeting-sign"),
    path("meetings/<int:pk>/open/", meeting_open_page, name="meeting-open"),
    path("meetings/<int:pk>/close/", meeting_close_page, name="meeting-close"),
    path("meetings/<int:pk>/apologies/", meeting_apologies, name="meeting-apologies"),
    path("meetings/<int:pk>/attendance/", meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/minutes/", meeting_minutes, name="meeting-minutes"),
]
