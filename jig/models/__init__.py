"""The JIG's data: feeds from partner trusts, and the risk model with its ratings."""

from .feeds import AmbulanceIncident, FeedBatch, FeedRecord, HomeMatchRule, HospitalActivity
from .risk import RiskComponent, RiskModel, RiskRating, RiskRecompute

__all__ = ["AmbulanceIncident", "FeedBatch", "FeedRecord", "HomeMatchRule", "HospitalActivity",
           "RiskComponent", "RiskModel", "RiskRating", "RiskRecompute"]
