"""The JIG's data: feeds from partner trusts, and the risk model with its ratings."""

from .feeds import AmbulanceIncident, FeedBatch, FeedRecord, HomeMatchRule, HospitalActivity
from .risk import RiskComponent, RiskModel, RiskRating, RiskRecompute
from .summary import FeedMonth, FeedMonthChange, FeedSeries

__all__ = ["AmbulanceIncident", "FeedBatch", "FeedMonth", "FeedMonthChange", "FeedRecord", "FeedSeries",
           "HomeMatchRule", "HospitalActivity", "RiskComponent", "RiskModel", "RiskRating", "RiskRecompute"]

# The JIG's meetings (docs/jig-meetings.md).
from .agenda import DeepDiveAnswer, DeepDiveAttachment, DeepDiveRequest, HomeFlag  # noqa: E402
from .intelligence import JigAction, PlanningApplication, SoftIntelligence  # noqa: E402
from .meetings import (  # noqa: E402
    Attendance,
    ConfidentialitySignature,
    GroupDocument,
    JigGroup,
    JigMembership,
    Meeting,
    MeetingPack,
)

__all__ += ["Attendance", "ConfidentialitySignature", "DeepDiveAnswer", "DeepDiveAttachment",
            "DeepDiveRequest", "GroupDocument", "HomeFlag", "JigAction", "JigGroup", "JigMembership",
            "Meeting", "MeetingPack", "PlanningApplication", "SoftIntelligence"]
