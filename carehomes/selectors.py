"""Reads of the registry that decide visibility: pages, API, exports and PDFs use these."""

from django.db.models import QuerySet

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
    """The home's audit trail: who changed what, when (newest first)."""
    records = list(care_home.history.select_related("history_user").order_by("-history_date")
                   [: limit + 1])
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if older is None:
            changes = ["Added to the registry"]
        else:
            delta = newer.diff_against(older, excluded_fields=["modified_on", "modified_by"])
            changes = [f"{CareHome._meta.get_field(c.field).verbose_name.capitalize()}: "
                       f"{c.old if c.old not in (None, '') else '—'} → "
                       f"{c.new if c.new not in (None, '') else '—'}" for c in delta.changes]
        if changes:
            entries.append({"when": newer.history_date, "who": newer.history_user,
                            "reason": newer.history_change_reason or "", "changes": changes})
    return entries[:limit]


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
