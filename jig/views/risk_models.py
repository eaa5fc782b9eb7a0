"""Pages: the risk model's versions (read, copy, edit a draft, publish) and recomputes.

People who read risk read these; people who may change (commissioners) manage the model
and ask for a recompute. Every write goes through ``jig.risk.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import access
from commissioning.jobs import job_status_response

from .. import selectors
from ..choices import RecomputeScope
from ..forms import RiskModelEditForm, RiskModelPublishForm
from ..risk import services
from .risk_display import component_descriptions, component_labels, component_units

PAGE_SIZE = 25


def _model_for(request, pk):
    access.require(request.user, access.Action.READ_RISK)
    return get_object_or_404(selectors.risk_models(), pk=pk)


def _draft_for(request, pk):
    """The draft to change, or ``None`` (with a message saying why) when it is published."""
    access.require(request.user, access.Action.CHANGE)
    model = _model_for(request, pk)
    if model.is_draft:
        return model
    messages.error(request, f"Version {model.version} is published, so it cannot change. "
                            "Copy it to a new draft to make changes.")
    return None


@login_required
@require_GET
def risk_model_list(request):
    access.require(request.user, access.Action.READ_RISK)
    page = Paginator(selectors.risk_models(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jig/risk_model_list.html", {
        "page_obj": page, "models": page.object_list, "querystring_without_page": "",
        "can_change": access.allowed(request.user, access.Action.CHANGE),
    })


@login_required
@require_GET
def risk_model_detail(request, pk):
    model = _model_for(request, pk)
    components = list(model.components.all())
    codes = [c.code for c in components]
    labels, descriptions = component_labels(codes), component_descriptions(codes)
    return render(request, "jig/risk_model_detail.html", {
        "model": model, "total_weight": model.total_weight,
        "components": [{"component": c, "label": labels[c.code], "description": descriptions[c.code]}
                       for c in components],
        "publish_needs": services.risk_model_problems(model) if model.is_draft else [],
        "can_change": access.allowed(request.user, access.Action.CHANGE),
    })


@login_required
@require_POST
def risk_model_copy(request, pk):
    access.require(request.user, access.Action.CHANGE)
    model = _model_for(request, pk)
    draft = services.risk_model_copy(model=model, user=request.user)
    messages.success(request, f"Version {draft.version} is a new draft copied from version "
                              f"{model.version}. Change it, then publish it.")
    return redirect("jig:risk-model", pk=draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def risk_model_edit(request, pk):
    model = _draft_for(request, pk)
    if model is None:
        return redirect("jig:risk-model", pk=pk)
    components = list(model.components.all())
    codes = [c.code for c in components]
    form = RiskModelEditForm(request.POST or None, model=model, components=components,
                             labels=component_labels(codes), units=component_units(codes))
    if request.method == "POST" and form.is_valid():
        try:
            _save_draft(form, model, request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Version {model.version} has been saved.")
            return redirect("jig:risk-model", pk=model.pk)
    return render(request, "jig/risk_model_edit.html", {"model": model, "form": form},
                  status=400 if form.errors else 200)


@transaction.atomic
def _save_draft(form, model, user) -> None:
    """Every change in one transaction, so a refusal leaves the draft as it was."""
    data = form.cleaned_data
    if (data["amber_from"], data["red_from"]) != (model.amber_from, model.red_from):
        services.risk_model_update(model=model, user=user, amber_from=data["amber_from"],
                                   red_from=data["red_from"])
    for component in form.changed_components():
        services.risk_component_update(component=component, user=user,
                                       **form.component_values(component))


@login_required
@require_http_methods(["GET", "POST"])
def risk_model_publish(request, pk):
    model = _draft_for(request, pk)
    if model is None:
        return redirect("jig:risk-model", pk=pk)
    form = RiskModelPublishForm(request.POST or None, initial={"notes": model.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_model_publish(model=model, user=request.user, notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("notes", message)
        else:
            messages.success(request, f"Version {model.version} is now the current risk model. "
                                      "Ratings use it from the next recompute.")
            return redirect("jig:risk-model", pk=model.pk)
    return render(request, "jig/risk_model_publish.html", {
        "model": model, "form": form, "total_weight": model.total_weight,
        "publish_needs": services.risk_model_problems(model)}, status=400 if form.errors else 200)


# --- Recomputes -------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def risk_recompute_list(request):
    access.require(request.user, access.Action.READ_RISK)
    can_change = access.allowed(request.user, access.Action.CHANGE)
    if request.method == "POST":
        access.require(request.user, access.Action.CHANGE)
        job = services.recompute_request(user=request.user, scope=RecomputeScope.FULL)
        return redirect("jig:risk-recompute", pk=job.pk)
    page = Paginator(selectors.risk_recomputes(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jig/risk_recompute_list.html", {
        "page_obj": page, "jobs": page.object_list, "querystring_without_page": "",
        "can_change": can_change,
    })


def _recompute_for(request, pk):
    access.require(request.user, access.Action.READ_RISK)
    return get_object_or_404(selectors.risk_recomputes(), pk=pk)


@login_required
@require_GET
def risk_recompute_detail(request, pk):
    return render(request, "jig/risk_recompute_detail.html", {"job": _recompute_for(request, pk)})


@login_required
@require_GET
def risk_recompute_status(request, pk):
    return job_status_response(_recompute_for(request, pk))


urlpatterns = [
    path("risk/models/", risk_model_list, name="risk-models"),
    path("risk/models/<int:pk>/", risk_model_detail, name="risk-model"),
    path("risk/models/<int:pk>/copy/", risk_model_copy, name="risk-model-copy"),
    path("risk/models/<int:pk>/edit/", risk_model_edit, name="risk-model-edit"),
    path("risk/models/<int:pk>/publish/", risk_model_publish, name="risk-model-publish"),
    path("risk/recomputes/", risk_recompute_list, name="risk-recomputes"),
    path("risk/recomputes/<int:pk>/", risk_recompute_detail, name="risk-recompute"),
    path("risk/recomputes/<int:pk>/status.json", risk_recompute_status, name="risk-recompute-status"),
]
