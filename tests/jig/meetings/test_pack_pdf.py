"""The meeting pack as a PDF, rendered through the real path: a signed member asks for it, the
task renders it with WeasyPrint, and the text read back from the file is what members need."""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from carehomes.choices import CqcRatingValue
from commissioning.choices import JobStatus
from jig import meeting_pack
from jig import meeting_services as ms
from jig.agenda_services import deep_dive_answer, deep_dive_request, meeting_flags_refresh
from jig.choices import AttendanceStatus, IntelligenceCategory, Rag, Sensitivity, TrainingTheme
from jig.intelligence_services import action_create, soft_intelligence_record, training_action_create
from jig.models import JigAction, MeetingPack
from quality.reports import add_months
from tests.carehomes.factories import CareHomeFactory
from tests.jig.factories import RiskRatingFactory

pytestmark = pytest.mark.django_db

CALLOUTS_WHY = "Call-outs per occupied bed were 1.6 times the area's rate over the three months."


def components(why=CALLOUTS_WHY):
    return [
        {"code": "callouts_rate", "label": "Ambulance call-outs", "value": 1.6, "band": "red",
         "display": "1.60 × the area rate", "weight": 10, "contribution": 10, "why": why},
        {"code": "cqc_rating", "label": "CQC rating", "value": 2, "band": "amber",
         "display": "Requires improvement", "weight": 10, "contribution": 5,
         "why": "CQC rated the home Requires improvement."},
        {"code": "returns_late", "label": "Late or missing returns", "value": 0, "band": "green",
         "display": "0 of 3", "weight": 5, "contribution": 0, "why": "Every return was on time."},
    ]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def flagged(jig):
    """Three homes of the area flagged for the meeting: two turned red, one CQC inadequate."""
    month, before = jig.meeting.month, add_months(jig.meeting.month, -1)
    third = CareHomeFactory(local_authority=jig.area.council, name="Larkspur House",
                            cqc_overall_rating=CqcRatingValue.INADEQUATE,
                            cqc_rating_published_on=dt.date(2026, 2, 3))
    for home, score in ((jig.area.home, 62), (jig.area.second_home, 55)):
        RiskRatingFactory(care_home=home, month=before, rag=Rag.AMBER, score=40)
        RiskRatingFactory(care_home=home, month=month, rag=Rag.RED, score=score,
                          components=components(f"{CALLOUTS_WHY} ({home.name})"))
    RiskRatingFactory(care_home=third, month=month, rag=Rag.AMBER, score=30, components=components())
    meeting_flags_refresh(meeting=jig.meeting)
    assert jig.meeting.flags.count() == 3
    return [jig.area.home, jig.area.second_home, third]


def render(jig, user, django_capture_on_commit_callbacks) -> MeetingPack:
    """Ask for the pack as ``user`` and run the task the commit queues (in-process)."""
    ms.statement_sign(meeting=jig.meeting, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        pack = ms.meeting_pack_request(meeting=jig.meeting, user=user)
    pack.refresh_from_db()
    return pack


def pages(pack: MeetingPack) -> list[str]:
    """Each page's text, with runs of white space (line breaks in table cells) as one space."""
    with pack.file.open("rb") as handle:
        return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(handle.read())).pages]


def page_with(text: list[str], needle: str) -> int:
    """The index of the first page holding ``needle``."""
    found = [n for n, page in enumerate(text) if needle in page]
    assert found, f"{needle!r} is on no page"
    return found[0]


def test_the_pack_has_a_marked_cover_a_page_per_flagged_home_and_the_actions(
        jig, flagged, django_capture_on_commit_callbacks):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    flag = jig.meeting.flags.get(care_home=jig.area.home)
    dive = deep_dive_request(flag=flag, organisation=jig.acute_trust, user=jig.chair,
                             question="What are the conveyances for falls?")
    ms.statement_sign(meeting=jig.meeting, user=jig.acute)
    deep_dive_answer(request=dive, user=jig.acute, text="Eleven falls conveyed since August, most at night.")
    soft_intelligence_record(group=jig.group, care_home=jig.area.home, user=jig.ambulance,
                             source_organisation=jig.area.council, reported_on=timezone.localdate(),
                             category=IntelligenceCategory.STAFFING, sensitivity=Sensitivity.HIGH,
                             text="A whistle-blower says nights are one carer short.")
    ms.attendance_record(meeting=jig.meeting, membership=jig.seats[jig.observer.pk],
                         status=AttendanceStatus.APOLOGIES, user=jig.chair)

    pack = render(jig, jig.ambulance, django_capture_on_commit_callbacks)

    assert (pack.status, pack.stage, pack.error) == (JobStatus.SUCCEEDED, "Done", "")
    assert pack.progress_done == pack.progress_total == 5  # dashboard, three homes, the PDF
    assert pack.file.name.startswith("jig/packs/") and pack.file.name.endswith(".pdf")
    text = pages(pack)
    cover = text[0]
    assert "OFFICIAL-SENSITIVE" in cover and jig.group.name in cover
    assert f"{jig.meeting.date:%-d %B %Y}" in cover
    assert "Apologies" in cover  # the observer's
    for number, page in enumerate(text, start=1):
        assert f"Page {number} of {len(text)}" in page
        assert page.count("OFFICIAL-SENSITIVE") >= 2
    assert "I will not share what is discussed outside this meeting." in " ".join(text)
    own = {home: page_with(text, f"({home.name})") for home in flagged[:2]}  # the component's reason
    assert own[jig.area.home] != own[jig.area.second_home]  # a page each
    for home, number in own.items():
        assert home.name in text[number] and "Turned red" in text[number]
    section = " ".join(text[own[jig.area.home]:own[jig.area.second_home]])
    assert "Eleven falls conveyed since August" in section  # the deep dive's answer
    assert "Staffing 0 0 1 1" in section  # soft intelligence counted by category and sensitivity
    assert "whistle-blower" not in " ".join(text)  # ...and never quoted
    larkspur = text[page_with(text, "3. Larkspur House")]
    assert "CQC's latest overall rating is Inadequate" in larkspur


def test_actions_carried_forward_appear_with_the_overdue_marked(jig, flagged,
                                                                 django_capture_on_commit_callbacks):
    earlier, _ = ms.meeting_schedule(group=jig.group, month=add_months(jig.meeting.month, -1))
    JigAction.objects.create(meeting=earlier, description="Review the falls pathway with the home",
                             owner_organisation=jig.area.council,
                             due_on=timezone.localdate() - dt.timedelta(days=3))
    pack = render(jig, jig.chair, django_capture_on_commit_callbacks)
    text = pages(pack)
    number = page_with(text, "Review the falls pathway with the home")
    assert "Carried forward" in text[number] and "Overdue" in text[number]


def test_actions_raised_and_the_minutes_appear_once_written(jig, flagged, django_capture_on_commit_callbacks):
    ms.statement_sign(meeting=jig.meeting, user=jig.chair)
    ms.meeting_open(meeting=jig.meeting, user=jig.chair)
    action_create(meeting=jig.meeting, user=jig.chair, description="Ask the home for its night rota",
                  owner_organisation=jig.area.council, due_on=timezone.localdate() + dt.timedelta(days=14),
                  care_home=jig.area.home)
    training_action_create(meeting=jig.meeting, user=jig.chair, theme=TrainingTheme.FALLS,
                           description="Falls training for night staff", owner_organisation=jig.area.council,
                           due_on=timezone.localdate() + dt.timedelta(days=60))
    before = pages(render(jig, jig.chair, django_capture_on_commit_callbacks))
    assert "Ask the home for its night rota" in " ".join(before)
    assert "Training: Falls" in " ".join(before)
    assert "Minutes: not yet written" in " ".join(before)

    ms.minutes_save(meeting=jig.meeting, user=jig.chair, minutes="The group agreed to visit Larkspur House.")
    with django_capture_on_commit_callbacks(execute=True):
        pack = ms.meeting_pack_request(meeting=jig.meeting, user=jig.chair)
    pack.refresh_from_db()
    after = pages(pack)
    assert "The group agreed to visit Larkspur House." in after[-1]
    assert "Minutes: included" in " ".join(after)


def test_an_unsigned_member_is_refused_the_pack(jig, flagged):
    with pytest.raises(PermissionDenied, match="Sign this meeting's confidentiality statement"):
        ms.meeting_pack_request(meeting=jig.meeting, user=jig.ambulance)
    assert not MeetingPack.objects.exists()


def test_a_failure_is_recorded_on_the_pack_with_its_error(jig, flagged, django_capture_on_commit_callbacks,
                                                          monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the printer is on fire")

    monkeypatch.setattr(meeting_pack, "render_pdf", broken)
    pack = render(jig, jig.ambulance, django_capture_on_commit_callbacks)
    assert (pack.status, pack.error) == (JobStatus.FAILED, "ValueError: the printer is on fire")
    assert not pack.file
    assert re.search(r"Pack for .* asked for by", pack.log)
