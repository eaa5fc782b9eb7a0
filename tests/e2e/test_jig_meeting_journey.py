"""A JIG meeting in the browser: the chair opens it, two members sign the confidentiality
statement in their own browsers, the chair records an action, a member generates the meeting
pack and downloads it, and a member who has not signed is refused it. The PDF is read back
with pypdf and its pages checked for the meeting's date, the flagged home and the action."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from commissioning.choices import Role
from jig import meeting_services as ms
from jig.choices import DocumentKind, JigRole, Rag
from quality.reports import add_months
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import (
    AcuteTrustFactory,
    AmbulanceTrustFactory,
    LocalAuthorityFactory,
    MembershipFactory,
    NhsCommissionerFactory,
    UserFactory,
)
from tests.e2e.conftest import CHROMIUM, TIMEOUT_MS, sign_in
from tests.jig.factories import RiskRatingFactory

ACTION = "Arrange a joint visit to Rosewood House within two weeks"
SIGN_FIRST = "Sign the confidentiality statement to see this meeting's content"
SIGNED_AT = re.compile(r"\d\d:\d\d, \d+ \w+ \d{4}")
PACK_TIMEOUT_MS = 120_000  # the pack is drawn with WeasyPrint while the request waits (no broker)


@pytest.fixture
def meeting(db):
    """Kingsmere's JIG with a chair and three members, and this month's meeting starting now.
    Rosewood House turned red this month, so opening the meeting flags it."""
    council = LocalAuthorityFactory(name="Kingsmere Council")
    commissioner = NhsCommissionerFactory(name="NHS Kingsmere")
    ambulance = AmbulanceTrustFactory(name="Riverside Ambulance Service NHS Trust")
    acute = AcuteTrustFactory(name="Kingsmere Hospitals NHS Foundation Trust")
    admin = MembershipFactory(role=Role.ADMINISTRATOR, organisation=council).user
    rosewood = CareHomeFactory(name="Rosewood House", local_authority=council, nhs_commissioner=commissioner)
    oak = CareHomeFactory(name="Oak Lodge", local_authority=council, nhs_commissioner=commissioner)
    month = timezone.localdate().replace(day=1)
    RiskRatingFactory(care_home=rosewood, month=add_months(month, -1), rag=Rag.AMBER, score=40)
    RiskRatingFactory(care_home=rosewood, month=month, rag=Rag.RED, score=64)
    RiskRatingFactory(care_home=oak, month=month, rag=Rag.GREEN, score=8)
    group = ms.jig_group_create(user=admin, name="Kingsmere JIG", councils=[council],
                                commissioners=[commissioner], quorum_members=3)
    for kind, text in [
        (DocumentKind.TERMS_OF_REFERENCE, "The JIG shares intelligence to keep residents safe."),
        (DocumentKind.STANDING_AGENDA, "1. Welcome and confidentiality\n2. Flagged homes\n3. Actions"),
        (DocumentKind.CONFIDENTIALITY_STATEMENT, "I will keep what is said here confidential."),
    ]:
        ms.group_document_publish(group=group, kind=kind, text=text, user=admin)
    people = {}
    for name, organisation, role in [("Grace Okafor", council, JigRole.CHAIR),
                                     ("Sam Reid", ambulance, JigRole.MEMBER),
                                     ("Priya Shah", acute, JigRole.MEMBER),
                                     ("Jo Unsworth", ambulance, JigRole.MEMBER)]:
        people[name] = UserFactory(full_name=name)
        ms.membership_add(group=group, user=admin, person=people[name], organisation=organisation, role=role,
                          starts_on=month - dt.timedelta(days=40))
    meeting, _ = ms.meeting_schedule(group=group, month=month, starts_at=timezone.now(),
                                     location="Kingsmere Civic Centre")
    return meeting, people


def _browser_tab(browser, live_server):
    """Another person's browser: its own context (cookies), nothing leaving the machine."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    tab = context.new_page()
    tab.script_errors = []
    tab.on("pageerror", lambda error: tab.script_errors.append(f"{tab.url}: {error}"))
    return tab


def _sign_statement(tab, meeting_url):
    tab.goto(meeting_url)
    expect(tab.locator("#sign-first")).to_contain_text(SIGN_FIRST)
    expect(tab.locator("#maincontent")).not_to_contain_text("Rosewood House")
    expect(tab.locator("#statement-text")).to_contain_text("I will keep what is said here confidential.")
    tab.get_by_role("button", name="Sign the confidentiality statement").click()
    expect(tab.locator("#signed")).to_contain_text("You signed version 1 of the statement")
    expect(tab.locator("#flags ~ section .flag-reasons").first).to_contain_text("Turned red")


def _text(page) -> str:
    return " ".join((page.extract_text() or "").split())


@pytest.mark.e2e
def test_the_chair_opens_members_sign_an_action_is_recorded_and_the_pack_is_downloaded(
        page, browser, live_server, meeting, tmp_path, settings):
    if not CHROMIUM.exists():
        pytest.skip("No Chromium")
    settings.MEDIA_ROOT = tmp_path / "media"
    meeting, people = meeting
    meeting_url = f"/jig/meetings/{meeting.pk}/"
    starts = timezone.localtime(meeting.starts_at)

    # The chair opens the meeting and signs.
    sign_in(page, people["Grace Okafor"])
    page.get_by_role("link", name="JIG", exact=True).click()
    page.get_by_role("link", name=re.compile(f"{starts:%A} {starts.day} {starts:%B %Y}")).click()
    expect(page.locator("h1")).to_have_text(f"Meeting on {starts:%A} {starts.day} {starts:%B %Y}")
    page.get_by_role("button", name="Open the meeting").click()
    expect(page.locator("#meeting-status")).to_contain_text("Open")
    page.get_by_role("button", name="Sign the confidentiality statement").click()
    expect(page.locator("#flags ~ section").first).to_contain_text("Rosewood House")

    # Two members sign in their own browsers; a third does not.
    paramedic = _browser_tab(browser, live_server)
    sign_in(paramedic, people["Sam Reid"])
    _sign_statement(paramedic, meeting_url)
    consultant = _browser_tab(browser, live_server)
    sign_in(consultant, people["Priya Shah"])
    _sign_statement(consultant, meeting_url)

    # The chair sees who signed, the quorum, and records an action.
    page.reload()
    signatures = page.locator("#signature-list")
    for name in ("Sam Reid", "Priya Shah", "Grace Okafor"):
        expect(signatures.locator("tr", has_text=name)).to_contain_text(SIGNED_AT)
    expect(signatures.locator("tr", has_text="Jo Unsworth")).to_contain_text("Not signed")
    expect(page.locator("#meeting-quorum")).to_contain_text("Quorate: 3 members present")
    page.get_by_role("link", name="Record an action", exact=True).click()
    page.get_by_label("The action").fill(ACTION)
    page.get_by_label("Owner: organisation").select_option(label="Riverside Ambulance Service NHS Trust")
    page.get_by_label("Owner: person (optional)").select_option(label="Sam Reid")
    page.get_by_label("Due by").fill((timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.get_by_label("About a home (optional)").select_option(label="Rosewood House")
    page.get_by_role("button", name="Record the action").click()
    expect(page.locator("#actions-raised")).to_contain_text(ACTION)

    # A member who signed generates the pack, watches it finish and downloads it.
    paramedic.reload()
    expect(paramedic.locator("#actions-raised")).to_contain_text(ACTION)
    with paramedic.expect_navigation(timeout=PACK_TIMEOUT_MS):
        paramedic.get_by_role("button", name="Generate the meeting pack").click()
    expect(paramedic.locator("h1")).to_contain_text("Meeting pack for")
    expect(paramedic.locator("#import-status .nhsuk-tag")).to_have_text("Succeeded", timeout=PACK_TIMEOUT_MS)
    with paramedic.expect_download() as download:
        paramedic.get_by_role("link", name="Download the meeting pack (PDF)").click()
    pdf = tmp_path / "pack.pdf"
    download.value.save_as(pdf)
    download_url = paramedic.url.rstrip("/") + "/download/"

    # The member who did not sign is refused the pack's URL.
    unsigned = _browser_tab(browser, live_server)
    sign_in(unsigned, people["Jo Unsworth"])
    response = unsigned.goto(download_url)
    assert response.status == 403
    expect(unsigned.locator("h1")).to_have_text(SIGN_FIRST)

    # The PDF: the cover names the meeting's date; a page shows the flagged home, another the action.
    reader = PdfReader(pdf)
    pages = [_text(p) for p in reader.pages]
    assert pdf.read_bytes().startswith(b"%PDF")
    assert f"{starts:%A} {starts.day} {starts:%B %Y}" in pages[0]
    assert "Kingsmere JIG" in pages[0]
    home_pages = [text for text in pages if "Rosewood House" in text]
    assert home_pages and any("Turned red" in text for text in home_pages)
    assert any(ACTION in text for text in pages)
    for tab in (paramedic, consultant, unsigned):
        assert not tab.script_errors, tab.script_errors
        tab.context.close()
