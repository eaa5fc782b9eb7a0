"""Validating ambulance and hospital feeds: columns, rules across columns, refusals."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carehomes.importers.tables import Table, read_table
from jig.feeds.codes import is_emergency, is_fall
from jig.feeds.formats import AMBULANCE, FORMATS, HEADER_MARKER, HOSPITAL, parse_feed, parse_records

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "feeds"
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=LONDON)

AMBULANCE_ROW = {
    "Source record ID": "AMB-1", "Call date-time": "14/03/2026 09:41", "CQC location ID": "1-123039495",
    "Care home name": "Rosewood House", "Response category": "C2", "Chief complaint": "17-D-3 Falls",
    "Outcome": "See and convey", "Conveyed-to site code": "RRK02", "Person token": "psd-7Qk2xR9mL4vA",
}
HOSPITAL_ROW = {
    "Source record ID": "HOS-1", "Kind": "Admission", "Arrival date-time": "14/03/2026 10:32",
    "Admission method": "21", "Discharge date": "18/03/2026", "Primary diagnosis": "S72.0",
    "Discharge destination": "Care home", "CQC location ID": "1-123039495",
    "Person token": "psd-Hc81LmZq04Tp",
}
BASE = {"ambulance": AMBULANCE_ROW, "hospital": HOSPITAL_ROW}


def table(header, *rows) -> Table:
    return Table(header=list(header), header_row=1, rows=iter(enumerate((list(r) for r in rows), start=2)))


def parse(kind, *changes, **kwargs):
    """Parse rows built from the kind's valid row with each dict of changes applied."""
    rows = [{**BASE[kind], **change} for change in (changes or ({},))]
    header = list(dict.fromkeys(k for row in rows for k in row))
    return parse_feed(kind, table(header, *([row.get(h, "") for h in header] for row in rows)), now=NOW)


def only_problem(result):
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def as_dict(result, kind):
    return [dict(zip(FORMATS[kind].output_columns, row, strict=True)) for row in result.rows]


def first(kind, change):
    """The first row's output, by field name, after parsing the valid row with ``change``."""
    result = parse(kind, change)
    assert result.ok, result.problems
    return as_dict(result, kind)[0]


# --- Fixtures and headers ----------------------------------------------------------

@pytest.mark.parametrize(("kind", "filename", "count"), [
    ("ambulance", "ambulance-example.csv", 4), ("hospital", "hospital-example.csv", 4)])
def test_example_files_parse_cleanly(kind, filename, count):
    content = (FIXTURES / filename).read_bytes()
    result = parse_feed(kind, read_table(filename, content, HEADER_MARKER), now=NOW)
    assert result.ok, result.problems
    assert (result.warnings, len(result.rows)) == ([], count)
    assert all(len(row) == len(FORMATS[kind].output_columns) for row in result.rows)


def test_example_files_are_the_ones_in_the_docs():
    docs = (FIXTURES.parents[1] / "docs" / "feeds.md").read_text()
    for name in ("ambulance-example.csv", "hospital-example.csv"):
        assert (FIXTURES / name).read_text().strip() in docs


def test_headers_match_ignoring_case_spacing_and_punctuation():
    row = {k.upper().replace(" ", "_").replace("-", " "): v for k, v in AMBULANCE_ROW.items()}
    header = ["  source   record id ", *list(row)[1:]]
    result = parse_feed("ambulance", table(header, list(row.values())), now=NOW)
    assert result.ok, result.problems
    assert as_dict(result, "ambulance")[0]["called_at"] == dt.datetime(2026, 3, 14, 9, 41, tzinfo=LONDON)


def test_aliases_are_accepted():
    row = {("Incident ID" if k == "Source record ID" else k): v for k, v in AMBULANCE_ROW.items()}
    assert parse_feed("ambulance", table(row, row.values()), now=NOW).ok


def test_unknown_harmless_column_is_ignored_with_a_warning():
    result = parse("ambulance", {"Crew notes": "ok"})
    assert result.ok
    assert result.warnings == [
        "Column “Crew notes” is not part of the ambulance feed format; it was ignored."]


def test_missing_required_column_is_reported_on_the_header_row():
    row = {k: v for k, v in AMBULANCE_ROW.items() if k != "Outcome"}
    problem = parse_feed("ambulance", table(row, row.values()), now=NOW).problems[0]
    assert (problem.row, problem.column, problem.message) == (
        1, "Outcome", "column is missing from the header row")


def test_no_care_home_column_is_reported():
    row = {k: v for k, v in AMBULANCE_ROW.items() if k not in ("CQC location ID", "Care home name")}
    result = parse_feed("ambulance", table(row, row.values()), now=NOW)
    assert "CQC location ID" in [p.column for p in result.problems if p.row == 1]


def test_column_twice_is_an_error():
    header = [*AMBULANCE_ROW, "Outcome"]
    result = parse_feed("ambulance", table(header, [*AMBULANCE_ROW.values(), "See and treat"]), now=NOW)
    assert "appears twice" in only_problem(result).message


# --- Each column --------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "column", "value", "why"), [
    ("ambulance", "Source record ID", "AMB 1", "is not a record ID"),
    ("ambulance", "Source record ID", "", "is blank; it is required"),
    ("ambulance", "Call date-time", "31/02/2026 09:00", "is not a date-time"),
    ("ambulance", "Call date-time", "14/03/2026", "is a date without a time"),
    ("ambulance", "Call date-time", "1999-12-31T23:00", "is before 01/01/2000"),
    ("ambulance", "Call date-time", "2026-11-02T12:00", "is in the future"),
    ("ambulance", "CQC location ID", "123039495", "is not a CQC location ID"),
    ("ambulance", "Response category", "C5", "is not a response category: C1, C2, C3 or C4"),
    ("ambulance", "Chief complaint", "x" * 201, "is longer than 200 characters"),
    ("ambulance", "Outcome", "Taken in", "is not an outcome"),
    ("ambulance", "Conveyed-to site code", "RR K02", "is not an ODS code"),
    ("ambulance", "Person token", "abc", "is not a pseudonymised token"),
    ("ambulance", "Person token", "12345678", "is all digits"),
    ("hospital", "Kind", "Outpatient", "is not a kind: A&E attendance or admission"),
    ("hospital", "Arrival date-time", "yesterday", "is not a date-time"),
    ("hospital", "Admission method", "27", "is not an NHS admission method code"),
    ("hospital", "Discharge date", "18/13/2026", "is not a date"),
    ("hospital", "Primary diagnosis", "Fractured hip", "is not an ICD-10 code"),
    ("hospital", "Primary diagnosis", "572.0", "is not an ICD-10 code"),
    ("hospital", "Discharge destination", "x" * 101, "is longer than 100 characters"),
    ("hospital", "Care home postcode", "SM1", "is not a full UK postcode"),
])
def test_each_bad_value_is_reported_by_row_column_and_why(kind, column, value, why):
    result = parse(kind, {column: value})
    problem = only_problem(result)
    assert (problem.row, problem.column, problem.value) == (2, column, value)
    assert problem.message.startswith(why)
    assert result.rows == [] and not result.ok and not result.refused


@pytest.mark.parametrize(("value", "stored"), [
    ("S72.0", "S72.0"), ("s720", "S72.0"), ("I10X", "I10"), ("R69X", "R69"), ("M47.86", "M47.86")])
def test_icd10_codes_are_stored_with_the_dot(value, stored):
    assert first("hospital", {"Primary diagnosis": value})["primary_diagnosis"] == stored


@pytest.mark.parametrize(("value", "stored"), [("Cat 1", "C1"), ("c3", "C3"), ("4", "C4")])
def test_response_category_spellings(value, stored):
    assert first("ambulance", {"Response category": value})["response_category"] == stored


@pytest.mark.parametrize(("value", "stored"), [
    ("hear and treat", "hear_and_treat"), ("S&T", "see_and_treat"), ("see_and_convey", "see_and_convey")])
def test_outcome_spellings(value, stored):
    site = "RRK02" if stored == "see_and_convey" else ""
    result = parse("ambulance", {"Outcome": value, "Conveyed-to site code": site})
    assert as_dict(result, "ambulance")[0]["outcome"] == stored


def test_postcode_is_tidied_and_needs_the_home_name():
    change = {"CQC location ID": "", "Care home postcode": "sm11ea", "Care home name": "Oak Lodge"}
    assert first("hospital", change)["home_postcode"] == "SM1 1EA"
    problem = only_problem(parse("hospital", {"CQC location ID": "", "Care home postcode": "SM1 1EA"}))
    assert (problem.column, problem.message) == (
        "Care home name", "is blank; a care home postcode needs the home's name too")


def test_a_row_without_any_home_identifier_is_an_error():
    problem = only_problem(parse("ambulance", {"CQC location ID": "", "Care home ODS code": "x"}))
    assert problem.column == "Care home ODS code"  # a bad identifier is reported, not "no identifier"
    problem = only_problem(parse("ambulance", {"CQC location ID": ""}))
    assert (problem.column, problem.value) == ("CQC location ID", "")
    assert "give at least one way to identify the care home" in problem.message


def test_see_and_convey_needs_a_site_and_others_must_not_have_one():
    problem = only_problem(parse("ambulance", {"Conveyed-to site code": ""}))
    assert (problem.column, problem.message) == (
        "Conveyed-to site code", "is blank; it is required when the outcome is see and convey")
    problem = only_problem(parse("ambulance", {"Outcome": "Hear and treat"}))
    assert "the outcome is hear and treat" in problem.message


def test_admission_method_required_for_admissions_and_blank_for_ae():
    problem = only_problem(parse("hospital", {"Admission method": ""}))
    assert (problem.column, problem.message) == (
        "Admission method", "is blank; it is required for an admission")
    problem = only_problem(parse("hospital", {"Kind": "A&E attendance"}))
    assert problem.message.startswith("is given for an A&E attendance")


def test_duplicate_source_record_ids_are_errors():
    result = parse("ambulance", {}, {"Source record ID": "AMB-2"}, {})
    problem = only_problem(result)
    assert (problem.row, problem.column, problem.value, problem.message) == (
        4, "Source record ID", "AMB-1", "appears twice: also on row 2")


def test_blank_rows_are_skipped():
    result = parse_feed("ambulance", table(AMBULANCE_ROW, AMBULANCE_ROW.values(), ["", " "]), now=NOW)
    assert result.ok and result.rows_read == 1


# --- Derived values -----------------------------------------------------------------

@pytest.mark.parametrize(("arrival", "discharge", "bed_days"), [
    ("14/03/2026 10:32", "18/03/2026", 4), ("14/03/2026 23:59", "14/03/2026", 0),
    ("2026-03-14", "2026-03-15", 1), ("14/03/2026 10:32", "", None),
    ("2026-03-28T23:30", "2026-03-30T08:00", 2),
])
def test_bed_days_are_whole_days_from_admission_to_discharge(arrival, discharge, bed_days):
    result = parse("hospital", {"Arrival date-time": arrival, "Discharge date": discharge})
    assert as_dict(result, "hospital")[0]["bed_days"] == bed_days


def test_ae_attendances_have_no_bed_days():
    result = parse("hospital", {"Kind": "A&E", "Admission method": ""})
    assert as_dict(result, "hospital")[0]["bed_days"] is None


def test_discharge_before_admission_is_an_error():
    problem = only_problem(parse("hospital", {"Discharge date": "13/03/2026"}))
    assert (problem.row, problem.column, problem.value) == (2, "Discharge date", "13/03/2026")
    assert problem.message == "is before the arrival date (14/03/2026)"


@pytest.mark.parametrize(("method", "emergency"), [
    *[(m, True) for m in ("21", "22", "23", "24", "25", "2A", "2B", "2D", "28", "2a")],
    *[(m, False) for m in ("11", "12", "13", "31", "32", "81", "82", "83", "2C", "99", "", None, "27")],
])
def test_emergency_admission_methods(method, emergency):
    assert is_emergency(method) is emergency


def test_emergency_flag_is_stored_for_admissions():
    rows = as_dict(parse("hospital", {}, {"Source record ID": "HOS-2", "Admission method": "12"}), "hospital")
    assert [r["is_emergency"] for r in rows] == [True, False]


@pytest.mark.parametrize(("complaint", "fall"), [
    ("17-D-3 Falls", True), ("17A01", True), ("Fall - no injury", True), ("fallen in lounge", True),
    ("Falls", True), ("09-E-1 Cardiac arrest", False), ("Breathing problems", False), ("171", False),
])
def test_falls_are_protocol_17_or_text_naming_a_fall(complaint, fall):
    assert is_fall(complaint) is fall
    assert as_dict(parse("ambulance", {"Chief complaint": complaint}), "ambulance")[0]["is_fall"] is fall


# --- Time zones ---------------------------------------------------------------------

def called_at(value):
    result = parse("ambulance", {"Call date-time": value})
    return as_dict(result, "ambulance")[0]["called_at"] if result.ok else only_problem(result)


def test_winter_times_are_gmt_and_summer_times_bst():
    assert called_at("14/03/2026 09:41").utcoffset() == dt.timedelta(0)
    assert called_at("2026-06-01 09:41").utcoffset() == dt.timedelta(hours=1)


def test_a_time_that_never_happened_when_clocks_went_forward_is_refused():
    problem = called_at("29/03/2026 01:30")
    assert (problem.column, problem.value) == ("Call date-time", "29/03/2026 01:30")
    assert problem.message.startswith("does not exist in UK time")


def test_either_side_of_the_spring_change_is_accepted():
    assert called_at("2026-03-29 00:59").astimezone(dt.UTC).hour == 0
    assert called_at("2026-03-29 02:00").astimezone(dt.UTC).hour == 1


def test_the_repeated_autumn_hour_is_taken_as_the_first_bst():
    value = called_at("25/10/2026 01:30")
    assert value.utcoffset() == dt.timedelta(hours=1)
    assert value.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)


def test_explicit_offsets_are_kept_and_shown_in_london_time():
    value = called_at("2026-03-29T01:30:00Z")
    assert value.tzinfo == LONDON
    assert (value.hour, value.utcoffset()) == (2, dt.timedelta(hours=1))


def test_xlsx_datetimes_are_london_times():
    row = {**AMBULANCE_ROW, "Call date-time": dt.datetime(2026, 7, 1, 9, 0)}
    result = parse_feed("ambulance", table(row, row.values()), now=NOW)
    assert as_dict(result, "ambulance")[0]["called_at"].utcoffset() == dt.timedelta(hours=1)


# --- Identifiable data ---------------------------------------------------------------

@pytest.mark.parametrize("column", ["Chief complaint", "Source record ID", "Care home name", "Notes"])
def test_one_valid_nhs_number_anywhere_refuses_the_whole_file(column):
    result = parse("ambulance", {}, {"Source record ID": "AMB-2", column: "NHS 999 000 0018"}, {
        "Source record ID": "AMB-3"})
    assert result.refused and not result.ok
    assert result.rows == []
    problem = only_problem(result)
    assert (problem.row, problem.column, problem.value) == (3, column, "(withheld)")
    assert "valid NHS number" in problem.message


def test_an_invalid_nhs_number_shape_is_not_a_refusal():
    result = parse("ambulance", {"Chief complaint": "ref 9990000019"})
    assert result.ok


@pytest.mark.parametrize(("header", "why"), [
    ("NHS number", "NHS number"), ("Patient postcode", "postcode"), ("Surname", "name"),
    ("Date of birth", "date of birth")])
def test_an_identifiable_header_refuses_the_file_without_reading_rows(header, why):
    result = parse("ambulance", {header: "anything"})
    assert result.refused and result.rows == [] and result.rows_read == 0
    problem = only_problem(result)
    assert (problem.row, problem.column) == (1, header)
    assert why in problem.message


def test_person_token_that_looks_like_a_date_of_birth_is_refused():
    result = parse("ambulance", {"Person token": "01/02/1940"})
    assert result.refused
    problem = only_problem(result)
    assert (problem.column, problem.value) == ("Person token", "(withheld)")
    assert "date of birth" in problem.message


def test_person_token_that_is_an_nhs_number_is_refused():
    result = parse("hospital", {"Person token": "9990000026"})
    assert result.refused and "NHS number" in only_problem(result).message


# --- API batches --------------------------------------------------------------------

def test_records_go_through_the_same_validation():
    fields = {c.field: AMBULANCE_ROW[c.name] for c in AMBULANCE.columns if c.name in AMBULANCE_ROW}
    records = [fields, {**fields, "source_record_id": "AMB-2", "response_category": "C9"}]
    result = parse_records("ambulance", records, now=NOW)
    problem = only_problem(result)
    assert (problem.row, problem.column, problem.value) == (2, "Response category", "C9")
    assert [r[0] for r in result.rows] == [1]


def test_records_missing_a_field_or_not_objects():
    record = {k: v for k, v in HOSPITAL_ROW.items() if k != "Kind"}
    result = parse_records("hospital", [record, "oops"], now=NOW)
    assert {(p.row, p.column) for p in result.problems} == {(0, "Kind"), (2, "")}


def test_records_with_null_and_numbers():
    record = {**HOSPITAL_ROW, "Admission method": 21, "Primary diagnosis": None}
    result = parse_records("hospital", [record], now=NOW)
    assert result.ok, result.problems
    assert as_dict(result, "hospital")[0]["admission_method"] == "21"


def test_formats_list_their_output_columns_in_a_fixed_order():
    assert AMBULANCE.output_columns[:3] == ("row", "source_record_id", "called_at")
    assert HOSPITAL.output_columns[-2:] == ("is_emergency", "bed_days")
