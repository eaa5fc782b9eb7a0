"""Commissioners manage the questions of the monthly return, one version at a time.

A new version starts as a copy of the current one. While it is a draft, questions can be
added, retired and reordered; publishing it (with a note of what changed) makes it the
version new returns use. Published versions never change, so past returns keep their
meaning. Every write goes through ``services``.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from commissioning import access

from .. import services
from ..choices import IndicatorKind
from ..models import Indicator, IndicatorSet

ERRORS = {
    "key": {"required": "Enter a key", "max_length": "The key must be 50 characters or fewer"},
    "label": {"required": "Enter the question", "max_length": "The question must be 200 "
              "characters or fewer"},
    "section": {"required": "Choose a section", "invalid_choice": "Choose a section from the list"},
    "kind": {"required": "Choose the type of answer",
             "invalid_choice": "Choose a type of answer from the list"},
    "minimum": {"invalid": "The lowest value must be a number, like 0"},
    "maximum": {"invalid": "The highest value must be a number, like 100"},
}


class IndicatorForm(forms.ModelForm):
    """A new question. ``services.indicator_add`` runs the model's own checks as well."""

    class Meta:
        model = Indicator
        fields = ["key", "label", "section", "kind", "unit", "minimum", "maximum", "help_text",
                  "required", "per_bed"]
        labels = {"key": "Key", "label": "Question", "unit": "Unit (optional)",
                  "minimum": "Lowest value allowed (optional)",
                  "maximum": "Highest value allowed (optional)", "help_text": "Hint (optional)",
                  "kind": "Type of answer", "required": "Homes must answer this question",
                  "per_bed": "Compare homes by this number per occupied bed"}
        help_texts = {"key": "The column name in uploads and the API. Lower-case letters, digits and "
                             "underscores, starting with a letter, for example: hospital_transfers.",
                      "unit": "For example: people, falls, hours.",
                      "help_text": "Shown under the question to help homes answer it."}
        error_messages = ERRORS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", "Choose a section"),
                                          *self.fields["section"].choices[1:]]
        self.fields["kind"].choices = [("", "Choose a type"), *self.fields["kind"].choices[1:]]
        self.fields["required"].initial = True

    def clean_key(self):
        return self.cleaned_data["key"].strip().lower()

    def clean(self):
        data = super().clean()
        kind, low, high = data.get("kind"), data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and low > high:
            self.add_error("maximum", "The highest value must be the same as or more than the "
                                      "lowest value")
        if kind == IndicatorKind.TEXT:
            if data.get("per_bed"):
                self.add_error("per_bed", "Only numbers can be compared per occupied bed")
            if low is not None or high is not None:
                self.add_error("minimum", "A free text answer cannot have a lowest or highest value")
        if kind == IndicatorKind.PERCENT:
            if (low is not None and low < 0) or (high is not None and high > 100):
                self.add_error("minimum", "A percentage must allow values only from 0 to 100")
            if data.get("per_bed"):
                self.add_error("per_bed", "A percentage cannot be compared per occupied bed")
        return data


class PublishForm(forms.Form):
    notes = forms.CharField(label="What changed in this version", widget=forms.Textarea,
                            max_length=2000,
                            error_messages={"required": "Say what changed in this version"},
                            help_text="Homes and commissioners will see this note.")


def _set_for(version) -> IndicatorSet:
    return get_object_or_404(IndicatorSet, version=version)


@login_required
@require_GET
def indicator_set_list(request):
    access.require(request.user, access.Action.CHANGE)
    versions = list(IndicatorSet.objects.annotate(return_count=Count("returns"))
                    .select_related("modified_by").order_by("-version"))
    # Only the newest version can be a draft: not current and used by no return.
    newest = versions[0] if versions else None
    draft = newest if newest and not newest.is_current and not newest.return_count else None
    return render(request, "quality/indicator_set_list.html", {
        "versions": versions, "draft": draft,
        "current": next((v for v in versions if v.is_current), None),
    })


@login_required
@require_POST
def indicator_set_copy(request):
    access.require(request.user, access.Action.CHANGE)
    newest = IndicatorSet.objects.order_by("-version").first()
    if newest and services.indicator_set_is_editable(newest):
        messages.info(request, f"Version {newest.version} is not published yet. Change it or "
                               "publish it before making another.")
        return redirect("quality:indicator-set", version=newest.version)
    copy = services.indicator_set_copy(source=services.indicator_set_current(), user=request.user)
    messages.success(request, f"Version {copy.version} has been made. Change its questions, "
                              "then publish it.")
    return redirect("quality:indicator-set", version=copy.version)


def _detail(request, indicator_set, form=None, publish_form=None, status=200):
    editable = services.indicator_set_is_editable(indicator_set)
    indicators = list(indicator_set.indicators.order_by("order", "pk"))
    return render(request, "quality/indicator_set_detail.html", {
        "indicator_set": indicator_set, "editable": editable, "indicators": indicators,
        "form": form or IndicatorForm(), "publish_form": publish_form or PublishForm(),
        "return_count": indicator_set.returns.count(),
    }, status=status)


@login_required
@require_GET
def indicator_set_detail(request, version):
    access.require(request.user, access.Action.CHANGE)
    return _detail(request, _set_for(version))


@login_required
@require_POST
def indicator_add(request, version):
    access.require(request.user, access.Action.CHANGE)
    indicator_set = _set_for(version)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in IndicatorForm.Meta.fields}
        try:
            indicator = services.indicator_add(indicator_set=indicator_set, user=request.user,
                                               **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"“{indicator.label}” has been added.")
            return redirect("quality:indicator-set", version=version)
    return _detail(request, indicator_set, form=form, status=400)


def _add_errors(form, exc: ValidationError) -> None:
    """The model's own checks, in words, against the field they are about."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        for error in errors:
            if error.code in ("unique", "unique_together"):
                form.add_error("key", "This version already has a question with this key")
            else:
                form.add_error(field if field in form.fields else None, error)


def _indicator_for(version, pk) -> Indicator:
    return get_object_or_404(Indicator, pk=pk, indicator_set__version=version)


@login_required
@require_POST
def indicator_retire(request, version, pk):
    access.require(request.user, access.Action.CHANGE)
    indicator = _indicator_for(version, pk)
    try:
        services.indicator_retire(indicator=indicator, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{indicator.label}” has been retired from version {version}.")
    return redirect("quality:indicator-set", version=version)


@login_required
@require_POST
def indicator_move(request, version, pk):
    access.require(request.user, access.Action.CHANGE)
    indicator = _indicator_for(version, pk)
    up = request.POST.get("direction") == "up"
    try:
        services.indicator_move(indicator=indicator, user=request.user, up=up)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("quality:indicator-set", args=[version]) + f"#indicator-{indicator.pk}")


@login_required
@require_POST
def indicator_set_publish(request, version):
    access.require(request.user, access.Action.CHANGE)
    indicator_set = _set_for(version)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_set_publish(indicator_set=indicator_set, user=request.user,
                                           notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Version {version} is published. New returns use it.")
        return redirect("quality:indicator-set", version=version)
    return _detail(request, indicator_set, publish_form=form, status=400)


urlpatterns = [
    path("questions/", indicator_set_list, name="indicator-sets"),
    path("questions/new-version/", indicator_set_copy, name="indicator-set-copy"),
    path("questions/<int:version>/", indicator_set_detail, name="indicator-set"),
    path("questions/<int:version>/add/", indicator_add, name="indicator-add"),
    path("questions/<int:version>/publish/", indicator_set_publish, name="indicator-set-publish"),
    path("questions/<int:version>/<int:pk>/retire/", indicator_retire, name="indicator-retire"),
    path("questions/<int:version>/<int:pk>/move/", indicator_move, name="indicator-move"),
]
