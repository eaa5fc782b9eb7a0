"""Code lists used by the ambulance and hospital feeds, with their labels.

Each list is a ``TextChoices`` so the models that arrive with ingestion can use it as
``choices``; ``lookup`` maps the spellings partner systems send to the stored value.
"""

import functools
import re

from django.db import models


class FeedKind(models.TextChoices):
    AMBULANCE = "ambulance", "Ambulance incidents"
    HOSPITAL = "hospital", "Hospital activity"


class ResponseCategory(models.TextChoices):
    C1 = "C1", "Category 1: life-threatening"
    C2 = "C2", "Category 2: emergency"
    C3 = "C3", "Category 3: urgent"
    C4 = "C4", "Category 4: less urgent"


class Outcome(models.TextChoices):
    HEAR_AND_TREAT = "hear_and_treat", "Hear and treat"
    SEE_AND_TREAT = "see_and_treat", "See and treat"
    SEE_AND_CONVEY = "see_and_convey", "See and convey"


class HospitalKind(models.TextChoices):
    AE_ATTENDANCE = "ae_attendance", "A&E attendance"
    ADMISSION = "admission", "Admission"


class AdmissionGroup(models.TextChoices):
    EMERGENCY = "emergency", "Emergency"
    ELECTIVE = "elective", "Elective"
    OTHER = "other", "Other"


# NHS Data Dictionary "admission method" codes. Emergency and elective as DOMAIN.md;
# every other valid code counts as "other" (maternity, transfers, births...).
ADMISSION_METHODS: dict[str, tuple[str, str]] = {
    "11": (AdmissionGroup.ELECTIVE, "Elective: waiting list"),
    "12": (AdmissionGroup.ELECTIVE, "Elective: booked"),
    "13": (AdmissionGroup.ELECTIVE, "Elective: planned"),
    "21": (AdmissionGroup.EMERGENCY, "Emergency: via A&E"),
    "22": (AdmissionGroup.EMERGENCY, "Emergency: via general practitioner"),
    "23": (AdmissionGroup.EMERGENCY, "Emergency: via bed bureau"),
    "24": (AdmissionGroup.EMERGENCY, "Emergency: via consultant clinic"),
    "25": (AdmissionGroup.EMERGENCY, "Emergency: via mental health crisis team"),
    "2A": (AdmissionGroup.EMERGENCY, "Emergency: via A&E of another provider"),
    "2B": (AdmissionGroup.EMERGENCY, "Emergency: transfer from another provider"),
    "2D": (AdmissionGroup.EMERGENCY, "Emergency: other"),
    "28": (AdmissionGroup.EMERGENCY, "Emergency: other means"),
    "2C": (AdmissionGroup.OTHER, "Baby born at home as intended"),
    "31": (AdmissionGroup.OTHER, "Maternity: ante partum"),
    "32": (AdmissionGroup.OTHER, "Maternity: post partum"),
    "81": (AdmissionGroup.OTHER, "Transfer from another provider (not emergency)"),
    "82": (AdmissionGroup.OTHER, "Birth in this provider"),
    "83": (AdmissionGroup.OTHER, "Birth outside this provider"),
    "98": (AdmissionGroup.OTHER, "Not applicable"),
    "99": (AdmissionGroup.OTHER, "Not known"),
}


def admission_group(method: str) -> str:
    """The group (emergency, elective, other) of a known admission method code."""
    return ADMISSION_METHODS[method.strip().upper()][0]


def is_emergency(method: str | None) -> bool:
    """Whether an admission method code is an emergency admission (21–25, 2A, 2B, 2D, 28)."""
    entry = ADMISSION_METHODS.get((method or "").strip().upper())
    return entry is not None and entry[0] == AdmissionGroup.EMERGENCY


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).casefold().replace("&", "and"))


# Spellings partner systems send, after _key(): lower case, "&" as "and", no spaces.
_SPELLINGS: dict[type[models.TextChoices], dict[str, str]] = {
    ResponseCategory: {
        **{f"{prefix}{n}": f"C{n}" for n in range(1, 5) for prefix in ("c", "cat", "category", "")},
    },
    Outcome: {
        "hearandtreat": Outcome.HEAR_AND_TREAT, "ht": Outcome.HEAR_AND_TREAT,
        "hat": Outcome.HEAR_AND_TREAT, "handt": Outcome.HEAR_AND_TREAT, "seeandtreat": Outcome.SEE_AND_TREAT,
        "st": Outcome.SEE_AND_TREAT, "sat": Outcome.SEE_AND_TREAT, "sandt": Outcome.SEE_AND_TREAT,
        "seetreatandrefer": Outcome.SEE_AND_TREAT, "seeandconvey": Outcome.SEE_AND_CONVEY,
        "sc": Outcome.SEE_AND_CONVEY, "sac": Outcome.SEE_AND_CONVEY, "sandc": Outcome.SEE_AND_CONVEY,
        "conveyed": Outcome.SEE_AND_CONVEY,
    },
    HospitalKind: {
        "aeattendance": HospitalKind.AE_ATTENDANCE, "ae": HospitalKind.AE_ATTENDANCE,
        "aande": HospitalKind.AE_ATTENDANCE, "aandeattendance": HospitalKind.AE_ATTENDANCE,
        "attendance": HospitalKind.AE_ATTENDANCE, "ed": HospitalKind.AE_ATTENDANCE,
        "ecds": HospitalKind.AE_ATTENDANCE, "admission": HospitalKind.ADMISSION,
        "apc": HospitalKind.ADMISSION, "admitted": HospitalKind.ADMISSION,
        "admittedpatientcare": HospitalKind.ADMISSION,
    },
}


@functools.cache
def _spellings(choices: type[models.TextChoices]) -> dict[str, str]:
    found = {_key(spelling): choice.value for choice in choices for spelling in (choice.value, choice.label)}
    return {**_SPELLINGS.get(choices, {}), **found}


def lookup(choices: type[models.TextChoices], text: str) -> str | None:
    """The stored value for a label, value or accepted abbreviation, or None if unknown."""
    return _spellings(choices).get(_key(text))


# Falls. AMPDS protocol 17 is "Falls"; its determinant codes start with 17 (17A01,
# 17-D-3, "17 - Falls"). Trusts on NHS Pathways send text instead, so a complaint
# that names a fall ("Fall", "Falls", "fallen", "Fall - injury") also counts.
_AMPDS_FALLS = re.compile(r"^\s*17(?![0-9])")
_FALL_WORD = re.compile(r"\bfall(s|en|ing)?\b", re.IGNORECASE)


def is_fall(chief_complaint: str | None) -> bool:
    """Whether a chief complaint is a fall: AMPDS protocol 17, or text naming a fall."""
    text = chief_complaint or ""
    return bool(_AMPDS_FALLS.match(text) or _FALL_WORD.search(text))
