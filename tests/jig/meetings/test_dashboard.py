"""The dashboard members review before and during a meeting, and the pack's context."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carehomes.choices import CqcRatingValue, RegistrationType
from commissioning.choices import Role
from jig import meeting_selectors as sel
from jig import meeting_services as ms
from jig.agenda_services import flag_add
from jig.choices import JigActionStatus, Movement, Rag
from jig.dashboard_selectors import DashboardFilters, dashboard_rows
from quality.choices import Rating, VisitStatus
from quality.reports import add_months
from tests.carehomes.factories import CareHomeFactory
from tests.jig.factories import RiskRatingFactory
from tests.quality.visits.factories import VisitFactory

from .factories import JigActionFactory, SoftIntelligenceFactory

pytestmark = pytest.mark.django_db

COMPONENTS = [
    {"code": "callouts_rate", "label": "Ambulance call-outs", "value": 1.6, "band": "red",
     "display": "1.60 × the area rate (0.40 vs 0.25 call-outs per occupied bed)"},
    {"code": "spc_signals", "label": "SPC signals", "value": 1, "band": "amber",
     "display": "1 of 6 series: falls-related call-outs"},
    {"code": "returns_late", "label": "Late or missing returns", "value": 2, "band": "red",
     "display": "2 of 3"},
    {"code": "cqc_rating", "label": "CQC rating", "value": 2, "band": "amber",
     "display": "Requires improvement"},
]


@pytest.fixture
def rated(jig):
    """``home`` went amber to red; ``second_home`` is green with no earlier rating."""
    month = jig.meeting.month
    RiskRatingFactory(care_home=jig.area.home, month=add_months(month, -1), rag=Rag.AMBER, score=40)
    RiskRatingFactory(care_home=jig.area.home, month=month, rag=Rag.RED, score=62, components=COMPONENTS)
    RiskRatingFactory(care_home=jig.area.second_home, month=month, rag=Rag.GREEN, score=5)
    return month


def published_visit(home, on, rating):
    VisitFactory(care_home=home, status=VisitStatus.PUBLISHED, planned_on=on, started_on=on, shared_on=on,
                 comments_close_on=on + dt.timedelta(days=14), published_on=on, published_rating=rating)


def rows_by_home(dashboard):
    return {row.home: row for row in dashboard.rows}


def test_every_home_of_the_area_with_its_rating_movement_and_components(jig, rated):
    JigActionFactory(meeting=jig.meeting, care_home=jig.area.home)
    JigActionFactory(meeting=jig.meeting, care_home=jig.area.home, status=JigActionStatus.DONE,
                     completed_on=jig.meeting.month)
    SoftIntelligenceFactory(group=jig.group, care_home=jig.area.home)
    SoftIntelligenceFactory(group=jig.group, care_home=jig.area.home, archived_reason="Wrong home",
                            archived_at=jig.meeting.starts_at)
    type(jig.area.home).objects.filter(pk=jig.area.home.pk).update(cqc_overall_rating=CqcRatingValue.INADEQUATE)
    published_visit(jig.area.home, dt.date(2025, 5, 1), Rating.GOOD)
    published_visit(jig.area.home, dt.date(2026, 1, 12), Rating.REQUIRES_IMPROVEMENT)  # the latest
    dashboard = dashboard_rows(jig.ambulance, group=jig.group, month=rated)
    rows = rows_by_home(dashboard)
    assert set(rows) == {jig.area.home, jig.area.second_home}  # not other_home: another council's
    red = rows[jig.area.home]
    assert (red.rag, red.score, red.previous_rag, red.movement, red.score_change) == (
        Rag.RED, 62, Rag.AMBER, Movement.WORSE, 22)
    assert red.rates == [{"code": "callouts_rate", "label": "Ambulance call-outs", "value": 1.6,
                          "display": "1.60 × the area rate (0.40 vs 0.25 call-outs per occupied bed)",
                          "band": "red"}]
    assert (red.spc_signals, red.spc_series) == (1, ["Falls-related call-outs"])
    assert (red.cqc_rating, red.late_returns, red.open_actions, red.soft_intelligence) == (
        CqcRatingValue.INADEQUATE, 2, 1, 1)
    assert (red.visit_rating, red.visit_label, red.visit_published_on) == (
        Rating.REQUIRES_IMPROVEMENT, "Requires improvement", dt.date(2026, 1, 12))
    assert rows[jig.area.second_home].visit_label == ""
    assert red.risk_url == f"/jig/risk/homes/{jig.area.home.pk}/"
    assert rows[jig.area.second_home].movement == Movement.NEW
    assert dashboard.rows[0].home == jig.area.home  # highest score first
    assert dashboard.rag_counts == {"red": 1, "amber": 0, "green": 1}


def test_filters_narrow_the_rows(jig, rated):
    def homes(**filters):
        return {row.home for row in dashboard_rows(jig.ambulance, group=jig.group, month=rated,
                                                   filters=DashboardFilters(**filters)).rows}

    assert homes(rag=Rag.RED) == {jig.area.home}
    assert homes(movement=Movement.NEW) == {jig.area.second_home}
    assert homes(council=jig.area.other_council.pk) == set()
    assert homes(registration_type=RegistrationType.NURSING) == set()
    assert homes(registration_type=RegistrationType.RESIDENTIAL, council=jig.area.council.pk) == {
        jig.area.home, jig.area.second_home}


def test_flags_show_only_to_a_member_who_signed_the_meeting(jig, rated):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    flag_add(meeting=jig.meeting, care_home=jig.area.second_home, user=jig.chair, reason="Complaints")
    unsigned = dashboard_rows(jig.ambulance, meeting=jig.meeting)
    assert not unsigned.flags_shown and all(row.flag_reasons is None for row in unsigned.rows)
    assert dashboard_rows(jig.ambulance, meeting=jig.meeting,
                          filters=DashboardFilters(flagged_only=True)).rows == []
    signed = rows_by_home(dashboard_rows(jig.chair, meeting=jig.meeting))
    assert signed[jig.area.second_home].flag_reasons == ["Added by the chair: Complaints"]
    assert signed[jig.area.home].flag_reasons == []


@pytest.mark.parametrize("who", [Role.COMMISSIONER, Role.ADMINISTRATOR, Role.CARE_HOME_MANAGER])
def test_only_members_see_the_dashboard(jig, who):
    with pytest.raises(PermissionDenied):
        dashboard_rows(jig.area.users[who], group=jig.group)


def test_a_member_of_one_group_needs_no_group_named(jig, rated):
    assert dashboard_rows(jig.acute).group == jig.group
    with pytest.raises(ValidationError, match="choose the meeting"):
        dashboard_rows(jig.acute, filters=DashboardFilters(flagged_only=True))


def _queries(work) -> int:
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


def _more_homes(jig, count):
    for _ in range(count):
        home = CareHomeFactory(local_authority=jig.area.council, nhs_commissioner=jig.area.commissioner)
        RiskRatingFactory(care_home=home, month=jig.meeting.month, rag=Rag.AMBER, score=30,
                          components=COMPONENTS)
        JigActionFactory(meeting=jig.meeting, care_home=home)
        SoftIntelligenceFactory(group=jig.group, care_home=home)


def test_the_dashboard_makes_the_same_queries_for_more_homes(jig, rated):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    user = sel.seat_on(jig.chair, jig.group).user  # roles cached once, as on a page

    def work():
        return dashboard_rows(user, meeting=jig.meeting)

    work()
    few = _queries(work)
    _more_homes(jig, 6)
    assert len(work().rows) == 8
    assert _queries(work) == few


def test_the_pack_context_makes_the_same_queries_for_more_homes_and_flags(jig, rated):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="Falls")
    few = _queries(lambda: sel.pack_context(jig.meeting))
    _more_homes(jig, 5)
    for home in type(jig.area.home).objects.exclude(pk__in=[jig.area.home.pk, jig.area.other_home.pk]):
        flag_add(meeting=jig.meeting, care_home=home, user=jig.chair, reason="Also")
    context = sel.pack_context(jig.meeting)
    assert len(context["flags"]) == 7 and len(context["dashboard"].rows) == 7
    assert _queries(lambda: sel.pack_context(jig.meeting)) == few
    assert context["agenda"][0] == "Welcome, apologies and confidentiality statement"
    assert context["confidentiality_statement"].version == 1
