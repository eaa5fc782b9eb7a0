"""Version 1 of the assessment framework, from quality.visits.default_framework."""

from django.db import migrations


def create_default(apps, schema_editor):
    from quality.visits.default_framework import build_default_framework

    FrameworkVersion = apps.get_model("quality", "FrameworkVersion")
    if not FrameworkVersion.objects.exists():
        build_default_framework(FrameworkVersion, apps.get_model("quality", "FrameworkDomain"),
                                apps.get_model("quality", "Standard"), apps.get_model("quality", "Question"))


class Migration(migrations.Migration):
    dependencies = [("quality", "0003_visits_and_action_plans")]
    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
