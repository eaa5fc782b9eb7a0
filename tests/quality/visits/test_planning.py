"""Planning: homes due a visit, riskiest and longest overdue first; who leads the visit."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from carehomes.choices import HomeStatus, RegistrationType
from carehomes.models import CareHome
from jig.models import RiskRating
from jig.risk.services import risk_model_current
from quality.choices import LeadOrganisation, Rating, VisitStatus
from quality.visits.planning import homes_due_a_visit, homes_with_visit_state, lead_organisation_for
from quality.visits.timing import next_visit_due
from tests.carehomes.factories import CareHomeFactory

from .factories import VisitFactory

pytestmark = pytest.mark.django_db


def past_visit(home, started_on: dt.date, rating: str):
    return VisitFactory(care_home=home, status=VisitStatus.PUBLISHED, planned_on=started_on,
                        started_on=started_on, shared_on=started_on, comments_close_on=started_on,
                        published_on=started_on, published_rating=rating)


def risk(home, rag: str, score: str):
    return RiskRating.objects.create(care_home=home, month=timezone.localdate().replace(day=1),
                                     model=risk_model_current(), score=Decimal(score), rag=rag,
                                     computed_on=timezone.now())


@pytest.mark.parametrize(("registration", "lead"), [(RegistrationType.RESIDENTIAL, LeadOrganisation.COUNCIL),
                                                    (RegistrationType.NURSING, LeadOrganisation.NHS),
                                                    (RegistrationType.DUAL, LeadOrganisation.JOINT)])
def test_the_lead_organisation_follows_the_registration_type(registration, lead):
    assert lead_organisation_for(CareHome(registration_type=registration)) == lead


def test_the_lead_organisation_is_configurable(settings):
    settings.VISIT_LEAD_BY_REGISTRATION = {"residential": "joint", "nursing": "nhs", "dual": "nhs"}
    assert lead_organisation_for(CareHome(registration_type="residential")) == LeadOrganisation.JOINT
    settings.VISIT_LEAD_BY_REGISTRATION = {"residential": "cqc"}
    with pytest.raises(ImproperlyConfigured, match="cqc"):
        lead_organisation_for(CareHome(registration_type="residential"))


def test_homes_due_a_visit_come_riskiest_then_longest_overdue_first(area, people):
    today = timezone.localdate()

    def home(name):
        return CareHomeFactory(name=name, provider=area.provider, local_authority=area.council,
                               nhs_commissioner=area.commissioner)

    never, red, amber = home("Never visited"), home("Red"), home("Amber, due in two weeks")
    ri, good_old, good_recent = home("RI 8 months ago"), home("Good 13 months ago"), home("Good 7 months ago")
    scheduled, dormant = home("Already scheduled"), home("Dormant")
    past_visit(ri, today - relativedelta(months=8), Rating.REQUIRES_IMPROVEMENT)  # due 2 months ago
    past_visit(good_old, today - relativedelta(months=13), Rating.GOOD)  # due a month ago
    past_visit(good_recent, today - relativedelta(months=7), Rating.GOOD)  # due in 5 months
    past_visit(amber, today - relativedelta(months=12) + dt.timedelta(days=14), Rating.GOOD)
    past_visit(red, today - relativedelta(months=2), Rating.POOR)  # due in 4 months, but red
    VisitFactory(care_home=scheduled)
    dormant.status = HomeStatus.DORMANT
    dormant.save()
    risk(red, "red", "80"), risk(amber, "amber", "40"), risk(good_old, "green", "10")
    mine = {never, red, amber, ri, good_old, good_recent, scheduled, dormant}

    due = [h for h in homes_due_a_visit(user=people.council_officer) if h in mine]
    # Due within 30 days: amber, then green, then not rated, each by due date (never visited first).
    # Red is not due for four months, so it is not on this list.
    assert [h.name for h in due] == ["Amber, due in two weeks", "Good 13 months ago", "Never visited",
                                     "RI 8 months ago"]
    amber_row = next(h for h in due if h == amber)
    assert amber_row.risk_rag == "amber" and amber_row.next_visit_due_on == today + dt.timedelta(days=14)
    ri_row = next(h for h in due if h == ri)
    assert ri_row.last_visit_rating == Rating.REQUIRES_IMPROVEMENT
    assert ri_row.next_visit_due_on == today - relativedelta(months=2)

    wider = [h.name for h in homes_due_a_visit(user=people.council_officer, within_days=200,
                                               include_scheduled=True) if h in mine]
    assert wider[:2] == ["Red", "Amber, due in two weeks"]  # red first, once it is in the window
    assert "Already scheduled" in wider and "Dormant" not in wider and "Good 7 months ago" in wider


def test_only_people_who_visit_get_a_planning_list(area, people):
    assert homes_due_a_visit(user=people.council_officer).exists()
    assert set(homes_due_a_visit(user=people.officer)) >= {area.home, area.second_home}
    assert not homes_due_a_visit(user=people.manager).exists()
    assert not homes_due_a_visit(user=people.jig_member).exists()


def test_next_due_date_in_sql_matches_python_at_month_ends(area):
    past_visit(area.home, dt.date(2025, 8, 31), Rating.POOR)
    past_visit(area.second_home, dt.date(2024, 2, 29), Rating.GOOD)
    rows = {h.pk: h.next_visit_due_on for h in homes_with_visit_state(CareHome.objects.all())}
    assert rows[area.home.pk] == next_visit_due(dt.date(2025, 8, 31), Rating.POOR) == dt.date(2026, 2, 28)
    leap_day = dt.date(2024, 2, 29)
    assert rows[area.second_home.pk] == next_visit_due(leap_day, Rating.GOOD) == dt.date(2025, 2, 28)
    assert rows[area.other_home.pk] is None
