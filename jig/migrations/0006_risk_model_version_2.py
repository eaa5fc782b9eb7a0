"""Risk model version 2: version 1's fifteen components, reweighted, and three new ones from
the joint quality work (the latest visit rating, overdue visit actions, soft intelligence).

A frozen copy of ``jig.risk.defaults`` as it was when written: migrations must not change
when code does. Weights sum to 100; amber from a score of 25, red from 50.

Version 2 becomes the current model only where version 1, as shipped, still is: a new
installation, or one whose commissioners have not published a version of their own. Where
they have, version 2 waits as a draft for them to compare, change and publish (or not).
Ratings already stored keep the version they were computed with.
"""

from decimal import Decimal as D

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

COMPONENTS = [
    # code, weight, amber_from, red_from
    ("callouts_rate", D(12), D("1.25"), D("1.5")),
    ("conveyed_share", D(4), D(60), D(75)),
    ("emergency_admissions_rate", D(12), D("1.25"), D("1.5")),
    ("ae_attendances_rate", D(4), D("1.25"), D("1.5")),
    ("bed_days_rate", D(4), D("1.25"), D("1.5")),
    ("repeat_callers", D(4), D(1), D(3)),
    ("falls_callouts_rate", D(8), D("1.25"), D("1.5")),
    ("spc_signals", D(8), D(1), D(2)),
    ("cqc_rating", D(8), D(2), D(3)),
    ("returns_late", D(4), D(1), D(2)),
    ("returns_falls_rate", D(3), D("1.25"), D("1.5")),
    ("returns_pressure_ulcers_rate", D(3), D("1.25"), D("1.5")),
    ("returns_safeguarding_rate", D(4), D("1.25"), D("1.5")),
    ("agency_share", D(1), D(10), D(20)),
    ("staff_turnover", D(1), D(30), D(45)),
    ("visit_rating", D(10), D(2), D(3)),
    ("visit_actions_overdue", D(5), D(1), D(3)),
    ("soft_intelligence", D(5), D(2), D(4)),
]
NOTES = ("Adds the latest quality monitoring visit rating (weight 10), overdue visit actions (5) and "
         "the JIG's soft intelligence (5); the fifteen components of version 1 are reweighted to make "
         "room, keeping their balance.")


def create_version_2(apps, schema_editor):
    RiskModel = apps.get_model("jig", "RiskModel")
    RiskComponent = apps.get_model("jig", "RiskComponent")
    if RiskModel.objects.filter(notes=NOTES).exists():
        return
    current = RiskModel.objects.filter(is_current=True).first()
    publish = current is None or current.version == 1
    version = (RiskModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    if publish:
        RiskModel.objects.filter(is_current=True).update(is_current=False)
    model = RiskModel.objects.create(
        version=version, name=f"Version {version}", is_current=publish,
        published_on=timezone.now() if publish else None, amber_from=D(25), red_from=D(50), notes=NOTES)
    RiskComponent.objects.bulk_create(
        RiskComponent(model=model, code=code, weight=weight, amber_from=amber, red_from=red, order=n)
        for n, (code, weight, amber, red) in enumerate(COMPONENTS, start=1))


def remove_version_2(apps, schema_editor):
    RiskModel = apps.get_model("jig", "RiskModel")
    model = RiskModel.objects.filter(notes=NOTES, ratings__isnull=True).first()
    if model is None:
        return
    was_current = model.is_current
    model.delete()
    if was_current:
        RiskModel.objects.filter(version=1).update(is_current=True)


class Migration(migrations.Migration):

    dependencies = [("jig", "0005_meetings"), ("quality", "0004_default_framework")]

    operations = [migrations.RunPython(create_version_2, remove_version_2)]
