"""Uploading a file of returns for many homes: all or nothing, idempotent, precise about problems."""

import csv
import datetime as dt
import html
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.choices import JobStatus, Role
from quality.choices import ReturnSource, ReturnStatus
from quality.models import MonthlyReturn, ReturnUpload, ReturnVersion
from quality.services import return_save
from quality.uploads import template_header
from tests.commissioning.factories import MembershipFactory
from tests.quality.factories import good_values, months_ago

pytestmark = pytest.mark.django_db

C, Q, M, A = Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER, Role.ADMINISTRATOR
UPLOADS = reverse("quality:upload-list")




LAST_MONTH = months_ago(1)


def row(home, month=LAST_MONTH, submit="Y", reason="", confirmations="", **overrides) -> dict:
    return {"CQC location ID": home.cqc_location_id, "Month": f"{month:%Y-%m}",
            **good_values(**overrides), "Submit": submit, "Amendment reason": reason,
            "Confirmations": confirmations}


def csv_file(rows: list[dict], header: list[str] | None = None) -> bytes:
    header = header or template_header()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, content: bytes, name="returns.csv", capture=None):
    """Post the file as a person would; the task runs once the request's transaction commits."""
    file = io.BytesIO(content)
    file.name = name
    with capture(execute=True):
        response = client.post(UPLOADS, {"file": file})
    assert response.status_code == 302, response.content
    job = ReturnUpload.objects.latest("pk")
    assert response["Location"] == reverse("quality:upload-detail", args=[job.pk])
    return job


@pytest.fixture
def manager(area, client_for):
    return client_for(area.users[M])


@pytest.fixture
def send(manager, django_capture_on_commit_callbacks):
    def make(content, name="returns.csv", client=None):
        return upload(client or manager, content, name, django_capture_on_commit_callbacks)

    return make


def snapshot():
    return (list(MonthlyReturn.objects.order_by("pk").values("pk", "status", "values",
                                                              "version_count")),
            ReturnVersion.objects.count())


def test_uploading_the_same_file_twice_creates_nothing_new(area, send, manager):
    content = csv_file([row(area.home), row(area.second_home),
                        row(area.home, months_ago(2)), row(area.second_home, months_ago(2))])
    first = send(content)
    assert first.status == JobStatus.SUCCEEDED, first.errors
    assert (first.rows_in_file, first.rows_created, first.rows_updated, first.rows_unchanged) == (
        4, 4, 0, 0)
    returns = MonthlyReturn.objects.filter(care_home__in=[area.home, area.second_home])
    assert returns.count() == 4 and set(returns.values_list("status", flat=True)) == {"submitted"}
    version = ReturnVersion.objects.filter(monthly_return__care_home=area.home).first()
    assert version.source == ReturnSource.UPLOAD and version.created_by == area.users[M]
    before = snapshot()

    second = send(content, name="returns-again.csv")
    assert second.status == JobStatus.SUCCEEDED, second.errors
    assert (second.rows_created, second.rows_updated, second.rows_unchanged) == (0, 0, 4)
    assert snapshot() == before
    assert second.checksum == first.checksum
    assert "You uploaded this file before" in second.warnings[0]
    page = manager.get(reverse("quality:upload-detail", args=[second.pk])).content.decode()
    assert 'id="rows-unchanged">4<' in page and 'id="rows-created">0<' in page


def test_a_file_with_one_bad_row_changes_nothing_and_names_the_row_and_field(area, send,
                                                                            manager):
    return_save(care_home=area.home, month=months_ago(2), values=good_values(), user=area.users[M],
                source=ReturnSource.WEB, submit=True)
    before = snapshot()
    content = csv_file([row(area.home), row(area.home, months_ago(2), reason="Recounted", falls=7),
                        row(area.second_home, falls=6, falls_with_injury=9)])
    job = send(content)
    assert job.status == JobStatus.REJECTED
    assert snapshot() == before  # the good rows were not saved either
    assert job.errors == [{"row": 4, "column": "falls_with_injury", "value": "9",
                           "message": "Falls with injury must be no more than falls (6)"}]
    assert (job.rows_in_file, job.rows_rejected, job.rows_created) == (3, 1, 0)
    page = html.unescape(manager.get(reverse("quality:upload-detail", args=[job.pk]))
                         .content.decode())
    assert "The returns were not saved" in page and "Nothing was saved" in page
    assert "Falls with injury must be no more than falls (6)" in page
    assert '<td class="nhsuk-table__cell">4</td><td class="nhsuk-table__cell">falls_with_injury' \
        in page


def test_a_row_for_another_providers_home_is_refused_and_nothing_changes(area, send, manager):
    MonthlyReturn.objects.all().delete()
    content = csv_file([row(area.home), row(area.other_home)])
    job = send(content)
    assert job.status == JobStatus.REJECTED
    assert not MonthlyReturn.objects.exists()
    assert job.errors == [{"row": 3, "column": "CQC location ID",
                           "value": area.other_home.cqc_location_id,
                           "message": "You cannot send returns for this home"}]
    page = manager.get(reverse("quality:upload-detail", args=[job.pk])).content.decode()
    assert "You cannot send returns for this home" in page
    assert area.other_home.name not in page


def test_a_home_that_does_not_exist_gets_the_same_answer_as_another_providers(area, send):
    job = send(csv_file([row(area.home) | {"CQC location ID": "1-999999999"}]))
    assert [e["message"] for e in job.errors] == ["You cannot send returns for this home"]


def test_a_manager_of_one_home_cannot_upload_for_the_providers_other_homes(area, send,
                                                                          client_for):
    client = client_for(area.users["manager_one_home"])
    job = send(csv_file([row(area.home), row(area.second_home)]), client=client)
    assert job.status == JobStatus.REJECTED
    assert [(e["row"], e["message"]) for e in job.errors] == [
        (3, "You cannot send returns for this home")]
    assert not MonthlyReturn.objects.exists()


def test_an_xlsx_with_question_names_as_headings_and_excel_dates_works(area, send):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Monthly returns for Example Care Group"])  # a title above the header
    labels = {"beds_occupied": "OCCUPIED BEDS", "falls": "Falls"}
    header = ["CQC location ID", "Month",
              *(labels.get(k, k) for k in good_values()), "Submit"]
    sheet.append(header)
    for home, beds in ((area.home, 40), (area.second_home, 30)):
        values = good_values(beds=beds, occupied=beds - 4)
        sheet.append([home.cqc_location_id, dt.datetime.combine(LAST_MONTH, dt.time()),
                      *values.values(), "y"])
    buffer = io.BytesIO()
    book.save(buffer)
    job = send(buffer.getvalue(), name="returns.xlsx")
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.rows_created == 2
    second = MonthlyReturn.objects.get(care_home=area.second_home, month=LAST_MONTH)
    assert second.values["beds_registered"] == 30 and second.values["agency_hours_percent"] == 7.5


def test_unusual_values_are_sent_only_with_a_reason_in_the_confirmations_column(area, send):
    history = [row(area.home, months_ago(n), falls=2, falls_with_injury=0) for n in (5, 4, 3, 2)]
    spike = row(area.home, falls=20)
    job = send(csv_file([*history, spike]))
    assert job.status == JobStatus.REJECTED
    [problem] = job.errors
    assert (problem["row"], problem["column"], problem["value"]) == (6, "falls", "20")
    assert problem["message"].startswith("Falls is 20, more than 3 times the home's median of 2")
    assert "Confirmations column" in problem["message"]
    assert not MonthlyReturn.objects.exists()  # the earlier months were not saved on their own

    spike["Confirmations"] = "FALLS: norovirus outbreak; utis: not asked"
    job = send(csv_file([*history, spike]))
    assert job.status == JobStatus.SUCCEEDED, job.errors
    latest = MonthlyReturn.objects.get(care_home=area.home, month=LAST_MONTH)
    assert latest.confirmations == {"falls": "norovirus outbreak"}


def test_changing_a_submitted_return_needs_an_amendment_reason(area, send):
    send(csv_file([row(area.home)]))
    job = send(csv_file([row(area.home, falls=7)]))
    assert job.errors == [{"row": 2, "column": "Amendment reason", "value": "",
                           "message": "Give a reason for amending the return"}]
    job = send(csv_file([row(area.home, falls=7, reason="A fall was missed")]))
    assert (job.status, job.rows_updated) == (JobStatus.SUCCEEDED, 1)
    amended = MonthlyReturn.objects.get(care_home=area.home)
    assert amended.status == ReturnStatus.AMENDED
    assert list(amended.versions.values_list("number", "reason")) == [
        (2, "A fall was missed"), (1, "")]


def test_rows_marked_n_are_saved_as_drafts_and_can_be_incomplete(area, send):
    header = ["CQC location ID", "Month", "falls", "Submit"]
    job = send(csv_file([{"CQC location ID": area.home.cqc_location_id,
                          "Month": f"{LAST_MONTH:%Y-%m}", "falls": "3", "Submit": "N"}], header))
    assert job.status == JobStatus.SUCCEEDED, job.errors
    draft = MonthlyReturn.objects.get(care_home=area.home)
    assert (draft.status, draft.values) == (ReturnStatus.DRAFT, {"falls": 3})


def test_the_file_is_checked_for_duplicates_bad_months_unknown_columns_and_missing_questions(
        area, send):
    header = template_header()
    rows = [row(area.home), row(area.home), row(area.second_home) | {"Month": "next Tuesday"},
            row(area.second_home, months_ago(2)) | {"Submit": "maybe"}]
    job = send(csv_file(rows, header))
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "CQC location ID", f"Row 2 is also for this home and {LAST_MONTH:%B %Y}. Give each "
                               "home and month once"),
        (4, "Month", "Enter the month as year and month, like 2026-10"),
        (5, "Submit", "Enter Y to submit the return or N to save it as a draft"),
    ]
    future = timezone.localdate().replace(day=1) + dt.timedelta(days=40)
    job = send(csv_file([row(area.home, future)]))
    assert job.errors[0]["message"] == (f"A return for {future:%B %Y} cannot be made before "
                                        "that month starts")
    job = send(csv_file([row(area.home) | {"Beds in the garden": "3"}],
                        [*header, "Beds in the garden"]))
    assert job.errors[0]["column"] == "Beds in the garden"
    job = send(csv_file([row(area.home)], [h for h in header if h != "falls"]))
    assert job.errors == [{"row": None, "column": "falls", "value": "",
                           "message": "The file has no column for “Falls” (falls)"}]
    assert not MonthlyReturn.objects.exists()


def test_an_unreadable_file_is_rejected_with_a_reason(area, send):
    job = send(b"name,beds\nRose House,40\n")
    assert job.status == JobStatus.REJECTED
    assert "CQC location ID" in job.errors[0]["message"]


def test_the_template_has_every_question_and_a_row_for_each_of_the_managers_homes(area,
                                                                                  manager):
    response = manager.get(reverse("quality:upload-template"))
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == template_header()
    assert lines[0][:3] == ["CQC location ID", "Month", "beds_registered"]
    assert lines[0][-3:] == ["Submit", "Amendment reason", "Confirmations"]
    homes = {line[0] for line in lines[1:]}
    assert homes == {area.home.cqc_location_id, area.second_home.cqc_location_id}
    assert {line[1] for line in lines[1:]} == {f"{LAST_MONTH:%Y-%m}"}


def test_the_upload_page_explains_the_columns_and_lists_the_users_own_uploads(area, send,
                                                                              manager,
                                                                              client_for):
    mine = send(csv_file([row(area.home)]))
    colleague = MembershipFactory(role=M, organisation=area.provider, all_provider_homes=True).user
    theirs = send(csv_file([row(area.second_home)]), name="theirs.csv",
                  client=client_for(colleague))
    page = manager.get(UPLOADS).content.decode()
    assert "beds_occupied" in page and "Confirmations" in page and "Amendment reason" in page
    assert reverse("quality:upload-detail", args=[mine.pk]) in page
    assert reverse("quality:upload-detail", args=[theirs.pk]) not in page
    assert 'scope="col">Rows with problems</th>' in page and ">Succeeded</strong>" in page
    assert manager.get(reverse("quality:upload-detail", args=[theirs.pk])).status_code == 404
    admin_page = client_for(area.users[A]).get(UPLOADS).content.decode()
    assert reverse("quality:upload-detail", args=[theirs.pk]) in admin_page
    status = manager.get(reverse("quality:upload-status", args=[mine.pk])).json()
    assert status == {"status": "succeeded", "stage": "Finished", "percent": 100,
                      "finished": True}


@pytest.mark.parametrize("who", [C, Q, Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM,
                                 "no_role"])
def test_only_people_who_send_returns_may_upload(area, client_for, send, who):
    job = send(csv_file([row(area.home)]))
    client = client_for(area.users[who])
    for url in (UPLOADS, reverse("quality:upload-template"),
                reverse("quality:upload-detail", args=[job.pk]),
                reverse("quality:upload-status", args=[job.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(UPLOADS, {"file": io.BytesIO(b"x")}).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client):
    assert reverse("sign-in") in client.get(UPLOADS)["Location"]


def test_the_form_says_what_is_wrong_with_the_file_itself(manager):
    response = manager.post(UPLOADS, {})
    assert response.context["form"].errors == {"file": ["Select a file of returns"]}
    file = io.BytesIO(b"data")
    file.name = "returns.pdf"
    response = manager.post(UPLOADS, {"file": file})
    assert response.context["form"].errors == {"file": ["The selected file must be a CSV or XLSX"]}
    assert not ReturnUpload.objects.exists()
    assert "No uploads yet." in response.content.decode()
