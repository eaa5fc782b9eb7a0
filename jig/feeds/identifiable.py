"""Refusing identifiable data in feeds: NHS numbers, names, dates of birth, addresses.

Feeds must be pseudonymised at source (docs/feeds.md). Anything that identifies a
person refuses the whole file or batch, with the reason. Reasons never repeat the
identifying value, so a refusal report is safe to store and show.
"""

import datetime as dt
import re

WITHHELD = "(withheld)"

# --- NHS numbers ---------------------------------------------------------------------

# Ten digits, or 3-3-4 with one kind of separator (space or dash), not part of a
# longer run of digits. Other groupings ("2026-000123") are not matched: record IDs
# of that shape are common and are not how NHS numbers are written.
_NHS_NUMBER = re.compile(r"(?<!\d)(?:\d{10}|\d{3}([ -])\d{3}\1\d{4})(?!\d)")
# CQC location IDs ("1-" then 9 to 11 digits) are not NHS numbers, even when 10 digits
# follow the dash, so they are blanked out before looking.
_CQC_LOCATION_ID = re.compile(r"(?<![\w-])1-\d{9,11}(?!\d)")


def nhs_number_is_valid(number: str) -> bool:
    """Whether ``number`` is a valid NHS number: 10 digits passing the modulus 11 check.

    Spaces or dashes in the 3-3-4 layout are allowed. Weights 10 down to 2 apply to the
    first nine digits; the check digit is 11 minus the remainder of the sum divided by
    11, where 11 means 0 and 10 means the number is invalid.
    """
    match = _NHS_NUMBER.fullmatch(number.strip())
    if not match:
        return False
    digits = [int(c) for c in match.group() if c.isdigit()]
    total = sum(digit * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:
        return False
    return (0 if check == 11 else check) == digits[9]


def find_nhs_numbers(text: str) -> list[str]:
    """Every valid NHS number written anywhere in ``text`` (e.g. "NHS 943 476 5919")."""
    text = _CQC_LOCATION_ID.sub(" ", str(text))
    return [m.group() for m in _NHS_NUMBER.finditer(text) if nhs_number_is_valid(m.group())]


# --- Dates of birth ----------------------------------------------------------------

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 01/02/1940, 1-2-40
    r"|\d{4}-\d{1,2}-\d{1,2}"                       # 1940-02-01
    rf"|\d{{1,2}}\s*{_MONTHS}\s*\d{{2,4}})"         # 1 Feb 1940, 01FEB40
)
_DATE_ALONE = re.compile(rf"(?<![A-Za-z0-9]){_DATE}(?![A-Za-z0-9])", re.IGNORECASE)
_DATE_LABELLED = re.compile(
    rf"\b(?:dob|d\.o\.b\.?|date of birth|born)\W{{0,3}}{_DATE}", re.IGNORECASE)
_EIGHT_DIGIT_DATE = re.compile(r"(?:19|20)\d{6}")


def looks_like_date(value: str) -> bool:
    """Whether ``value`` holds a calendar date: a person token must never contain one."""
    value = str(value).strip()
    if _DATE_ALONE.search(value):
        return True
    if _EIGHT_DIGIT_DATE.fullmatch(value):
        try:
            dt.datetime.strptime(value, "%Y%m%d")
        except ValueError:
            return False
        return True
    return False


# --- Names ---------------------------------------------------------------------------

# A title followed by a capitalised word ("Mrs Smith"). Clinicians' titles (Dr) are
# left alone: "seen by Dr" is common in free text and says nothing about the patient.
_TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Miss|Ms|Mx)\.?\s+[A-Z][a-z'-]+")


def value_reason(value: str) -> str | None:
    """Why a cell value identifies a person, or None. Checked on every column."""
    text = str(value)
    if not text.strip():
        return None
    if find_nhs_numbers(text):
        return "holds a valid NHS number; send the pseudonymised person token only"
    if _DATE_LABELLED.search(text):
        return "holds a date of birth; dates of birth must not be sent"
    if _TITLED_NAME.search(text):
        return "holds a person's name (a title and a name); names must not be sent"
    return None


# Everything ``value_reason`` looks for, in one pattern (looser: no check digit). Rows are
# checked with it first, cells joined by NUL (neither a digit, a letter, white space nor a
# dash, so each cell's matches stay matches); only a row it finds anything in is checked
# cell by cell. It never misses what ``value_reason`` would find.
_ANYTHING = re.compile(
    f"{_NHS_NUMBER.pattern}|(?i:{_DATE_LABELLED.pattern})|{_TITLED_NAME.pattern}")
CELL_SEPARATOR = "\x00"


def might_identify(text: str) -> bool:
    """Whether ``text`` (one cell, or cells joined by ``CELL_SEPARATOR``) could hold anything
    ``value_reason`` refuses; False means it certainly does not."""
    return bool(_ANYTHING.search(_CQC_LOCATION_ID.sub(" ", text)))


def person_token_reason(value: str) -> str | None:
    """Why a person-token value is not a pseudonym, or None."""
    if looks_like_date(value):
        return "looks like a date of birth, not a pseudonymised token"
    return value_reason(value)


# --- Column headers -----------------------------------------------------------------

def _words(header: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", str(header).casefold()).strip() + " "


# Headers qualified by one of these words describe a place or organisation, not a
# person: "Site name", "Hospital name", "Care home address", "Location postcode".
_PLACE_WORDS = (
    " care home ", " location ", " site ", " hospital ", " trust ", " provider ",
    " organisation ", " organization ", " ward ", " unit ", " station ", " icb ", " ccg ",
    " council ", " practice ", " destination ", " protocol ", " diagnosis ", " file ",
)
# (pattern on the space-padded words, reason). Checked in order; first match wins.
_HEADER_RULES: list[tuple[re.Pattern, str, bool]] = [
    (re.compile(r" nhs ?(number|no|num|id|identifier) "),
     "is an NHS number column; send the pseudonymised person token only", False),
    (re.compile(r" (birth|dob|d o b|birthdate) "),
     "is a date of birth column; dates of birth must not be sent", False),
    (re.compile(r" (mrn|hospital (number|no)|local patient (id|identifier|number)|"
                r"patient (id|identifier|number|no)|case note number) "),
     "is a local patient identifier; send the pseudonymised person token only", False),
    (re.compile(r" (phone|telephone|mobile|email|e mail) "),
     "is a contact detail of a person; contact details must not be sent", False),
    # Postcodes and addresses are allowed only when the header says they are the
    # care home's ("Care home postcode"); "Home postcode" alone may be the patient's.
    (re.compile(r" (post ?code|postal code|zip|address|street|house) "),
     "is an address or postcode that may be the person's; only the care home's may be "
     "sent, in the “Care home postcode” column", True),
    (re.compile(r" (name|names|forename|forenames|surname|initials|first name|given name) "),
     "is a person's name column; names must not be sent", True),
]


def header_reason(header: str) -> str | None:
    """Why a column header (not one of the format's own) names identifiable data, or None."""
    words = _words(header)
    for pattern, reason, place_allowed in _HEADER_RULES:
        if pattern.search(words):
            if place_allowed and " patient " not in words and any(p in words for p in _PLACE_WORDS):
                return None
            return reason
    return None
