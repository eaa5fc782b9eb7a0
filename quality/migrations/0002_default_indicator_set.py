"""Version 1 of the monthly return, from quality.indicators.DEFAULT_INDICATORS."""

from django.db import migrations


def create_default(apps, schema_editor):
    from quality.indicators import build_default_set

    IndicatorSet = apps.get_model("quality", "IndicatorSet")
    if not IndicatorSet.objects.exists():
        build_default_set(IndicatorSet, apps.get_model("quality", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
