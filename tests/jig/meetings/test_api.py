"""The JIG meetings API: who sees which meetings and their content, actions, soft intelligence
and packs; what members may write; and lists whose query counts do not grow with their rows."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from commissioning.choices import JobStatus, Role
from jig import meeting_services as ms
from jig.agenda_services import flag_add
from jig.choices import IntelligenceCategory, JigActionStatus, Sensitivity
from jig.intelligence_services import action_create, soft_intelligence_record
from jig.models import JigAction, MeetingPack, SoftIntelligence
from tests.api.conftest import session_client, token_client

from .factories import JigActionFactory, SoftIntelligenceFactory

pytestmark = pytest.mark.django_db

MEETINGS, ACTIONS, INTEL, PACKS = ("/api/v1/jig-meetings/", "/api/v1/jig-actions/",
                                   "/api/v1/jig-soft-intelligence/", "/api/v1/jig-meeting-packs/")
SECRET = "The deputy manager was seen asleep on a night shift."
CHAIR, CO_CHAIR, AMBULANCE, ACUTE, OBSERVER = "chair", "co_chair", "ambulance", "acute", "observer"
MEMBERS = [CHAIR, CO_CHAIR, AMBULANCE, ACUTE, OBSERVER]
OUTSIDERS = [Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER, Role.PARTNER_SYSTEM,
             Role.ADMINISTRATOR]
SIGNED = {CHAIR, ACUTE}  # the ambulance member, co-chair and observer have not signed


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def meeting(jig):
    """The meeting, open, with a flagged home, an action and soft intelligence; the chair and the
    acute member have signed."""
    for person in (jig.chair, jig.acute):
        ms.statement_sign(meeting=jig.meeting, user=person)
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair,
             reason="Three safeguarding alerts.")
    action_create(meeting=jig.meeting, user=jig.chair, description="Ask for the night rota",
                  owner_organisation=jig.area.council, owner=jig.ambulance,
                  due_on=timezone.localdate() + dt.timedelta(days=14), care_home=jig.area.home)
    soft_intelligence_record(group=jig.group, care_home=jig.area.home, user=jig.ambulance,
                             source_organisation=jig.area.council, reported_on=timezone.localdate(),
                             category=IntelligenceCategory.STAFFING, sensitivity=Sensitivity.HIGH,
                             text=SECRET)
    ms.minutes_save(meeting=jig.meeting, user=jig.chair, minutes="Agreed to ask for the rota.")
    return jig.meeting


@pytest.fixture
def people(jig):
    return {CHAIR: jig.chair, CO_CHAIR: jig.co_chair, AMBULANCE: jig.ambulance, ACUTE: jig.acute,
            OBSERVER: jig.observer, **{key: jig.area.users[key] for key in (*OUTSIDERS, "no_role")}}


@pytest.fixture
def api(people):
    def make(key) -> APIClient:
        if key == "anonymous":
            return APIClient()
        return token_client(people[key]) if key == Role.PARTNER_SYSTEM else session_client(people[key])

    return make


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Meetings --------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [*MEMBERS, *OUTSIDERS, "no_role", "anonymous"])
def test_who_sees_the_meeting_and_its_content(meeting, api, jig, who):
    client = api(who)
    listed, detail = client.get(MEETINGS), client.get(f"{MEETINGS}{meeting.pk}/")
    if who in ("no_role", "anonymous"):
        assert (listed.status_code, detail.status_code) == ({"anonymous": 401}.get(who, 403),) * 2
        return
    if who in OUTSIDERS:  # administrators too: they set groups up and read none of it
        assert results(listed) == [] and detail.status_code == 404
        return
    [row] = results(listed)
    assert (row["id"], row["signed"]) == (meeting.pk, who in SIGNED)
    body = detail.json()
    assert body["agenda"][0] == "Welcome, apologies and confidentiality statement"
    assert body["content_allowed"] is (who in SIGNED)
    if who in SIGNED:
        [flag] = body["flags"]
        assert flag["care_home"]["id"] == jig.area.home.pk
        assert flag["all_reasons"] == ["Added by the chair: Three safeguarding alerts."]
        assert body["minutes"] == "Agreed to ask for the rota."
    else:
        assert body["flags"] is None and body["minutes"] is None
        assert "safeguarding alerts" not in detail.content.decode()


def test_a_member_signs_and_then_reads_the_content(meeting, api, jig):
    client = api(AMBULANCE)
    first = client.post(f"{MEETINGS}{meeting.pk}/sign/")
    assert first.status_code == 201 and first.json()["statement_version"] == 1
    assert client.post(f"{MEETINGS}{meeting.pk}/sign/").status_code == 200  # the first signature again
    body = client.get(f"{MEETINGS}{meeting.pk}/").json()
    assert body["content_allowed"] and len(body["flags"]) == 1


def test_an_outsider_cannot_sign(meeting, api):
    assert api(Role.COMMISSIONER).post(f"{MEETINGS}{meeting.pk}/sign/").status_code == 404


def test_only_the_chairs_see_who_signed(meeting, api, jig):
    response = api(CHAIR).get(f"{MEETINGS}{meeting.pk}/signatures/")
    assert response.status_code == 200
    signed = {row["seat"]["person"]["id"] for row in response.json() if row["signed_at"]}
    assert signed == {jig.chair.pk, jig.acute.pk}
    refused = api(ACUTE).get(f"{MEETINGS}{meeting.pk}/signatures/")
    assert refused.status_code == 403 and "Only the chair" in refused.json()["detail"]


def test_the_chair_records_attendance_and_a_member_only_their_own_apologies(meeting, api, jig):
    seat = jig.seats[jig.observer.pk].pk
    url = f"{MEETINGS}{meeting.pk}/attendance/"
    response = api(CHAIR).post(url, {"membership": seat, "status": "present"})
    assert response.status_code == 200 and response.json()["seat"]["id"] == seat
    other = api(AMBULANCE).post(url, {"membership": seat, "status": "apologies"})
    assert other.status_code == 403
    own = jig.seats[jig.ambulance.pk].pk
    assert api(AMBULANCE).post(f"{MEETINGS}{meeting.pk}/attendance/",
                               {"membership": own, "status": "apologies"}).status_code == 200
    listed = api(ACUTE).get(f"{MEETINGS}{meeting.pk}/attendance/").json()
    assert {(row["seat"]["id"], row["status"]) for row in listed} >= {(seat, "present"), (own, "apologies")}


# --- Actions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [*MEMBERS, *OUTSIDERS])
def test_members_see_the_groups_actions_and_nobody_else(meeting, api, who):
    rows = results(api(who).get(ACTIONS))
    if who in OUTSIDERS:
        assert rows == []
    else:
        assert [row["description"] for row in rows] == ["Ask for the night rota"]
        assert rows[0]["is_overdue"] is False


def test_the_chair_records_an_action_and_a_member_may_not(meeting, api, jig):
    body = {"meeting": meeting.pk, "description": "Falls training for night staff",
            "owner_organisation": jig.area.council.pk, "due_on": "2030-01-31", "training_theme": "falls"}
    created = api(CHAIR).post(ACTIONS, body, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["is_training"], created.json()["training_theme"]) == (True, "falls")
    refused = api(ACUTE).post(ACTIONS, body, format="json")
    assert refused.status_code == 403 and "Only the group's chair" in refused.json()["detail"]
    assert api(Role.COMMISSIONER).post(ACTIONS, body, format="json").status_code == 400  # no such meeting


def test_the_owner_updates_status_but_only_the_chair_moves_the_due_date(meeting, api, jig):
    action = JigAction.objects.get()
    url = f"{ACTIONS}{action.pk}/"
    done = api(AMBULANCE).patch(url, {"status": JigActionStatus.DONE, "progress_note": "Rota received."},
                                format="json")
    assert done.status_code == 200 and done.json()["completed_on"] == f"{timezone.localdate():%Y-%m-%d}"
    moved = api(AMBULANCE).patch(url, {"due_on": "2030-01-01"}, format="json")
    assert moved.status_code == 403 and "Only the chair can move the due date" in moved.json()["detail"]
    assert api(ACUTE).patch(url, {"status": "open"}, format="json").status_code == 403
    assert api(Role.COMMISSIONER).patch(url, {"status": "open"}, format="json").status_code == 404


def test_overdue_actions_are_marked_and_filtered(meeting, api):
    JigActionFactory(meeting=meeting, description="Late one",
                     due_on=timezone.localdate() - dt.timedelta(days=1))
    rows = results(api(ACUTE).get(ACTIONS, {"overdue": "true"}))
    assert [(row["description"], row["is_overdue"]) for row in rows] == [("Late one", True)]


# --- Soft intelligence -----------------------------------------------------------------------

@pytest.mark.parametrize("who", [*MEMBERS, *OUTSIDERS])
def test_only_current_members_ever_read_soft_intelligence(meeting, api, who):
    item = SoftIntelligence.objects.get()
    client = api(who)
    listed, detail = client.get(INTEL), client.get(f"{INTEL}{item.pk}/")
    if who in OUTSIDERS:
        assert results(listed) == [] and detail.status_code == 404
        assert SECRET not in listed.content.decode() + detail.content.decode()
    else:
        assert [row["text"] for row in results(listed)] == [SECRET]
        assert detail.json()["category"] == "staffing"


def test_a_member_whose_seat_ended_no_longer_reads_it(meeting, api, jig):
    ms.membership_end(membership=jig.seats[jig.acute.pk], user=jig.chair)
    assert results(api(ACUTE).get(INTEL)) == []


def test_members_record_correct_and_archive_soft_intelligence(meeting, api, jig):
    body = {"group": jig.group.pk, "care_home": jig.area.second_home.pk,
            "source_organisation": jig.acute_trust.pk, "reported_on": f"{timezone.localdate():%Y-%m-%d}",
            "category": "complaints", "sensitivity": "low", "text": "Families complain about visiting hours."}
    created = api(ACUTE).post(INTEL, body, format="json")
    assert created.status_code == 201, created.content
    url = f"{INTEL}{created.json()['id']}/"
    assert api(ACUTE).patch(url, {"sensitivity": "medium"}, format="json").json()["sensitivity"] == "medium"
    assert api(AMBULANCE).patch(url, {"text": "Not mine"}, format="json").status_code == 403
    archived = api(CHAIR).post(f"{url}archive/", {"reason": "Resolved with the home."}, format="json")
    assert archived.status_code == 200 and archived.json()["is_archived"]
    assert [row["text"] for row in results(api(ACUTE).get(INTEL))] == [SECRET]  # archived: left out
    assert len(results(api(ACUTE).get(INTEL, {"include_archived": "true"}))) == 2


def test_observers_and_outsiders_cannot_record_soft_intelligence(meeting, api, jig):
    body = {"group": jig.group.pk, "care_home": jig.area.home.pk, "source_organisation": jig.area.council.pk,
            "reported_on": f"{timezone.localdate():%Y-%m-%d}", "category": "other", "text": "Something."}
    assert api(OBSERVER).post(INTEL, body, format="json").status_code == 403
    assert api(Role.ADMINISTRATOR).post(INTEL, body, format="json").status_code == 400  # not their group
    assert SoftIntelligence.objects.count() == 1


# --- Packs -----------------------------------------------------------------------------------

def _made(pack: MeetingPack) -> MeetingPack:
    """A pack as the task leaves it (without spending seconds in WeasyPrint: test_pack_pdf does)."""
    pack.file.save(f"pack-{pack.pk}.pdf", ContentFile(b"%PDF-1.7 a pack"), save=False)
    MeetingPack.objects.filter(pk=pack.pk).update(file=pack.file.name, status=JobStatus.SUCCEEDED,
                                                  stage="Done")
    pack.refresh_from_db()
    return pack


@pytest.fixture
def pack(meeting, jig):
    return _made(MeetingPack.objects.create(meeting=meeting, requested_by=jig.chair))


@pytest.mark.parametrize("who", [*MEMBERS, *OUTSIDERS])
def test_only_members_who_signed_read_and_download_the_pack(pack, api, who):
    client = api(who)
    listed = results(client.get(PACKS))
    detail, download = client.get(f"{PACKS}{pack.pk}/"), client.get(f"{PACKS}{pack.pk}/download/")
    if who in SIGNED:
        assert [row["id"] for row in listed] == [pack.pk]
        assert detail.json()["download"].endswith(f"/api/v1/jig-meeting-packs/{pack.pk}/download/")
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == b"%PDF-1.7 a pack"
    elif who in MEMBERS:  # on the group, not signed: told why
        assert listed == []
        assert detail.status_code == download.status_code == 403
        assert "Sign this meeting's confidentiality statement" in download.json()["detail"]
    else:
        assert listed == [] and detail.status_code == download.status_code == 404


def test_a_signed_member_asks_for_the_pack_and_an_unsigned_one_is_refused(
        meeting, api, django_capture_on_commit_callbacks, monkeypatch):
    from jig import meeting_services

    monkeypatch.setattr(meeting_services, "_queue_pack", lambda pack_id: None)  # the PDF: test_pack_pdf
    with django_capture_on_commit_callbacks(execute=True):
        asked = api(ACUTE).post(PACKS, {"meeting": meeting.pk}, format="json")
    assert asked.status_code == 202 and asked.json()["status"] == JobStatus.QUEUED
    refused = api(AMBULANCE).post(PACKS, {"meeting": meeting.pk}, format="json")
    assert refused.status_code == 403
    assert "Sign this meeting's confidentiality statement" in refused.json()["detail"]
    assert api(Role.COMMISSIONER).post(PACKS, {"meeting": meeting.pk}, format="json").status_code == 400
    assert MeetingPack.objects.count() == 1


def test_an_unfinished_pack_is_not_downloaded(meeting, api, jig):
    queued = MeetingPack.objects.create(meeting=meeting, requested_by=jig.chair)
    assert api(CHAIR).get(f"{PACKS}{queued.pk}/download/").status_code == 404


# --- Query counts ----------------------------------------------------------------------------

def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_make_the_same_queries_for_more_rows(meeting, api, jig):
    client = api(CHAIR)
    urls = [MEETINGS, ACTIONS, INTEL, PACKS]
    _made(MeetingPack.objects.create(meeting=meeting, requested_by=jig.chair))
    few = [_queries(client, url) for url in urls]
    for n in range(5):
        ms.meeting_schedule(group=jig.group, month=dt.date(meeting.month.year - 1, n + 1, 1))
        JigActionFactory(meeting=meeting, owner=jig.acute, care_home=jig.area.second_home)
        SoftIntelligenceFactory(group=jig.group, care_home=jig.area.second_home, recorded_by=jig.acute)
        _made(MeetingPack.objects.create(meeting=meeting, requested_by=jig.acute))
    assert [_queries(client, url) for url in urls] == few
