"""Writes for monthly returns. The web form, the upload, the API, commands and tasks use these."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from carehomes.choices import HomeStatus

from .choices import ReturnStatus
from .indicators import build_default_set
from .models import Indicator, IndicatorSet, MonthlyReturn, ReturnVersion
from .validation import ReturnCheck, check_return, to_json


class ReturnRejected(ValidationError):
    """The values break the rules: ``check.errors`` says which field and why."""

    def __init__(self, check: ReturnCheck, message: str = "The return has errors"):
        self.check = check
        super().__init__(check.errors or message)


class ReturnNeedsConfirmation(ValidationError):
    """Unusual values: each warning needs a confirming reason before submission."""

    def __init__(self, check: ReturnCheck, unconfirmed: dict[str, str]):
        self.check = check
        self.unconfirmed = unconfirmed
        super().__init__(unconfirmed)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s."""
    return first_of_month(first_of_month(day) - dt.timedelta(days=1))


def due_date_for(month: dt.date) -> dt.date:
    """The due date: by default the 14th of the following month (``RETURNS_DUE_DAY``)."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following.replace(day=settings.RETURNS_DUE_DAY)


def indicator_set_current() -> IndicatorSet:
    """The version new returns use. The data migration makes version 1; a database emptied
    since (a flushed test database) gets it again."""
    current = IndicatorSet.objects.filter(is_current=True).first()
    if current is None:
        with transaction.atomic():
            current = (IndicatorSet.objects.select_for_update().filter(is_current=True).first()
                       or build_default_set(IndicatorSet, Indicator))
    return current


@transaction.atomic
def indicator_set_copy(*, source: IndicatorSet, user) -> IndicatorSet:
    """A new draft version with the same questions, for commissioners to edit and publish."""
    latest = IndicatorSet.objects.select_for_update().order_by("-version").first()
    copy = IndicatorSet.objects.create(
        version=latest.version + 1, name=source.name, is_current=False,
        created_by=user, modified_by=user)
    Indicator.objects.bulk_create(
        Indicator(indicator_set=copy, **{f.name: getattr(i, f.name) for f in Indicator._meta.fields
                                         if f.name not in ("id", "indicator_set")})
        for i in source.indicators.all())
    return copy


def indicator_set_is_editable(indicator_set: IndicatorSet) -> bool:
    """A version can change only until it is published: past returns never change meaning."""
    return not indicator_set.is_current and not indicator_set.returns.exists() and (
        IndicatorSet.objects.filter(version__gt=indicator_set.version).count() == 0)


@transaction.atomic
def indicator_set_publish(*, indicator_set: IndicatorSet, user, notes: str) -> IndicatorSet:
    """Make a draft version the one new returns use. Returns already started keep theirs."""
    if not indicator_set_is_editable(indicator_set):
        raise ValidationError("Only the newest unpublished version can be published.")
    if not notes.strip():
        raise ValidationError({"notes": "Say what changed in this version"})
    IndicatorSet.objects.filter(is_current=True).update(is_current=False)
    indicator_set.is_current = True
    indicator_set.notes = notes.strip()
    indicator_set.modified_by = user
    indicator_set.save()
    return indicator_set


# Rates per occupied bed and the bed rules need these, so no version may drop them.
INDICATORS_KEPT = {"beds_registered", "beds_occupied"}


def _editable_or_error(indicator_set: IndicatorSet) -> None:
    if not indicator_set_is_editable(indicator_set):
        raise ValidationError(f"Version {indicator_set.version} has been published, so its "
                              "questions cannot change. Make a new version.")


@transaction.atomic
def indicator_add(*, indicator_set: IndicatorSet, user, **fields) -> Indicator:
    """Add a question at the end of a draft version."""
    indicator_set = IndicatorSet.objects.select_for_update().get(pk=indicator_set.pk)
    _editable_or_error(indicator_set)
    last = indicator_set.indicators.order_by("-order").values_list("order", flat=True).first()
    indicator = Indicator(indicator_set=indicator_set, order=(last or 0) + 10, **fields)
    indicator.full_clean()
    indicator.save()
    indicator_set.modified_by = user
    indicator_set.save(update_fields=["modified_by", "modified_on"])
    return indicator


@transaction.atomic
def indicator_retire(*, indicator: Indicator, user) -> None:
    """Take a question out of a draft version. Published versions keep theirs."""
    indicator_set = IndicatorSet.objects.select_for_update().get(pk=indicator.indicator_set_id)
    _editable_or_error(indicator_set)
    if indicator.key in INDICATORS_KEPT:
        raise ValidationError(f"{indicator.label} cannot be retired: the bed rules and the rates "
                              "per occupied bed need it.")
    indicator.delete()
    indicator_set.modified_by = user
    indicator_set.save(update_fields=["modified_by", "modified_on"])


@transaction.atomic
def indicator_move(*, indicator: Indicator, user, up: bool) -> None:
    """Swap a question with the one before (``up``) or after it in a draft version."""
    indicator_set = IndicatorSet.objects.select_for_update().get(pk=indicator.indicator_set_id)
    _editable_or_error(indicator_set)
    ordered = list(indicator_set.indicators.order_by("order", "pk"))
    index = next(n for n, i in enumerate(ordered) if i.pk == indicator.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Number them afresh so two questions never share a place.
    for n, item in enumerate(ordered):
        item.order = (n + 1) * 10
    Indicator.objects.bulk_update(ordered, ["order"])
    indicator_set.modified_by = user
    indicator_set.save(update_fields=["modified_by", "modified_on"])


def history_for(care_home, month: dt.date, months: int = 6) -> list[dict]:
    """The home's submitted values for the months before ``month``, most recent first."""
    return list(MonthlyReturn.objects.filter(care_home=care_home, month__lt=month)
                .exclude(status=ReturnStatus.DRAFT).order_by("-month")
                .values_list("values", flat=True)[:months])


def _return_for_update(care_home, month: dt.date, user) -> MonthlyReturn:
    """The return row, locked, created as an empty draft if it does not exist yet."""
    today = timezone.localdate()
    if month != first_of_month(month):
        raise ValidationError({"month": "The month must be given as its first day"})
    if month > first_of_month(today):
        raise ValidationError({"month": f"A return for {month:%B %Y} cannot be made before that "
                                        "month starts"})
    if care_home.status == HomeStatus.DEREGISTERED and care_home.deregistered_on and (
            month > first_of_month(care_home.deregistered_on)):
        raise ValidationError({"care_home": f"{care_home.name} left the CQC register on "
                                            f"{care_home.deregistered_on:%d/%m/%Y}"})
    monthly_return, _ = MonthlyReturn.objects.select_for_update().get_or_create(
        care_home=care_home, month=month,
        defaults={"indicator_set": indicator_set_current(), "due_on": due_date_for(month),
                  "created_by": user, "modified_by": user})
    return monthly_return


@transaction.atomic
def return_save(*, care_home, month: dt.date, values: dict, user, source: str,
                submit: bool, confirmations: dict | None = None, reason: str = ""
                ) -> tuple[MonthlyReturn, bool]:
    """Save a draft or submit (or amend) a return. Returns (the return, whether it changed).

    One set of rules for every way in: raises ``ReturnRejected`` with a message per field,
    or ``ReturnNeedsConfirmation`` for unusual values without a reason. Submitting the
    same values again changes nothing, so uploads and API calls can be re-sent safely.
    """
    monthly_return = _return_for_update(care_home, month, user)
    confirmations = {k: str(v).strip() for k, v in (confirmations or {}).items() if str(v).strip()}
    indicators = monthly_return.indicator_set.indicators.all()
    if not submit:
        if monthly_return.is_submitted:
            raise ValidationError("This return has been submitted. To change it, amend it and "
                                  "give a reason.")
        check = check_return(indicators, values, complete=False)
        if not check.ok:
            raise ReturnRejected(check)
        return _write(monthly_return, check, confirmations, user, status=None)
    check = check_return(indicators, values, history=history_for(care_home, month))
    if not check.ok:
        raise ReturnRejected(check)
    unconfirmed = check.unconfirmed(confirmations)
    if unconfirmed:
        raise ReturnNeedsConfirmation(check, unconfirmed)
    confirmations = {k: v for k, v in confirmations.items() if k in check.warnings}
    new_values = to_json(check.cleaned)
    if monthly_return.is_submitted and monthly_return.values == new_values:
        return monthly_return, False
    amending = monthly_return.version_count > 0
    if amending and not reason.strip():
        raise ValidationError({"reason": "Give a reason for amending the return"})
    status = ReturnStatus.AMENDED if amending else ReturnStatus.SUBMITTED
    now = timezone.now()
    monthly_return.version_count += 1
    monthly_return.submitted_on, monthly_return.submitted_by = now, user
    monthly_return.first_submitted_on = monthly_return.first_submitted_on or now
    _write(monthly_return, check, confirmations, user, status=status)
    ReturnVersion.objects.create(
        monthly_return=monthly_return, number=monthly_return.version_count, status=status,
        values=new_values, confirmations=confirmations, reason=reason.strip()[:500],
        source=source, created_by=user)
    return monthly_return, True


def _write(monthly_return, check, confirmations, user, *, status):
    values = to_json(check.cleaned)
    changed = values != monthly_return.values or confirmations != monthly_return.confirmations
    monthly_return.values, monthly_return.confirmations = values, confirmations
    monthly_return.modified_by = user
    if status:
        monthly_return.status = status
    # Field checks only: the database enforces the constraints, and the foreign keys were
    # loaded from it (checking them again cost 5 queries a row in bulk uploads).
    monthly_return.full_clean(
        exclude=["care_home", "indicator_set", "submitted_by", "reopened_by", "created_by",
                 "modified_by"], validate_unique=False, validate_constraints=False)
    monthly_return.save()
    return monthly_return, changed


@transaction.atomic
def return_reopen(*, monthly_return: MonthlyReturn, user, reason: str) -> MonthlyReturn:
    """A commissioner sends a submitted return back to the home to correct (kept as a draft)."""
    monthly_return = MonthlyReturn.objects.select_for_update().get(pk=monthly_return.pk)
    if not monthly_return.is_submitted:
        raise ValidationError("Only a submitted return can be reopened.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the return is being reopened"})
    monthly_return.status = ReturnStatus.DRAFT
    monthly_return.reopened_on, monthly_return.reopened_by = timezone.now(), user
    monthly_return.reopen_reason = reason.strip()[:500]
    monthly_return.modified_by = user
    monthly_return.save()
    return monthly_return


