"""Pages of the care home registry. Visibility always comes from ``selectors``/``access``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import access
from commissioning.exports import csv_response
from commissioning.jobs import job_status_response

from . import selectors, services
from .filtersets import CareHomeFilterSet
from .forms import CareHomeEditForm, CqcImportForm

PAGE_SIZE = 50
EXPORT_HEADER = [
    "CQC location ID", "Name", "Provider", "CQC provider ID", "Address", "Postcode",
    "Local authority", "NHS commissioner", "Type", "Beds", "Registered manager",
    "Service user bands", "Status", "CQC overall rating", "Rating published", "GP practice",
]


def _filtered(request, action=access.Action.VIEW):
    homes = selectors.carehomes_visible_to(request.user, action)
    return CareHomeFilterSet(request.GET or None, queryset=homes, request=request)


@login_required
@require_GET
def carehome_list(request):
    access.require(request.user, access.Action.VIEW)
    filterset = _filtered(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "carehomes/list.html", {
        "filterset": filterset, "page_obj": page, "homes": page.object_list,
        "querystring_without_page": f"{params.urlencode()}&" if params else "",
        "querystring": params.urlencode(),
        "can_export": access.allowed(request.user, access.Action.EXPORT),
    })


@login_required
@require_GET
def carehome_export(request):
    access.require(request.user, access.Action.EXPORT)
    homes = _filtered(request, access.Action.EXPORT).qs
    rows = (
        [h.cqc_location_id, h.name, h.provider.name, h.provider.cqc_provider_id, h.address,
         h.postcode, h.local_authority.name if h.local_authority else "",
         h.nhs_commissioner.name if h.nhs_commissioner else "", h.get_registration_type_display(),
         h.beds, h.registered_manager, "; ".join(h.get_service_user_bands_display()),
         h.get_status_display(), h.get_cqc_overall_rating_display(),
         h.cqc_rating_published_on.isoformat() if h.cqc_rating_published_on else "",
         h.gp_practice.ods_code if h.gp_practice else ""]
        for h in homes.iterator(chunk_size=2000)
    )
    return csv_response("care-homes.csv", EXPORT_HEADER, rows)


@login_required
@require_GET
def carehome_detail(request, cqc_location_id):
    home = selectors.carehome_for(request.user, cqc_location_id)
    return render(request, "carehomes/detail.html", {
        "home": home,
        "ratings": selectors.carehome_ratings(home),
        "history": selectors.carehome_history(home),
        "can_change": access.can(request.user, access.Action.CHANGE, home),
        "can_export": access.allowed(request.user, access.Action.EXPORT),
        "can_read_risk": access.allowed(request.user, access.Action.READ_RISK),
    })


@login_required
@require_GET
def carehome_ratings_export(request, cqc_location_id):
    home = selectors.carehome_for(request.user, cqc_location_id, access.Action.EXPORT)
    rows = ([home.cqc_location_id, home.name, r.get_key_question_display(),
             r.get_rating_display(), r.published_on.isoformat()]
            for r in selectors.carehome_ratings(home))
    return csv_response(f"cqc-ratings-{home.cqc_location_id}.csv",
                        ["CQC location ID", "Name", "Key question", "Rating", "Published"], rows)


@login_required
@require_http_methods(["GET", "POST"])
def carehome_edit(request, cqc_location_id):
    home = selectors.carehome_for(request.user, cqc_location_id, access.Action.CHANGE)
    form = CareHomeEditForm(request.POST or None, initial={"gp_practice": home.gp_practice})
    if request.method == "POST" and form.is_valid():
        services.carehome_update(care_home=home, user=request.user,
                                 gp_practice=form.cleaned_data["gp_practice"])
        messages.success(request, f"{home.name} has been updated.")
        return redirect("carehomes:detail", cqc_location_id=home.cqc_location_id)
    return render(request, "carehomes/edit.html", {"home": home, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def cqc_import_list(request):
    access.require(request.user, access.Action.IMPORT)
    form = CqcImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            cqc_import = services.cqc_import_create(filename=upload.name, content=upload.read(),
                                                    user=request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("carehomes:import-detail", pk=cqc_import.pk)
    imports = Paginator(selectors.cqc_imports_visible_to(request.user), 25).get_page(
        request.GET.get("page"))
    return render(request, "carehomes/import_list.html", {
        "form": form, "page_obj": imports, "imports": imports.object_list,
        "querystring_without_page": "",
    })


def _import_for(request, pk):
    access.require(request.user, access.Action.IMPORT)
    return get_object_or_404(selectors.cqc_imports_visible_to(request.user), pk=pk)


@login_required
@require_GET
def cqc_import_detail(request, pk):
    cqc_import = _import_for(request, pk)
    return render(request, "carehomes/import_detail.html", {"job": cqc_import})


@login_required
@require_GET
def cqc_import_status(request, pk):
    job = _import_for(request, pk)
    return job_status_response(job)
