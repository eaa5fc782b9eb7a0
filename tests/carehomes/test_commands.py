"""The management commands: seed_demo and import_cqc_directory."""

import pytest
from django.core.management import call_command

from carehomes.models import CareHome, CqcImport
from commissioning.models import User


@pytest.mark.django_db
def test_seed_demo_builds_the_area_once_and_prints_sign_ins(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    homes = CareHome.objects.count()
    assert 110 <= homes <= 130
    assert CareHome.objects.filter(status="deregistered").count() == 1
    assert "manager@demo.portal.nhs.uk" in out and "demo-portal-2026" in out
    assert User.objects.filter(email="commissioner@demo.portal.nhs.uk").exists()
    call_command("seed_demo")
    assert CareHome.objects.count() == homes
    assert CqcImport.objects.count() == 2


@pytest.mark.django_db
def test_import_command_imports_a_file_and_reports_counts(tmp_path, capsys):
    from carehomes.directory import Area, build_directory
    from tests.commissioning.factories import LocalAuthorityFactory

    LocalAuthorityFactory(name="Kingsmere Council", cqc_area_name="Kingsmere")
    path = tmp_path / "directory.csv"
    path.write_bytes(build_directory([Area("Kingsmere", "E38000901", "NHS Kingsmere", "KM",
                                           51.3, -0.2, 6)]).csv_bytes())
    call_command("import_cqc_directory", str(path))
    assert "created 6" in capsys.readouterr().out
    assert CareHome.objects.count() == 6


@pytest.mark.django_db
def test_import_command_fails_loudly_on_a_bad_file(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "bad.csv"
    path.write_text("Location ID,Location Name\n1-123,Home\n")
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_cqc_directory", str(path))
