"""Pages for a home's monthly return: the list of returns, the form, the return and its versions.

Visibility comes from ``selectors``/``access`` only. Writes go through ``services``: the
form passes what was typed to ``return_save``, which applies the one set of rules, and
the page shows its messages against each field.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from carehomes.choices import HomeStatus
from carehomes.selectors import carehome_for, carehomes_visible_to
from commissioning import access

from .. import selectors, services
from ..choices import ComplianceStatus, IndicatorKind, IndicatorSection, ReturnSource
from ..forms import ReopenForm, ReturnForm, shown_value

LIST_MONTHS = 6
HOMES_PER_PAGE = 25
STATUS_TAGS = {
    ComplianceStatus.SUBMITTED: "green",
    ComplianceStatus.SUBMITTED_LATE: "blue",
    ComplianceStatus.DRAFT: "yellow",
    ComplianceStatus.LATE: "red",
    ComplianceStatus.NOT_DUE: "grey",
}


def _month(text: str) -> dt.date:
    """The month from the address ("2026-10"), or 404 if it is not a real, started month."""
    try:
        month = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise Http404("There is no such month") from exc
    if month > services.first_of_month(timezone.localdate()):
        raise Http404("That month has not started yet")
    return month


def _recent_months(today: dt.date, count: int) -> list[dt.date]:
    """The ``count`` months before this one, most recent first."""
    months, month = [], services.first_of_month(today)
    for _ in range(count):
        month = services.previous_month(month)
        months.append(month)
    return months


def _status(monthly_return, due_on: dt.date) -> dict:
    status = selectors.compliance_status(monthly_return, due_on, timezone.localdate())
    return {"value": status, "label": status.label, "tag": STATUS_TAGS[status]}


def _compliance_url(user) -> str | None:
    """The area-wide compliance page, for people who monitor the area (not managers)."""
    return reverse("quality:compliance") if access.allowed(user, access.Action.MONITOR) else None


@login_required
@require_GET
def return_list(request):
    """A manager's homes against the last six months, each with its status and a link."""
    if not access.allowed(request.user, access.Action.VIEW):
        raise PermissionDenied
    homes = carehomes_visible_to(request.user).order_by("name", "pk")
    page = Paginator(homes, HOMES_PER_PAGE).get_page(request.GET.get("page"))
    home_list = list(page.object_list)
    home_ids = [home.pk for home in home_list]
    months = _recent_months(timezone.localdate(), LIST_MONTHS)
    returns = {
        (r.care_home_id, r.month): r
        for r in selectors.returns_visible_to(request.user).select_related(None)
        .filter(care_home__in=home_ids, month__in=months).defer("values", "confirmations")
    }
    may_submit = set(carehomes_visible_to(request.user, access.Action.SUBMIT_RETURN)
                     .filter(pk__in=home_ids).values_list("pk", flat=True))
    rows = [{"home": home, "cells": [_list_cell(home, month, returns.get((home.pk, month)),
                                                home.pk in may_submit) for month in months]}
            for home in home_list]
    return render(request, "quality/return_list.html", {
        "rows": rows, "months": months, "page_obj": page, "querystring_without_page": "",
        "latest_due_on": services.due_date_for(months[0]),
        "compliance_url": _compliance_url(request.user),
        "can_upload": access.allowed(request.user, access.Action.SUBMIT_RETURN),
    })


def _list_cell(home, month: dt.date, monthly_return, may_submit: bool) -> dict:
    if home.status == HomeStatus.DEREGISTERED and home.deregistered_on and (
            home.deregistered_on < month):
        return {"expected": False}
    due_on = monthly_return.due_on if monthly_return else services.due_date_for(month)
    status = _status(monthly_return, due_on)
    link = text = None
    if monthly_return and monthly_return.is_submitted:
        link, text = reverse("quality:return-detail", args=[monthly_return.pk]), "View"
    elif may_submit:
        link = reverse("quality:return-edit", args=[home.cqc_location_id, f"{month:%Y-%m}"])
        text = "Continue" if monthly_return else "Start"
    elif monthly_return:
        link, text = reverse("quality:return-detail", args=[monthly_return.pk]), "View"
    return {"expected": True, "month": month, "status": status, "link": link, "text": text}


def _existing_return(user, home, month: dt.date):
    return (selectors.returns_visible_to(user, access.Action.SUBMIT_RETURN)
            .filter(care_home=home, month=month).select_related("reopened_by").first())


@login_required
@require_http_methods(["GET", "POST"])
def return_edit(request, cqc_location_id, month):
    """Start, continue or submit one home's return for one month."""
    home = carehome_for(request.user, cqc_location_id, access.Action.SUBMIT_RETURN)
    month = _month(month)
    monthly_return = _existing_return(request.user, home, month)
    if monthly_return and monthly_return.is_submitted and request.method == "GET":
        return redirect("quality:return-detail", pk=monthly_return.pk)
    # A reopened return was submitted before: submitting it again is an amendment.
    ask_reason = ReturnForm.OPTIONAL if monthly_return and monthly_return.version_count else None
    return _form_page(request, home, month, monthly_return, ask_reason=ask_reason)


@login_required
@require_http_methods(["GET", "POST"])
def return_amend(request, cqc_location_id, month):
    """Change a submitted return, with a reason: a new version is kept beside the old."""
    home = carehome_for(request.user, cqc_location_id, access.Action.SUBMIT_RETURN)
    month = _month(month)
    monthly_return = _existing_return(request.user, home, month)
    if monthly_return is None:
        raise Http404("There is no return to amend")
    if not monthly_return.is_submitted:
        return redirect("quality:return-edit", cqc_location_id=home.cqc_location_id,
                        month=f"{month:%Y-%m}")
    return _form_page(request, home, month, monthly_return, ask_reason=ReturnForm.REQUIRED)


def _form_page(request, home, month, monthly_return, *, ask_reason):
    indicator_set = (monthly_return.indicator_set if monthly_return
                     else services.indicator_set_current())
    indicators = list(indicator_set.indicators.all())  # the one query for the questions
    amending = ask_reason == ReturnForm.REQUIRED
    if request.method == "POST":
        submit = amending or request.POST.get("action") == "submit"
        form, saved = _save(request, home, month, indicators, submit=submit,
                            ask_reason=ask_reason)
        if saved:
            return saved
    else:
        initial = {k: shown_value(v) for k, v in (monthly_return.values if monthly_return
                                                  else {}).items()}
        form = ReturnForm(indicators=indicators, initial=initial, ask_reason=ask_reason)
    due_on = monthly_return.due_on if monthly_return else services.due_date_for(month)
    return render(request, "quality/return_edit.html", {
        "home": home, "month": month, "form": form, "monthly_return": monthly_return,
        "indicator_set": indicator_set, "due_on": due_on, "amending": amending,
        "status": _status(monthly_return, due_on),
    })


def _posted_warning_keys(post, indicators) -> dict[str, str]:
    """Warnings shown on the page the person is sending back, so their ticks stay bound."""
    keys = {i.key for i in indicators}
    names = [name.split("_", 1)[1] for name in post if name.startswith(("confirm_", "reason_"))]
    return {name: "" for name in names if name in keys}


def _save(request, home, month, indicators, *, submit, ask_reason):
    """Pass the form to ``return_save``. Returns (form, redirect when saved or None)."""
    form = ReturnForm(request.POST, indicators=indicators, ask_reason=ask_reason,
                      warnings=_posted_warning_keys(request.POST, indicators))
    if not form.is_valid():
        return form, None
    try:
        monthly_return, changed = services.return_save(
            care_home=home, month=month, values=form.values(), user=request.user,
            source=ReturnSource.WEB, submit=submit, confirmations=form.confirmations(),
            reason=form.cleaned_data.get("reason", ""))
    except services.ReturnNeedsConfirmation as exc:
        form = _rebound(request, form, indicators, exc.check.warnings, ask_reason)
        form.add_confirmation_errors(exc.unconfirmed)
    except services.ReturnRejected as exc:
        form = _rebound(request, form, indicators,
                        exc.check.warnings if submit else form.warnings, ask_reason)
        form.add_service_errors(exc.check.errors)
    except ValidationError as exc:
        form.add_service_errors(exc.message_dict if hasattr(exc, "error_dict")
                                else {None: exc.messages})
    else:
        return form, _saved(request, home, month, monthly_return, changed, submit)
    return form, None


def _rebound(request, form, indicators, warnings, ask_reason) -> ReturnForm:
    """The same answers with this round's warnings (messages and all) beside their fields."""
    if warnings == form.warnings:
        return form
    form = ReturnForm(request.POST, indicators=indicators, ask_reason=ask_reason,
                      warnings=warnings)
    form.is_valid()
    return form


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _saved(request, home, month, monthly_return, changed, submit):
    name = f"{home.name}, {month:%B %Y}"
    if not submit:
        messages.success(request, f"Your draft return for {name} has been saved. "
                                  f"Submit it by {_day(monthly_return.due_on)}.")
        return redirect("quality:return-list")
    if not changed:
        messages.info(request, f"Nothing changed in the return for {name}, so no new version "
                               "was made.")
    elif monthly_return.version_count > 1:
        messages.success(request, f"Your amended return for {name} has been submitted as "
                                  f"version {monthly_return.version_count}.")
    else:
        messages.success(request, f"Your return for {name} has been submitted.")
    return redirect("quality:return-detail", pk=monthly_return.pk)


@login_required
@require_GET
def return_detail(request, pk):
    """The return's values by section, its status, confirmations and every version."""
    monthly_return = selectors.return_for(request.user, pk)
    indicators = list(monthly_return.indicator_set.indicators.all())
    labels = {i.key: i.label for i in indicators}
    versions = list(selectors.return_versions(monthly_return))
    home = monthly_return.care_home
    return render(request, "quality/return_detail.html", {
        "monthly_return": monthly_return, "home": home,
        "status": _status(monthly_return, monthly_return.due_on),
        "sections": value_sections(indicators, monthly_return.values),
        "confirmations": [{"label": labels.get(k, k), "reason": reason}
                          for k, reason in monthly_return.confirmations.items()],
        "versions": version_changes(versions, indicators),
        "can_submit": access.can(request.user, access.Action.SUBMIT_RETURN, monthly_return),
        "can_reopen": monthly_return.is_submitted and access.can(
            request.user, access.Action.CHANGE, monthly_return),
        "month_slug": f"{monthly_return.month:%Y-%m}",
    })


def shown_answer(indicator, values: dict) -> str:
    """A value for reading ("7.5%", "36"), or "Not answered".

    Counts stand alone: their units are plural nouns ("1 beds" reads badly) and the
    label already says what is counted."""
    value = values.get(indicator.key)
    if value in (None, ""):
        return "Not answered"
    text = shown_value(value)
    return f"{text}%" if indicator.kind == IndicatorKind.PERCENT else text


def value_sections(indicators, values: dict) -> list[dict]:
    """The answers grouped by section, in the order of the indicator set."""
    titles = dict(IndicatorSection.choices)
    groups: dict[str, dict] = {}
    for indicator in indicators:
        group = groups.setdefault(indicator.section, {
            "title": titles.get(indicator.section, indicator.section), "rows": []})
        group["rows"].append({"label": indicator.label, "value": shown_answer(indicator, values),
                              "is_text": indicator.kind == IndicatorKind.TEXT})
    return list(groups.values())


def version_changes(versions, indicators) -> list[dict]:
    """Each version (newest first) with the answers that differ from the version before it."""
    by_key = {i.key: i for i in indicators}
    oldest_first = sorted(versions, key=lambda v: v.number)
    entries = []
    for before, version in zip([None, *oldest_first], oldest_first, strict=False):
        changes = []
        if before is not None:
            extra = (set(before.values) | set(version.values)) - set(by_key)
            for key in [*by_key, *sorted(extra)]:
                old, new = before.values.get(key), version.values.get(key)
                if old != new and not (old in (None, "") and new in (None, "")):
                    indicator = by_key.get(key)
                    changes.append({
                        "label": indicator.label if indicator else key,
                        "old": shown_answer(indicator, before.values) if indicator else old,
                        "new": shown_answer(indicator, version.values) if indicator else new})
        entries.append({"version": version, "changes": changes, "is_first": before is None,
                        "sections": value_sections(indicators, version.values)})
    return entries[::-1]


@login_required
@require_http_methods(["GET", "POST"])
def return_reopen(request, pk):
    """A commissioner sends a submitted return back to the home to correct."""
    monthly_return = selectors.return_for(request.user, pk, access.Action.CHANGE)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_reopen(monthly_return=monthly_return, user=request.user,
                                   reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for key, errors in (exc.message_dict if hasattr(exc, "error_dict")
                                else {None: exc.messages}).items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(request, f"The return for {monthly_return.care_home.name}, "
                                      f"{monthly_return.month:%B %Y} has been reopened. "
                                      "The home can now change it and submit it again.")
            return redirect("quality:return-detail", pk=monthly_return.pk)
    return render(request, "quality/return_reopen.html", {
        "monthly_return": monthly_return, "home": monthly_return.care_home, "form": form})


LOCATION = r"(?P<cqc_location_id>1-\d{9,11})"
MONTH = r"(?P<month>\d{4}-\d{2})"

urlpatterns = [
    path("", return_list, name="return-list"),
    path("<int:pk>/", return_detail, name="return-detail"),
    path("<int:pk>/reopen/", return_reopen, name="return-reopen"),
    re_path(rf"^{LOCATION}/{MONTH}/$", return_edit, name="return-edit"),
    re_path(rf"^{LOCATION}/{MONTH}/amend/$", return_amend, name="return-amend"),
]
