"""Saving, submitting, amending and reopening returns: the lifecycle and its record."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from carehomes.choices import HomeStatus
from commissioning.choices import Role
from quality.choices import ReturnSource, ReturnStatus
from quality.models import IndicatorSet, MonthlyReturn, ReturnVersion
from quality.services import (
    ReturnNeedsConfirmation,
    ReturnRejected,
    due_date_for,
    indicator_set_copy,
    indicator_set_current,
    indicator_set_publish,
    return_reopen,
    return_save,
)
from tests.quality.factories import good_values

pytestmark = pytest.mark.django_db
SEPTEMBER = dt.date(2026, 9, 1)


@pytest.fixture
def manager(area):
    return area.users[Role.CARE_HOME_MANAGER]


def save(area, user, values=None, *, submit=True, month=SEPTEMBER, **kwargs):
    return return_save(care_home=area.home, month=month, values=values or good_values(),
                       user=user, source=ReturnSource.WEB, submit=submit, **kwargs)


def test_due_date_is_the_14th_of_the_following_month(settings):
    assert due_date_for(dt.date(2026, 9, 1)) == dt.date(2026, 10, 14)
    assert due_date_for(dt.date(2026, 12, 1)) == dt.date(2027, 1, 14)
    settings.RETURNS_DUE_DAY = 8
    assert due_date_for(dt.date(2026, 1, 1)) == dt.date(2026, 2, 8)


def test_a_draft_then_a_submission_keeps_one_version(area, manager):
    draft, changed = save(area, manager, {"falls": "3"}, submit=False)
    assert changed and draft.status == ReturnStatus.DRAFT and draft.version_count == 0
    submitted, _ = save(area, manager)
    assert submitted.pk == draft.pk
    assert submitted.status == ReturnStatus.SUBMITTED
    assert submitted.submitted_by == manager and submitted.due_on == dt.date(2026, 10, 14)
    [version] = submitted.versions.all()
    assert (version.number, version.status, version.values["falls"]) == (1, "submitted", 6)


def test_submitting_the_same_values_again_changes_nothing(area, manager):
    save(area, manager)
    again, changed = save(area, manager)
    assert not changed
    assert again.version_count == 1 and ReturnVersion.objects.count() == 1


def test_an_amendment_needs_a_reason_and_keeps_every_version(area, manager):
    save(area, manager)
    with pytest.raises(ValidationError, match="reason"):
        save(area, manager, good_values(falls=7))
    amended, changed = save(area, manager, good_values(falls=7), reason="Counted a fall twice")
    assert changed and amended.status == ReturnStatus.AMENDED
    versions = list(amended.versions.order_by("number").values_list("number", "status", "reason"))
    assert versions == [(1, "submitted", ""), (2, "amended", "Counted a fall twice")]
    assert amended.versions.get(number=1).values["falls"] == 6


def test_a_draft_cannot_overwrite_a_submitted_return(area, manager):
    save(area, manager)
    with pytest.raises(ValidationError, match="amend it"):
        save(area, manager, {"falls": "1"}, submit=False)


def test_bad_values_are_rejected_with_a_message_per_field_and_nothing_is_kept(area, manager):
    with pytest.raises(ReturnRejected) as raised:
        save(area, manager, good_values(beds_occupied=50, falls="x"))
    assert set(raised.value.check.errors) == {"beds_occupied", "falls"}
    assert not MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED).exists()


def test_unusual_values_need_a_confirming_reason(area, manager):
    for month in range(3, 9):
        save(area, manager, good_values(falls=5), month=dt.date(2026, month, 1))
    with pytest.raises(ReturnNeedsConfirmation) as raised:
        save(area, manager, good_values(falls=20))
    assert list(raised.value.unconfirmed) == ["falls"]
    submitted, _ = save(area, manager, good_values(falls=20),
                        confirmations={"falls": "Outbreak of norovirus", "utis": "not asked"})
    assert submitted.confirmations == {"falls": "Outbreak of norovirus"}
    assert submitted.versions.get().confirmations == {"falls": "Outbreak of norovirus"}


def test_a_commissioner_reopens_and_the_home_resubmits_as_an_amendment(area, manager):
    submitted, _ = save(area, manager)
    commissioner = area.users[Role.COMMISSIONER]
    with pytest.raises(ValidationError, match="why"):
        return_reopen(monthly_return=submitted, user=commissioner, reason="")
    reopened = return_reopen(monthly_return=submitted, user=commissioner,
                             reason="Beds do not match the Capacity Tracker")
    assert reopened.status == ReturnStatus.DRAFT and reopened.reopened_by == commissioner
    save(area, manager, {"beds_registered": 40}, submit=False)
    resubmitted, _ = save(area, manager, good_values(falls=5), reason="Corrected as asked")
    assert resubmitted.status == ReturnStatus.AMENDED and resubmitted.version_count == 2


def test_returns_cannot_be_made_for_future_months_or_after_deregistration(area, manager):
    with pytest.raises(ValidationError, match="cannot be made before"):
        save(area, manager, month=dt.date(2099, 1, 1))
    area.home.status, area.home.deregistered_on = HomeStatus.DEREGISTERED, dt.date(2026, 5, 10)
    area.home.save()
    with pytest.raises(ValidationError, match="left the CQC register"):
        save(area, manager, month=dt.date(2026, 7, 1))
    assert save(area, manager, month=dt.date(2026, 5, 1))[0].status == ReturnStatus.SUBMITTED


def test_a_new_version_of_the_questions_leaves_past_returns_as_they_were(area, manager):
    old, _ = save(area, manager)
    commissioner = area.users[Role.COMMISSIONER]
    draft = indicator_set_copy(source=indicator_set_current(), user=commissioner)
    draft.indicators.filter(key="dols_applications").delete()
    indicator_set_publish(indicator_set=draft, user=commissioner, notes="DoLS now comes from LPS")
    assert indicator_set_current() == draft
    old.refresh_from_db()
    assert old.indicator_set.version == 1 and old.values["dols_applications"] == 2
    values = good_values()
    values.pop("dols_applications")
    new, _ = save(area, manager, values, month=dt.date(2026, 10, 1))
    assert new.indicator_set == draft
    assert IndicatorSet.objects.get(version=1).is_current is False
