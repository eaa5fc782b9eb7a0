"""Writes for the risk model: recompute jobs, and versions of the model with their components.

Pages, the API, management commands, feed ingestion and tasks all come here.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from commissioning.jobs import advisory_xact_lock

from ..choices import RecomputeScope
from ..models import FeedBatch, RiskComponent, RiskModel, RiskRecompute
from . import defaults
from .components import REGISTRY

# Taken while version 1 is made on an empty database (advisory_xact_lock): "JRM1".
RISK_MODEL_LOCK = 0x4A524D31


def month_current() -> dt.date:
    """The first day of this month in UK time: the month ratings are computed for."""
    return timezone.localdate().replace(day=1)


def _next_version() -> int:
    """The number for a new version (unique in the database, so a race fails rather than repeats)."""
    return (RiskModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1


def risk_model_current() -> RiskModel:
    """The published model in use. The data migrations make versions 1 and 2; a database
    emptied since (a flushed test database) gets the shipped model from the components'
    defaults."""
    current = RiskModel.objects.filter(is_current=True).first()
    if current is not None:
        return current
    with transaction.atomic():
        advisory_xact_lock(RISK_MODEL_LOCK)  # two workers on an empty database make it once
        current = RiskModel.objects.filter(is_current=True).first()
        if current is None:
            version = _next_version()
            current = RiskModel.objects.create(
                version=version, name=f"Version {version}", notes=defaults.SHIPPED_NOTES,
                is_current=True, published_on=timezone.now(), amber_from=defaults.AMBER_FROM,
                red_from=defaults.RED_FROM)
            RiskComponent.objects.bulk_create(
                RiskComponent(model=current, **row) for row in defaults.default_components())
    return current


def recompute_create(*, scope: str, month: dt.date | None = None, home_ids: Iterable[int] = (),
                     batch: FeedBatch | None = None, user=None) -> RiskRecompute:
    """The record of a recompute, queued but not yet run (the caller runs or queues it)."""
    return RiskRecompute.objects.create(
        scope=scope, month=(month or month_current()).replace(day=1),
        home_ids=sorted({int(pk) for pk in home_ids}), batch=batch, requested_by=user,
        stage="Waiting to start")


def _queue(job: RiskRecompute) -> None:
    from .tasks import risk_recompute_task

    transaction.on_commit(lambda: risk_recompute_task.delay(job.pk))


@transaction.atomic
def recompute_request(*, user, scope: str = RecomputeScope.FULL,
                      month: dt.date | None = None) -> RiskRecompute:
    """A commissioner asks for every home to be rated again (this month unless ``month``);
    the task is queued when this transaction commits, and its progress shows on the job."""
    if scope == RecomputeScope.HOMES:
        raise ValidationError("A recompute someone asks for covers every home.")
    job = recompute_create(scope=scope, month=month, user=user)
    _queue(job)
    return job


@transaction.atomic
def recompute_homes_later(*, home_ids: Iterable[int], batch: FeedBatch | None = None) -> RiskRecompute | None:
    """Queue a recompute of this month's ratings for ``home_ids`` once the caller's transaction
    commits (feed ingestion calls this after storing a batch). Nothing for no homes."""
    ids = [pk for pk in home_ids if pk is not None]
    if not ids:
        return None
    job = recompute_create(scope=RecomputeScope.HOMES, home_ids=ids, batch=batch)  # sorts, dedups
    _queue(job)
    return job


# --- Model versions --------------------------------------------------------------------------

@transaction.atomic
def risk_model_copy(*, model: RiskModel, user) -> RiskModel:
    """A new draft version with ``model``'s thresholds and components, to edit then publish."""
    version = _next_version()
    draft = RiskModel(version=version, name=f"Version {version}", amber_from=model.amber_from,
                      red_from=model.red_from, created_by=user, modified_by=user,
                      notes=f"Copied from version {model.version}.")
    draft.full_clean()
    draft.save()
    RiskComponent.objects.bulk_create(
        RiskComponent(model=draft, code=c.code, weight=c.weight, amber_from=c.amber_from,
                      red_from=c.red_from, order=c.order) for c in model.components.all())
    return draft


def _require_draft(model: RiskModel) -> None:
    if not model.is_draft:
        raise ValidationError(f"Version {model.version} is published, so it cannot be changed. "
                              "Copy it to a new draft version and change that.")


@transaction.atomic
def risk_component_update(*, component: RiskComponent, user, weight: Decimal, amber_from: Decimal,
                          red_from: Decimal) -> RiskComponent:
    """Change a draft version's component: its weight and the values from which it is amber and red."""
    _require_draft(component.model)
    if Decimal(amber_from) > Decimal(red_from):
        raise ValidationError({"amber_from": "Amber must start at or below red."})
    component.weight, component.amber_from, component.red_from = weight, amber_from, red_from
    component.full_clean()
    component.save()
    RiskModel.objects.filter(pk=component.model_id).update(modified_by=user, modified_on=timezone.now())
    return component


@transaction.atomic
def risk_model_update(*, model: RiskModel, user, amber_from: Decimal, red_from: Decimal) -> RiskModel:
    """Change a draft version's RAG thresholds on the total score."""
    _require_draft(model)
    if Decimal(amber_from) >= Decimal(red_from):
        raise ValidationError({"amber_from": "Amber must start below red."})
    model.amber_from, model.red_from, model.modified_by = amber_from, red_from, user
    model.full_clean()
    model.save()
    return model


def risk_model_problems(model: RiskModel) -> list[str]:
    """Why ``model`` cannot be published; empty when it can."""
    problems = []
    components = list(model.components.all())
    total = sum((c.weight for c in components), Decimal(0))
    if total != 100:
        problems.append(f"The weights add up to {total.normalize():f}; they must add up to 100.")
    unknown = sorted(c.code for c in components if c.code not in REGISTRY)
    if unknown:
        problems.append(f"These components are not known to the portal: {', '.join(unknown)}.")
    if not components:
        problems.append("The model has no components.")
    if model.amber_from >= model.red_from:
        problems.append("The score from which a home is amber must be below the score for red.")
    return problems


@transaction.atomic
def risk_model_publish(*, model: RiskModel, user, notes: str) -> RiskModel:
    """Make a draft version the current model; ratings computed from now on use it.

    Weights must sum to 100 and every component code must be known.
    """
    model = RiskModel.objects.select_for_update().get(pk=model.pk)
    _require_draft(model)
    problems = risk_model_problems(model)
    if not notes.strip():
        problems.append("Say what changed from the previous version, and why.")
    if problems:
        raise ValidationError(problems)
    RiskModel.objects.filter(is_current=True).update(is_current=False)
    model.is_current, model.published_on, model.notes = True, timezone.now(), notes.strip()
    model.modified_by = user
    model.full_clean()
    model.save()
    return model
