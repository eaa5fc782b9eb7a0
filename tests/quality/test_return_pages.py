"""The monthly return's pages from the outside: the list, the form, the return, amend and reopen."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carehomes.choices import HomeStatus
from commissioning.choices import Role
from quality.choices import ReturnSource, ReturnStatus
from quality.models import MonthlyReturn, ReturnVersion
from quality.services import return_save
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import MembershipFactory
from tests.quality.factories import MonthlyReturnFactory, good_values, months_ago

pytestmark = pytest.mark.django_db

C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE = "manager_one_home", "no_role"
WHO = [C, Q, M, JC, JM, P, A, ONE, NONE]




MONTH = months_ago(1)


def edit_url(home, month=MONTH, page="return-edit"):
    return reverse(f"quality:{page}", args=[home.cqc_location_id, f"{month:%Y-%m}"])


def form_data(values=None, action="submit", **extra) -> dict:
    data = {k: "" if v is None else str(v) for k, v in (values or good_values()).items()}
    data.update(extra)
    if action:
        data["action"] = action
    return data


def submitted(area, user=None, month=MONTH, **overrides):
    monthly_return, _ = return_save(
        care_home=area.home, month=month, values=good_values(**overrides),
        user=user or area.users[M], source=ReturnSource.WEB, submit=True)
    return monthly_return


@pytest.fixture
def manager(area, client_for):
    return client_for(area.users[M])


@pytest.fixture
def other_providers_manager(area, client_for):
    user = MembershipFactory(role=M, organisation=area.other_provider,
                             all_provider_homes=True).user
    return client_for(user)


# --- the form ---------------------------------------------------------------------------------

def test_the_form_groups_every_question_by_section_with_labels_hints_and_numeric_inputs(
        area, manager):
    content = manager.get(edit_url(area.home)).content.decode()
    for legend in ["Beds", "Admissions, discharges and deaths", "Safety", "Urgent care",
                   "Workforce", "Anything else"]:
        assert f'<h2 class="nhsuk-fieldset__heading">{legend}</h2>' in content
    assert '<label class="nhsuk-label" for="beds_occupied">Occupied beds</label>' in content
    assert 'id="beds_occupied" name="beds_occupied" type="text" inputmode="numeric"' in content
    assert "nhsuk-input--width-5" in content and "nhsuk-input--width-4" in content
    assert "Number of beds." in content  # the unit, in the hint
    assert 'inputmode="decimal"' in content  # percentages may have decimals
    assert '<textarea class="nhsuk-textarea" id="issues_for_commissioners"' in content
    assert "Submit return" in content and "Save as draft" in content


def test_manager_saves_a_draft_and_comes_back_to_it(area, manager):
    response = manager.post(edit_url(area.home), {"falls": "4", "beds_registered": "40",
                                                  "action": "draft"})
    assert response.status_code == 302 and response["Location"] == reverse("quality:return-list")
    draft = MonthlyReturn.objects.get(care_home=area.home, month=MONTH)
    assert draft.status == ReturnStatus.DRAFT and draft.values == {"falls": 4, "beds_registered": 40}
    assert not draft.versions.exists()
    form = manager.get(edit_url(area.home)).content.decode()
    assert 'id="falls" name="falls" type="text" inputmode="numeric" spellcheck="false" value="4"' \
        in form
    listing = manager.get(reverse("quality:return-list")).content.decode()
    assert "Continue<span" in listing


def test_manager_submits_a_complete_return_and_sees_it(area, manager):
    response = manager.post(edit_url(area.home), form_data())
    monthly_return = MonthlyReturn.objects.get(care_home=area.home, month=MONTH)
    assert response.status_code == 302
    assert response["Location"] == reverse("quality:return-detail", args=[monthly_return.pk])
    assert monthly_return.status == ReturnStatus.SUBMITTED
    assert monthly_return.submitted_by == area.users[M]
    [version] = monthly_return.versions.all()
    assert version.source == ReturnSource.WEB and version.values["agency_hours_percent"] == 7.5
    page = manager.get(response["Location"])
    content = page.content.decode()
    assert "has been submitted" in content
    assert "7.5%" in content and ">36</dd>" in content
    # A submitted return is read-only: its form address leads to the return itself.
    assert manager.get(edit_url(area.home))["Location"] == response["Location"]


def test_bad_values_show_the_error_summary_and_a_message_by_each_field(area, manager):
    values = good_values(beds_registered=40, beds_occupied=45, falls=3, falls_with_injury=5,
                         agency_hours_percent=120, admissions="2.5")
    response = manager.post(edit_url(area.home), form_data(values))
    assert response.status_code == 200
    assert not MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED).exists()
    expected = {
        "beds_occupied": "Occupied beds must be no more than registered beds (40)",
        "falls_with_injury": "Falls with injury must be no more than falls (3)",
        "agency_hours_percent": "Agency and bank hours as a share of all care hours must be a "
                                "percentage from 0 to 100",
        "admissions": "Admissions to the home must be a whole number, like 3",
    }
    assert {k: v for k, v in response.context["form"].errors.items()} == {
        k: [v] for k, v in expected.items()}
    content = html.unescape(response.content.decode())
    assert "There is a problem" in content
    for key, message in expected.items():
        assert f'<li><a href="#{key}">{message}</a></li>' in content  # the summary links
        assert f'id="{key}-error"><span class="nhsuk-u-visually-hidden">Error:</span> {message}' \
            in content  # and the message by its field
        assert f'id="{key}" name="{key}"' in content
    assert 'value="2.5"' in content  # what was typed stays, to correct


def test_an_unusual_value_needs_a_tick_and_a_reason_before_it_is_submitted(area, manager):
    for n in (2, 3, 4, 5):
        submitted(area, month=months_ago(n), falls=2, falls_with_injury=0)
    data = form_data(good_values(falls=20))

    first = manager.post(edit_url(area.home), data)
    assert first.status_code == 200
    content = html.unescape(first.content.decode())
    assert "more than 3 times the home's median of 2" in content
    assert 'name="confirm_falls" type="checkbox"' in content
    assert "I have checked this and it is right" in content and 'name="reason_falls"' in content
    assert '<li><a href="#confirm_falls">' in content
    assert not MonthlyReturn.objects.filter(month=MONTH).exists()

    ticked_only = manager.post(edit_url(area.home), {**data, "confirm_falls": "on",
                                                     "reason_falls": ""})
    assert ticked_only.context["form"].errors == {
        "reason_falls": ["Enter a reason why falls is right"]}

    done = manager.post(edit_url(area.home), {**data, "confirm_falls": "on",
                                              "reason_falls": "Norovirus outbreak"})
    assert done.status_code == 302
    monthly_return = MonthlyReturn.objects.get(care_home=area.home, month=MONTH)
    assert monthly_return.confirmations == {"falls": "Norovirus outbreak"}
    detail = manager.get(done["Location"]).content.decode()
    assert "Unusual values the home confirmed" in detail and "Norovirus outbreak" in detail


def test_manager_amends_with_a_reason_and_every_version_is_kept(area, manager):
    monthly_return = submitted(area)
    amend = edit_url(area.home, page="return-amend")
    detail = manager.get(reverse("quality:return-detail", args=[monthly_return.pk]))
    assert f'href="{amend}">Amend this return' in detail.content.decode()
    page = manager.get(amend).content.decode()
    assert "Why are you amending it?" in page and "Save as draft" not in page

    no_reason = manager.post(amend, form_data(good_values(falls=7), action=None))
    assert no_reason.context["form"].errors == {
        "reason": ["Enter why you are amending this return"]}
    assert ReturnVersion.objects.count() == 1

    response = manager.post(amend, form_data(good_values(falls=7), action=None,
                                             reason="A fall was missed"))
    assert response.status_code == 302
    versions = list(ReturnVersion.objects.order_by("number").values_list(
        "number", "status", "reason"))
    assert versions == [(1, "submitted", ""), (2, "amended", "A fall was missed")]
    assert ReturnVersion.objects.get(number=1).values["falls"] == 6  # kept whole
    content = html.unescape(manager.get(response["Location"]).content.decode())
    assert "What changed from version 1" in content
    assert "<li>Falls: 6 → 7</li>" in content
    assert "A fall was missed" in content


def test_commissioner_reopens_a_return_with_a_reason_and_the_home_resubmits_it(
        area, manager, client_for):
    monthly_return = submitted(area)
    commissioner = client_for(area.users[C])
    detail = reverse("quality:return-detail", args=[monthly_return.pk])
    reopen = reverse("quality:return-reopen", args=[monthly_return.pk])
    assert f'href="{reopen}">Reopen this return' in commissioner.get(detail).content.decode()
    assert "Reopen this return" not in manager.get(detail).content.decode()

    no_reason = commissioner.post(reopen, {"reason": " "})
    assert no_reason.context["form"].errors == {
        "reason": ["Enter why you are reopening this return"]}
    response = commissioner.post(reopen, {"reason": "Beds do not match the Capacity Tracker"})
    assert response.status_code == 302 and response["Location"] == detail
    monthly_return.refresh_from_db()
    assert monthly_return.status == ReturnStatus.DRAFT
    assert monthly_return.reopened_by == area.users[C]

    form = manager.get(edit_url(area.home)).content.decode()
    assert "This return was reopened" in form and "Beds do not match the Capacity Tracker" in form
    resubmit = manager.post(edit_url(area.home), form_data(
        good_values(beds_registered=41, beds_vacant_available=4), reason="Corrected the beds"))
    assert resubmit.status_code == 302
    monthly_return.refresh_from_db()
    assert monthly_return.status == ReturnStatus.AMENDED and monthly_return.version_count == 2


def test_errors_about_the_whole_return_show_in_the_error_summary(area, manager):
    area.home.status, area.home.deregistered_on = HomeStatus.DEREGISTERED, months_ago(3)
    area.home.save()
    response = manager.post(edit_url(area.home), form_data(action="draft"))
    content = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in content
    assert f"left the CQC register on {months_ago(3):%d/%m/%Y}" in content


def test_a_draft_cannot_be_saved_over_a_submitted_return(area, manager):
    submitted(area)
    response = manager.post(edit_url(area.home), form_data({"falls": "1"}, action="draft"))
    assert response.status_code == 200
    assert "This return has been submitted. To change it, amend it and give a reason." in \
        response.content.decode()
    assert MonthlyReturn.objects.get().values["falls"] == 6


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2999-01"])
def test_a_month_that_does_not_exist_or_has_not_started_is_not_found(area, manager, month):
    url = reverse("quality:return-edit", args=[area.home.cqc_location_id, month])
    assert manager.get(url).status_code == 404
    assert manager.post(url, form_data()).status_code == 404
    assert not MonthlyReturn.objects.exists()


# --- the list ---------------------------------------------------------------------------------

def test_manager_sees_their_homes_against_the_last_six_months(area, manager):
    submitted(area)
    MonthlyReturnFactory(care_home=area.second_home, month=months_ago(2))
    content = manager.get(reverse("quality:return-list")).content.decode()
    assert area.home.name in content and area.second_home.name in content
    assert area.other_home.name not in content
    for n in range(1, 7):
        assert f"{months_ago(n):%B %Y}</th>" in content
    assert f"{months_ago(7):%B %Y}</th>" not in content
    assert "nhsuk-tag--red\">Late" in content  # months gone by without a return
    assert ">Submitted" in content  # on time or late, depending on today's date
    assert f'href="{edit_url(area.second_home, months_ago(2))}">Continue' in content
    assert f'href="{edit_url(area.second_home, months_ago(3))}">Start' in content


def test_a_commissioner_can_view_but_not_start_returns(area, client_for):
    monthly_return = submitted(area)
    content = client_for(area.users[C]).get(reverse("quality:return-list")).content.decode()
    assert reverse("quality:return-detail", args=[monthly_return.pk]) in content
    assert "Start<span" not in content and "Continue<span" not in content
    assert f'href="{reverse("quality:compliance")}"' in content


def test_managers_are_not_sent_to_the_commissioners_compliance_page(area, manager):
    content = manager.get(reverse("quality:return-list")).content.decode()
    assert f'href="{reverse("quality:compliance")}"' not in content


def test_the_list_runs_the_same_number_of_queries_for_two_homes_or_twenty(area, client_for):
    manager = client_for(area.users[M])
    url = reverse("quality:return-list")
    manager.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        manager.get(url)
    for n in range(18):
        home = CareHomeFactory(provider=area.provider, local_authority=area.council)
        MonthlyReturnFactory(care_home=home, month=months_ago(1 + n % 6))
    with CaptureQueriesContext(connection) as many:
        response = manager.get(url)
    assert response.content.decode().count("nhsuk-tag--") >= 20 * 6
    assert len(many) == len(few)


def test_the_form_reads_its_questions_in_one_query(area, manager):
    manager.get(edit_url(area.home))
    with CaptureQueriesContext(connection) as queries:
        manager.get(edit_url(area.home))
    reads = [q["sql"] for q in queries if 'FROM "quality_indicator"' in q["sql"]]
    assert len(reads) == 1
    assert len(queries) <= 10


# --- who may do what ---------------------------------------------------------------------------

@pytest.fixture
def returns(area):
    """A submitted return for the manager's home and one for another provider's."""
    mine = submitted(area)
    theirs = MonthlyReturnFactory(care_home=area.other_home, month=MONTH,
                                  status=ReturnStatus.SUBMITTED, submitted_on=timezone.now())
    return {"home": mine, "other_home": theirs}


def page_url(area, returns, page, home):
    if page == "list":
        return reverse("quality:return-list")
    if page in ("detail", "reopen"):
        return reverse(f"quality:return-{page}", args=[returns[home].pk])
    return edit_url(getattr(area, home), page=f"return-{page}")


# (page, which home, {who: expected status}); everyone not named gets the default.
MATRIX = [
    ("list", None, {NONE: 403}, 200),
    ("edit", "second_home", {M: 200, A: 200}, 404),
    ("edit", "other_home", {A: 302}, 404),  # submitted: the form leads to the return
    ("amend", "home", {M: 200, ONE: 200, A: 200}, 404),
    ("amend", "other_home", {A: 200}, 404),
    ("detail", "home", {NONE: 404}, 200),
    ("detail", "other_home", {JM: 200, P: 200, A: 200}, 404),
    ("reopen", "home", {C: 200, A: 200}, 404),
    ("reopen", "other_home", {A: 200}, 404),
]


@pytest.mark.parametrize(("page", "home", "overrides", "default"), MATRIX,
                         ids=[f"{m[0]}-{m[1]}" for m in MATRIX])
@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(area, client_for, returns, page, home, overrides, default, who):
    response = client_for(area.users[who]).get(page_url(area, returns, page, home))
    assert response.status_code == overrides.get(who, default)


@pytest.mark.parametrize("page", ["list", "edit", "amend", "detail", "reopen"])
def test_anonymous_requests_go_to_sign_in(area, client, returns, page):
    response = client.get(page_url(area, returns, page, "home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))
    assert client.post(page_url(area, returns, page, "home"), form_data())["Location"].startswith(
        reverse("sign-in"))


def test_another_providers_manager_gets_404_and_changes_nothing(area, returns,
                                                                other_providers_manager):
    client = other_providers_manager
    before = list(MonthlyReturn.objects.values_list("pk", "values", "status"))
    for page in ("edit", "amend", "detail", "reopen"):
        assert client.get(page_url(area, returns, page, "home")).status_code == 404, page
    for page in ("edit", "amend", "reopen"):
        url = page_url(area, returns, page, "home")
        assert client.post(url, form_data(good_values(falls=9), reason="x")).status_code == 404
    new_month = edit_url(area.home, months_ago(2))
    assert client.get(new_month).status_code == 404
    assert client.post(new_month, form_data()).status_code == 404
    assert list(MonthlyReturn.objects.values_list("pk", "values", "status")) == before
    assert area.home.name not in client.get(reverse("quality:return-list")).content.decode()


@pytest.mark.parametrize("who", [C, Q, JC, JM, P, NONE])
def test_people_who_do_not_manage_the_home_cannot_submit_its_return(area, client_for, who):
    client = client_for(area.users[who])
    assert client.post(edit_url(area.home), form_data()).status_code == 404
    assert not MonthlyReturn.objects.exists()


def test_only_commissioners_can_reopen(area, returns, client_for):
    url = reverse("quality:return-reopen", args=[returns["home"].pk])
    for who in (M, Q, JC, JM):
        assert client_for(area.users[who]).post(url, {"reason": "x"}).status_code == 404
    returns["home"].refresh_from_db()
    assert returns["home"].status == ReturnStatus.SUBMITTED


def test_the_menu_offers_monthly_returns_to_people_who_may_see_them(area, client_for):
    link = f'href="{reverse("quality:return-list")}"'
    assert link in client_for(area.users[M]).get(reverse("carehomes:list")).content.decode()
    assert link in client_for(area.users[JM]).get(reverse("carehomes:list")).content.decode()
    assert link not in client_for(area.users[NONE]).get(reverse("home")).content.decode()


def test_managers_are_offered_the_spreadsheet_upload_and_commissioners_are_not(area, client_for):
    upload = reverse("quality:upload-list")
    assert upload in client_for(area.users[M]).get(reverse("quality:return-list")).content.decode()
    assert upload not in client_for(area.users[C]).get(reverse("quality:return-list")).content.decode()
