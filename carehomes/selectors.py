"""Reads of the registry that decide visibility: pages, API, exports and PDFs use these."""

import datetime as dt

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.text import capfirst

from commissioning import access

from .models import CareHome, CqcImport, CqcRating


def carehomes_visible_to(user, action: access.Action = access.Action.VIEW) -> QuerySet:
    """The homes this user may see (or export, or change), ready for a list."""
    return access.restrict(
        CareHome.objects.select_related("provider", "local_authority", "nhs_commissioner",
                                        "gp_practice"),
        user, action,
    )


def carehome_for(user, cqc_location_id: str,
                 action: access.Action = access.Action.VIEW) -> CareHome:
    """One home by CQC location ID, or 404 if it does not exist or is not the user's to see."""
    return access.get_object_or_404(carehomes_visible_to(user, action), user, action,
                                    cqc_location_id=cqc_location_id)


def carehome_ratings(care_home: CareHome) -> QuerySet:
    return CqcRating.objects.filter(care_home=care_home).order_by("-published_on", "key_question")


def carehome_history(care_home: CareHome, limit: int = 50) -> list[dict]:
    """The home's audit trail: who changed what, when (newest first), in words."""
    records = list(care_home.history.select_related("history_user").order_by("-history_date")
                   [: limit + 1])
    deltas = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        changes = [] if older is None else newer.diff_against(
            older, excluded_fields=["modified_on", "modified_by"]).changes
        deltas.append((newer, older, changes))
    names = _related_names([c for _, _, changes in deltas for c in changes])
    entries = []
    for newer, older, changes in deltas[:limit]:
        lines = ["Added to the registry"] if older is None else [
            f"{capfirst(CareHome._meta.get_field(c.field).verbose_name)}: "
            f"{_shown(c.field, c.old, names)} → {_shown(c.field, c.new, names)}" for c in changes]
        if lines:
            entries.append({"when": newer.history_date, "who": newer.history_user,
                            "reason": newer.history_change_reason or "", "changes": lines})
    return entries


def _related_names(changes) -> dict[tuple[str, object], str]:
    """Names for the foreign keys in a list of changes: one query per related model."""
    wanted: dict[str, set] = {}
    for change in changes:
        field = CareHome._meta.get_field(change.field)
        if field.is_relation:
            wanted.setdefault(change.field, set()).update(
                v for v in (change.old, change.new) if v is not None)
    names = {}
    for field_name, ids in wanted.items():
        model = CareHome._meta.get_field(field_name).related_model
        for pk, obj in model._default_manager.in_bulk(list(ids)).items():
            names[(field_name, pk)] = str(obj)
    return names


def _shown(field_name: str, value, names) -> str:
    if value in (None, "", []):
        return "—"
    field = CareHome._meta.get_field(field_name)
    if field.is_relation:
        return names.get((field_name, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    if isinstance(value, list):
        labels = dict(field.base_field.flatchoices) if hasattr(field, "base_field") else {}
        return ", ".join(str(labels.get(v, v)) for v in value)
    return str(value)


def cqc_imports_visible_to(user) -> QuerySet:
    """Import records: for people who may import."""
    if not access.allowed(user, access.Action.IMPORT):
        return CqcImport.objects.none()
    return CqcImport.objects.select_related("requested_by").defer("content")


def area_summary(homes: QuerySet) -> dict:
    """Counts for a landing page: homes and beds by type, by status and by CQC rating.

    A fixed handful of aggregate queries, whatever the number of homes.
    """
    from django.db.models import Count, Sum

    from .choices import CqcRatingValue, HomeStatus, RegistrationType

    current = homes.exclude(status=HomeStatus.DEREGISTERED)
    totals = current.aggregate(homes=Count("pk"), beds=Sum("beds"))
    by_type = dict(current.values_list("registration_type").annotate(n=Count("pk"))
                   .values_list("registration_type", "n"))
    by_rating = dict(current.values_list("cqc_overall_rating").annotate(n=Count("pk"))
                     .values_list("cqc_overall_rating", "n"))
    by_status = dict(homes.values_list("status").annotate(n=Count("pk"))
                     .values_list("status", "n"))
    ratings = [(label, value, by_rating.get(value, 0)) for value, label in CqcRatingValue.choices]
    ratings.append(("Not yet rated", "not_rated", by_rating.get("", 0)))
    return {
        "homes": totals["homes"] or 0, "beds": totals["beds"] or 0,
        "by_type": [(label, by_type.get(value, 0)) for value, label in RegistrationType.choices],
        "by_status": [(label, by_status.get(value, 0)) for value, label in HomeStatus.choices],
        "by_rating": ratings,
        "rating_max": max([n for _, _, n in ratings] + [1]),
    }
