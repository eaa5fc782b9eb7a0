"""The default monthly return: what areas commonly collect (Capacity Tracker plus Sutton's).

Each entry: key, label, section, kind, unit, minimum, maximum, help text, per bed.
Commissioners change the set by making a new version; past returns keep theirs.
"""

from .choices import IndicatorKind as K
from .choices import IndicatorSection as S

C, N, P, T = K.COUNT, K.NUMBER, K.PERCENT, K.TEXT


def _i(key, label, section, kind=C, unit="", minimum=0, maximum=None, help_text="",
       per_bed=False, required=True):
    return {"key": key, "label": label, "section": section, "kind": kind, "unit": unit,
            "minimum": minimum, "maximum": maximum, "help_text": help_text,
            "per_bed": per_bed, "required": required}


DEFAULT_INDICATORS = [
    _i("beds_registered", "Registered beds", S.BEDS, unit="beds",
       help_text="The number of beds the home is registered with CQC for."),
    _i("beds_occupied", "Occupied beds", S.BEDS, unit="beds",
       help_text="Beds with a resident on the last day of the month, including residents in hospital."),
    _i("beds_vacant_reserved", "Vacant beds that are reserved", S.BEDS, unit="beds",
       help_text="Empty beds held for someone who is coming."),
    _i("beds_vacant_available", "Vacant beds accepting admissions", S.BEDS, unit="beds"),
    _i("occupied_council", "Occupied beds funded by the council", S.BEDS, unit="beds"),
    _i("occupied_nhs_chc", "Occupied beds funded by NHS Continuing Healthcare", S.BEDS,
       unit="beds"),
    _i("occupied_joint", "Occupied beds jointly funded by the council and the NHS", S.BEDS,
       unit="beds"),
    _i("occupied_self_funded", "Occupied beds that are self-funded", S.BEDS, unit="beds"),
    _i("occupied_other", "Occupied beds funded in another way", S.BEDS, unit="beds",
       help_text="For example, by another council or a health board."),
    _i("admissions", "Admissions to the home", S.MOVEMENTS, unit="people", per_bed=True),
    _i("discharges", "Discharges from the home", S.MOVEMENTS, unit="people", per_bed=True,
       help_text="People who left to live elsewhere. Do not count deaths."),
    _i("deaths_in_home", "Deaths in the home", S.MOVEMENTS, unit="people", per_bed=True),
    _i("deaths_in_hospital", "Deaths in hospital", S.MOVEMENTS, unit="people", per_bed=True),
    _i("deaths_elsewhere", "Deaths elsewhere", S.MOVEMENTS, unit="people", per_bed=True),
    _i("deaths_preferred_place", "Deaths in the person's preferred place", S.MOVEMENTS,
       unit="people", help_text="Of all the deaths this month, how many were where the person "
                                "said they wanted to die."),
    _i("falls", "Falls", S.SAFETY, unit="falls", per_bed=True),
    _i("falls_with_injury", "Falls with injury", S.SAFETY, unit="falls", per_bed=True),
    _i("pressure_ulcers", "New pressure ulcers (category 2 and above) acquired in the home",
       S.SAFETY, unit="people", per_bed=True),
    _i("utis", "Urinary tract infections (UTIs)", S.SAFETY, unit="infections", per_bed=True),
    _i("infection_outbreaks", "Infection outbreaks", S.SAFETY, unit="outbreaks",
       help_text="For example, norovirus, flu or COVID-19 outbreaks declared this month."),
    _i("medication_errors", "Medication errors", S.SAFETY, unit="errors", per_bed=True),
    _i("safeguarding_concerns", "Safeguarding concerns raised", S.SAFETY, unit="concerns",
       per_bed=True),
    _i("complaints", "Complaints received", S.SAFETY, unit="complaints", per_bed=True),
    _i("dols_applications", "Deprivation of Liberty Safeguards (DoLS) applications", S.SAFETY,
       unit="applications"),
    _i("ambulance_callouts", "Ambulance call-outs", S.URGENT_CARE, unit="call-outs",
       per_bed=True),
    _i("ae_attendances", "A&E attendances", S.URGENT_CARE, unit="attendances", per_bed=True),
    _i("emergency_admissions", "Emergency hospital admissions", S.URGENT_CARE, unit="admissions",
       per_bed=True),
    _i("staff_rn_employed", "Registered nurses directly employed (headcount)", S.WORKFORCE,
       unit="people", help_text="Residential homes with no nurses enter 0."),
    _i("staff_rn_agency", "Registered nurses from agencies or banks (headcount)", S.WORKFORCE,
       unit="people"),
    _i("staff_care_employed", "Care staff directly employed (headcount)", S.WORKFORCE,
       unit="people"),
    _i("staff_care_agency", "Care staff from agencies or banks (headcount)", S.WORKFORCE,
       unit="people"),
    _i("staff_noncare_employed", "Non-care staff directly employed (headcount)", S.WORKFORCE,
       unit="people"),
    _i("staff_noncare_agency", "Non-care staff from agencies or banks (headcount)", S.WORKFORCE,
       unit="people"),
    _i("staff_vacancies", "Vacancies", S.WORKFORCE, unit="posts"),
    _i("staff_leavers", "Staff who left this month", S.WORKFORCE, unit="people"),
    _i("agency_hours_percent", "Agency and bank hours as a share of all care hours", S.WORKFORCE,
       kind=P, unit="%", maximum=100),
    _i("sickness_percent", "Staff sickness: share of hours lost", S.WORKFORCE, kind=P, unit="%",
       maximum=100),
    _i("training_mandatory_percent", "Staff up to date with mandatory training", S.WORKFORCE,
       kind=P, unit="%", maximum=100),
    _i("training_dementia_percent", "Staff trained in dementia care", S.WORKFORCE, kind=P,
       unit="%", maximum=100),
    _i("training_eol_percent", "Staff trained in end-of-life care", S.WORKFORCE, kind=P,
       unit="%", maximum=100),
    _i("issues_for_commissioners", "Anything you want the council and the NHS to know",
       S.COMMENTS, kind=T, minimum=None, required=False,
       help_text="For example, a problem with a GP round, a discharge or staffing."),
]


def build_default_set(indicator_set_model, indicator_model, **fields):
    """Create version 1 from ``DEFAULT_INDICATORS`` with the given model classes.

    Used by the data migration (with its historical models) and by
    ``services.indicator_set_current`` when a database has no version yet.
    """
    indicator_set = indicator_set_model.objects.create(
        version=1, name="Monthly return", is_current=True,
        notes="The default return: Capacity Tracker beds and workforce, and the Sutton quality "
              "dashboard indicators.", **fields)
    indicator_model.objects.bulk_create(
        indicator_model(indicator_set=indicator_set, order=(n + 1) * 10, **spec)
        for n, spec in enumerate(DEFAULT_INDICATORS))
    return indicator_set
