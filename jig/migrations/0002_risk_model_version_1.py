"""Risk model version 1, current and published, with its fifteen components.

A frozen copy of ``jig.risk.defaults`` as it was when written: migrations must not change
when code does. Weights sum to 100; amber from a score of 25, red from 50.
"""

from decimal import Decimal as D

from django.db import migrations
from django.utils import timezone

COMPONENTS = [
    # code, weight, amber_from, red_from
    ("callouts_rate", D(15), D("1.25"), D("1.5")),
    ("conveyed_share", D(5), D(60), D(75)),
    ("emergency_admissions_rate", D(15), D("1.25"), D("1.5")),
    ("ae_attendances_rate", D(5), D("1.25"), D("1.5")),
    ("bed_days_rate", D(5), D("1.25"), D("1.5")),
    ("repeat_callers", D(5), D(1), D(3)),
    ("falls_callouts_rate", D(10), D("1.25"), D("1.5")),
    ("spc_signals", D(10), D(1), D(2)),
    ("cqc_rating", D(10), D(2), D(3)),
    ("returns_late", D(5), D(1), D(2)),
    ("returns_falls_rate", D(3), D("1.25"), D("1.5")),
    ("returns_pressure_ulcers_rate", D(4), D("1.25"), D("1.5")),
    ("returns_safeguarding_rate", D(4), D("1.25"), D("1.5")),
    ("agency_share", D(2), D(10), D(20)),
    ("staff_turnover", D(2), D(30), D(45)),
]


def create_version_1(apps, schema_editor):
    RiskModel = apps.get_model("jig", "RiskModel")
    RiskComponent = apps.get_model("jig", "RiskComponent")
    if RiskModel.objects.exists():
        return
    model = RiskModel.objects.create(
        version=1, name="Version 1", is_current=True, published_on=timezone.now(),
        amber_from=D(25), red_from=D(50),
        notes=("The first model: ambulance and hospital activity against the area, SPC signals, "
               "CQC's rating and the monthly returns."))
    RiskComponent.objects.bulk_create(
        RiskComponent(model=model, code=code, weight=weight, amber_from=amber, red_from=red, order=n)
        for n, (code, weight, amber, red) in enumerate(COMPONENTS, start=1))


def remove_version_1(apps, schema_editor):
    RiskModel = apps.get_model("jig", "RiskModel")
    RiskModel.objects.filter(version=1, ratings__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("jig", "0001_feeds_and_risk")]

    operations = [migrations.RunPython(create_version_1, remove_version_1)]
