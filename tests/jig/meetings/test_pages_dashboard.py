"""The dashboard page: every home with its rating, movement, rates, signals and counts; its
filters, sorting, chart and drill-down; flags for members who signed; and the same number of
queries however many homes the group covers."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carehomes.choices import CqcRatingValue, RegistrationType
from jig import meeting_services as ms
from jig.agenda_services import flag_add
from jig.choices import Movement, Rag
from jig.views.dashboard import PAGE_SIZE
from quality.choices import Rating, VisitStatus
from quality.reports import add_months
from tests.carehomes.factories import CareHomeFactory
from tests.jig.factories import RiskRatingFactory
from tests.quality.visits.factories import VisitFactory

from .factories import JigActionFactory, SoftIntelligenceFactory
from .test_dashboard import COMPONENTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(jig):
    """``home`` went amber to red with signals; ``second_home`` is green, nursing, first rated now."""
    month = jig.meeting.month
    RiskRatingFactory(care_home=jig.area.home, month=add_months(month, -1), rag=Rag.AMBER, score=40)
    RiskRatingFactory(care_home=jig.area.home, month=month, rag=Rag.RED, score=62, components=COMPONENTS)
    RiskRatingFactory(care_home=jig.area.second_home, month=month, rag=Rag.GREEN, score=5)
    type(jig.area.home).objects.filter(pk=jig.area.second_home.pk).update(
        registration_type=RegistrationType.NURSING)
    type(jig.area.home).objects.filter(pk=jig.area.home.pk).update(cqc_overall_rating=CqcRatingValue.INADEQUATE)
    JigActionFactory(meeting=jig.meeting, care_home=jig.area.home)
    SoftIntelligenceFactory(group=jig.group, care_home=jig.area.home)
    on = dt.date(2026, 2, 3)
    VisitFactory(care_home=jig.area.home, status=VisitStatus.PUBLISHED, planned_on=on, started_on=on,
                 shared_on=on, comments_close_on=on + dt.timedelta(days=14), published_on=on,
                 published_rating=Rating.POOR)
    return month


def get(client_for, user, **params):
    return client_for(user).get(reverse("jig:dashboard"), params)


def homes(response) -> list[str]:
    return [r["home"].name for r in response.context["rows"]]


def test_the_dashboard_shows_every_home_of_the_area_with_its_signals(jig, rated, client_for):
    response = get(client_for, jig.ambulance)
    assert response.status_code == 200
    assert homes(response) == [jig.area.home.name, jig.area.second_home.name]  # not other_home
    html = response.content.decode()
    row = re.search(rf'<tr class="nhsuk-table__row" data-home="{jig.area.home.pk}">(.*?)</tr>', html, re.S)[1]
    assert f'href="/jig/risk/homes/{jig.area.home.pk}/"' in row  # the drill-down
    assert "Red" in row and "▲" in row and "worse since" in row  # the movement arrow, in words too
    assert "62" in row and "+22" in row
    assert "1.60×" in row and "Ambulance call-outs" in row  # the rate per bed against the area
    assert "Falls-related call-outs" in row  # the SPC signal's series
    assert "Inadequate" in row
    assert "Poor" in row and "3 Feb 2026" in row  # the latest published visit
    numbers = re.findall(r'nhsuk-table__cell--numeric">([^<]*)</td>', row)
    assert numbers[-3:] == ["2", "1", "1"]  # late returns, open actions, soft intelligence
    assert "New" in html  # second_home has no earlier rating
    assert 'id="dashboard-chart"' in html and "<svg" in html
    assert "Homes by RAG rating in" in html


def test_the_summary_chart_counts_homes_by_rag_and_movement(jig, rated, client_for):
    html = get(client_for, jig.ambulance).content.decode()
    chart = re.search(r'<figure class="portal-figure" id="dashboard-chart">(.*?)</figure>', html, re.S)[1]
    assert 'data-rag="red" data-movement="worse"' in chart
    assert 'data-rag="green" data-movement="new"' in chart
    assert "Red: 1 homes, of which 1 worse." in chart  # the description screen readers hear


@pytest.mark.parametrize(("params", "expected"), [
    ({"rag": Rag.RED}, ["home"]),
    ({"movement": Movement.NEW}, ["second_home"]),
    ({"movement": Movement.WORSE}, ["home"]),
    ({"registration_type": RegistrationType.NURSING}, ["second_home"]),
    ({"council": "council"}, ["home", "second_home"]),
    ({"rag": Rag.AMBER}, []),
])
def test_the_filters_narrow_the_homes(jig, rated, client_for, params, expected):
    if params.get("council"):
        params = {"council": jig.area.council.pk}
    response = get(client_for, jig.ambulance, **params)
    assert homes(response) == [getattr(jig.area, name).name for name in expected]
    if not expected:
        assert "No care homes match these filters." in response.content.decode()


def test_a_council_outside_the_area_cannot_be_chosen(jig, rated, client_for):
    response = get(client_for, jig.ambulance, council=jig.area.other_council.pk)
    assert response.context["form"].errors["council"] == ["Choose one from the list"]
    assert len(homes(response)) == 2  # the filter is ignored, not applied
    response = get(client_for, jig.ambulance, council=jig.area.other_council.pk, rag=Rag.RED)
    assert homes(response) == [jig.area.home.name]  # the other filters still apply


def test_the_dashboard_sorts_by_name_score_and_counts(jig, rated, client_for):
    first, second = jig.area.home.name, jig.area.second_home.name
    assert homes(get(client_for, jig.ambulance)) == [first, second]  # highest score first
    assert homes(get(client_for, jig.ambulance, sort="score")) == [second, first]
    assert homes(get(client_for, jig.ambulance, sort="name")) == sorted([first, second], key=str.lower)
    assert homes(get(client_for, jig.ambulance, sort="-actions")) == [first, second]
    response = get(client_for, jig.ambulance, sort="-score")
    assert response.context["headers"]["score"]["aria_sort"] == "descending"
    assert "sort=score" in response.context["headers"]["score"]["href"]


def test_flags_and_their_reasons_show_only_to_members_who_signed(jig, rated, client_for):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    flag_add(meeting=jig.meeting, care_home=jig.area.second_home, user=jig.chair, reason="Complaints rising")
    unsigned = get(client_for, jig.ambulance, meeting=jig.meeting.pk)
    assert "Complaints rising" not in unsigned.content.decode()
    assert "Sign the confidentiality statement to see this meeting" in unsigned.content.decode()
    assert "flagged_only" not in unsigned.context["form"].fields

    chair = get(client_for, jig.chair, meeting=jig.meeting.pk)
    html = chair.content.decode()
    assert "Added by the chair: Complaints rising" in html
    flag = jig.meeting.flags.get()
    assert reverse("jig:flag-remove", args=[flag.pk]) in html  # the chair unflags from here
    assert f"{reverse('jig:flag-add', args=[jig.meeting.pk])}?home={jig.area.home.pk}" in html
    only = get(client_for, jig.chair, meeting=jig.meeting.pk, flagged_only="on")
    assert homes(only) == [jig.area.second_home.name]


def test_a_signed_member_who_does_not_chair_sees_flags_but_cannot_change_them(jig, rated, client_for):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="Falls")
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    html = get(client_for, jig.ambulance, meeting=jig.meeting.pk).content.decode()
    assert "Added by the chair: Falls" in html
    assert "/flags/" not in html


def test_a_missing_or_other_groups_meeting_is_not_found(jig, rated, client_for):
    assert get(client_for, jig.ambulance, meeting=999999).status_code == 404
    assert get(client_for, jig.ambulance, meeting="x").status_code == 404


def test_the_dashboard_pages_through_many_homes(jig, rated, client_for):
    for _ in range(PAGE_SIZE):
        CareHomeFactory(local_authority=jig.area.council)
    response = get(client_for, jig.ambulance)
    assert len(response.context["rows"]) == PAGE_SIZE
    assert response.context["page_obj"].paginator.count == PAGE_SIZE + 2
    assert len(get(client_for, jig.ambulance, page=2).context["rows"]) == 2


def test_the_dashboard_runs_the_same_number_of_queries_for_3_or_23_homes(jig, rated, client_for):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="Falls")
    client = client_for(jig.chair)
    counts = []
    for extra in (1, 20):
        for _ in range(extra):
            home = CareHomeFactory(local_authority=jig.area.council, nhs_commissioner=jig.area.commissioner)
            RiskRatingFactory(care_home=home, month=rated, rag=Rag.AMBER, score=30, components=COMPONENTS)
            JigActionFactory(meeting=jig.meeting, care_home=home)
            SoftIntelligenceFactory(group=jig.group, care_home=home)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("jig:dashboard"), {"meeting": jig.meeting.pk})
        counts.append((len(response.context["rows"]), len(queries)))
    assert counts[0][0] == 3 and counts[1][0] == 23
    assert counts[0][1] == counts[1][1], counts


def test_a_member_of_two_groups_chooses_which_dashboard(jig, rated, client_for):
    group = ms.jig_group_create(user=jig.admin, name="Northfold JIG", councils=[jig.area.other_council])
    ms.membership_add(group=group, user=jig.admin, person=jig.ambulance, organisation=jig.area.other_council)
    response = get(client_for, jig.ambulance)
    assert "Which group's dashboard?" in response.content.decode()
    assert homes(get(client_for, jig.ambulance, group=group.pk)) == [jig.area.other_home.name]
