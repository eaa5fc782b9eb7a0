"""Reading one value of a feed: date-times in London time, codes, ICD-10, postcodes, tokens.

Each parser takes a non-blank cell (text, or a date from an XLSX) and returns the value to
store, or raises ``Invalid`` with why it cannot be read.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

from .codes import (
    ADMISSION_METHODS,
    lookup,
)

# --- Reading one value ---------------------------------------------------------------
# Each parser takes a non-blank cell (text, or a date from an XLSX) and returns the
# value to store, or raises Invalid with why it cannot be read.

LONDON = ZoneInfo("Europe/London")
CQC_LOCATION_ID_PATTERN = r"^1-\d{9,11}$"  # as carehomes.models
POSTCODE_PATTERN = r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"  # as carehomes.models
_UK_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_HAS_TIME = re.compile(r"\d[T ]\d{1,2}:?\d{2}")
DATETIME_HINT = "use DD/MM/YYYY HH:MM or ISO 8601 like 2026-03-14T09:41"


class Invalid(ValueError):
    """A cell's value cannot be read; the message says why."""


def parse_text(max_length: int = 200) -> Callable[[object], str]:
    def parse(value) -> str:
        value = " ".join(str(value).split())  # runs of white space become one space
        if len(value) > max_length:
            raise Invalid(f"is longer than {max_length} characters")
        return value
    return parse


def parse_pattern(pattern: str, hint: str, *, upper=True) -> Callable[[object], str]:
    matches = re.compile(pattern).fullmatch

    def parse(value) -> str:
        value = str(value).upper() if upper else str(value)
        if not matches(value):
            raise Invalid(f"is not {hint}")
        return value
    return parse


def localise(naive: dt.datetime) -> dt.datetime:
    """A wall-clock time in London. In the autumn hour that happens twice the first (BST)
    is taken; a spring-forward time that never happened is refused, not shifted."""
    local = naive.replace(tzinfo=LONDON, fold=0)
    if local.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
        raise Invalid("does not exist in UK time: the clocks went forward an hour that night. "
                      "Send the time with its UTC offset, like 2026-03-29T01:30:00+00:00")
    return local


def parse_datetime(value, *, date_alone: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(LONDON) if value.tzinfo else localise(value)
    if isinstance(value, dt.date):
        if not date_alone:
            raise Invalid(f"is a date without a time; {DATETIME_HINT}")
        return localise(dt.datetime.combine(value, dt.time()))
    text = str(value).strip()
    try:
        if match := _UK_DATETIME.fullmatch(text):
            day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
            parsed, timed = dt.datetime(year, month, day, hour, minute, second), match[4] is not None
        else:
            parsed, timed = dt.datetime.fromisoformat(text), bool(_HAS_TIME.search(text))
    except ValueError:
        raise Invalid(f"is not a date-time; {DATETIME_HINT}") from None
    if not timed and not date_alone:
        raise Invalid(f"is a date without a time; {DATETIME_HINT}")
    return parsed.astimezone(LONDON) if parsed.tzinfo else localise(parsed)


def parse_date(value) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return parse_datetime(value, date_alone=True).date()
    except Invalid:
        raise Invalid("is not a date; use DD/MM/YYYY or YYYY-MM-DD") from None


def parse_code(choices, hint: str) -> Callable[[object], str]:
    def parse(value) -> str:
        code = lookup(choices, str(value))
        if code is None:
            raise Invalid(f"is not {hint}")
        return code
    return parse


def parse_admission_method(value) -> str:
    code = str(value).strip().upper()
    code = code.zfill(2) if code.isdigit() else code
    if code not in ADMISSION_METHODS:
        raise Invalid("is not an NHS admission method code (like 21 emergency via A&E or 11 elective)")
    return code


def parse_icd10(value) -> str:
    code = re.sub(r"[\s.†*+]", "", str(value).upper())
    match = re.fullmatch(r"([A-Z]\d{2})([0-9X][0-9A-Z]{0,2})?", code)
    if not match:
        raise Invalid("is not an ICD-10 code: a letter, two digits, then up to three more "
                      "characters, like S72.0, S720 or I10")
    rest = (match[2] or "").rstrip("X")  # HES pads three-character codes with X: I10X
    return f"{match[1]}.{rest}" if rest else match[1]


def parse_postcode(value) -> str:
    code = re.sub(r"\s+", "", str(value).upper())
    code = f"{code[:-3]} {code[-3:]}" if len(code) > 3 else code
    if not re.fullmatch(POSTCODE_PATTERN, code):
        raise Invalid("is not a full UK postcode, like SM1 1EA")
    return code


def parse_person_token(value) -> str:
    token = str(value)
    if not re.fullmatch(r"[A-Za-z0-9._:/+=-]{8,128}", token):
        raise Invalid("is not a pseudonymised token: 8 to 128 letters, digits or . _ : / + = -")
    if not re.search(r"[A-Za-z]", token):
        raise Invalid("is all digits; a pseudonymised token has letters too (all-digit values "
                      "are how NHS and hospital numbers look)")
    return token


def from_json(value) -> object:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


PARSE_SOURCE_ID = parse_pattern(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}",
                           "a record ID: 1 to 64 letters, digits and . _ : / - without spaces",
                           upper=False)
PARSE_CQC_ID = parse_pattern(CQC_LOCATION_ID_PATTERN, "a CQC location ID (1- then 9 to 11 digits)")
PARSE_ODS = parse_pattern(r"[A-Z0-9]{3,10}", "an ODS code (3 to 10 letters and digits, like RRK02)")
