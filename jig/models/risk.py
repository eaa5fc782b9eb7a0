"""The risk model (versioned components, weights and RAG thresholds) and the ratings it gives.

A rating is kept per home and month with the model version, every component's value and
contribution, and the change since the previous month, so every red says why. The
database allows one rating per home and month; recomputes replace it.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from commissioning.models import JobRecord, TrackedModel

from ..choices import Rag, RecomputeScope


class RiskModel(TrackedModel):
    """One version of the risk model. Only one is current; ratings keep the version they used."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True, help_text="What changed from the previous version, and why.")
    is_current = models.BooleanField(default=False)
    published_on = models.DateTimeField(null=True, blank=True)
    amber_from = models.DecimalField(
        "amber from score", max_digits=6, decimal_places=2, default=Decimal("25"),
        help_text="A home scoring this or more (and below red) is amber.")
    red_from = models.DecimalField(
        "red from score", max_digits=6, decimal_places=2, default=Decimal("50"),
        help_text="A home scoring this or more is red.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True),
                                    name="one_current_risk_model"),
            models.CheckConstraint(condition=Q(amber_from__lt=models.F("red_from")),
                                   name="risk_model_amber_below_red"),
        ]

    def __str__(self) -> str:
        return f"Risk model version {self.version}"

    @property
    def is_draft(self) -> bool:
        return self.published_on is None

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.components.all()), Decimal(0))


class RiskComponent(models.Model):
    """One component of a model version: what it measures (code), its weight and thresholds.

    A component scores its full weight at or beyond ``red_from``, half at or beyond
    ``amber_from``, and nothing otherwise; "beyond" is above, as every component is
    stated so that higher is worse.
    """

    model = models.ForeignKey(RiskModel, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(max_length=40)
    weight = models.DecimalField(max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])
    amber_from = models.DecimalField(max_digits=12, decimal_places=4)
    red_from = models.DecimalField(max_digits=12, decimal_places=4)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["model", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="one_component_per_code"),
            models.CheckConstraint(condition=Q(amber_from__lte=models.F("red_from")),
                                   name="risk_component_amber_not_above_red"),
        ]

    def __str__(self) -> str:
        return f"{self.code} (weight {self.weight})"


class RiskRecompute(JobRecord):
    """One recompute of ratings: after a feed batch, nightly, or asked for by a commissioner."""

    scope = models.CharField(max_length=10, choices=RecomputeScope.choices)
    month = models.DateField(help_text="The month the ratings are for.")
    home_ids = models.JSONField(default=list, blank=True, help_text="For a recompute of some homes.")
    batch = models.ForeignKey("jig.FeedBatch", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="recomputes")
    model = models.ForeignKey(RiskModel, null=True, on_delete=models.PROTECT, related_name="+")
    ratings_written = models.PositiveIntegerField(default=0)
    ratings_changed_rag = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_on"]

    def __str__(self) -> str:
        return f"Risk recompute ({self.get_scope_display().lower()}) for {self.month:%B %Y}"


class RiskRating(models.Model):
    """A home's rating for one month, with every component's value and contribution.

    ``components`` is a list in the model's order, each:
    ``{"code", "label", "value", "display", "band", "weight", "contribution", "why"}``.
    """

    access_home_path = "care_home__"

    # Looked up by home through the unique (home, month) index: no index of its own to keep up.
    care_home = models.ForeignKey("carehomes.CareHome", on_delete=models.CASCADE, related_name="risk_ratings",
                                  db_index=False)
    month = models.DateField(help_text="The first day of the month the rating is for.")
    model = models.ForeignKey(RiskModel, on_delete=models.PROTECT, related_name="ratings")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices)
    components = models.JSONField(default=list)
    components_digest = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text="SHA-256 of the components' JSON as written: a recompute that works out the same "
                  "components leaves them as they are (jig.risk.store).")
    previous_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    previous_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    score_change = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True,
                                       help_text="Since the previous month's rating.")
    computed_on = models.DateTimeField()
    # Which recompute last worked it out: written by that recompute only, for every rating it
    # touches, so not checked or indexed by the database (each check and index entry would be
    # paid again for all 15,000 ratings at every recompute; see jig.risk.store).
    recompute = models.ForeignKey(RiskRecompute, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", db_constraint=False, db_index=False)

    class Meta:
        ordering = ["-month", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["care_home", "month"], name="one_rating_per_home_and_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="risk_rating_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["month", "-score"], name="risk_month_score")]

    def __str__(self) -> str:
        return f"{self.care_home} {self.month:%B %Y}: {self.get_rag_display()} ({self.score})"

    @property
    def moved(self) -> str:
        """"up", "down" or "" comparing the RAG with the previous month's."""
        from ..choices import RAG_ORDER

        if not self.previous_rag or self.previous_rag == self.rag:
            return ""
        return "up" if RAG_ORDER[self.rag] > RAG_ORDER[self.previous_rag] else "down"
