"""Reminder emails: to the right managers, once, and a weekly digest of late homes."""

import datetime as dt
import re
import threading

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError, connection, connections
from django.utils import timezone

from commissioning.choices import Role
from quality import reminders
from quality.choices import ReminderKind, ReturnSource
from quality.models import ReminderSent
from quality.services import return_save
from quality.tasks import DIGEST_LOCK, REMINDERS_LOCK, commissioner_digest_task, reminders_send_task
from tests.commissioning.factories import MembershipFactory
from tests.quality.factories import good_values

OCTOBER = dt.date(2026, 10, 1)  # due on 14 November 2026
DUE_IN_FIVE_DAYS = dt.date(2026, 11, 9)
DAY_AFTER_DUE = dt.date(2026, 11, 15)
MONDAY = dt.date(2026, 11, 16)


@pytest.fixture
def people(area):
    """The fixture's managers, plus a manager of the other provider and more commissioners."""
    return {
        "manager": area.users[Role.CARE_HOME_MANAGER].email,  # all of provider A's homes
        "one_home": area.users["manager_one_home"].email,  # provider A's first home only
        "other_provider": MembershipFactory(role=Role.CARE_HOME_MANAGER,
                                            organisation=area.other_provider,
                                            all_provider_homes=True).user.email,
        "council": area.users[Role.COMMISSIONER].email,
        "other_council": MembershipFactory(role=Role.COMMISSIONER,
                                           organisation=area.other_council).user.email,
        "nhs": MembershipFactory(role=Role.COMMISSIONER,
                                 organisation=area.commissioner).user.email,
    }


def submit(area, home, month=OCTOBER):
    return_save(care_home=home, month=month, values=good_values(),
                user=area.users[Role.CARE_HOME_MANAGER], source=ReturnSource.WEB, submit=True)


def mentions(text: str, home) -> bool:
    """Whether ``text`` names the home ("Care Home 1" is not named by "Care Home 12")."""
    return re.search(rf"{re.escape(home.name)}(?!\d)", text) is not None


def by_recipient(outbox) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in outbox:
        for address in message.to:
            found.setdefault(address, []).append(message)
    return found


@pytest.mark.django_db
def test_the_link_in_the_reminder_opens_the_return_for_its_managers_only(area, people, mailoutbox,
                                                                         client_for, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.nhs.uk"
    reminders.due_soon_reminders_send(today=DUE_IN_FIVE_DAYS)
    [email] = [m for m in mailoutbox if people["one_home"] in m.to]
    [link] = re.findall(r"https://portal\.example\.nhs\.uk(/\S+)", email.body)

    assert client_for(area.users["manager_one_home"]).get(link).status_code == 200
    outsider = area.users["manager_one_home"].__class__.objects.get(email=people["other_provider"])
    assert client_for(outsider).get(link).status_code == 404


# Before the due date --------------------------------------------------------------------

@pytest.mark.django_db
def test_due_soon_reminder_goes_to_each_homes_managers_only(area, people, mailoutbox):
    run = reminders.due_soon_reminders_send(today=DUE_IN_FIVE_DAYS)

    assert len(run.sent) == 3 and not run.failed
    emails = {m.subject: m for m in mailoutbox}
    home = emails[f"Monthly return for {area.home.name}: due on 14 November 2026"]
    second = emails[f"Monthly return for {area.second_home.name}: due on 14 November 2026"]
    other = emails[f"Monthly return for {area.other_home.name}: due on 14 November 2026"]
    assert sorted(home.to) == sorted([people["manager"], people["one_home"]])
    assert second.to == [people["manager"]]
    assert other.to == [people["other_provider"]]
    # One email per home, naming no other home.
    assert not mentions(home.body, area.second_home) and not mentions(home.body, area.other_home)
    assert "October 2026" in home.body and "in 5 days" in home.body
    link = f"http://127.0.0.1:8000/returns/{area.home.cqc_location_id}/2026-10/"
    assert home.body.count("http://127.0.0.1:8000/") == 1 and link in home.body
    assert home.from_email == "portal@localhost"


@pytest.mark.django_db
def test_a_manager_of_another_provider_gets_nothing_about_our_homes(area, people, mailoutbox):
    reminders.due_soon_reminders_send(today=DUE_IN_FIVE_DAYS)

    [only] = by_recipient(mailoutbox)[people["other_provider"]]
    assert mentions(only.subject, area.other_home)
    assert not mentions(only.body, area.home) and not mentions(only.body, area.second_home)


@pytest.mark.django_db
def test_commissioners_and_inactive_managers_get_no_home_reminders(area, people, mailoutbox):
    membership = area.users["manager_one_home"].memberships.get()
    membership.is_active = False
    membership.save()

    reminders.due_soon_reminders_send(today=DUE_IN_FIVE_DAYS)

    recipients = by_recipient(mailoutbox)
    assert people["one_home"] not in recipients
    assert not {people["council"], people["nhs"], people["other_council"]} & set(recipients)


@pytest.mark.django_db
def test_running_the_due_soon_reminder_twice_sends_once(area, people, mailoutbox):
    first = reminders.due_soon_reminders_send(today=DUE_IN_FIVE_DAYS)
    second = reminders.due_soon_reminders_send(today=DUE_IN_FIVE_DAYS + dt.timedelta(days=1))

    assert len(first.sent) == 3
    assert second.sent == [] and second.already_sent == 3
    assert len(mailoutbox) == 3
    record = ReminderSent.objects.get(care_home=area.home, kind=ReminderKind.DUE_SOON)
    assert record.month == OCTOBER
    assert sorted(record.recipients) == sorted([people["manager"], people["one_home"]])


@pytest.mark.django_db
def test_due_soon_reminder_is_sent_only_in_the_five_days_before_the_due_date(area, people,
                                                                              mailoutbox):
    assert reminders.due_soon_reminders_send(today=dt.date(2026, 11, 8)).sent == []
    assert reminders.due_soon_reminders_send(today=DAY_AFTER_DUE).sent == []
    assert mailoutbox == []
    # A day the task missed is caught up later in the window (here on the due date itself).
    assert len(reminders.due_soon_reminders_send(today=dt.date(2026, 11, 14)).sent) == 3


@pytest.mark.django_db
def test_submitted_homes_get_no_reminder_and_drafts_do(area, people, mailoutbox):
    submit(area, area.home)
    return_save(care_home=area.second_home, month=OCTOBER, values={"falls": "2"},
                user=area.users[Role.CARE_HOME_MANAGER], source=ReturnSource.WEB, submit=False)

    reminders.due_soon_reminders_send(today=DUE_IN_FIVE_DAYS)
    reminders.late_reminders_send(today=DAY_AFTER_DUE)

    homes = {m.subject.split(": ")[0].removeprefix("Monthly return for ") for m in mailoutbox}
    assert homes == {area.second_home.name, area.other_home.name}
    draft_emails = [m for m in mailoutbox if f"for {area.second_home.name}:" in m.subject]
    assert len(draft_emails) == 2  # due soon, then late
    assert all("started the return but not submitted it" in m.body for m in draft_emails)
    assert not ReminderSent.objects.filter(care_home=area.home).exists()


# When late --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_late_reminder_is_sent_once_however_often_the_task_runs(area, people, mailoutbox):
    for day in range(15, 31):
        reminders.late_reminders_send(today=dt.date(2026, 11, day))

    late = [m for m in mailoutbox if "is late" in m.subject]
    assert len(late) == 3
    assert f"Monthly return for {area.home.name}: October 2026 is late" in {m.subject for m in late}
    assert ReminderSent.objects.filter(kind=ReminderKind.LATE, month=OCTOBER).count() == 3


@pytest.mark.django_db
def test_no_late_reminder_on_the_due_date(area, people, mailoutbox):
    run = reminders.late_reminders_send(today=dt.date(2026, 11, 14))
    # On the due date, the latest overdue month is September, not October.
    assert {r.month for r in ReminderSent.objects.all()} <= {dt.date(2026, 9, 1)}
    assert all("September 2026" in m.subject for m in mailoutbox)
    assert len(run.sent) == len(mailoutbox)


@pytest.mark.django_db
def test_a_failed_email_is_not_recorded_so_the_next_run_sends_it(area, people, mailoutbox,
                                                                  monkeypatch):
    def refuse(self, messages):
        raise ConnectionRefusedError("The mail server is down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    failed = reminders.late_reminders_send(today=DAY_AFTER_DUE)
    assert len(failed.failed) == 3 and failed.sent == []
    assert not ReminderSent.objects.exists()

    monkeypatch.undo()
    retried = reminders.late_reminders_send(today=DAY_AFTER_DUE + dt.timedelta(days=1))
    assert len(retried.sent) == 3 and len(mailoutbox) == 3


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(area, people, mailoutbox):
    runs, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            runs.append(reminders.late_reminders_send(today=DAY_AFTER_DUE))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(runs) == 2
    assert sum(len(r.sent) for r in runs) == 3
    assert len(mailoutbox) == 3
    assert ReminderSent.objects.count() == 3


# The weekly digest ---------------------------------------------------------------------

@pytest.mark.django_db
def test_digest_lists_only_the_organisations_late_homes(area, people, mailoutbox):
    for month in reminders.overdue_months(MONDAY, reminders.DIGEST_MONTHS):
        submit(area, area.second_home, month)

    reminders.commissioner_digest_send(today=MONDAY)

    def listed(message, home):
        return f"- {home.name}, {home.provider.name}" in message.body.splitlines()

    received = by_recipient(mailoutbox)
    [council] = received[people["council"]]
    assert council.to == [people["council"]]
    assert council.subject == "Care homes with late monthly returns: week of 16 November 2026"
    assert listed(council, area.home)
    assert not listed(council, area.second_home)  # submitted
    assert not listed(council, area.other_home)  # another council's home
    assert "October 2026 (due on 14 November 2026): 1 home" in council.body
    assert "http://127.0.0.1:8000/returns/compliance/?month=2026-10&status=late" in council.body
    assert "August 2026 (due on 14 September 2026): 1 home" in council.body
    [other] = received[people["other_council"]]
    assert listed(other, area.other_home) and not listed(other, area.home)
    [nhs] = received[people["nhs"]]
    assert listed(nhs, area.home) and not listed(nhs, area.other_home)
    # Quality officers and managers are not sent the digest.
    assert area.users[Role.QUALITY_OFFICER].email not in received
    assert people["manager"] not in received
    assert len(mailoutbox) == 3


@pytest.mark.django_db
def test_digest_is_sent_once_a_week(area, people, mailoutbox):
    reminders.commissioner_digest_send(today=MONDAY)
    again = reminders.commissioner_digest_send(today=MONDAY + dt.timedelta(days=2))
    next_week = reminders.commissioner_digest_send(today=MONDAY + dt.timedelta(days=7))

    assert again.sent == [] and again.already_sent == 3
    assert len(next_week.sent) == 3
    council = area.council
    weeks = ReminderSent.objects.filter(organisation=council, kind=ReminderKind.WEEKLY_DIGEST)
    assert sorted(weeks.values_list("month", flat=True)) == [MONDAY, MONDAY + dt.timedelta(days=7)]
    assert weeks.first().recipients == [people["council"]]


@pytest.mark.django_db
def test_no_digest_when_every_home_has_returned(area, people, mailoutbox):
    for month in (dt.date(2026, 8, 1), dt.date(2026, 9, 1), OCTOBER):
        for home in (area.home, area.second_home, area.other_home):
            submit(area, home, month)

    run = reminders.commissioner_digest_send(today=MONDAY)

    assert run.sent == [] and mailoutbox == []
    assert not ReminderSent.objects.exists()


# The Celery tasks -------------------------------------------------------------------------

@pytest.mark.django_db
def test_reminders_task_sends_the_late_reminders_for_today(area, people, mailoutbox):
    result = reminders_send_task.apply().get()

    [month] = reminders.overdue_months(timezone.localdate())
    assert result["skipped"] is False
    late = ReminderSent.objects.filter(kind=ReminderKind.LATE, month=month)
    assert late.count() == 3
    assert len(mailoutbox) >= 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("task", "lock"), [(reminders_send_task, REMINDERS_LOCK),
                                            (commissioner_digest_task, DIGEST_LOCK)])
def test_task_does_nothing_while_another_run_holds_its_lock(area, people, mailoutbox, task, lock):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(current_database()), %s)", [lock])
        assert task.apply().get() == {"skipped": True}
        assert mailoutbox == [] and not ReminderSent.objects.exists()
    finally:
        with other.cursor() as cursor:  # at once: a closed session's locks go a moment later
            cursor.execute("SELECT pg_advisory_unlock(hashtext(current_database()), %s)", [lock])
        other.close()
    assert task.apply().get()["skipped"] is False


def test_beat_runs_reminders_daily_and_the_digest_on_monday_mornings(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    daily = schedule["quality.tasks.reminders_send_task"]
    weekly = schedule["quality.tasks.commissioner_digest_task"]
    assert daily.day_of_week == set(range(7)) and daily.hour == {7}
    assert weekly.day_of_week == {1} and weekly.hour == {7}
    assert settings.CELERY_TIMEZONE == "Europe/London"


@pytest.mark.django_db
def test_reminders_task_retries_when_the_database_is_briefly_unavailable(monkeypatch):
    calls = []

    def flaky(*, today):
        calls.append(today)
        if len(calls) == 1:
            raise OperationalError("could not connect to server")
        return []

    monkeypatch.setattr(reminders, "reminders_send", flaky)
    result = reminders_send_task.apply(throw=False)

    assert len(calls) == 2  # in-process, the retry runs at once
    assert result.state == "SUCCESS" and result.get() == {"skipped": False, "runs": []}
