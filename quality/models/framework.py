"""The assessment framework, versioned: domains → standards → questions, and the rating rule.

Visits keep the version they were made with; a published version never changes (a new one
is made by copying it). See docs/visits.md.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from carehomes.choices import RegistrationType
from commissioning.models import TrackedModel

from ..choices import FrameworkStatus, StandardModule
from ..visits.rating import default_rating_rule, rating_rule_errors

standard_code_validator = RegexValidator(
    r"^[A-Z]{0,3}\d{1,3}[a-z]?$", "Use a short code such as 6, 12a or M2.")


def validate_rating_rule(value) -> None:
    """A model field validator: the rule's JSON, checked by ``quality.visits.rating``."""
    errors = rating_rule_errors(value)
    if errors:
        raise ValidationError(errors)


def default_applies_to() -> dict:
    from ..visits.default_framework import DEFAULT_APPLIES_TO

    return {str(k): list(v) for k, v in DEFAULT_APPLIES_TO.items()}


def validate_applies_to(value) -> None:
    """``{"core": ["residential", "nursing", "dual"], "medicines": ["nursing", "dual"]}``:
    for each module, the registration types of the homes it applies to."""
    if not isinstance(value, dict):
        raise ValidationError("Give, for each module, the registration types it applies to.")
    errors = []
    for module, types in value.items():
        if module not in StandardModule.values:
            errors.append(f"'{module}' is not a module; use {', '.join(StandardModule.values)}.")
        elif not isinstance(types, list) or any(t not in RegistrationType.values for t in types):
            errors.append(f"{module}: give a list of registration types from "
                          f"{', '.join(RegistrationType.values)}.")
    if StandardModule.CORE not in value:
        errors.append("The core module must apply to some homes.")
    if errors:
        raise ValidationError(errors)


class FrameworkVersion(TrackedModel):
    """One version of the framework. Exactly one is published at a time: new visits use it.

    ``rating_rule`` is the JSON rule that turns question scores into ratings (its format is
    in ``quality.visits.rating`` and docs/visits.md); ``applies_to`` says which homes each
    module applies to, by registration type.
    """

    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True, help_text="What changed from the version it was copied from.")
    status = models.CharField(max_length=10, choices=FrameworkStatus.choices,
                              default=FrameworkStatus.DRAFT)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="copies")
    published_on = models.DateTimeField(null=True, blank=True)
    rating_rule = models.JSONField(default=default_rating_rule, validators=[validate_rating_rule])
    applies_to = models.JSONField(default=default_applies_to, validators=[validate_applies_to],
                                  help_text="For each module, the registration types it applies to.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status=FrameworkStatus.PUBLISHED),
                                    name="frameworkversion_one_published"),
            models.CheckConstraint(
                condition=Q(status=FrameworkStatus.DRAFT) | Q(published_on__isnull=False),
                name="frameworkversion_published_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.number})"

    def modules_for(self, registration_type: str) -> list[str]:
        """The modules that apply to a home of this registration type."""
        return [m for m, types in self.applies_to.items() if registration_type in types]


class FrameworkDomain(models.Model):
    """A group of standards, such as Safeguarding and safety."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="domains")
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "title"], name="frameworkdomain_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class Standard(models.Model):
    """A standard that is rated: its code, whether it is key, its weight and its module.

    ``version`` repeats the domain's so the database can keep codes unique in a version.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="standards")
    domain = models.ForeignKey(FrameworkDomain, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(max_length=8, validators=[standard_code_validator])
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What good looks like.")
    is_key = models.BooleanField(
        "key standard", default=False,
        help_text="The rating rule's caps can limit the overall rating when a key standard is poor.")
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=1,
                                 validators=[MinValueValidator(0)])
    module = models.CharField(max_length=16, choices=StandardModule.choices,
                              default=StandardModule.CORE)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "domain__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="standard_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="standard_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def save(self, *args, **kwargs):
        if self.domain_id and not self.version_id:
            self.version_id = self.domain.version_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.domain_id and self.version_id and self.domain.version_id != self.version_id:
            raise ValidationError({"domain": "The domain belongs to another version."})


class Question(models.Model):
    """A question an officer scores 1–4, with guidance and the evidence to look for."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=12)
    text = models.CharField(max_length=400)
    guidance = models.TextField(blank=True)
    evidence_prompts = models.JSONField(default=list, blank=True,
                                        help_text="The evidence to look at, one item each.")
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=1,
                                 validators=[MinValueValidator(0)])
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["standard", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="question_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="question_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    def clean(self) -> None:
        prompts = self.evidence_prompts
        if not isinstance(prompts, list) or any(not isinstance(p, str) or not p.strip() for p in prompts):
            raise ValidationError({"evidence_prompts": "Give a list of evidence prompts, each some text."})
