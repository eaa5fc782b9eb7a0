"""Models of the quality app: monthly returns (visits and action plans arrive later)."""

from .returns import (
    Indicator,
    IndicatorSet,
    MonthlyReturn,
    ReminderSent,
    ReturnUpload,
    ReturnVersion,
)

__all__ = ["Indicator", "IndicatorSet", "MonthlyReturn", "ReminderSent", "ReturnUpload",
           "ReturnVersion"]
