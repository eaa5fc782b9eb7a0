"""Page: the JIG dashboard members review before and during a meeting.

Every home of the group's area with its RAG and score, its movement since the last meeting,
its rates per bed against the area, SPC signals, CQC rating, late returns, open actions and
soft intelligence, from ``jig.dashboard_selectors.dashboard_rows`` (a fixed number of queries
whatever the number of homes). For a meeting (``?meeting=``) it is that meeting's month, and a
member who signed the meeting's statement also sees which homes are flagged and why; the chair
flags and unflags homes from here.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from carehomes.choices import CqcRatingValue

from .. import meeting_selectors as sel
from .. import member_selectors as members
from ..choices import MeetingStatus, Movement
from ..dashboard_charts import rag_movement_chart
from ..dashboard_selectors import dashboard_rows
from ..meeting_forms import SORTS, DashboardFilterForm
from .jig_helpers import querystring_without, require_member_area
from .risk_display import RAG_LABELS, RAG_TAGS, score_change_text

PAGE_SIZE = 50
CQC_LABELS = dict(CqcRatingValue.choices)
SORT_VALUES = {
    "score": lambda r: r.score,
    "change": lambda r: r.score_change,
    "actions": lambda r: r.open_actions,
    "intelligence": lambda r: r.soft_intelligence,
}


def _sorted(rows, sort: str) -> list:
    """By the column ``sort`` names (``-`` for descending); missing numbers always last, and
    ties by the home's name so pages never shuffle."""
    field, descending = sort.lstrip("-"), sort.startswith("-")
    if field == "name":
        return sorted(rows, key=lambda r: (r.home.name.lower(), r.home.pk), reverse=descending)
    value, sign = SORT_VALUES[field], -1 if descending else 1
    return sorted(rows, key=lambda r: (value(r) is None, sign * (value(r) or 0), r.home.name.lower(),
                                       r.home.pk))


def _movement(row, previous_month) -> dict:
    since = f"{previous_month:%B %Y}"
    previous = RAG_LABELS.get(row.previous_rag, "").lower()
    if row.movement == Movement.WORSE:
        return {"arrow": "▲", "direction": "up", "words": f"worse since {since}, was {previous}"}
    if row.movement == Movement.BETTER:
        return {"arrow": "▼", "direction": "down", "words": f"better since {since}, was {previous}"}
    if row.movement == Movement.SAME:
        return {"arrow": "", "direction": "", "words": f"no change since {since}"}
    if row.movement == Movement.NEW:
        return {"arrow": "", "direction": "", "words": f"no rating in {since}", "label": "New"}
    return {"arrow": "", "direction": "", "words": "not rated"}


def _present(row, previous_month, flag) -> dict:
    return {"row": row, "home": row.home, "tag": RAG_TAGS.get(row.rag, "grey"),
            "rag_label": RAG_LABELS.get(row.rag, "Not rated"), "movement": _movement(row, previous_month),
            "change": score_change_text(row.score_change), "cqc_label": CQC_LABELS.get(row.cqc_rating, ""),
            "rates": [{**rate, "tag": RAG_TAGS.get(rate.get("band"), "grey")} for rate in row.rates],
            "flag": flag}


def _sort_header(request, field: str, label: str, current: str) -> dict:
    params = request.GET.copy()
    params.pop("page", None)
    numbers_first = field != "name"
    if current == field:
        params["sort"] = f"-{field}"
    elif current == f"-{field}":
        params["sort"] = field
    else:
        params["sort"] = f"-{field}" if numbers_first else field
    aria = "ascending" if current == field else "descending" if current == f"-{field}" else "none"
    return {"field": field, "label": label, "href": f"?{params.urlencode()}", "aria_sort": aria}


def _scope(request):
    """The meeting (``?meeting=``) or group (``?group=``, else the person's only group)."""
    user = request.user
    try:
        meeting_pk = int(request.GET["meeting"]) if request.GET.get("meeting") else None
        group_pk = int(request.GET["group"]) if request.GET.get("group") else None
    except ValueError as exc:
        raise Http404("Not found") from exc
    if meeting_pk:
        meeting = sel.meeting_for(user, meeting_pk)
        return meeting.group, meeting
    if group_pk:
        return members.group_for(user, group_pk), None
    groups = list({seat.group_id: seat.group for seat in sel.seats(user)}.values())
    return (groups[0] if len(groups) == 1 else None), None


@login_required
@require_GET
def dashboard(request):
    require_member_area(request.user)
    user = request.user
    group, meeting = _scope(request)
    if group is None:
        return render(request, "jig/meetings/dashboard_choose.html", {"seats": sel.seats(user)})
    signed = meeting is not None and sel.meeting_content_allowed(user, meeting)
    form = DashboardFilterForm(request.GET or None, councils=members.area_councils(group), can_flag=signed)
    board = dashboard_rows(user, group=group, meeting=meeting, filters=form.filters())
    sort = form.ordering()
    chair_flags = (signed and meeting.status != MeetingStatus.CLOSED and sel.is_chair(user, group))
    flags = {f.care_home_id: f for f in sel.meeting_flags(meeting)} if chair_flags else {}
    page = Paginator(_sorted(board.rows, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = querystring_without(request, "page")
    title = (f"Homes by RAG rating in {board.month:%B %Y}, and movement since {board.previous_month:%B %Y}")
    return render(request, "jig/meetings/dashboard.html", {
        "group": group, "meeting": meeting, "board": board, "form": form, "signed": signed,
        "chair_flags": chair_flags, "page_obj": page,
        "rows": [_present(row, board.previous_month, flags.get(row.home.pk)) for row in page.object_list],
        "headers": {field: _sort_header(request, field, label, sort) for field, label in SORTS.items()},
        "chart": rag_movement_chart(board.rows, title=title),
        "rag_counts": [(RAG_LABELS[rag], n, RAG_TAGS[rag]) for rag, n in board.rag_counts.items()],
        "flagged_count": sum(1 for row in board.rows if row.is_flagged),
        "meetings": members.meetings_under_way(user, group) if meeting is None else [],
        "querystring": querystring, "querystring_without_page": f"{querystring}&" if querystring else "",
        "sort": sort,
    })


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
]
