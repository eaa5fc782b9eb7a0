"""Writes for the assessment framework: copy a version, edit the draft, publish it.

A published version never changes, so every visit keeps meaning what it meant: to change the
framework, commissioners (``Action.CHANGE``) copy the published version, edit the draft copy
(its standards, questions, weights, rating rule and which homes each module applies to) and
publish it. Publishing retires the version it replaces; visits already made keep theirs.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from commissioning import access
from commissioning.jobs import advisory_xact_lock

from ..choices import FrameworkStatus
from ..models import FrameworkDomain, FrameworkVersion, Question, Standard
from .default_framework import build_default_framework
from .rating import rating_rule_errors

# Taken while version 1 is made on an empty database: "QFW1".
FRAMEWORK_LOCK = 0x51465731


def framework_current() -> FrameworkVersion:
    """The published version new visits use. The data migration makes version 1; a database
    emptied since (a flushed test database) gets it again."""
    current = FrameworkVersion.objects.filter(status=FrameworkStatus.PUBLISHED).first()
    if current is not None:
        return current
    with transaction.atomic():
        advisory_xact_lock(FRAMEWORK_LOCK)
        current = FrameworkVersion.objects.filter(status=FrameworkStatus.PUBLISHED).first()
        if current is None:
            current = build_default_framework(FrameworkVersion, FrameworkDomain, Standard, Question)
    return current


def standards_for(version: FrameworkVersion, registration_type: str) -> QuerySet:
    """The version's standards that apply to a home of this registration type, in order."""
    return (Standard.objects.filter(version=version, module__in=version.modules_for(registration_type))
            .select_related("domain").order_by("domain__order", "order", "pk"))


def _require_change(user) -> None:
    if not access.allowed(user, access.Action.CHANGE):
        raise PermissionDenied("Only commissioners can change the assessment framework.")


def _draft_or_error(version: FrameworkVersion) -> FrameworkVersion:
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != FrameworkStatus.DRAFT:
        raise ValidationError(f"Version {version.number} is {version.get_status_display().lower()}, "
                              "so it cannot change. Copy it to make a new version.")
    return version


def _touch(version: FrameworkVersion, user) -> None:
    version.modified_by = user
    version.save(update_fields=["modified_by", "modified_on"])


@transaction.atomic
def framework_copy(*, source: FrameworkVersion, user, name: str = "") -> FrameworkVersion:
    """A new draft version with everything ``source`` has, for commissioners to edit."""
    _require_change(user)
    advisory_xact_lock(FRAMEWORK_LOCK)
    number = (FrameworkVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    copy = FrameworkVersion(number=number, name=name.strip() or source.name, based_on=source,
                            status=FrameworkStatus.DRAFT, rating_rule=source.rating_rule,
                            applies_to=source.applies_to, created_by=user, modified_by=user)
    copy.full_clean()
    copy.save()
    for domain in source.domains.prefetch_related("standards__questions"):
        new_domain = FrameworkDomain.objects.create(version=copy, title=domain.title, order=domain.order)
        for standard in domain.standards.all():
            new_standard = Standard.objects.create(
                version=copy, domain=new_domain, code=standard.code, title=standard.title,
                description=standard.description, is_key=standard.is_key, weight=standard.weight,
                module=standard.module, order=standard.order)
            Question.objects.bulk_create(
                Question(standard=new_standard, code=q.code, text=q.text, guidance=q.guidance,
                         evidence_prompts=q.evidence_prompts, weight=q.weight, order=q.order)
                for q in standard.questions.all())
    return copy


@transaction.atomic
def framework_update(*, version: FrameworkVersion, user, name: str | None = None,
                     notes: str | None = None, rating_rule: dict | None = None,
                     applies_to: dict | None = None) -> FrameworkVersion:
    """Change a draft's name, notes, rating rule or module applicability (checked in full)."""
    _require_change(user)
    version = _draft_or_error(version)
    for field, value in (("name", name), ("notes", notes), ("rating_rule", rating_rule),
                         ("applies_to", applies_to)):
        if value is not None:
            setattr(version, field, value.strip() if isinstance(value, str) else value)
    version.modified_by = user
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def domain_save(*, version: FrameworkVersion, user, title: str, order: int | None = None,
                domain: FrameworkDomain | None = None) -> FrameworkDomain:
    """Add a domain to a draft (at the end unless ``order`` is given), or rename/move one."""
    _require_change(user)
    version = _draft_or_error(version)
    if domain is None:
        last = version.domains.aggregate(o=Max("order"))["o"] or 0
        domain = FrameworkDomain(version=version, order=last + 10)
    elif domain.version_id != version.pk:
        raise ValidationError("The domain belongs to another version.")
    domain.title = title.strip()
    if order is not None:
        domain.order = order
    domain.full_clean()
    domain.save()
    _touch(version, user)
    return domain


@transaction.atomic
def standard_save(*, domain: FrameworkDomain, user, standard: Standard | None = None,
                  **fields) -> Standard:
    """Add a standard to a draft's domain, or change one. ``fields``: code, title,
    description, is_key, weight, module, order."""
    _require_change(user)
    version = _draft_or_error(domain.version)
    allowed = {"code", "title", "description", "is_key", "weight", "module", "order"}
    if unknown := set(fields) - allowed:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if standard is None:
        last = Standard.objects.filter(domain=domain).aggregate(o=Max("order"))["o"] or 0
        standard = Standard(version=version, domain=domain, order=last + 10)
    elif standard.version_id != version.pk:
        raise ValidationError("The standard belongs to another version.")
    standard.domain = domain
    for name, value in fields.items():
        setattr(standard, name, value)
    standard.full_clean()
    standard.save()
    _touch(version, user)
    return standard


@transaction.atomic
def question_save(*, standard: Standard, user, question: Question | None = None,
                  **fields) -> Question:
    """Add a question to a draft's standard, or change one. ``fields``: code, text, guidance,
    evidence_prompts (a list of strings), weight, order."""
    _require_change(user)
    version = _draft_or_error(standard.version)
    allowed = {"code", "text", "guidance", "evidence_prompts", "weight", "order"}
    if unknown := set(fields) - allowed:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if question is None:
        count = standard.questions.count()
        question = Question(standard=standard, order=(count + 1) * 10,
                            code=f"{standard.code}.{count + 1}")
    elif question.standard.version_id != version.pk:
        raise ValidationError("The question belongs to another version.")
    for name, value in fields.items():
        setattr(question, name, value)
    question.full_clean()
    question.save()
    _touch(version, user)
    return question


@transaction.atomic
def framework_item_remove(*, item: FrameworkDomain | Standard | Question, user) -> None:
    """Take a domain (with its standards), a standard (with its questions) or a question
    out of a draft. Published versions keep theirs."""
    _require_change(user)
    version = item.standard.version if isinstance(item, Question) else item.version
    version = _draft_or_error(version)
    item.delete()
    _touch(version, user)


def framework_problems(version: FrameworkVersion) -> list[str]:
    """What stops a draft being published, in words (empty when it can be)."""
    problems = [f"Rating rule: {e}" for e in rating_rule_errors(version.rating_rule)]
    domains = list(version.domains.prefetch_related("standards__questions"))
    if not domains:
        problems.append("The framework has no domains.")
    modules = set(version.applies_to)
    for domain in domains:
        standards = list(domain.standards.all())
        if not standards:
            problems.append(f"Domain “{domain.title}” has no standards.")
        for standard in standards:
            if not standard.questions.all():
                problems.append(f"Standard {standard.code} has no questions.")
            elif not any(q.weight > 0 for q in standard.questions.all()):
                problems.append(f"Standard {standard.code}: at least one question needs a weight above 0.")
            if standard.module not in modules:
                problems.append(f"Standard {standard.code} is in the {standard.get_module_display()} "
                                "module, which applies to no homes.")
    return problems


@transaction.atomic
def framework_publish(*, version: FrameworkVersion, user, notes: str) -> FrameworkVersion:
    """Make a draft the version new visits use; the version it replaces is retired. Visits
    already made keep the version they started with."""
    _require_change(user)
    version = _draft_or_error(version)
    if not notes.strip():
        raise ValidationError({"notes": "Say what changed in this version"})
    if problems := framework_problems(version):
        raise ValidationError(problems)
    advisory_xact_lock(FRAMEWORK_LOCK)
    for previous in FrameworkVersion.objects.select_for_update().filter(status=FrameworkStatus.PUBLISHED):
        previous.status, previous.modified_by = FrameworkStatus.RETIRED, user
        previous.save(update_fields=["status", "modified_by", "modified_on"])
    version.status = FrameworkStatus.PUBLISHED
    version.published_on = timezone.now()
    version.notes = notes.strip()
    version.modified_by = user
    version.full_clean()
    version.save()
    return version
