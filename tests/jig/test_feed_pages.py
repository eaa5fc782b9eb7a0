"""Feed pages: who sees what, sending a file, its outcome, batch history and the matching queue."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.choices import JobStatus, Role
from jig.choices import Channel, MatchStatus
from jig.models import AmbulanceIncident, FeedBatch, HomeMatchRule
from jig.services import feed_records_submit, match_rule_save
from tests.commissioning.factories import AcuteTrustFactory, AmbulanceTrustFactory, MembershipFactory

from .feed_files import ambulance_csv, ambulance_row

pytestmark = pytest.mark.django_db

C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE, ANON = "manager_one_home", "no_role", "anonymous"
EVERYONE = [C, Q, M, JC, JM, P, A, ONE, NONE, ANON]
READERS = {C, Q, JC, JM, P, A}  # read risk, or send feeds


@pytest.fixture
def trust(area):
    return area.users[P].memberships.get().organisation


def record(n: int, home=None, *, cqc=None, **extra) -> dict:
    fields = {"source_record_id": f"AMB-{n}", "called_at": "14/03/2026 09:41",
              "cqc_location_id": cqc if cqc is not None else home.cqc_location_id,
              "response_category": "C2", "chief_complaint": "Fall", "outcome": "See and treat",
              "person_token": "psd-7Qk2xR9mL4vA"}
    return {**fields, **extra}


def send(area, trust, records, user=None) -> FeedBatch:
    return feed_records_submit(kind="ambulance", source=trust, records=records, user=user or area.users[P])


@pytest.fixture
def batch(area, trust):
    return send(area, trust, [record(1, area.home)])


def client_of(area, who) -> Client:
    client = Client()
    if who != ANON:
        client.force_login(area.users[who])
    return client


def expect(who, allowed: set) -> int:
    return 302 if who == ANON else 200 if who in allowed else 403


# --- Who sees what ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize(("page", "allowed"), [
    ("feed-list", READERS),
    ("feed-formats", READERS),
    ("feed-upload", {P, A}),
    ("matching-queue", READERS),
    ("matching-rules", READERS),
])
def test_who_can_open_each_feed_page(area, who, page, allowed):
    assert client_of(area, who).get(reverse(f"jig:{page}")).status_code == expect(who, allowed)


@pytest.mark.parametrize("who", EVERYONE)
def test_who_can_download_an_example_file(area, who):
    response = client_of(area, who).get(reverse("jig:feed-example", args=["hospital"]))
    assert response.status_code == expect(who, READERS)
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith(b"Source record ID,Kind,")


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", ["feed-detail", "feed-status"])
def test_who_can_see_a_trusts_batch(area, batch, who, page):
    response = client_of(area, who).get(reverse(f"jig:{page}", args=[batch.pk]))
    assert response.status_code == expect(who, READERS)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_commissioners_and_administrators_resolve_the_queue(area, trust, who):
    send(area, trust, [record(1, cqc="1-999999999")])
    url = reverse("jig:matching-resolve") + "?key=cqc:1-999999999"
    assert client_of(area, who).get(url).status_code == expect(who, {C, A})


def test_a_sender_sees_only_their_own_trusts_batches(area, batch):
    other_trust = AcuteTrustFactory()
    other_sender = MembershipFactory(role=P, organisation=other_trust).user
    other = feed_records_submit(kind="hospital", source=other_trust, user=other_sender, records=[{
        "source_record_id": "H-1", "kind": "Admission", "arrived_at": "14/03/2026 10:32",
        "admission_method": "21", "cqc_location_id": area.home.cqc_location_id,
        "person_token": "psd-7Qk2xR9mL4vA"}])
    sender = client_of(area, P)
    assert sender.get(reverse("jig:feed-detail", args=[other.pk])).status_code == 404
    assert sender.get(reverse("jig:feed-status", args=[other.pk])).status_code == 404
    listed = sender.get(reverse("jig:feed-list")).context["batches"]
    assert [b.pk for b in listed] == [batch.pk]
    assert {b.pk for b in client_of(area, C).get(reverse("jig:feed-list")).context["batches"]} == {
        batch.pk, other.pk}
    assert {b.pk for b in client_of(area, JM).get(reverse("jig:feed-list")).context["batches"]} == {
        batch.pk, other.pk}


def test_care_home_managers_never_see_feeds_in_the_navigation(area):
    nav = client_of(area, M).get(reverse("home")).context["portal_nav"]
    assert "Feeds" not in [label for label, _ in nav]
    nav = client_of(area, P).get(reverse("home")).context["portal_nav"]
    assert ("Feeds", reverse("jig:feed-list")) in nav


# --- Sending a file --------------------------------------------------------------------------

def post_file(client, content: bytes, name="incidents.csv", **data):
    return client.post(reverse("jig:feed-upload"),
                       {"kind": "ambulance", "file": SimpleUploadedFile(name, content), **data})


def test_a_sender_uploads_a_file_and_the_batch_page_shows_its_counts(
        area, trust, django_capture_on_commit_callbacks):
    client = client_of(area, P)
    form = client.get(reverse("jig:feed-upload"))
    assert b"Which trust" not in form.content  # one trust: not asked
    assert b"ambulance incidents" in form.content
    content = ambulance_csv([ambulance_row("A-1", area.home), ambulance_row("A-2", area.second_home),
                             ambulance_row("A-3", cqc="1-999999999")])

    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, content)

    batch = FeedBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jig:feed-detail", args=[batch.pk])
    assert (batch.source, batch.channel, batch.filename, batch.requested_by) == (
        trust, Channel.UPLOAD, "incidents.csv", area.users[P])
    page = client.get(response["Location"])
    text = " ".join(page.content.decode().split())
    assert batch.status == JobStatus.SUCCEEDED and "Succeeded" in text
    assert "New records</dt><dd class=\"nhsuk-summary-list__value\">3" in text
    assert "Waiting to be matched to a home</dt><dd class=\"nhsuk-summary-list__value\">1" in text
    assert "Homes whose data changed</dt><dd class=\"nhsuk-summary-list__value\">2" in text
    status = client.get(reverse("jig:feed-status", args=[batch.pk])).json()
    assert status == {"status": "succeeded", "stage": "Finished", "percent": 100, "finished": True}


def test_a_file_with_a_bad_row_shows_its_row_and_column_and_stores_nothing(
        area, django_capture_on_commit_callbacks):
    client = client_of(area, P)
    content = ambulance_csv([ambulance_row("A-1", area.home), ambulance_row("A-2", area.home, category="C9")])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, content)
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "was rejected" in text and "Nothing was stored" in text
    cell = '<td class="nhsuk-table__cell">'
    assert f"{cell}3</td>{cell}Response category</td>" in text
    assert "C9" in text
    assert not AmbulanceIncident.objects.exists()


def test_a_file_with_an_nhs_number_is_refused_and_the_number_is_not_shown(
        area, django_capture_on_commit_callbacks):
    client = client_of(area, P)
    rows = [ambulance_row("A-1", area.home), ambulance_row("A-2", area.home)]
    rows[1][7] = "Fall, patient 943 476 5919"
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, ambulance_csv(rows))
    text = client.get(response["Location"]).content.decode()
    assert "refused: it holds identifiable data" in text and "Nothing was stored" in text
    assert "Chief complaint" in text and "NHS number" in text
    assert "943 476 5919" not in text and "9434765919" not in text
    assert not AmbulanceIncident.objects.exists()


def test_the_upload_form_reports_a_missing_file_and_a_wrong_type(area):
    client = client_of(area, P)
    response = client.post(reverse("jig:feed-upload"), {"kind": "ambulance"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Select a CSV or XLSX file" in response.content.decode()
    response = post_file(client, b"hello", name="incidents.txt")
    assert "must be a CSV or XLSX" in response.content.decode()
    assert not FeedBatch.objects.exists()


def test_an_administrator_chooses_the_kind_and_trust(area, trust, django_capture_on_commit_callbacks):
    acute, _second_ambulance = AcuteTrustFactory(), AmbulanceTrustFactory()
    client = client_of(area, A)
    form = client.get(reverse("jig:feed-upload"))
    assert b"Which trust are you sending for?" in form.content and b"Hospital activity" in form.content
    content = ambulance_csv([ambulance_row("A-1", area.home)])
    assert "Select the trust" in post_file(client, content).content.decode()
    wrong = post_file(client, content, source=acute.pk)
    assert "cannot send ambulance incidents; choose an ambulance trust" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, content, source=trust.pk)
    assert response.status_code == 302
    assert FeedBatch.objects.get().source == trust


def test_the_formats_page_lists_every_column_with_its_example(area):
    text = client_of(area, JM).get(reverse("jig:feed-formats")).content.decode()
    for needle in ("Call date-time", "14/03/2026 09:41", "Admission method", "person_token",
                   "Also: Category"):
        assert needle in text


# --- Batch history ---------------------------------------------------------------------------

def test_the_batch_list_filters_by_kind_status_channel_and_trust(area, trust, batch):
    bad = send(area, trust, [record(2, area.home, response_category="C9")])
    other_trust = AmbulanceTrustFactory()
    elsewhere = send(area, other_trust, [record(3, area.home)], user=area.users[A])
    client = client_of(area, C)

    def listed(**params):
        return {b.pk for b in client.get(reverse("jig:feed-list"), params).context["batches"]}

    assert listed() == {batch.pk, bad.pk, elsewhere.pk}
    assert listed(status="rejected") == {bad.pk}
    assert listed(source=other_trust.pk) == {elsewhere.pk}
    assert listed(kind="hospital") == set()
    assert listed(channel="api") == {batch.pk, bad.pk, elsewhere.pk}


def test_the_batch_list_runs_the_same_queries_for_2_batches_or_12(area, trust):
    client = client_of(area, C)

    def count_queries(batches: int) -> tuple[int, int]:
        for n in range(batches):
            FeedBatch.objects.create(kind="ambulance", source=trust, channel=Channel.API, checksum=f"{n}",
                                     requested_by=area.users[P], status=JobStatus.SUCCEEDED,
                                     rows_accepted=n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("jig:feed-list"))
        assert response.status_code == 200
        return response.context["page_obj"].paginator.count, len(queries)

    first = count_queries(2)
    second = count_queries(10)
    assert (first[0], second[0]) == (2, 12)
    assert first[1] == second[1]


@pytest.mark.parametrize("who", EVERYONE)
def test_who_can_download_the_batch_list(area, batch, who):
    response = client_of(area, who).get(reverse("jig:feed-export"))
    assert response.status_code == expect(who, {C, Q, JC, A})


def test_the_batch_list_downloads_as_csv_with_its_filters_and_counts(area, trust, batch):
    bad = send(area, trust, [record(2, area.home, response_category="C9")])
    client = client_of(area, C)
    page = client.get(reverse("jig:feed-list"), {"status": "rejected"}).content.decode()
    assert reverse("jig:feed-export") + "?status=rejected" in page
    response = client.get(reverse("jig:feed-export"), {"status": "rejected"})
    assert response["Content-Disposition"].startswith('attachment; filename="feed-batches-')
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Batch,Received,Feed,Trust,Sent as,Sent by,Status,Identifiable data,")
    assert len(lines) == 2  # the header and the one rejected batch
    cells = lines[1].split(",")
    assert cells[0] == str(bad.pk)
    assert cells[2:7] == ["Ambulance incidents", trust.name, "API", area.users[P].email, "Rejected"]
    assert cells[7:14] == ["No", "1", "0", "0", "0", "1", "0"]
    everything = b"".join(client.get(reverse("jig:feed-export")).streaming_content).decode("utf-8-sig")
    assert len(everything.splitlines()) == 3


# --- The matching queue ----------------------------------------------------------------------

def test_the_queue_groups_waiting_records_by_key_and_resolving_matches_them(area, trust):
    send(area, trust, [record(1, cqc="1-999999999", called_at="01/03/2026 10:00"),
                       record(2, cqc="1-999999999", called_at="20/03/2026 10:00"),
                       record(3, cqc="", home_postcode=area.home.postcode, home_name="Old name house"),
                       record(4, area.home)])
    client = client_of(area, C)
    queue = client.get(reverse("jig:matching-queue"))
    keys = {k.key: k for k in queue.context["keys"]}
    assert set(keys) == {"cqc:1-999999999", f"home:{area.home.postcode}|OLD NAME HOUSE"}
    waiting = keys["cqc:1-999999999"]
    assert waiting.counts == {"ambulance": 2} and waiting.sources == {trust.name}
    assert (timezone.localtime(waiting.first).date(), timezone.localtime(waiting.last).date()) == (
        dt.date(2026, 3, 1), dt.date(2026, 3, 20))
    text = queue.content.decode()
    assert "CQC location ID 1-999999999" in text and "Old Name House" in text

    url = reverse("jig:matching-resolve") + "?key=cqc:1-999999999"
    resolve = reverse("jig:matching-resolve")
    page = client.get(resolve, {"key": "cqc:1-999999999", "q": area.second_home.name})
    assert area.second_home in page.context["candidates"]
    suggested = client.get(resolve, {"key": f"home:{area.home.postcode}|OLD NAME HOUSE"})
    assert area.home in suggested.context["candidates"]  # the same postcode

    response = client.post(url, {"key": "cqc:1-999999999", "choice": area.second_home.pk}, follow=True)

    assert f"2 records matched to {area.second_home.name}; its rating will be recomputed." in (
        response.content.decode())
    assert set(AmbulanceIncident.objects.filter(source_record_id__in=["AMB-1", "AMB-2"])
               .values_list("care_home", "match_status")) == {(area.second_home.pk, MatchStatus.MATCHED)}
    assert HomeMatchRule.objects.get(match_key="cqc:1-999999999").created_by == area.users[C]
    assert "CQC location ID 1-999999999" not in client.get(reverse("jig:matching-queue")).content.decode()
    rules = client.get(reverse("jig:matching-rules")).content.decode()
    assert "CQC location ID 1-999999999" in rules and area.second_home.name in rules


def test_not_one_of_our_homes_needs_a_note(area, trust):
    send(area, trust, [record(1, cqc="1-999999999")])
    client = client_of(area, C)
    url = reverse("jig:matching-resolve") + "?key=cqc:1-999999999"
    response = client.post(url, {"key": "cqc:1-999999999", "choice": "outside"})
    assert response.status_code == 200 and "Say why these records" in response.content.decode()
    response = client.post(url, {"key": "cqc:1-999999999", "choice": "outside", "note": "A home in Kent"},
                           follow=True)
    assert "1 record marked as not for one of our homes" in response.content.decode()
    assert AmbulanceIncident.objects.get().match_status == MatchStatus.OUTSIDE


def test_a_commissioner_cannot_match_records_to_a_home_they_cannot_see(area, trust):
    send(area, trust, [record(1, cqc="1-999999999")])
    client = client_of(area, C)  # a commissioner of the first council
    url = reverse("jig:matching-resolve") + "?key=cqc:1-999999999"
    response = client.post(url, {"key": "cqc:1-999999999", "choice": area.other_home.pk})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert AmbulanceIncident.objects.get().match_status == MatchStatus.UNMATCHED


def test_a_decision_naming_a_home_the_user_cannot_see_does_not_show_that_home(area, trust):
    send(area, trust, [record(1, cqc="1-999999999")])
    match_rule_save(match_key="cqc:1-999999999", care_home=area.other_home, user=area.users[A])
    url = reverse("jig:matching-resolve") + "?key=cqc:1-999999999"
    mine = client_of(area, C).get(url)  # a commissioner of the first council
    assert mine.status_code == 200 and area.other_home not in mine.context["candidates"]
    assert area.other_home.name not in mine.content.decode()
    assert "A home outside your area" in mine.content.decode()
    admin = client_of(area, A).get(url)
    assert admin.context["candidates"][0] == area.other_home
    assert area.other_home.name in admin.content.decode()


def test_a_sender_sees_only_their_own_trusts_waiting_records(area, trust):
    send(area, trust, [record(1, cqc="1-999999999")])
    other_trust = AmbulanceTrustFactory()
    send(area, other_trust, [record(1, cqc="1-888888888")], user=area.users[A])
    assert [k.key for k in client_of(area, P).get(reverse("jig:matching-queue")).context["keys"]] == [
        "cqc:1-999999999"]
    assert len(client_of(area, JM).get(reverse("jig:matching-queue")).context["keys"]) == 2


def test_the_queue_runs_the_same_queries_for_2_keys_or_10(area, trust):
    client = client_of(area, C)

    def count_queries(keys: int, start: int) -> tuple[int, int]:
        send(area, trust, [record(start + n, cqc=f"1-{start + n:09d}") for n in range(keys)])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("jig:matching-queue"))
        assert response.status_code == 200
        return len(response.context["keys"]), len(queries)

    first = count_queries(2, 100)
    second = count_queries(8, 200)
    assert (first[0], second[0]) == (2, 10)
    assert first[1] == second[1]
