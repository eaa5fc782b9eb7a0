"""Choices for feed batches, matching and risk ratings."""

from django.db import models


class Channel(models.TextChoices):
    UPLOAD = "upload", "File upload"
    API = "api", "API"


class MatchStatus(models.TextChoices):
    MATCHED = "matched", "Matched to a home"
    UNMATCHED = "unmatched", "Waiting to be matched"
    OUTSIDE = "outside", "Not one of our homes"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


class RecomputeScope(models.TextChoices):
    HOMES = "homes", "Homes with new feed data"
    FULL = "full", "Every home"
    NIGHTLY = "nightly", "Every home (nightly)"
