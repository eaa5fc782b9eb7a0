"""The rules of a monthly return, in one place for the web form, uploads and the API.

``check_return`` converts raw values (text from a form or a file, numbers from JSON) and
returns the cleaned values, hard errors (which block submission, one message per field)
and soft warnings (which need a confirming tick and a reason).

Pure functions: no database access, so every way in applies exactly the same rules.
"""

import re
import statistics
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .choices import IndicatorKind

FALLS_MESSAGE = "Falls with injury must be no more than falls ({falls})"
DEATH_KEYS = ("deaths_in_home", "deaths_in_hospital", "deaths_elsewhere")
FUNDING_KEYS = ("occupied_council", "occupied_nhs_chc", "occupied_joint",
                "occupied_self_funded", "occupied_other")
# Soft checks: a value this many times the home's recent median needs confirming.
SPIKE_FACTOR = 3
SPIKE_MONTHS = 6
SPIKE_MIN_HISTORY = 3
SPIKE_MIN_VALUE = 5  # small counts (a median of 1, then 4) are ordinary variation
OCCUPANCY_DROP = Decimal("0.25")
SPIKE_EXEMPT = {"beds_registered", "beds_occupied", "beds_vacant_reserved",
                "beds_vacant_available", *FUNDING_KEYS}


@dataclass
class ReturnCheck:
    cleaned: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    def unconfirmed(self, confirmations: dict[str, str]) -> dict[str, str]:
        """Warnings without a confirming reason."""
        return {key: message for key, message in self.warnings.items()
                if not str(confirmations.get(key, "")).strip()}

    @property
    def ok(self) -> bool:
        return not self.errors


def _number(indicator, raw) -> tuple[object, str | None]:
    text = str(raw).strip().replace(",", "")
    if indicator.kind == IndicatorKind.PERCENT:
        text = text.removesuffix("%").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, f"{indicator.label} must be a number"
    if not value.is_finite():
        return None, f"{indicator.label} must be a number"
    if indicator.kind == IndicatorKind.COUNT:
        if value != value.to_integral_value():
            return None, f"{indicator.label} must be a whole number, like 3"
        value = int(value)
    if indicator.kind == IndicatorKind.PERCENT and not 0 <= value <= 100:
        return None, f"{indicator.label} must be a percentage from 0 to 100"
    if indicator.minimum is not None and value < Decimal(indicator.minimum):
        return None, f"{indicator.label} must be {_plain(indicator.minimum)} or more"
    if indicator.maximum is not None and value > Decimal(indicator.maximum):
        return None, f"{indicator.label} must be {_plain(indicator.maximum)} or less"
    return value, None


def _plain(number) -> str:
    """12.50 → 12.5, 3.00 → 3."""
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _convert(indicators, raw_values: dict, *, complete: bool, check: ReturnCheck) -> None:
    for indicator in indicators:
        raw = raw_values.get(indicator.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if complete and indicator.required:
                check.errors[indicator.key] = f"Enter {_lower_first(indicator.label)}"
            continue
        if indicator.kind == IndicatorKind.TEXT:
            text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", str(raw)).strip()
            if len(text) > 4000:
                check.errors[indicator.key] = f"{indicator.label} must be 4,000 characters or fewer"
            else:
                check.cleaned[indicator.key] = text
            continue
        value, error = _number(indicator, raw)
        if error:
            check.errors[indicator.key] = error
        else:
            check.cleaned[indicator.key] = value


def _lower_first(text: str) -> str:
    # Keep acronyms (A&E, UTIs, DoLS) as they are.
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _cross_checks(values: dict, check: ReturnCheck) -> None:
    """Rules between fields; each runs only when its fields are present and valid."""

    def has(*keys):
        return all(k in values and k not in check.errors for k in keys)

    if has("beds_occupied", "beds_registered") and values["beds_occupied"] > values["beds_registered"]:
        check.errors["beds_occupied"] = (
            f"Occupied beds must be no more than registered beds ({values['beds_registered']})")
    vacant = ("beds_occupied", "beds_vacant_reserved", "beds_vacant_available")
    if has("beds_registered", *vacant) and "beds_occupied" not in check.errors:
        total = sum(values[k] for k in vacant)
        if total > values["beds_registered"]:
            check.errors["beds_vacant_available"] = (
                f"Occupied and vacant beds add up to {total}, which is more than the "
                f"{values['beds_registered']} registered beds")
    if has("beds_occupied", *FUNDING_KEYS):
        funded = sum(values[k] for k in FUNDING_KEYS)
        if funded != values["beds_occupied"]:
            check.errors["occupied_council"] = (
                f"Occupied beds by funding add up to {funded}, but occupied beds is "
                f"{values['beds_occupied']}: they must be the same")
    if has("falls", "falls_with_injury") and values["falls_with_injury"] > values["falls"]:
        check.errors["falls_with_injury"] = FALLS_MESSAGE.format(falls=values["falls"])
    if has("deaths_preferred_place", *DEATH_KEYS):
        deaths = sum(values[k] for k in DEATH_KEYS)
        if values["deaths_preferred_place"] > deaths:
            check.errors["deaths_preferred_place"] = (
                f"Deaths in the person's preferred place must be no more than all deaths ({deaths})")


def _soft_checks(indicators, values: dict, history: list[dict], check: ReturnCheck) -> None:
    """Unusual but possible values: a spike against the home's recent median, or occupancy
    falling by more than a quarter since last month."""
    recent = history[:SPIKE_MONTHS]
    for indicator in indicators:
        key = indicator.key
        if (indicator.kind != IndicatorKind.COUNT or key in SPIKE_EXEMPT or key not in values
                or key in check.errors):
            continue
        past = [Decimal(str(h[key])) for h in recent if h.get(key) not in (None, "")]
        if len(past) < SPIKE_MIN_HISTORY:
            continue
        median = statistics.median(past)
        if median > 0 and values[key] > SPIKE_FACTOR * median and values[key] >= SPIKE_MIN_VALUE:
            check.warnings[key] = (
                f"{indicator.label} is {values[key]}, more than {SPIKE_FACTOR} times the home's "
                f"median of {_plain(median)} over the last {len(past)} months. Check it is right")
    if history and "beds_occupied" in values and "beds_occupied" not in check.errors:
        before = history[0].get("beds_occupied")
        if before not in (None, "") and Decimal(str(before)) > 0:
            drop = (Decimal(str(before)) - values["beds_occupied"]) / Decimal(str(before))
            if drop > OCCUPANCY_DROP:
                check.warnings["beds_occupied"] = (
                    f"Occupied beds fell from {before} to {values['beds_occupied']}, by more than "
                    "a quarter since last month. Check it is right")


def check_return(indicators, raw_values: dict, *, history: list[dict] | None = None,
                 complete: bool = True) -> ReturnCheck:
    """Check a return against its indicators.

    ``complete`` is for submission: required values must be there and the rules between
    fields apply. A draft (``complete=False``) checks only the values given.
    ``history`` holds the home's earlier returns' values, most recent month first.
    """
    indicators = list(indicators)
    known = {i.key for i in indicators}
    check = ReturnCheck()
    for key in raw_values:
        if key not in known:
            check.errors[key] = f"“{key}” is not a question in this version of the return"
    _convert(indicators, raw_values, complete=complete, check=check)
    if complete:
        _cross_checks(check.cleaned, check)
        _soft_checks(indicators, check.cleaned, history or [], check)
    return check


def to_json(values: dict) -> dict:
    """Cleaned values as JSON: whole numbers stay whole, decimals become numbers."""
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in values.items()}
