"""Choices for organisations, roles and background jobs."""

from django.db import models


class OrganisationKind(models.TextChoices):
    NHS_COMMISSIONER = "nhs_commissioner", "NHS commissioner"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    CARE_PROVIDER = "care_provider", "Care provider"
    AMBULANCE_TRUST = "ambulance_trust", "Ambulance trust"
    ACUTE_TRUST = "acute_trust", "Acute trust"
    OTHER_PARTNER = "other_partner", "Other partner"


class CommissionerKind(models.TextChoices):
    """NHS commissioners across both eras: CCGs until July 2022, then ICBs and sub-ICB locations."""

    CCG = "ccg", "Clinical commissioning group (CCG)"
    ICB = "icb", "Integrated care board (ICB)"
    SUB_ICB = "sub_icb", "Sub-ICB location"


class Role(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    QUALITY_OFFICER = "quality_officer", "Quality officer"
    SENIOR_QUALITY_OFFICER = "senior_quality_officer", "Senior quality officer"
    CARE_HOME_MANAGER = "care_home_manager", "Care home manager"
    JIG_CHAIR = "jig_chair", "JIG chair"
    JIG_MEMBER = "jig_member", "JIG member"
    PARTNER_SYSTEM = "partner_system", "Partner data sender (person or system)"
    ADMINISTRATOR = "administrator", "Administrator"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
