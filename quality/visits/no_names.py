"""Keeping people's names out of visit records: who an officer spoke to is kept by role only.

Two checks, both refusing with a reason rather than quietly dropping anything:

* ``refuse_name_fields(data)``: a form or API payload with a field that carries a name
  (``name``, ``first_name``, ``resident_name``, ``surname`` …) is refused whole, so a partner
  system cannot send names the portal would then keep.
* ``validate_no_personal_name(text)``: a role description that looks like a person's name is
  refused: a title followed by a capitalised word ("Mrs Patel", "Dr. Jones"), or any
  capitalised word that is not a word used for roles ("John", "Smith" are refused; "Deputy
  Manager", "Daughter of a resident" and "night care assistant" are accepted).

A heuristic cannot catch every name; it catches the usual slips, and the form says why.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError

NAME_FIELD = re.compile(r"(^|_)(name|names|first_?name|forename|surname|last_?name|full_?name|"
                        r"given_?name|family_?name|initials)($|_)", re.IGNORECASE)
TITLE = re.compile(r"\b(?i:mr|mrs|ms|miss|mx|dr|sister|father|rev|sir|dame|lady|lord)\.?\s+[A-Z]")
CAPITALISED = re.compile(r"\b[A-Z][a-z'’-]+\b")
# Words that start with a capital in role descriptions without being names.
ROLE_WORDS = {
    "activities", "activity", "administrator", "agency", "assistant", "bank", "care", "carer",
    "carers", "chef", "clinical", "co-ordinator", "coordinator", "cook", "day", "deputy", "district",
    "domestic", "family", "friend", "general", "gp", "handyman", "head", "health", "home",
    "housekeeper", "housekeeping", "kitchen", "laundry", "lead", "leader", "maintenance", "manager",
    "member", "mental", "night", "nurse", "nurses", "occupational", "officer", "pharmacist",
    "physiotherapist", "practice", "practitioner", "registered", "relative", "relatives",
    "resident", "residents", "senior", "shift", "social", "speech", "staff", "student", "support",
    "team", "therapist", "unit", "visitor", "visitors", "visiting", "volunteer", "wellbeing",
    "worker", "daughter", "son", "wife", "husband", "partner", "mother", "father", "brother",
    "sister", "niece", "nephew", "grandson", "granddaughter", "grandchild", "neighbour", "advocate",
    "representative", "deputy's", "resident's", "residents'",
    "of", "and", "the", "a", "an", "on", "in", "with", "from", "for", "to",
}


def refuse_name_fields(data: Mapping) -> None:
    """Refuse a payload that has a field for a person's name (see the module docstring)."""
    named = sorted(key for key in data if isinstance(key, str) and NAME_FIELD.search(key))
    if named:
        raise ValidationError({key: "People spoken to are recorded by role only: do not send names."
                               for key in named})


def looks_like_a_name(text: str) -> bool:
    if TITLE.search(text):
        return True
    for word in re.findall(r"\S+", text):
        bare = word.strip(".,;:()\"'")
        if CAPITALISED.fullmatch(bare) and bare.lower() not in ROLE_WORDS:
            return True
    return False


def validate_no_personal_name(text: str) -> None:
    """A model field validator for role descriptions (see the module docstring)."""
    if text and looks_like_a_name(text):
        raise ValidationError(
            "This looks like a person's name. Describe the person by role only, without names or "
            "capitalised words other than roles, such as "
            "\"night care assistant\" or \"daughter of a resident\".", code="personal_name")
