"""Commissioners change the return's questions in a new version; past returns never change."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.choices import Role
from quality.choices import ReturnSource, ReturnStatus
from quality.models import Indicator, IndicatorSet, MonthlyReturn
from quality.services import indicator_set_current, return_save
from tests.quality.factories import good_values

pytestmark = pytest.mark.django_db

C, A, M, Q = Role.COMMISSIONER, Role.ADMINISTRATOR, Role.CARE_HOME_MANAGER, Role.QUALITY_OFFICER

NEW_QUESTION = {"key": "hospital_transfers", "label": "Transfers to hospital", "section": "urgent_care",
                "kind": "count", "unit": "people", "minimum": "0", "maximum": "",
                "help_text": "Planned and unplanned.", "required": "on", "per_bed": "on"}


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def draft(area, client_for):
    """A commissioner has made version 2 from version 1."""
    indicator_set_current()
    client = client_for(area.users[C])
    client.post(reverse("quality:indicator-set-copy"))
    return IndicatorSet.objects.get(version=2)


def detail(version):
    return reverse("quality:indicator-set", args=[version])


@pytest.mark.parametrize("who", [Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER, Role.JIG_CHAIR,
                                 Role.JIG_MEMBER, Role.PARTNER_SYSTEM, "no_role"])
def test_only_commissioners_and_administrators_manage_questions(area, client_for, who):
    indicator_set_current()
    client = client_for(area.users[who])
    assert client.get(reverse("quality:indicator-sets")).status_code == 403
    assert client.get(detail(1)).status_code == 403
    assert client.post(reverse("quality:indicator-set-copy")).status_code == 403
    assert IndicatorSet.objects.count() == 1


@pytest.mark.parametrize("who", [C, A])
def test_commissioners_and_administrators_see_the_versions(area, client_for, who):
    indicator_set_current()
    response = client_for(area.users[who]).get(reverse("quality:indicator-sets"))
    assert response.status_code == 200
    assert "Current" in response.content.decode() and "Make a new version" in response.content.decode()


def test_the_list_counts_the_returns_using_each_version(area, client_for):
    return_save(care_home=area.home, month=last_month(), values=good_values(), user=None,
                source=ReturnSource.WEB, submit=True)
    response = client_for(area.users[C]).get(reverse("quality:indicator-sets"))
    assert [(v.version, v.return_count) for v in response.context["versions"]] == [(1, 1)]


def test_making_a_new_version_copies_the_current_questions(area, draft):
    current = IndicatorSet.objects.get(version=1)
    assert not draft.is_current
    assert list(draft.indicators.values_list("key", flat=True)) == list(
        current.indicators.values_list("key", flat=True))


def test_a_second_draft_is_not_made_while_one_is_unpublished(area, client_for, draft):
    response = client_for(area.users[C]).post(reverse("quality:indicator-set-copy"))
    assert response["Location"] == detail(2)
    assert IndicatorSet.objects.count() == 2


def test_a_question_is_added_to_the_draft_at_the_end(area, client_for, draft):
    response = client_for(area.users[C]).post(reverse("quality:indicator-add", args=[2]),
                                              NEW_QUESTION)
    assert response.status_code == 302
    added = draft.indicators.get(key="hospital_transfers")
    assert added.per_bed and added.required and added.unit == "people"
    assert added.order > max(i.order for i in draft.indicators.exclude(pk=added.pk))
    assert not IndicatorSet.objects.get(version=1).indicators.filter(key="hospital_transfers").exists()


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"key": ""}, "key", "Enter a key"),
    ({"key": "Bad Key"}, "key", "Use lower-case letters, digits and underscores"),
    ({"key": "falls"}, "key", "This version already has a question with this key"),
    ({"label": ""}, "label", "Enter the question"),
    ({"kind": ""}, "kind", "Choose the type of answer"),
    ({"minimum": "10", "maximum": "5"}, "maximum", "The highest value must be the same as or more"),
    ({"minimum": "ten"}, "minimum", "The lowest value must be a number"),
    ({"kind": "text", "minimum": ""}, "per_bed", "Only numbers can be compared per occupied bed"),
    ({"kind": "percent", "maximum": "150", "per_bed": ""}, "minimum",
     "A percentage must allow values only from 0 to 100"),
])
def test_a_bad_question_is_refused_with_a_message_for_the_field(area, client_for, draft, change,
                                                                field, message):
    before = draft.indicators.count()
    response = client_for(area.users[C]).post(reverse("quality:indicator-add", args=[2]),
                                              {**NEW_QUESTION, **change})
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode()
    assert draft.indicators.count() == before


def test_a_question_is_retired_from_the_draft_only(area, client_for, draft):
    falls = draft.indicators.get(key="dols_applications")
    client_for(area.users[C]).post(reverse("quality:indicator-retire", args=[2, falls.pk]))
    assert not draft.indicators.filter(key="dols_applications").exists()
    assert IndicatorSet.objects.get(version=1).indicators.filter(key="dols_applications").exists()


def test_occupied_beds_cannot_be_retired(area, client_for, draft):
    beds = draft.indicators.get(key="beds_occupied")
    response = client_for(area.users[C]).post(
        reverse("quality:indicator-retire", args=[2, beds.pk]), follow=True)
    assert draft.indicators.filter(key="beds_occupied").exists()
    assert "Occupied beds cannot be retired" in response.content.decode()


def test_questions_move_up_and_down(area, client_for, draft):
    client = client_for(area.users[C])
    keys = list(draft.indicators.order_by("order").values_list("key", flat=True))
    second = draft.indicators.get(key=keys[1])
    client.post(reverse("quality:indicator-move", args=[2, second.pk]), {"direction": "up"})
    assert list(draft.indicators.order_by("order").values_list("key", flat=True))[:3] == [
        keys[1], keys[0], keys[2]]
    client.post(reverse("quality:indicator-move", args=[2, second.pk]), {"direction": "down"})
    client.post(reverse("quality:indicator-move", args=[2, second.pk]), {"direction": "down"})
    assert list(draft.indicators.order_by("order").values_list("key", flat=True))[:3] == [
        keys[0], keys[2], keys[1]]


def test_publishing_needs_a_note(area, client_for, draft):
    response = client_for(area.users[C]).post(reverse("quality:indicator-set-publish", args=[2]),
                                              {"notes": "  "})
    assert response.status_code == 400
    assert "Say what changed in this version" in response.content.decode()
    assert IndicatorSet.objects.get(is_current=True).version == 1


def test_published_versions_are_read_only(area, client_for, draft):
    client = client_for(area.users[C])
    client.post(reverse("quality:indicator-set-publish", args=[2]), {"notes": "Added transfers."})
    version_1 = IndicatorSet.objects.get(version=1)
    keys = list(version_1.indicators.values_list("key", "order"))
    falls = version_1.indicators.get(key="falls")

    client.post(reverse("quality:indicator-add", args=[1]), NEW_QUESTION)
    client.post(reverse("quality:indicator-add", args=[2]), NEW_QUESTION)
    client.post(reverse("quality:indicator-retire", args=[1, falls.pk]))
    client.post(reverse("quality:indicator-move", args=[1, falls.pk]), {"direction": "up"})
    response = client.get(detail(2))

    assert list(version_1.indicators.values_list("key", "order")) == keys
    assert not Indicator.objects.filter(key="hospital_transfers").exists()
    assert "Add a question" not in response.content.decode()
    assert "cannot change" in response.content.decode()


def test_past_returns_keep_their_version_and_values_after_a_new_version(area, client_for, draft):
    month = last_month()
    old, _ = return_save(care_home=area.home, month=month, values=good_values(), user=None,
                         source=ReturnSource.WEB, submit=True)
    saved = dict(old.values)
    client = client_for(area.users[C])
    dols = draft.indicators.get(key="dols_applications")
    client.post(reverse("quality:indicator-retire", args=[2, dols.pk]))
    client.post(reverse("quality:indicator-add", args=[2]), NEW_QUESTION)
    client.post(reverse("quality:indicator-set-publish", args=[2]), {"notes": "Transfers in, DoLS out."})

    old.refresh_from_db()
    assert old.indicator_set.version == 1 and old.values == saved
    assert saved["dols_applications"] == 2 and "hospital_transfers" not in saved
    assert old.indicator_set.indicators.filter(key="dols_applications").exists()

    values = good_values(hospital_transfers=2)
    del values["dols_applications"]
    new, _ = return_save(care_home=area.second_home, month=month, values=values, user=None,
                         source=ReturnSource.WEB, submit=True)
    assert new.indicator_set.version == 2 and new.status == ReturnStatus.SUBMITTED
    assert new.values["hospital_transfers"] == 2
    assert MonthlyReturn.objects.get(pk=old.pk).values["dols_applications"] == 2
