"""Choices for the care home registry, in the words CQC uses."""

from django.db import models


class RegistrationType(models.TextChoices):
    """How CQC registers the home: without nursing, with nursing, or both (dual)."""

    RESIDENTIAL = "residential", "Residential"
    NURSING = "nursing", "Nursing"
    DUAL = "dual", "Dual registered"


class HomeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DORMANT = "dormant", "Dormant"
    DEREGISTERED = "deregistered", "Deregistered"


class CqcRatingValue(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class KeyQuestion(models.TextChoices):
    OVERALL = "overall", "Overall"
    SAFE = "safe", "Safe"
    EFFECTIVE = "effective", "Effective"
    CARING = "caring", "Caring"
    RESPONSIVE = "responsive", "Responsive"
    WELL_LED = "well_led", "Well-led"


class ServiceUserBand(models.TextChoices):
    """CQC service user bands (the ``Service user band - …`` columns of the directory)."""

    OLDER_PEOPLE = "older_people", "Older People"
    DEMENTIA = "dementia", "Dementia"
    LEARNING_DISABILITIES = "learning_disabilities", "Learning disabilities or autistic spectrum disorder"
    MENTAL_HEALTH = "mental_health", "Mental Health"
    PHYSICAL_DISABILITY = "physical_disability", "Physical Disability"
    SENSORY_IMPAIRMENT = "sensory_impairment", "Sensory Impairment"
    YOUNGER_ADULTS = "younger_adults", "Younger Adults"
    CHILDREN = "children", "Children 0-18 years"
    DRUGS_ALCOHOL = "drugs_alcohol", "People who misuse drugs and alcohol"
    EATING_DISORDER = "eating_disorder", "People with an eating disorder"
    MENTAL_HEALTH_ACT = "mental_health_act", "People detained under the Mental Health Act"
    WHOLE_POPULATION = "whole_population", "Whole Population"


class ImportOutcome(models.TextChoices):
    """What one import did to one home (kept per import for the record)."""

    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    UNCHANGED = "unchanged", "Unchanged"
    DEREGISTERED = "deregistered", "Deregistered"
