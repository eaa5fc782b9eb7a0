"""Who may open each JIG page: every role against every page, the confidentiality statement
before a meeting's content, and soft intelligence for the group's members only."""

import pytest
from django.urls import reverse

from commissioning.choices import Role
from jig import meeting_services as ms
from jig.choices import DocumentKind

from .pages import (
    ADMIN,
    ANON,
    CHAIR,
    COMMISSIONER,
    EVERYONE,
    MANAGER,
    NO_SEAT,
    OTHER_GROUP,
    SECRET,
    SIGNED,
    UNSIGNED,
    build_world,
    client_of,
)

pytestmark = pytest.mark.django_db

ALL_MEMBERS_OK = {OTHER_GROUP: 200, UNSIGNED: 200, SIGNED: 200, CHAIR: 200}
NOT_ON_GROUP = {NO_SEAT: 404, ADMIN: 404, OTHER_GROUP: 404}
EXPECTED = {
    # members' lists: a seat on some group; 403 for everybody else
    "area": {NO_SEAT: 403, ADMIN: 403, **ALL_MEMBERS_OK},
    "group-list": {NO_SEAT: 403, ADMIN: 200, **ALL_MEMBERS_OK},
    "group": {NO_SEAT: 404, ADMIN: 200, OTHER_GROUP: 404, UNSIGNED: 200, SIGNED: 200, CHAIR: 200},
    "group-manage": {NO_SEAT: 404, ADMIN: 200, OTHER_GROUP: 404, UNSIGNED: 403, SIGNED: 403, CHAIR: 200},
    "schedule": {NO_SEAT: 403, ADMIN: 403, OTHER_GROUP: 404, UNSIGNED: 403, SIGNED: 403, CHAIR: 200},
    "meeting": {**NOT_ON_GROUP, UNSIGNED: 200, SIGNED: 200, CHAIR: 200},
    "chair": {**NOT_ON_GROUP, UNSIGNED: 403, SIGNED: 403, CHAIR: 200},
    # the meeting's content: signed members only (the unsigned member is told to sign)
    "content": {**NOT_ON_GROUP, UNSIGNED: 403, SIGNED: 200, CHAIR: 200},
    "action-owner": {**NOT_ON_GROUP, UNSIGNED: 403, SIGNED: 200, CHAIR: 200},
    "intelligence-recorder": {**NOT_ON_GROUP, UNSIGNED: 200, SIGNED: 403, CHAIR: 200},
}


def pages(w) -> list[tuple[str, str]]:
    m, g = w.meeting.pk, w.jig.group.pk
    pack = (m, w.pack.pk)
    return [
        ("area", reverse("jig:meeting-list")),
        ("area", reverse("jig:dashboard")),
        ("area", reverse("jig:action-list")),
        ("area", reverse("jig:intelligence-list")),
        ("area", reverse("jig:intelligence-record")),
        ("area", reverse("jig:deep-dive-list")),
        ("area", reverse("jig:planning-list")),
        ("area", reverse("jig:planning-new")),
        ("group-list", reverse("jig:group-list")),
        ("group", reverse("jig:group-detail", args=[g])),
        ("group-manage", reverse("jig:group-document-publish", args=[g, DocumentKind.TERMS_OF_REFERENCE])),
        ("group-manage", reverse("jig:group-member-add", args=[g])),
        ("group-manage", reverse("jig:group-member-end", args=[g, w.jig.seats[w.jig.observer.pk].pk])),
        ("schedule", reverse("jig:meeting-schedule", args=[g])),
        ("meeting", reverse("jig:meeting-detail", args=[m])),
        ("chair", reverse("jig:meeting-attendance", args=[m])),
        ("chair", reverse("jig:meeting-minutes", args=[m])),
        ("chair", reverse("jig:flag-add", args=[m])),
        ("chair", reverse("jig:flag-remove", args=[w.flag.pk])),
        ("chair", reverse("jig:deep-dive-request", args=[w.flag.pk])),
        ("chair", reverse("jig:action-new", args=[m])),
        ("chair", reverse("jig:planning-decide", args=[m, w.application.pk])),
        ("content", reverse("jig:deep-dive-answer", args=[w.dive.pk])),
        ("content", reverse("jig:deep-dive-attachment", args=[w.attachment.pk])),
        ("content", reverse("jig:pack-detail", args=pack)),
        ("content", reverse("jig:pack-status", args=pack)),
        ("content", reverse("jig:pack-download", args=pack)),
        ("action-owner", reverse("jig:action-update", args=[w.action.pk])),
        ("intelligence-recorder", reverse("jig:intelligence-edit", args=[w.item.pk])),
        ("intelligence-recorder", reverse("jig:intelligence-archive", args=[w.item.pk])),
    ]


def expected(kind: str, who: str) -> int:
    if who == ANON:
        return 302
    return EXPECTED[kind].get(who, 403)  # commissioners and care home managers: never


@pytest.fixture
def world(jig, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(jig)


@pytest.mark.parametrize("who", EVERYONE)
def test_permission_matrix_of_every_jig_page(world, who):
    client = client_of(world, who)
    wrong = []
    for kind, url in pages(world):
        response = client.get(url)
        if response.status_code != expected(kind, who):
            wrong.append((url, response.status_code, expected(kind, who)))
        if response.status_code == 302:
            assert response["Location"].startswith("/sign-in/"), url
    assert not wrong, wrong


@pytest.mark.parametrize("who", [ANON, COMMISSIONER, MANAGER, NO_SEAT, ADMIN, OTHER_GROUP])
def test_people_off_the_group_cannot_act_on_its_meeting(world, who):
    client = client_of(world, who)
    for name in ["meeting-sign", "meeting-open", "meeting-close", "meeting-apologies", "pack-request"]:
        response = client.post(reverse(f"jig:{name}", args=[world.meeting.pk]))
        assert response.status_code == {ANON: 302, COMMISSIONER: 403, MANAGER: 403}.get(who, 404), name
    assert world.meeting.signatures.count() == 2 and world.meeting.packs.count() == 1


def test_an_unsigned_member_is_told_to_sign_on_every_content_page_and_the_pack(world):
    client = client_of(world, UNSIGNED)
    for kind, url in pages(world):
        if kind == "content":
            response = client.get(url)
            assert response.status_code == 403, url
            assert "Sign the confidentiality statement to see this meeting" in response.content.decode(), url
    response = client.post(reverse("jig:pack-request", args=[world.meeting.pk]))
    assert response.status_code == 403
    assert world.meeting.packs.count() == 1


def test_an_unsigned_chair_is_refused_the_content_pages_until_they_sign(world):
    client = client_of(world, ANON)
    client.force_login(world.jig.co_chair)  # chairs the group, has not signed
    for name, args in [("meeting-minutes", [world.meeting.pk]), ("flag-add", [world.meeting.pk]),
                       ("flag-remove", [world.flag.pk]), ("action-new", [world.meeting.pk])]:
        response = client.get(reverse(f"jig:{name}", args=args))
        assert response.status_code == 403, name
        assert b"Sign the confidentiality statement" in response.content


def test_the_meeting_page_hides_its_content_until_the_member_signs(world):
    client = client_of(world, UNSIGNED)
    url = reverse("jig:meeting-detail", args=[world.meeting.pk])
    page = client.get(url).content.decode()
    assert "Sign the confidentiality statement to see this meeting's content" in page
    assert "I will not share what is discussed outside this meeting." in page  # the statement
    for secret in (SECRET, "Whistleblowing about nights", "Visit the home within two weeks", "26/01234/FUL",
                   world.jig.area.home.name):
        assert secret not in page
    assert "Who has signed" not in page  # the chair's list only

    response = client.post(reverse("jig:meeting-sign", args=[world.meeting.pk]), follow=True)
    page = response.content.decode()
    assert "You signed the confidentiality statement at" in page
    for shown in (SECRET, "Added by the chair: Whistleblowing about nights",
                  "Visit the home within two weeks", "26/01234/FUL", world.jig.area.home.name):
        assert shown in page
    signature = world.meeting.signatures.get(user=world.people[UNSIGNED])
    assert signature.signed_at is not None
    assert world.meeting.attendance.get(membership__user=world.people[UNSIGNED]).status == "present"
    assert client.get(reverse("jig:pack-download", args=[world.meeting.pk, world.pack.pk])).status_code == 200


def test_the_chair_sees_who_has_signed_and_who_has_not(world):
    page = client_of(world, CHAIR).get(reverse("jig:meeting-detail", args=[world.meeting.pk]))
    rows = {row.membership.user: row.signature for row in page.context["signatures"]}
    assert rows[world.people[SIGNED]] is not None and rows[world.people[UNSIGNED]] is None
    html = page.content.decode()
    assert "Who has signed" in html and "Not signed" in html
    assert "Who has signed" not in client_of(world, SIGNED).get(
        reverse("jig:meeting-detail", args=[world.meeting.pk])).content.decode()


def test_a_member_whose_seat_ended_loses_the_meeting_and_its_pack(world):
    ms.membership_end(membership=world.jig.seats[world.people[SIGNED].pk], user=world.jig.admin)
    client = client_of(world, SIGNED)
    assert client.get(reverse("jig:pack-download", args=[world.meeting.pk, world.pack.pk])).status_code in (
        403, 404)
    assert client.get(reverse("jig:meeting-detail", args=[world.meeting.pk])).status_code in (403, 404)


# --- Soft intelligence is for members only ---------------------------------------------------

@pytest.mark.parametrize("who", [COMMISSIONER, MANAGER, NO_SEAT, ADMIN, OTHER_GROUP, ANON])
def test_non_members_never_see_soft_intelligence(world, who):
    client = client_of(world, who)
    home = world.jig.area.home
    urls = [reverse("jig:intelligence-list"), reverse("jig:meeting-detail", args=[world.meeting.pk]),
            reverse("jig:dashboard"), reverse("jig:risk-home", args=[home.pk]),
            reverse("carehomes:detail", args=[home.cqc_location_id]), reverse("home"),
            reverse("jig:intelligence-edit", args=[world.item.pk])]
    for url in urls:
        response = client.get(url, follow=True)
        assert SECRET not in response.content.decode(), url


def test_members_see_soft_intelligence_on_the_list_and_the_homes_risk_page(world):
    client = client_of(world, UNSIGNED)
    assert SECRET in client.get(reverse("jig:intelligence-list")).content.decode()
    risk = client.get(reverse("jig:risk-home", args=[world.jig.area.home.pk])).content.decode()
    assert SECRET in risk and "Record a concern about" in risk
    commissioner_page = client_of(world, COMMISSIONER).get(
        reverse("jig:risk-home", args=[world.jig.area.home.pk])).content.decode()
    assert 'id="soft-intelligence"' not in commissioner_page


def test_a_member_of_another_group_sees_none_of_this_groups_soft_intelligence(world):
    response = client_of(world, OTHER_GROUP).get(reverse("jig:intelligence-list"))
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == []


# --- Navigation ------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "entry"), [
    (COMMISSIONER, None), (MANAGER, None), (NO_SEAT, None), (ADMIN, ("JIG groups", "/jig/groups/")),
    (UNSIGNED, ("JIG", "/jig/meetings/")), (CHAIR, ("JIG", "/jig/meetings/")),
    (OTHER_GROUP, ("JIG", "/jig/meetings/")),
])
def test_the_jig_is_in_the_menu_of_members_and_chairs_only(world, who, entry):
    nav = client_of(world, who).get(reverse("home")).context["portal_nav"]
    jig_entries = [item for item in nav if item[0].startswith("JIG")]
    assert jig_entries == ([entry] if entry else [])


def test_a_quality_officer_and_a_partner_have_no_jig_pages(world):
    for role in (Role.QUALITY_OFFICER, Role.PARTNER_SYSTEM):
        client = client_of(world, ANON)
        client.force_login(world.jig.area.users[role])
        assert client.get(reverse("jig:meeting-list")).status_code == 403
        assert client.get(reverse("jig:meeting-detail", args=[world.meeting.pk])).status_code == 403
