"""The CQC directory import: all-or-nothing, idempotent, precise about bad rows, keeps history."""

import csv
import hashlib
import io

import openpyxl
import pytest

from carehomes.choices import HomeStatus, KeyQuestion, RegistrationType
from carehomes.directory import DIRECTORY_HEADER, Area, build_directory
from carehomes.models import CareHome, CqcImport, CqcRating
from carehomes.services import cqc_import_create, cqc_import_record, cqc_import_run
from commissioning.choices import JobStatus, OrganisationKind
from commissioning.models import Organisation
from tests.commissioning.factories import (
    LocalAuthorityFactory,
    NhsCommissionerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SERVED = Area("Kingsmere", "E38000901", "NHS Kingsmere", "KM", 51.36, -0.19, 12, "Kingsmere")
NOT_SERVED = Area("Northfold", "E38000903", "NHS Northfold", "NF", 51.45, -0.10, 5, "Northfold")


@pytest.fixture
def council(db):
    NhsCommissionerFactory(gss_code="E38000901", name="NHS Kingsmere")
    return LocalAuthorityFactory(name="Kingsmere Council", cqc_area_name="Kingsmere")


def run_import(content: bytes, filename: str = "directory.csv", user=None) -> CqcImport:
    job = cqc_import_record(filename=filename, content=content, user=user)
    return cqc_import_run(cqc_import=job)


def directory(**kwargs):
    return build_directory([SERVED, NOT_SERVED], seed=7, other_rows=3, **kwargs)


def snapshot():
    homes = list(CareHome.objects.order_by("cqc_location_id").values())
    for home in homes:
        home.pop("modified_on")
    return homes, CqcRating.objects.count(), Organisation.objects.count()


def test_import_creates_only_care_homes_in_served_councils(council):
    job = run_import(directory().csv_bytes())
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.rows_in_file == 12 + 5 + 3
    assert job.rows_created == 12
    assert job.rows_skipped == 5 + 3
    assert CareHome.objects.count() == 12
    assert set(CareHome.objects.values_list("local_authority", flat=True)) == {council.pk}
    commissioner = Organisation.objects.get(gss_code="E38000901")
    assert CareHome.objects.filter(nhs_commissioner=commissioner).count() == 12


def test_import_reads_the_fields_of_a_row(council):
    source = directory()
    row = source.rows[0]
    row.update({"Service type - Care home service with nursing": "Y",
                "Service type - Care home service without nursing": "Y",
                "Care homes beds": "64", "Location Postal Code": "km1 2ab",
                "Location Latest Overall Rating": "Requires improvement",
                "Publication Date": "03/02/2025", "Dormant (Y/N)": "N"})
    for band in ("Dementia", "Mental Health"):
        row[f"Service user band - {band}"] = "Y"
    run_import(source.csv_bytes())
    home = CareHome.objects.get(cqc_location_id=row["Location ID"])
    assert home.registration_type == RegistrationType.DUAL
    assert home.beds == 64
    assert home.postcode == "KM1 2AB"
    assert home.cqc_overall_rating == "requires_improvement"
    assert home.cqc_rating_published_on.isoformat() == "2025-02-03"
    assert {"dementia", "mental_health"} <= set(home.service_user_bands)
    assert home.provider.cqc_provider_id == row["Provider ID"]
    assert home.provider.kind == OrganisationKind.CARE_PROVIDER


def test_importing_the_same_file_twice_changes_nothing(council):
    content = directory().csv_bytes()
    first = run_import(content)
    before = snapshot()
    history_before = CareHome.history.count()
    second = run_import(content)
    assert second.status == JobStatus.SUCCEEDED
    assert (second.rows_created, second.rows_updated, second.rows_unchanged) == (0, 0, 12)
    assert second.ratings_recorded == 0 and second.homes_deregistered == 0
    assert snapshot() == before
    assert CareHome.history.count() == history_before
    assert any("imported before" in w for w in second.warnings)
    assert first.checksum == second.checksum


def test_a_bad_row_rejects_the_whole_file_and_names_row_column_and_reason(council):
    run_import(directory().csv_bytes())
    before = snapshot()
    source = directory()
    source.rows[0]["Location Name"] = "Renamed in the bad file"
    source.rows[4]["Location ID"] = "X-123"
    source.rows[6]["Care homes beds"] = "lots"
    source.rows[7]["Location Latest Overall Rating"] = "Brilliant"
    job = run_import(source.csv_bytes())
    assert job.status == JobStatus.REJECTED
    assert job.rows_rejected == 3
    problems = {(e["row"], e["column"]) for e in job.errors}
    # Spreadsheet rows: the header is row 1, so list index 4 is row 6.
    assert (6, "Location ID") in problems
    assert (8, "Care homes beds") in problems
    assert (9, "Location Latest Overall Rating") in problems
    messages = {e["column"]: e["message"] for e in job.errors}
    assert "1- then 9 to 11 digits" in messages["Location ID"]
    assert "whole number" in messages["Care homes beds"]
    assert snapshot() == before
    assert not CareHome.objects.filter(name="Renamed in the bad file").exists()


def test_a_file_missing_required_columns_is_rejected_with_their_names(council):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [h for h in DIRECTORY_HEADER if h not in ("Provider ID", "Location Postal Code")]
    writer.writerow(header)
    writer.writerow(["x"] * len(header))
    job = run_import(buffer.getvalue().encode())
    assert job.status == JobStatus.REJECTED
    assert {e["column"] for e in job.errors} == {"Provider ID", "Location Postal Code"}
    assert all(e["row"] == 1 and "missing" in e["message"] for e in job.errors)
    assert CareHome.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_rejected_plainly(council):
    job = run_import(b"\x00\x01\x02 not a csv", filename="notes.pdf")
    assert job.status == JobStatus.REJECTED
    assert "Location ID" in job.errors[0]["message"]


def test_duplicate_location_ids_are_reported_with_both_rows(council):
    source = directory()
    source.rows[2]["Location ID"] = source.rows[1]["Location ID"]
    job = run_import(source.csv_bytes())
    assert job.status == JobStatus.REJECTED
    [problem] = job.errors
    assert problem["row"] == 4 and "also on row 3" in problem["message"]


def test_a_newer_file_updates_homes_and_keeps_rating_history(council):
    old = directory()
    old.rows[0].update({"Location Latest Overall Rating": "Good", "Publication Date": "01/03/2022"})
    run_import(old.csv_bytes())
    new = directory()
    new.rows[0].update({"Location Latest Overall Rating": "Inadequate",
                        "Publication Date": "15/09/2025", "Care homes beds": "99"})
    job = run_import(new.csv_bytes())
    assert job.rows_updated >= 1 and job.ratings_recorded >= 1
    home = CareHome.objects.get(cqc_location_id=new.rows[0]["Location ID"])
    assert home.beds == 99
    assert home.cqc_overall_rating == "inadequate"
    history = list(home.cqc_ratings.filter(key_question=KeyQuestion.OVERALL)
                   .order_by("published_on").values_list("rating", "published_on"))
    assert [r for r, _ in history] == ["good", "inadequate"]
    assert home.history.count() == 2  # created, then updated: the audit trail keeps both


def test_an_older_rating_in_a_later_file_does_not_replace_the_current_one(council):
    source = directory()
    source.rows[0].update({"Location Latest Overall Rating": "Good", "Publication Date": "01/03/2025"})
    run_import(source.csv_bytes())
    source.rows[0].update({"Location Latest Overall Rating": "Inadequate",
                           "Publication Date": "01/03/2020"})
    run_import(source.csv_bytes())
    home = CareHome.objects.get(cqc_location_id=source.rows[0]["Location ID"])
    assert home.cqc_overall_rating == "good"
    assert home.cqc_ratings.count() == 2


def test_homes_that_leave_the_register_are_marked_deregistered_never_deleted(council):
    source = directory()
    run_import(source.csv_bytes())
    gone = source.rows.pop(2)
    job = run_import(source.csv_bytes())
    assert job.homes_deregistered == 1
    home = CareHome.objects.get(cqc_location_id=gone["Location ID"])
    assert home.status == HomeStatus.DEREGISTERED
    assert home.deregistered_on is not None
    assert CareHome.objects.count() == 12
    # It comes back if it reappears on the register.
    source.rows.append(gone)
    run_import(source.csv_bytes())
    home.refresh_from_db()
    assert (home.status, home.deregistered_on) == (HomeStatus.ACTIVE, None)


def test_dormant_homes_are_kept_as_dormant(council):
    source = directory()
    source.rows[0]["Dormant (Y/N)"] = "Y"
    run_import(source.csv_bytes())
    assert CareHome.objects.get(cqc_location_id=source.rows[0]["Location ID"]).status == "dormant"


def test_columns_are_matched_by_header_whatever_their_order_and_case(council):
    source = directory()
    header = list(reversed(DIRECTORY_HEADER)) + ["A column CQC added later"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([h.upper() if h == "Location Name" else h for h in header])
    for row in source.rows:
        writer.writerow([row.get(h, "surprise") for h in header])
    job = run_import(buffer.getvalue().encode())
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.rows_created == 12


def test_an_xlsx_directory_imports_like_the_csv(council):
    source = directory()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Care directory with filters", "", "", ""])  # a title row above the header
    sheet.append(DIRECTORY_HEADER)
    for row in source.rows:
        values = [row.get(h, "") for h in DIRECTORY_HEADER]
        values[DIRECTORY_HEADER.index("Care homes beds")] = (
            int(row["Care homes beds"]) if row["Care homes beds"] else None)
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    job = run_import(buffer.getvalue(), filename="directory.xlsx")
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.rows_created == 12
    errors_job = run_import(buffer.getvalue(), filename="directory.xlsx")
    assert errors_job.rows_unchanged == 12


def test_the_import_records_who_when_checksum_and_counts(council, django_capture_on_commit_callbacks):
    user = UserFactory()
    content = directory().csv_bytes()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        job = cqc_import_create(filename="directory.csv", content=content, user=user)
    assert len(queued) == 1  # the task is queued only once the upload is committed
    job.refresh_from_db()
    assert job.requested_by == user
    assert job.checksum == hashlib.sha256(content).hexdigest()
    assert job.status == JobStatus.SUCCEEDED
    assert job.started_on and job.finished_on and job.finished_on >= job.started_on
    assert job.progress_percent == 100
    assert job.rows_created == 12


def test_edits_by_the_import_are_in_the_audit_history_with_who_and_why(council):
    user = UserFactory()
    source = directory()
    run_import(source.csv_bytes(), user=user)
    source.rows[0]["Registered manager"] = "B. Newmanager"
    job = run_import(source.csv_bytes(), user=user)
    home = CareHome.objects.get(cqc_location_id=source.rows[0]["Location ID"])
    latest = home.history.latest()
    assert latest.history_user == user
    assert latest.history_change_reason == f"CQC import {job.pk}"
    assert latest.registered_manager == "B. Newmanager"


def test_a_home_now_listed_for_another_council_is_not_marked_deregistered(council):
    source = directory()
    run_import(source.csv_bytes())
    moved = source.rows[0]
    moved["Location Local Authority"] = "Northfold"
    job = run_import(source.csv_bytes())
    assert job.homes_deregistered == 0
    home = CareHome.objects.get(cqc_location_id=moved["Location ID"])
    assert home.status == HomeStatus.ACTIVE
    assert any(home.name in w and "does not serve" in w for w in job.warnings)
