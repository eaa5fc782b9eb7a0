import datetime as dt

import factory
from django.utils import timezone

from quality.choices import ReturnStatus
from quality.models import MonthlyReturn
from quality.services import due_date_for, indicator_set_current
from tests.carehomes.factories import CareHomeFactory


def months_ago(n: int) -> dt.date:
    """The first day of the month ``n`` months before this one (UK date)."""
    month = timezone.localdate().replace(day=1)
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def good_values(beds=40, occupied=36, **overrides) -> dict:
    """A complete, valid set of values for the default return (version 1)."""
    values = {
        "beds_registered": beds, "beds_occupied": occupied, "beds_vacant_reserved": 1,
        "beds_vacant_available": beds - occupied - 1, "occupied_council": occupied // 2,
        "occupied_nhs_chc": 4, "occupied_joint": 2,
        "occupied_self_funded": occupied - occupied // 2 - 6, "occupied_other": 0,
        "admissions": 3, "discharges": 1, "deaths_in_home": 2, "deaths_in_hospital": 1,
        "deaths_elsewhere": 0, "deaths_preferred_place": 2, "falls": 6, "falls_with_injury": 1,
        "pressure_ulcers": 1, "utis": 3, "infection_outbreaks": 0, "medication_errors": 1,
        "safeguarding_concerns": 1, "complaints": 0, "dols_applications": 2,
        "ambulance_callouts": 4, "ae_attendances": 3, "emergency_admissions": 2,
        "staff_rn_employed": 8, "staff_rn_agency": 1, "staff_care_employed": 30,
        "staff_care_agency": 3, "staff_noncare_employed": 10, "staff_noncare_agency": 0,
        "staff_vacancies": 2, "staff_leavers": 1, "agency_hours_percent": 7.5,
        "sickness_percent": 4.0, "training_mandatory_percent": 92.0,
        "training_dementia_percent": 80.0, "training_eol_percent": 65.0,
        "issues_for_commissioners": "",
    }
    values.update(overrides)
    return values


class MonthlyReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyReturn

    care_home = factory.SubFactory(CareHomeFactory)
    month = dt.date(2026, 9, 1)
    indicator_set = factory.LazyFunction(indicator_set_current)
    due_on = factory.LazyAttribute(lambda o: due_date_for(o.month))
    status = ReturnStatus.DRAFT
    values = factory.LazyFunction(good_values)
