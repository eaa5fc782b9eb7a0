"""Versions of the risk model: versions 1 and 2 from the migrations, copy, edit a draft, publish."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jig.models import RiskModel
from jig.risk.components import REGISTRY
from jig.risk.defaults import default_components
from jig.risk.services import (
    risk_component_update,
    risk_model_copy,
    risk_model_current,
    risk_model_publish,
    risk_model_update,
)
from tests.jig.factories import RiskComponentFactory, RiskModelFactory


@pytest.mark.django_db
def test_version_2_is_current_published_and_weighs_100():
    model = risk_model_current()
    assert (model.version, model.is_current, model.is_draft) == (2, True, False)
    assert (model.amber_from, model.red_from) == (Decimal(25), Decimal(50))
    assert model.total_weight == Decimal(100)
    rows = [{"code": c.code, "weight": c.weight, "amber_from": c.amber_from, "red_from": c.red_from,
             "order": c.order} for c in model.components.all()]
    assert rows == default_components()  # the migration's frozen copy matches the defaults
    assert [c.code for c in model.components.all()][-3:] == [
        "visit_rating", "visit_actions_overdue", "soft_intelligence"]


@pytest.mark.django_db
def test_version_1_is_kept_as_it_was_published():
    first = RiskModel.objects.get(version=1)
    assert (first.is_current, first.is_draft, first.total_weight) == (False, False, Decimal(100))
    assert first.components.count() == 15
    assert first.components.get(code="callouts_rate").weight == Decimal(15)
    assert not first.components.filter(code="visit_rating").exists()


def test_every_registered_component_describes_itself():
    for code, component in REGISTRY.items():
        assert component.code == code and component.label and component.unit
        assert component.measures.endswith(".")
        assert component.amber_from <= component.red_from


@pytest.mark.django_db
def test_a_copy_is_a_draft_with_the_same_components(area):
    user = area.users["commissioner"]
    current = risk_model_current()
    draft = risk_model_copy(model=current, user=user)
    assert (draft.version, draft.is_draft, draft.is_current, draft.created_by) == (3, True, False, user)
    assert [(c.code, c.weight, c.amber_from, c.red_from) for c in draft.components.all()] == [
        (c.code, c.weight, c.amber_from, c.red_from) for c in current.components.all()]


@pytest.mark.django_db
def test_a_published_version_cannot_be_edited(area):
    component = risk_model_current().components.get(code="callouts_rate")
    with pytest.raises(ValidationError, match="Version 2 is published, so it cannot be changed"):
        risk_component_update(component=component, user=None, weight=Decimal(20),
                              amber_from=Decimal("1.1"), red_from=Decimal("1.4"))
    with pytest.raises(ValidationError, match="is published"):
        risk_model_update(model=risk_model_current(), user=None, amber_from=Decimal(20), red_from=Decimal(40))


@pytest.mark.django_db
def test_publishing_needs_weights_that_add_up_to_100(area):
    user = area.users["commissioner"]
    draft = risk_model_copy(model=risk_model_current(), user=user)
    callouts = draft.components.get(code="callouts_rate")
    risk_component_update(component=callouts, user=user, weight=Decimal(17), amber_from=Decimal("1.2"),
                          red_from=Decimal("1.4"))
    with pytest.raises(ValidationError) as refused:
        risk_model_publish(model=draft, user=user, notes="More weight on call-outs.")
    assert refused.value.messages == ["The weights add up to 105; they must add up to 100."]
    risk_component_update(component=draft.components.get(code="emergency_admissions_rate"), user=user,
                          weight=Decimal(7), amber_from=Decimal("1.25"), red_from=Decimal("1.5"))
    published = risk_model_publish(model=draft, user=user, notes="More weight on call-outs.")
    assert published.is_current and published.published_on and published.notes == "More weight on call-outs."
    assert risk_model_current() == published
    assert RiskModel.objects.get(version=2).is_current is False


@pytest.mark.django_db
def test_publishing_refuses_unknown_components_and_a_missing_note(area):
    draft = RiskModelFactory()
    RiskComponentFactory(model=draft, code="callouts_rate", weight=Decimal(60))
    RiskComponentFactory(model=draft, code="home_visits_by_gps", weight=Decimal(40))
    with pytest.raises(ValidationError) as refused:
        risk_model_publish(model=draft, user=None, notes=" ")
    assert refused.value.messages == [
        "These components are not known to the portal: home_visits_by_gps.",
        "Say what changed from the previous version, and why.",
    ]


@pytest.mark.django_db
def test_amber_must_not_start_above_red(area):
    draft = risk_model_copy(model=risk_model_current(), user=None)
    with pytest.raises(ValidationError, match="Amber must start at or below red"):
        risk_component_update(component=draft.components.first(), user=None, weight=Decimal(15),
                              amber_from=Decimal(2), red_from=Decimal(1))
    with pytest.raises(ValidationError, match="Amber must start below red"):
        risk_model_update(model=draft, user=None, amber_from=Decimal(50), red_from=Decimal(50))
    updated = risk_model_update(model=draft, user=None, amber_from=Decimal(20), red_from=Decimal(45))
    assert updated.red_from == 45
