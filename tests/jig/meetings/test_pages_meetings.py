"""Meeting pages: the list, scheduling, the chair opening and closing a meeting, signing,
attendance, minutes, the agenda's flags and deep dives, actions carried forward, and the pack."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.choices import JobStatus
from jig import meeting_services as ms
from jig.agenda_services import deep_dive_request, flag_add
from jig.choices import AttendanceStatus, JigActionStatus, MeetingStatus
from jig.intelligence_services import soft_intelligence_record
from jig.models import JigAction, MeetingPack
from quality.reports import add_months
from tests.carehomes.factories import CareHomeFactory

from .factories import JigActionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def meeting_url(meeting, name="jig:meeting-detail"):
    return reverse(name, args=[meeting.pk])


def test_the_list_shows_meetings_coming_up_and_past(jig, client_for):
    last_month, _ = ms.meeting_schedule(group=jig.group, month=add_months(jig.meeting.month, -1))
    type(last_month).objects.filter(pk=last_month.pk).update(
        status=MeetingStatus.CLOSED, opened_at=last_month.starts_at, closed_at=last_month.starts_at,
        was_quorate=True)
    response = client_for(jig.ambulance).get(reverse("jig:meeting-list"))
    assert [m.pk for m in response.context["upcoming"]] == [jig.meeting.pk]
    assert [m.pk for m in response.context["past"]] == [last_month.pk]
    assert "Schedule a meeting" not in response.content.decode()
    assert "Schedule a meeting of Sutton JIG" in client_for(jig.chair).get(
        reverse("jig:meeting-list")).content.decode()


def test_the_chair_schedules_a_meeting_and_the_form_explains_mistakes(jig, client_for):
    client = client_for(jig.chair)
    url = reverse("jig:meeting-schedule", args=[jig.group.pk])
    response = client.post(url, {"date": "", "time": "25:00"})
    assert response.context["form"].errors == {"date": ["Enter the date of the meeting"],
                                               "time": ["Enter a time, like 10:00"]}
    assert "There is a problem" in response.content.decode()
    next_month = add_months(jig.meeting.month, 1).replace(day=9)
    response = client.post(url, {"date": next_month.isoformat(), "time": "14:30", "location": "Civic Centre"})
    meeting = jig.group.meetings.get(month=next_month.replace(day=1))
    assert response.url == meeting_url(meeting)
    assert timezone.localtime(meeting.starts_at).time() == dt.time(14, 30)
    assert meeting.location == "Civic Centre"
    assert meeting.agenda[0] == "Welcome, apologies and confidentiality statement"
    again = client.post(url, {"date": next_month.isoformat(), "time": "10:00"}, follow=True)
    assert "already has a meeting" in again.content.decode()


def test_the_chair_opens_members_sign_and_are_present_then_the_chair_closes(jig, client_for):
    chair, member = client_for(jig.chair), client_for(jig.ambulance)
    page = chair.get(meeting_url(jig.meeting)).content.decode()
    assert "Open the meeting" in page
    assert "Dashboard: homes flagged for discussion" in page  # the standing items
    chair.post(meeting_url(jig.meeting, "jig:meeting-open"))
    jig.meeting.refresh_from_db()
    assert jig.meeting.status == MeetingStatus.OPEN

    response = member.post(meeting_url(jig.meeting, "jig:meeting-sign"), follow=True)
    assert "You signed the confidentiality statement at" in response.content.decode()
    assert "You signed version 1 of the statement" in response.content.decode()
    seat = jig.seats[jig.ambulance.pk]
    assert jig.meeting.attendance.get(membership=seat).status == AttendanceStatus.PRESENT
    again = member.post(meeting_url(jig.meeting, "jig:meeting-sign"))  # signing again changes nothing
    assert again.status_code == 302 and jig.meeting.signatures.filter(user=jig.ambulance).count() == 1

    response = chair.post(meeting_url(jig.meeting, "jig:meeting-close"), follow=True)
    jig.meeting.refresh_from_db()
    assert jig.meeting.status == MeetingStatus.CLOSED and jig.meeting.was_quorate is False
    assert "The meeting is closed: it was not quorate." in response.content.decode()


def test_a_meeting_cannot_be_opened_before_its_day(jig, client_for):
    later, _ = ms.meeting_schedule(group=jig.group, month=add_months(jig.meeting.month, 1))
    assert "You can open the meeting on" in client_for(jig.chair).get(meeting_url(later)).content.decode()
    response = client_for(jig.chair).post(meeting_url(later, "jig:meeting-open"), follow=True)
    assert "open it on the day" in response.content.decode()
    later.refresh_from_db()
    assert later.status == MeetingStatus.SCHEDULED


def test_only_the_chair_opens_closes_and_records_attendance(jig, client_for):
    member = client_for(jig.ambulance)
    assert member.post(meeting_url(jig.meeting, "jig:meeting-open")).status_code == 403
    assert member.get(meeting_url(jig.meeting, "jig:meeting-attendance")).status_code == 403
    assert "Open the meeting" not in member.get(meeting_url(jig.meeting)).content.decode()


def test_the_chair_records_attendance_and_the_form_explains_mistakes(jig, client_for):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    client = client_for(jig.chair)
    url = meeting_url(jig.meeting, "jig:meeting-attendance")
    response = client.post(url, {"membership": "", "status": ""})
    assert response.context["form"].errors == {"membership": ["Choose the member"],
                                               "status": ["Choose present or apologies"]}
    seat = jig.seats[jig.acute.pk]
    client.post(url, {"membership": seat.pk, "status": AttendanceStatus.APOLOGIES, "note": "On leave"})
    assert jig.meeting.attendance.get(membership=seat).note == "On leave"
    page = client.get(meeting_url(jig.meeting)).content.decode()
    assert "Apologies</strong>, On leave" in page


def test_a_member_sends_their_own_apologies(jig, client_for):
    response = client_for(jig.acute).post(meeting_url(jig.meeting, "jig:meeting-apologies"), follow=True)
    assert "Your apologies are recorded." in response.content.decode()
    assert jig.meeting.attendance.get().status == AttendanceStatus.APOLOGIES


def test_the_chair_writes_the_minutes_which_only_signed_members_read(jig, client_for):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    client = client_for(jig.chair)
    client.post(meeting_url(jig.meeting, "jig:meeting-minutes"),
                {"minutes": "The group discussed Elm House."})
    assert "The group discussed Elm House." in client.get(meeting_url(jig.meeting)).content.decode()
    assert "The group discussed Elm House." not in client_for(jig.ambulance).get(
        meeting_url(jig.meeting)).content.decode()


# --- Flags and deep dives --------------------------------------------------------------------

@pytest.fixture
def signed_chair(jig):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    return jig.chair


def test_the_chair_finds_a_home_and_flags_it_with_a_reason(jig, signed_chair, client_for):
    client = client_for(jig.chair)
    url = meeting_url(jig.meeting, "jig:flag-add")
    found = client.get(url, {"q": jig.area.home.name[:6]})
    assert jig.area.home in found.context["results"] and jig.area.other_home not in found.context["results"]
    response = client.post(f"{url}?home={jig.area.home.pk}", {"home": jig.area.home.pk, "reason": ""})
    assert response.context["form"].errors == {"reason": ["Enter the reason"]}
    client.post(url, {"home": jig.area.home.pk, "reason": "Three safeguarding alerts"})
    flag = jig.meeting.flags.get()
    assert flag.care_home == jig.area.home and flag.chair_reason == "Three safeguarding alerts"
    page = client.get(meeting_url(jig.meeting)).content.decode()
    assert "Added by the chair: Three safeguarding alerts" in page
    # a home outside the group's area cannot be flagged
    assert client.get(url, {"home": jig.area.other_home.pk}).context["home"] is None


def test_the_chair_takes_a_home_off_the_agenda_with_a_reason(jig, signed_chair, client_for):
    flag = flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="Falls")
    client = client_for(jig.chair)
    url = reverse("jig:flag-remove", args=[flag.pk])
    assert client.post(url, {"reason": ""}).context["form"].errors == {"reason": ["Enter the reason"]}
    client.post(url, {"reason": "Discussed last month"})
    flag.refresh_from_db()
    assert flag.removed_reason == "Discussed last month"
    page = client.get(meeting_url(jig.meeting)).content.decode()
    assert "Taken off the agenda (1)" in page and "No homes are flagged for this meeting." in page


def test_the_chair_asks_the_acute_trust_for_a_deep_dive_and_its_member_answers_with_a_file(
        jig, signed_chair, client_for, mailoutbox, django_capture_on_commit_callbacks):
    flag = flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="Falls")
    chair = client_for(jig.chair)
    url = reverse("jig:deep-dive-request", args=[flag.pk])
    form = chair.get(url).context["form"]
    assert [label for _, label in form.fields["organisation"].choices][1:] == sorted(
        [jig.acute_trust.name, jig.seats[jig.ambulance.pk].organisation.name])
    assert chair.post(url, {"organisation": "", "question": ""}).context["form"].errors == {
        "organisation": ["Choose who to ask"], "question": ["Enter what the group would like to know"]}
    with django_capture_on_commit_callbacks(execute=True):
        chair.post(url, {"organisation": jig.acute_trust.pk, "question": "What do admissions show?"})
    dive = flag.deep_dives.get()
    assert len(mailoutbox) == 1 and jig.area.home.name not in mailoutbox[0].body

    acute = client_for(jig.acute)
    listed = acute.get(reverse("jig:deep-dive-list")).content.decode()
    assert "Sign the meeting's confidentiality statement to read it" in listed
    assert "What do admissions show?" not in listed
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    assert "What do admissions show?" in acute.get(reverse("jig:deep-dive-list")).content.decode()
    answer_url = reverse("jig:deep-dive-answer", args=[dive.pk])
    assert acute.post(answer_url, {"text": ""}).context["form"].errors == {"text": ["Enter your analysis"]}
    bad = acute.post(answer_url, {"text": "Admissions doubled.",
                                  "files": [SimpleUploadedFile("run.exe", b"MZ")]})
    assert bad.context["form"].errors["files"]
    acute.post(answer_url, {"text": "Admissions doubled.",
                            "files": [SimpleUploadedFile("admissions.csv", b"month,admissions\n"),
                                      SimpleUploadedFile("notes.txt", b"notes")]})
    answer = dive.answer
    assert answer.text == "Admissions doubled." and answer.attachments.count() == 2
    attachment = answer.attachments.get(original_name="admissions.csv")
    download = chair.get(reverse("jig:deep-dive-attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"month,admissions\n"
    assert download["Content-Disposition"].startswith("attachment")
    assert "Admissions doubled." in chair.get(meeting_url(jig.meeting)).content.decode()
    # the ambulance member has not signed: the file is refused
    assert client_for(jig.ambulance).get(reverse("jig:deep-dive-attachment",
                                                 args=[attachment.pk])).status_code == 403


def test_a_member_of_another_trust_reads_but_cannot_answer_a_deep_dive(jig, signed_chair, client_for):
    flag = flag_add(meeting=jig.meeting, care_home=jig.area.home, user=jig.chair, reason="Falls")
    dive = deep_dive_request(flag=flag, organisation=jig.acute_trust, user=jig.chair, question="Admissions?")
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    client = client_for(jig.ambulance)
    page = client.get(reverse("jig:deep-dive-answer", args=[dive.pk]))
    assert page.status_code == 200 and "Save the answer" not in page.content.decode()
    assert client.post(reverse("jig:deep-dive-answer", args=[dive.pk]), {"text": "Mine"}).status_code == 403


# --- Actions carried forward and the pack ----------------------------------------------------

def test_open_actions_carry_forward_to_the_next_meetings_page_and_overdue_ones_stand_out(jig, client_for):
    earlier, _ = ms.meeting_schedule(group=jig.group, month=add_months(jig.meeting.month, -1))
    carried = JigActionFactory(meeting=earlier, description="Review the falls pathway",
                               due_on=TODAY - dt.timedelta(days=3))
    JigActionFactory(meeting=earlier, description="Finished already", status=JigActionStatus.DONE,
                     completed_on=TODAY)
    ms.statement_sign(meeting=jig.meeting, user=jig.ambulance)
    response = client_for(jig.ambulance).get(meeting_url(jig.meeting))
    assert response.context["actions"].carried_forward == [carried]
    html = response.content.decode()
    section = html[html.index('id="actions-carried-forward"'):html.index('id="actions-raised"')]
    assert "Review the falls pathway" in section and "Overdue" in section and "portal-row--overdue" in section
    assert "Finished already" not in html
    assert "1 overdue" in html


def test_the_pack_is_asked_for_watched_and_downloaded(jig, client_for, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    from jig import meeting_pack

    def fake_render(*, pack):
        pack.file.save("pack.pdf", ContentFile(b"%PDF-1.4 a pack"), save=False)
        pack.status, pack.stage = JobStatus.SUCCEEDED, "Done"
        pack.save()
        return pack

    monkeypatch.setattr(meeting_pack, "meeting_pack_render", fake_render)
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    client = client_for(jig.acute)
    page = client.get(meeting_url(jig.meeting)).content.decode()
    assert "Generate the meeting pack" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(meeting_url(jig.meeting, "jig:pack-request"))
    pack = MeetingPack.objects.get()
    assert response.url == reverse("jig:pack-detail", args=[jig.meeting.pk, pack.pk])
    status = client.get(reverse("jig:pack-status", args=[jig.meeting.pk, pack.pk])).json()
    assert status == {"status": "succeeded", "stage": "Done", "percent": 100, "finished": True}
    detail = client.get(response.url).content.decode()
    assert "Download the meeting pack (PDF)" in detail
    download = client.get(reverse("jig:pack-download", args=[jig.meeting.pk, pack.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 a pack"
    assert download["Content-Disposition"] == (
        f'attachment; filename="jig-meeting-pack-{jig.meeting.date:%Y-%m-%d}.pdf"')
    assert client_for(jig.ambulance).get(response.url).status_code == 403  # not signed


def test_a_pack_still_being_made_cannot_be_downloaded_yet(jig, client_for):
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    pack = MeetingPack.objects.create(meeting=jig.meeting, requested_by=jig.acute, stage="Waiting to start")
    client = client_for(jig.acute)
    detail = client.get(reverse("jig:pack-detail", args=[jig.meeting.pk, pack.pk])).content.decode()
    assert "This page updates by itself" in detail and "Download the meeting pack" not in detail
    assert client.get(reverse("jig:pack-download", args=[jig.meeting.pk, pack.pk])).status_code == 404


def test_the_meeting_page_runs_the_same_number_of_queries_for_1_or_6_flagged_homes(jig, client_for):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    client = client_for(jig.chair)

    def flag_one(home):
        flag = flag_add(meeting=jig.meeting, care_home=home, user=jig.chair, reason="Falls")
        deep_dive_request(flag=flag, organisation=jig.acute_trust, user=jig.chair, question="Admissions?")
        soft_intelligence_record(group=jig.group, care_home=home, user=jig.chair,
                                 source_organisation=jig.area.council, reported_on=TODAY,
                                 category="staffing", sensitivity="low", text="Short of staff")
        JigActionFactory(meeting=jig.meeting, care_home=home)

    counts = []
    for homes in ([jig.area.home], [CareHomeFactory(local_authority=jig.area.council) for _ in range(5)]):
        for home in homes:
            flag_one(home)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(meeting_url(jig.meeting))
        counts.append((len(response.context["flags"]), len(queries)))
    assert [flags for flags, _ in counts] == [1, 6]
    assert counts[0][1] == counts[1][1], counts


def test_an_action_recorded_by_the_chair_appears_on_the_meeting(jig, signed_chair, client_for):
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    client = client_for(jig.chair)
    url = meeting_url(jig.meeting, "jig:action-new")
    errors = client.post(url, {}).context["form"].errors
    assert errors == {"description": ["Enter the action"],
                      "owner_organisation": ["Choose the organisation that owns the action"],
                      "due_on": ["Enter the date it is due by"]}
    client.post(url, {"description": "Catheter care training for nursing homes",
                      "owner_organisation": jig.area.commissioner.pk, "owner": jig.co_chair.pk,
                      "due_on": (TODAY + dt.timedelta(days=30)).isoformat(),
                      "training_theme": "uti_catheter"})
    action = JigAction.objects.get()
    assert action.is_training and action.owner == jig.co_chair and action.meeting == jig.meeting
    page = client.get(meeting_url(jig.meeting)).content.decode()
    assert "Catheter care training for nursing homes" in page and "Training: UTIs and catheter care" in page
