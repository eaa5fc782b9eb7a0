"""Pages for the assessment framework: its versions, a version's domains, standards, questions
and rating rule (in sentences), and for commissioners (``Action.CHANGE``) copying the published
version, editing the draft and publishing it. Every write is a ``quality.visits.framework``
service; a published version never changes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import access

from ..choices import FrameworkStatus
from ..framework_forms import CopyForm, DomainForm, PublishForm, QuestionForm, StandardForm, VersionForm
from ..models import FrameworkDomain, Question, Standard
from ..visit_forms import add_service_errors
from ..visits import selectors, services
from ..visits.rating import RatingRule, RatingRuleError
from .visit_helpers import A, posted


def _version_for(request, pk):
    access.require(request.user, A.VIEW)
    return get_object_or_404(selectors.framework_versions(), pk=pk)


def _draft_for(request, pk):
    """The draft to change, or ``None`` (with a message saying why) when it is not a draft."""
    access.require(request.user, A.CHANGE)
    version = _version_for(request, pk)
    if version.status == FrameworkStatus.DRAFT:
        return version
    messages.error(request, f"Version {version.number} is {version.get_status_display().lower()}, so it "
                            "cannot change. Copy it to make a new version.")
    return None


def _structure(version):
    questions = Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
    standards = Prefetch("standards",
                         queryset=Standard.objects.order_by("order", "pk").prefetch_related(questions))
    return list(version.domains.order_by("order", "pk").prefetch_related(standards))


def _rule(version) -> tuple[list[str], list[str]]:
    """The rule in sentences, or what is wrong with it (a draft's rule may be mid-edit)."""
    try:
        return RatingRule.from_config(version.rating_rule).describe(), []
    except RatingRuleError as exc:
        return [], exc.errors


@login_required
@require_GET
def framework_list(request):
    access.require(request.user, A.VIEW)
    return render(request, "quality/visits/framework_list.html", {
        "versions": list(selectors.framework_versions()),
        "can_change": access.allowed(request.user, A.CHANGE),
    })


@login_required
@require_GET
def framework_detail(request, pk):
    version = _version_for(request, pk)
    rule, rule_errors = _rule(version)
    can_change = access.allowed(request.user, A.CHANGE)
    return render(request, "quality/visits/framework_detail.html", {
        "version": version, "domains": _structure(version), "rule": rule, "rule_errors": rule_errors,
        "can_change": can_change, "copy_form": CopyForm(),
        "problems": services.framework_problems(version) if version.status == FrameworkStatus.DRAFT else [],
    })


@login_required
@require_POST
def framework_copy(request, pk):
    access.require(request.user, A.CHANGE)
    source = _version_for(request, pk)
    form = CopyForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    draft = services.framework_copy(source=source, user=request.user, name=name)
    messages.success(request, f"Version {draft.number} is a new draft copied from version {source.number}. "
                              "Change it, then publish it.")
    return redirect("visits:framework-edit", pk=draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def framework_edit(request, pk):
    """The draft's name, notes, rating rule and which homes each module applies to, and links to
    change its domains, standards and questions."""
    version = _draft_for(request, pk)
    if version is None:
        return redirect("visits:framework-detail", pk=pk)
    initial = {"name": version.name, "notes": version.notes, "rating_rule": version.rating_rule,
               **{f"applies-{m}": types for m, types in version.applies_to.items()}}
    form = VersionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.framework_update(version=version, user=request.user, name=data["name"],
                                      notes=data["notes"], rating_rule=data["rating_rule"],
                                      applies_to=form.applies_to())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Version {version.number} has been saved.")
            return redirect("visits:framework-edit", pk=version.pk)
    rule, rule_errors = _rule(version)
    return render(request, "quality/visits/framework_edit.html", {
        "version": version, "form": form, "domains": _structure(version), "rule": rule,
        "rule_errors": rule_errors, "problems": services.framework_problems(version),
    }, status=400 if form.errors else 200)


def _item_page(request, version, form, *, title, save, done):
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("visits:framework-edit", pk=version.pk)
    return render(request, "quality/visits/framework_item.html", {
        "version": version, "form": form, "title": title}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def domain_edit(request, pk, domain_pk=None):
    version = _draft_for(request, pk)
    if version is None:
        return redirect("visits:framework-detail", pk=pk)
    domain = get_object_or_404(FrameworkDomain, version=version, pk=domain_pk) if domain_pk else None
    initial = {"title": domain.title, "order": domain.order} if domain else None
    form = DomainForm(posted(request), initial=initial)

    def save(form):
        services.domain_save(version=version, user=request.user, title=form.cleaned_data["title"],
                             order=form.cleaned_data["order"], domain=domain)

    return _item_page(request, version, form, save=save, done="The domain has been saved.",
                      title=f"Change {domain}" if domain else "Add a domain")


@login_required
@require_http_methods(["GET", "POST"])
def standard_edit(request, pk, domain_pk=None, standard_pk=None):
    version = _draft_for(request, pk)
    if version is None:
        return redirect("visits:framework-detail", pk=pk)
    standard = get_object_or_404(Standard, version=version, pk=standard_pk) if standard_pk else None
    domain = (standard.domain if standard
              else get_object_or_404(FrameworkDomain, version=version, pk=domain_pk))
    fields = ("code", "title", "description", "is_key", "weight", "module", "order")
    form = StandardForm(posted(request),
                        initial={f: getattr(standard, f) for f in fields} if standard else None)

    def save(form):
        services.standard_save(domain=domain, user=request.user, standard=standard, **form.values())

    return _item_page(request, version, form, save=save, done="The standard has been saved.",
                      title=f"Change standard {standard}" if standard else f"Add a standard to {domain}")


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk, standard_pk=None, question_pk=None):
    version = _draft_for(request, pk)
    if version is None:
        return redirect("visits:framework-detail", pk=pk)
    question = get_object_or_404(Question, standard__version=version, pk=question_pk) if question_pk else None
    standard = (question.standard if question
                else get_object_or_404(Standard, version=version, pk=standard_pk))
    initial = None
    if question:
        initial = {"code": question.code, "text": question.text, "guidance": question.guidance,
                   "evidence_prompts": "\n".join(question.evidence_prompts), "weight": question.weight,
                   "order": question.order}
    form = QuestionForm(posted(request), initial=initial)

    def save(form):
        services.question_save(standard=standard, user=request.user, question=question, **form.values())

    return _item_page(request, version, form, save=save, done="The question has been saved.",
                      title=(f"Change question {question.code}" if question
                             else f"Add a question to {standard}"))


ITEMS = {"domain": (FrameworkDomain, "version"), "standard": (Standard, "version"),
         "question": (Question, "standard__version")}


@login_required
@require_POST
def item_remove(request, pk, kind, item_pk):
    version = _draft_for(request, pk)
    if version is None:
        return redirect("visits:framework-detail", pk=pk)
    if kind not in ITEMS:
        raise Http404("No such item")
    model, to_version = ITEMS[kind]
    item = get_object_or_404(model, pk=item_pk, **{to_version: version})
    try:
        services.framework_item_remove(item=item, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"The {kind} has been removed.")
    return redirect("visits:framework-edit", pk=version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def framework_publish(request, pk):
    version = _draft_for(request, pk)
    if version is None:
        return redirect("visits:framework-detail", pk=pk)
    form = PublishForm(posted(request), initial={"notes": version.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_publish(version=version, user=request.user, notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Version {version.number} is now the framework new visits use. "
                                      "Visits already planned keep their version.")
            return redirect("visits:framework-detail", pk=version.pk)
    return render(request, "quality/visits/framework_publish.html", {
        "version": version, "form": form, "problems": services.framework_problems(version),
    }, status=400 if form.errors else 200)


urlpatterns = [
    path("framework/", framework_list, name="framework-list"),
    path("framework/<int:pk>/", framework_detail, name="framework-detail"),
    path("framework/<int:pk>/copy/", framework_copy, name="framework-copy"),
    path("framework/<int:pk>/edit/", framework_edit, name="framework-edit"),
    path("framework/<int:pk>/publish/", framework_publish, name="framework-publish"),
    path("framework/<int:pk>/domains/add/", domain_edit, name="framework-domain-add"),
    path("framework/<int:pk>/domains/<int:domain_pk>/", domain_edit, name="framework-domain"),
    path("framework/<int:pk>/domains/<int:domain_pk>/standards/add/", standard_edit,
         name="framework-standard-add"),
    path("framework/<int:pk>/standards/<int:standard_pk>/", standard_edit, name="framework-standard"),
    path("framework/<int:pk>/standards/<int:standard_pk>/questions/add/", question_edit,
         name="framework-question-add"),
    path("framework/<int:pk>/questions/<int:question_pk>/", question_edit, name="framework-question"),
    path("framework/<int:pk>/<str:kind>/<int:item_pk>/remove/", item_remove,
         name="framework-item-remove"),
]
