"""Synthetic CQC care directories: deterministic, realistic files for the demo, tests and benchmarks.

The files have the same headers as CQC's ‘care directory with filters’, so they go
through exactly the same import as the real thing.
"""

import csv
import io
import random
from dataclasses import dataclass, field

from .choices import ServiceUserBand

BAND_COLUMNS = [f"Service user band - {band.label}" for band in ServiceUserBand]
DIRECTORY_HEADER = [
    "Location ID", "Location HSCA start date", "Dormant (Y/N)", "Care home?", "Location Name",
    "Location ODS Code", "Location Telephone Number", "Registered manager",
    "Care homes beds", "Location Type/Sector", "Location Inspection Directorate",
    "Location Primary Inspection Category", "Location Latest Overall Rating", "Publication Date",
    "Location Region", "Location NHS Region", "Location Local Authority",
    "Location ONSPD CCG Code", "Location ONSPD CCG", "Location Commissioning CCG Code",
    "Location Street Address", "Location Address Line 2", "Location City", "Location County",
    "Location Postal Code", "Location Latitude", "Location Longitude", "Provider ID",
    "Provider Name", "Brand ID", "Brand Name",
    "Service type - Care home service with nursing",
    "Service type - Care home service without nursing",
    "Regulated activity - Accommodation for persons who require nursing or personal care",
    "Regulated activity - Nursing care", *BAND_COLUMNS, "Location Dual Registered",
]
RATINGS = ["Outstanding", "Good", "Good", "Good", "Good", "Requires improvement",
           "Requires improvement", "Inadequate"]
FIRST = ["Oak", "Willow", "Beech", "Elm", "Cedar", "Rowan", "Hazel", "Birch", "Ash", "Holly",
         "Maple", "Laurel", "Poplar", "Linden", "Alder", "Yew", "Sycamore", "Chestnut"]
SECOND = ["House", "Lodge", "Court", "Manor", "Grange", "View", "Gardens", "Park", "Hall",
          "Mews", "Place", "Rise"]
STREETS = ["High Street", "Church Road", "Station Road", "Park Lane", "London Road",
           "Victoria Road", "Green Lane", "Manor Road", "Mill Lane", "School Lane"]
SURNAMES = ["Smith", "Patel", "Jones", "Williams", "Brown", "Taylor", "Khan", "Davies",
            "Evans", "Wilson", "Thomas", "Okafor", "Roberts", "Walker", "Nowak", "Hughes"]
PROVIDER_WORDS = ["Care", "Healthcare", "Living", "Homes", "Care Group", "Senior Living"]


@dataclass
class Area:
    """A council area to generate homes in, with the CCG/sub-ICB its homes fall in."""

    council: str
    ccg_code: str
    ccg_name: str
    postcode_area: str
    latitude: float
    longitude: float
    homes: int
    town: str = ""


@dataclass
class Directory:
    rows: list[dict] = field(default_factory=list)

    def csv_bytes(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=DIRECTORY_HEADER, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return buffer.getvalue().encode("utf-8")


def _location_id(rng: random.Random, used: set[str]) -> str:
    while True:
        candidate = f"1-{rng.randrange(100_000_000, 99_999_999_999)}"
        if candidate not in used:
            used.add(candidate)
            return candidate


def _home_row(rng, area: Area, provider: tuple[str, str, str], used: set[str]) -> dict:
    kind = rng.choices(["nursing", "residential", "dual"], weights=[35, 55, 10])[0]
    beds = rng.choice([8, 12, 20, 28, 34, 40, 46, 52, 60, 64, 72, 90, 120])
    if kind == "residential" and beds > 60:
        beds = 60
    rating = rng.choice(RATINGS + [""])
    bands = {"Older People"}
    if rng.random() < 0.6:
        bands.add("Dementia")
    if rng.random() < 0.2:
        bands.add("Physical Disability")
    if rng.random() < 0.1:
        bands.update({"Younger Adults", "Learning disabilities or autistic spectrum disorder"})
    if rng.random() < 0.12:
        bands.add("Mental Health")
    town = area.town or area.council.replace(" Council", "")
    row = {
        "Location ID": _location_id(rng, used),
        "Location HSCA start date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/"
                                    f"{rng.randint(2010, 2022)}",
        "Dormant (Y/N)": "Y" if rng.random() < 0.02 else "N",
        "Care home?": "Y",
        "Location Name": f"{rng.choice(FIRST)} {rng.choice(SECOND)}",
        "Location ODS Code": f"V{rng.randint(10000, 99999)}",
        "Location Telephone Number": f"0{rng.randint(1000000000, 2099999999)}",
        "Registered manager": "" if rng.random() < 0.05 else
                              f"{rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(SURNAMES)}",
        "Care homes beds": str(beds),
        "Location Type/Sector": "Social Care Org",
        "Location Inspection Directorate": "Adult social care",
        "Location Primary Inspection Category": "Residential social care",
        "Location Latest Overall Rating": rating,
        "Publication Date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/"
                            f"{rng.randint(2022, 2026)}" if rating else "",
        "Location Region": "London", "Location NHS Region": "London",
        "Location Local Authority": area.council,
        "Location ONSPD CCG Code": area.ccg_code, "Location ONSPD CCG": area.ccg_name,
        "Location Commissioning CCG Code": area.ccg_code,
        "Location Street Address": f"{rng.randint(1, 220)} {rng.choice(STREETS)}",
        "Location Address Line 2": "", "Location City": town, "Location County": "",
        "Location Postal Code": f"{area.postcode_area}{rng.randint(1, 9)} "
                                f"{rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        "Location Latitude": f"{area.latitude + rng.uniform(-0.05, 0.05):.6f}",
        "Location Longitude": f"{area.longitude + rng.uniform(-0.08, 0.08):.6f}",
        "Provider ID": provider[0], "Provider Name": provider[1],
        "Brand ID": "", "Brand Name": provider[2],
        "Service type - Care home service with nursing": "Y" if kind in ("nursing", "dual") else "",
        "Service type - Care home service without nursing": "Y" if kind in ("residential", "dual") else "",
        "Regulated activity - Accommodation for persons who require nursing or personal care": "Y",
        "Regulated activity - Nursing care": "Y" if kind in ("nursing", "dual") else "",
        "Location Dual Registered": "",
    }
    for band in ServiceUserBand:
        row[f"Service user band - {band.label}"] = "Y" if band.label in bands else ""
    return row


def providers_for(rng: random.Random, count: int, used: set[str]) -> list[tuple[str, str, str]]:
    """``count`` providers: (CQC provider ID, name, brand)."""
    providers = []
    for index in range(count):
        name = f"{rng.choice(FIRST)}{rng.choice(['field', 'brook', 'wood', 'stone', 'vale'])} " \
               f"{rng.choice(PROVIDER_WORDS)} Ltd"
        brand = f"BRAND {name.split()[0]} Group" if index % 5 == 0 else ""
        providers.append((_location_id(rng, used), name, brand))
    return providers


def build_directory(areas: list[Area], *, seed: int = 2016, provider_count: int | None = None,
                    other_rows: int = 0) -> Directory:
    """A directory with ``area.homes`` care homes per area from a shared pool of providers.

    ``other_rows`` adds locations that are not care homes (domiciliary agencies), which
    the import must skip.
    """
    rng = random.Random(seed)
    used: set[str] = set()
    total = sum(a.homes for a in areas)
    providers = providers_for(rng, provider_count or max(3, total // 4), used)
    # A few large groups run many homes; most providers run one or two.
    weights = [40 if i < max(1, len(providers) // 20) else 1 for i in range(len(providers))]
    directory = Directory()
    for area in areas:
        for _ in range(area.homes):
            provider = rng.choices(providers, weights=weights)[0]
            directory.rows.append(_home_row(rng, area, provider, used))
    for _ in range(other_rows):
        row = _home_row(rng, areas[0], rng.choice(providers), used)
        row.update({"Care home?": "N", "Care homes beds": "",
                    "Location Primary Inspection Category": "Community based adult social care services",
                    "Service type - Care home service with nursing": "",
                    "Service type - Care home service without nursing": ""})
        directory.rows.append(row)
    return directory


def national_areas(homes: int) -> list[Area]:
    """About 150 council areas sharing ``homes`` homes, for national-scale runs."""
    count = max(1, min(150, homes // 20))
    areas = []
    for index in range(count):
        share = homes // count + (1 if index < homes % count else 0)
        areas.append(Area(
            council=f"Council {index + 1:03d}", ccg_code=f"E38{index + 1:06d}",
            ccg_name=f"NHS Area {index + 1:03d}", postcode_area="AB",
            latitude=50.5 + (index % 30) * 0.15, longitude=-4.0 + (index // 30) * 0.9,
            homes=share, town=f"Town {index + 1:03d}",
        ))
    return areas
