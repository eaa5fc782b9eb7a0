"""The NHS number check and the rules that spot identifiable columns and values."""

import pytest

from jig.feeds.identifiable import (
    find_nhs_numbers,
    header_reason,
    looks_like_date,
    nhs_number_is_valid,
    person_token_reason,
    value_reason,
)


def with_check_digit(first_nine: str) -> str | None:
    """The whole NHS number for nine digits, or None when the remainder makes it invalid."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:
        return None
    return first_nine + str(0 if check == 11 else check)


# Worked by hand (weights 10..2; 999 000 00 contributes 90 + 81 + 72 = 243):
#   999 000 001 -> 243 + 1×2 = 245, 245 mod 11 = 3, 11 − 3 = 8  -> 999 000 0018
#   999 000 002 -> 243 + 2×2 = 247, 247 mod 11 = 5, 11 − 5 = 6  -> 999 000 0026
#   999 000 005 -> 243 + 5×2 = 253, 253 mod 11 = 0, 11 → 0      -> 999 000 0050
#   999 000 000 -> 243, 243 mod 11 = 1, 11 − 1 = 10: no valid number (999 000 0000–0009)
HAND_COMPUTED = ["9990000018", "9990000026", "9990000050"]


@pytest.mark.parametrize("number", HAND_COMPUTED)
def test_hand_computed_test_range_numbers_are_valid(number):
    assert nhs_number_is_valid(number)
    assert with_check_digit(number[:9]) == number


def test_helper_agrees_with_the_check_across_a_slice_of_the_test_range():
    checked = 0
    for n in range(999_000_000, 999_000_400):
        number = with_check_digit(str(n))
        for last in "0123456789":
            candidate = f"{n}{last}"
            assert nhs_number_is_valid(candidate) is (candidate == number), candidate
        checked += number is not None
    assert checked > 300  # about one in eleven prefixes has no valid number


def test_a_real_format_example_passes():
    assert nhs_number_is_valid("9434765919")


@pytest.mark.parametrize("number", ["9990000019", "9990000017", "9434765918"])
def test_wrong_check_digit_is_invalid(number):
    assert not nhs_number_is_valid(number)


@pytest.mark.parametrize("last", "0123456789")
def test_remainder_ten_has_no_valid_check_digit(last):
    assert not nhs_number_is_valid(f"999000000{last}")
    assert not find_nhs_numbers(f"999 000 000{last}")


@pytest.mark.parametrize("text", ["999 000 0018", "999-000-0018", " 9990000018 "])
def test_spaced_and_dashed_layouts_are_valid(text):
    assert nhs_number_is_valid(text)


@pytest.mark.parametrize("text", ["999000001", "99900000180", "999 000-0018", "9990 000 018",
                                  "abc", "", "999 000 001 8"])
def test_other_lengths_and_layouts_are_not_nhs_numbers(text):
    assert not nhs_number_is_valid(text)
    assert not find_nhs_numbers(text)


@pytest.mark.parametrize(("text", "found"), [
    ("NHS 943 476 5919", ["943 476 5919"]),
    ("pt 9990000018 found on floor", ["9990000018"]),
    ("nhs no:999-000-0026.", ["999-000-0026"]),
    ("ids 9990000018 and 9990000050", ["9990000018", "9990000050"]),
    ("9990000018 01/02/1940", ["9990000018"]),
])
def test_numbers_embedded_in_free_text_are_found(text, found):
    assert find_nhs_numbers(text) == found


@pytest.mark.parametrize("text", ["99990000018", "1-9990000018", "AMB-2026-000123", "2026-03-29T01:30",
                                  "tel 01632 960 123"])
def test_longer_runs_cqc_ids_and_dates_are_not_nhs_numbers(text):
    assert find_nhs_numbers(text) == []


@pytest.mark.parametrize(("header", "reason"), [
    ("NHS number", "NHS number"), ("nhs_no", "NHS number"), ("NHS No.", "NHS number"),
    ("Surname", "name"), ("Forename", "name"), ("Patient name", "name"), ("Name", "name"),
    ("Date of birth", "date of birth"), ("DOB", "date of birth"), ("Birth date", "date of birth"),
    ("Patient postcode", "postcode"), ("Postcode", "postcode"), ("Home postcode", "postcode"),
    ("Patient home postcode", "postcode"), ("Address line 1", "address"),
    ("Hospital number", "local patient identifier"), ("MRN", "local patient identifier"),
    ("Telephone", "contact detail"),
])
def test_identifiable_headers_are_refused_with_the_reason(header, reason):
    assert reason in header_reason(header)


@pytest.mark.parametrize("header", ["Care home postcode", "Location postcode", "Care home name",
                                    "Site name", "Hospital name", "Notes", "Ethnicity", "Age band"])
def test_place_and_harmless_headers_are_allowed(header):
    assert header_reason(header) is None


@pytest.mark.parametrize("value", ["01/02/1940", "1940-02-01", "1 Feb 1940", "19400201", "x 3-2-40"])
def test_dates_are_spotted(value):
    assert looks_like_date(value)


@pytest.mark.parametrize("value", ["psd-7Qk2xR9mL4vA", "123e4567-e89b-12d3-a456-426614174000",
                                   "19401301", "a1b2c3d4"])
def test_tokens_are_not_dates(value):
    assert not looks_like_date(value)


def test_person_token_that_is_a_date_of_birth_is_refused():
    assert "date of birth" in person_token_reason("01/02/1940")
    assert "NHS number" in person_token_reason("9990000018")
    assert person_token_reason("psd-7Qk2xR9mL4vA") is None


@pytest.mark.parametrize(("value", "reason"), [
    ("fell, DOB 01/02/1940", "date of birth"), ("born 1 Feb 1940", "date of birth"),
    ("Mrs Smith fell", "name"), ("NHS 943 476 5919", "NHS number"),
])
def test_identifiable_values_in_free_text(value, reason):
    assert reason in value_reason(value)


@pytest.mark.parametrize("value", ["Seen by Dr", "17-D-3 Falls", "Care home", "1-123039495", "", "C2"])
def test_ordinary_values_pass(value):
    assert value_reason(value) is None


def test_the_row_check_never_misses_what_the_cell_check_refuses():
    """``might_identify`` on a joined row is a shortcut: wherever ``value_reason`` refuses a
    cell, the row holding it must be flagged, whatever its neighbours."""
    import random

    from jig.feeds.identifiable import CELL_SEPARATOR, might_identify, value_reason

    rng = random.Random(4)
    pieces = ["9434765919", "943 476 5919", "943-476-5919", "DOB 01/02/1940", "born 1 Feb 40",
              "Mrs Smith", "Mr. Jones", "1-123039495", "1-9434765919", "AMB-2026-000123", "17-D-3 Falls",
              "C2", "psd-7Qk2xR9mL4vA", "2026-03-14T09:41", " ", "-", "x", "9", "Dr"]
    refused = 0
    for _ in range(5000):
        cells = ["".join(rng.choices(pieces, k=rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        if any(value_reason(cell) for cell in cells):
            refused += 1
            assert might_identify(CELL_SEPARATOR.join(cells)), cells
    assert refused > 1000  # the check was exercised
