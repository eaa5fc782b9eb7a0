"""Building feed files and records for tests."""

import csv
import io

AMBULANCE_HEADER = ["Source record ID", "Call date-time", "CQC location ID", "Care home ODS code",
                    "Care home postcode", "Care home name", "Response category", "Chief complaint",
                    "Outcome", "Conveyed-to site code", "Person token"]
HOSPITAL_HEADER = ["Source record ID", "Kind", "Arrival date-time", "Admission method", "Discharge date",
                   "Primary diagnosis", "Discharge destination", "CQC location ID", "Care home ODS code",
                   "Care home postcode", "Care home name", "Person token"]


def ambulance_row(record_id: str, home=None, *, called="14/03/2026 09:41", cqc=None, ods="", postcode="",
                  name="", category="C2", complaint="17-D-3 Falls", outcome="See and convey",
                  site="RRK02", token="psd-7Qk2xR9mL4vA") -> list[str]:
    cqc = home.cqc_location_id if cqc is None and home is not None else (cqc or "")
    if outcome != "See and convey":
        site = ""
    return [record_id, called, cqc, ods, postcode, name, category, complaint, outcome, site, token]


def hospital_row(record_id: str, home=None, *, kind="Admission", arrived="14/03/2026 10:32", method="21",
                 discharged="18/03/2026", diagnosis="S72.0", destination="Care home", cqc=None,
                 token="psd-7Qk2xR9mL4vA") -> list[str]:
    cqc = home.cqc_location_id if cqc is None and home is not None else (cqc or "")
    if kind != "Admission":
        method = ""
    return [record_id, kind, arrived, method, discharged, diagnosis, destination, cqc, "", "", "", token]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def ambulance_csv(rows: list[list[str]]) -> bytes:
    return csv_bytes(AMBULANCE_HEADER, rows)


def hospital_csv(rows: list[list[str]]) -> bytes:
    return csv_bytes(HOSPITAL_HEADER, rows)
