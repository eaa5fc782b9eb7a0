"""Reminder emails for monthly returns: to managers before the due date and when late, and a
weekly digest of late homes to commissioners.

Each function takes ``today`` so tests (and a re-run for a missed day) can say which day it
is; the Celery tasks pass ``timezone.localdate()``.

Sent once, even when two runs overlap
-------------------------------------
Every email is *claimed* before it is sent: in the same transaction that works out who needs
a reminder, a ``ReminderSent`` row is inserted with ``INSERT ... ON CONFLICT DO NOTHING
RETURNING``. The unique constraints, (home, month, kind) and (organisation, week's Monday,
kind), make the database the referee: if two runs overlap, the second run's insert waits for
the first run's transaction, then inserts nothing and gets no row back, so it sends nothing.
Emails go out only after the claim is committed, so a reminder is never sent without its
record.

When sending fails
------------------
If the email backend raises, the claim is deleted, so the next run (the task's retry, or the
next day's run) sends it again. We delete rather than mark the row as failed because the
record then means exactly one thing, "this was sent", which is what the constraints and the
people reading the record need; the failure itself is logged. The one gap left: if the worker
dies after the commit and before the email is handed over, the record says sent and the
reminder is lost. We accept that: it is rare, the next reminder (late, or next week's digest)
still goes, and the alternative (sending inside the transaction) risks the worse failure of
an email sent twice when the commit fails after the send.
"""

import datetime as dt
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse

from carehomes.models import CareHome
from commissioning import access
from commissioning.choices import OrganisationKind, Role
from commissioning.models import Membership, Organisation

from .choices import ReminderKind, ReturnStatus
from .models import MonthlyReturn, ReminderSent
from .selectors import homes_due_a_return
from .services import due_date_for, first_of_month, previous_month

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 5
# The digest lists homes late for any of this many most recent overdue months.
DIGEST_MONTHS = 3
CLAIM_BATCH = 1000


@dataclass
class Email:
    """One email to send, with the key of the ``ReminderSent`` row that records it."""

    kind: str
    subject: str
    body: str
    recipients: list[str]
    care_home_id: int | None = None
    organisation_id: int | None = None
    month: dt.date | None = None
    record_id: int | None = None


@dataclass
class ReminderRun:
    """What one run did: emails sent, and those that failed (to be tried again)."""

    kind: str
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    already_sent: int = 0

    def summary(self) -> dict:
        return {"kind": self.kind, "sent": len(self.sent), "failed": len(self.failed),
                "already_sent": self.already_sent}


# Months and dates ------------------------------------------------------------------------

def month_due_soon(today: dt.date) -> dt.date | None:
    """The month whose return is due in the next five days (today included), if any.

    A window rather than one exact day, so a day the task did not run is caught up the next
    day; the record stops a second email.
    """
    this_month = first_of_month(today)
    for month in (previous_month(this_month), this_month):
        if today <= due_date_for(month) <= today + dt.timedelta(days=DUE_SOON_DAYS):
            return month
    return None


def overdue_months(today: dt.date, count: int = 1) -> list[dt.date]:
    """The ``count`` most recent months whose due date has passed, latest first."""
    month = first_of_month(today)
    while due_date_for(month) >= today:
        month = previous_month(month)
    months = []
    for _ in range(count):
        months.append(month)
        month = previous_month(month)
    return months


def week_monday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def portal_link(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def return_link(care_home, month: dt.date) -> str:
    """The link a manager follows to complete the home's return for ``month``."""
    return portal_link(reverse("quality:return-edit", kwargs={
        "cqc_location_id": care_home.cqc_location_id, "month": f"{month:%Y-%m}"}))


def compliance_link(month: dt.date) -> str:
    """The compliance page for ``month``, showing the late homes."""
    return portal_link(f"{reverse('quality:compliance')}?month={month:%Y-%m}&status=late")


# Who gets what ---------------------------------------------------------------------------

def homes_without_submitted_return(month: dt.date, homes=None):
    """Homes due a return for ``month`` that have not submitted it (none yet, or a draft)."""
    homes = CareHome.objects.all() if homes is None else homes
    submitted = MonthlyReturn.objects.filter(care_home=OuterRef("pk"), month=month).exclude(
        status=ReturnStatus.DRAFT)
    started = MonthlyReturn.objects.filter(care_home=OuterRef("pk"), month=month)
    return (homes_due_a_return(homes, month)
            .exclude(registered_on__gte=_month_after(month))
            .annotate(has_submitted=Exists(submitted), has_draft=Exists(started))
            .filter(has_submitted=False)
            .select_related("provider", "local_authority")
            .order_by("name", "pk"))


def _month_after(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def managers_by_home(homes) -> dict[int, list[str]]:
    """Email addresses of each home's managers: active care home manager memberships of the
    home's provider, for all its homes or naming this home (as ``access`` scopes them)."""
    memberships = (Membership.objects
                   .filter(role=Role.CARE_HOME_MANAGER, is_active=True, user__is_active=True,
                           organisation__is_archived=False,
                           organisation__kind=OrganisationKind.CARE_PROVIDER,
                           organisation_id__in={h.provider_id for h in homes})
                   .select_related("user")
                   .prefetch_related(Prefetch("care_homes", queryset=CareHome.objects.only("pk"))))
    by_provider: dict[int, list] = {}
    for m in memberships:
        by_provider.setdefault(m.organisation_id, []).append(
            (m.user.email, m.all_provider_homes, {h.pk for h in m.care_homes.all()}))
    return {home.pk: sorted({email for email, all_homes, named in by_provider.get(home.provider_id, [])
                             if all_homes or home.pk in named})
            for home in homes}


def _commissioner_memberships():
    """Active commissioner memberships of councils and NHS commissioners, by organisation."""
    memberships = (Membership.objects
                   .filter(role=Role.COMMISSIONER, is_active=True, user__is_active=True,
                           organisation__is_archived=False,
                           organisation__kind__in=[OrganisationKind.LOCAL_AUTHORITY,
                                                   OrganisationKind.NHS_COMMISSIONER])
                   .select_related("user", "organisation").order_by("organisation__name", "pk"))
    by_org: dict[int, list[Membership]] = {}
    for m in memberships:
        by_org.setdefault(m.organisation_id, []).append(m)
    return by_org


# Claiming, then sending ----------------------------------------------------------------

def _claim(emails: list[Email]) -> tuple[list[Email], int]:
    """Insert a record for each email; keep those whose record this call inserted.

    Run inside the transaction that chose the emails. Returns (claimed, already sent).
    """
    table = ReminderSent._meta.db_table
    claimed: list[Email] = []
    keys = {}
    for email in emails:
        keys[(email.care_home_id, email.organisation_id)] = email
    for start in range(0, len(emails), CLAIM_BATCH):
        batch = emails[start:start + CLAIM_BATCH]
        rows = ", ".join(["(%s, %s, %s, %s, %s::jsonb, now())"] * len(batch))
        params = []
        for email in batch:
            params += [email.kind, email.care_home_id, email.organisation_id, email.month,
                       json.dumps(email.recipients)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (kind, care_home_id, organisation_id, month, recipients, "
                f"sent_on) VALUES {rows} ON CONFLICT DO NOTHING "
                "RETURNING id, care_home_id, organisation_id", params)
            for record_id, care_home_id, organisation_id in cursor.fetchall():
                email = keys[(care_home_id, organisation_id)]
                email.record_id = record_id
                claimed.append(email)
    return claimed, len(emails) - len(claimed)


def _deliver(emails: list[Email], run: ReminderRun) -> ReminderRun:
    """Send the claimed emails; release the claim of any that fail so a later run retries."""
    failed: list[Email] = []
    pending = list(emails)
    try:
        with mail.get_connection() as backend:
            while pending:
                email = pending.pop(0)
                message = mail.EmailMessage(email.subject, email.body,
                                            settings.DEFAULT_FROM_EMAIL, email.recipients,
                                            connection=backend)
                try:
                    message.send()
                    run.sent.append(email.subject)
                except Exception:
                    logger.exception("Could not send %r to %s", email.subject, email.recipients)
                    failed.append(email)
    except Exception:  # the backend would not open (the mail server is down)
        logger.exception("Could not connect to the email backend")
        failed += pending
    if failed:
        ReminderSent.objects.filter(pk__in=[e.record_id for e in failed]).delete()
        run.failed += [e.subject for e in failed]
    return run


def _send_once(kind: str, choose) -> ReminderRun:
    """Choose the emails and claim them in one transaction, then send the ones claimed."""
    run = ReminderRun(kind=kind)
    with transaction.atomic():
        claimed, run.already_sent = _claim(choose())
    return _deliver(claimed, run)


def _render(template: str, context: dict) -> str:
    return render_to_string(f"quality/email/{template}",
                            {"portal_name": settings.PORTAL_NAME, **context}).strip() + "\n"


# The three reminders ---------------------------------------------------------------------

def _home_emails(kind: str, month: dt.date, today: dt.date) -> list[Email]:
    homes = list(homes_without_submitted_return(month))
    managers = managers_by_home(homes)
    template = "due_soon.txt" if kind == ReminderKind.DUE_SOON else "late.txt"
    due_on = due_date_for(month)
    emails = []
    for home in homes:
        if not managers[home.pk]:
            continue  # nobody to tell yet; a manager added later still gets it
        context = {"home": home, "month": month, "due_on": due_on,
                   "days_left": (due_on - today).days, "days_late": (today - due_on).days,
                   "link": return_link(home, month)}
        subject = (f"Monthly return for {home.name}: due on {due_on:%-d %B %Y}"
                   if kind == ReminderKind.DUE_SOON
                   else f"Monthly return for {home.name}: {month:%B %Y} is late")
        emails.append(Email(kind=kind, subject=subject, body=_render(template, context),
                            recipients=managers[home.pk], care_home_id=home.pk, month=month))
    return emails


def due_soon_reminders_send(*, today: dt.date) -> ReminderRun:
    """Email the managers of each home that has not submitted the return due in five days."""
    month = month_due_soon(today)
    if month is None:
        return ReminderRun(kind=ReminderKind.DUE_SOON)
    return _send_once(ReminderKind.DUE_SOON, lambda: _home_emails(ReminderKind.DUE_SOON, month, today))


def late_reminders_send(*, today: dt.date) -> ReminderRun:
    """Email the managers of each home whose latest overdue return is not submitted: once per
    home and month, however often the task runs."""
    [month] = overdue_months(today)
    return _send_once(ReminderKind.LATE, lambda: _home_emails(ReminderKind.LATE, month, today))


def reminders_send(*, today: dt.date) -> list[ReminderRun]:
    """The daily run: reminders before the due date and when late."""
    return [due_soon_reminders_send(today=today), late_reminders_send(today=today)]


def late_homes_for(organisation: Organisation, membership: Membership, months: list[dt.date]):
    """The organisation's late homes, as its commissioners see them, with the months each is
    late for: [(month, [homes])], latest month first."""
    homes = CareHome.objects.filter(access.membership_homes_q(membership))
    return [(month, list(homes_without_submitted_return(month, homes))) for month in months]


def _digest_emails(today: dt.date) -> list[Email]:
    months = overdue_months(today, DIGEST_MONTHS)
    monday = week_monday(today)
    emails = []
    for memberships in _commissioner_memberships().values():
        organisation = memberships[0].organisation
        late = [(month, homes) for month, homes in late_homes_for(organisation, memberships[0], months)
                if homes]
        if not late:
            continue
        context = {"organisation": organisation, "today": today, "late": [
            {"month": month, "due_on": due_date_for(month), "homes": homes,
             "compliance_link": compliance_link(month)} for month, homes in late]}
        emails.append(Email(
            kind=ReminderKind.WEEKLY_DIGEST,
            subject=f"Care homes with late monthly returns: week of {monday:%-d %B %Y}",
            body=_render("weekly_digest.txt", context),
            recipients=sorted({m.user.email for m in memberships}),
            organisation_id=organisation.pk, month=monday))
    return emails


def commissioner_digest_send(*, today: dt.date) -> ReminderRun:
    """Email each council and NHS commissioner's commissioners a list of their late homes:
    once per organisation per ISO week."""
    return _send_once(ReminderKind.WEEKLY_DIGEST, lambda: _digest_emails(today))
