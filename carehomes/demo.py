"""The demo area: organisations, GP practices, homes (through the real CQC import) and users.

Deterministic: the same seed builds the same area every time.
"""

import hashlib
import random
from dataclasses import dataclass

from django.db import transaction
from rest_framework.authtoken.models import Token

from commissioning.choices import CommissionerKind, OrganisationKind, Role
from commissioning.models import Membership, Organisation, User
from commissioning.services import membership_create

from .directory import Area, build_directory, national_areas
from .models import CareHome, CqcImport, GpPractice
from .services import cqc_import_record, cqc_import_run

DEMO_PASSWORD = "demo-portal-2026"
DEMO_SEED = 2016

AREAS = [
    Area("Kingsmere", "E38000901", "NHS Kingsmere", "KM", 51.36, -0.19, 64, "Kingsmere"),
    Area("Ashbourne Vale", "E38000902", "NHS Ashbourne Vale", "AV", 51.40, -0.30, 56,
         "Ashbourne"),
    # A neighbouring council the deployment does not serve: its homes are skipped.
    Area("Northfold", "E38000903", "NHS Northfold", "NF", 51.45, -0.10, 12, "Northfold"),
]


@dataclass
class DemoUser:
    email: str
    name: str
    role: str
    organisation: str


def _org(kind, name, **fields) -> Organisation:
    org, _ = Organisation.objects.update_or_create(kind=kind, name=name, defaults=fields)
    return org


def _organisations() -> dict[str, Organisation]:
    icb = _org(OrganisationKind.NHS_COMMISSIONER, "NHS Riverside and Downs Integrated Care Board",
               commissioner_kind=CommissionerKind.ICB, ods_code="QZZ")
    orgs = {"icb": icb}
    for key, area, ods in (("sub_icb_1", AREAS[0], "99K"), ("sub_icb_2", AREAS[1], "99V")):
        orgs[key] = _org(OrganisationKind.NHS_COMMISSIONER,
                         f"NHS Riverside and Downs ICB – {area.council}",
                         commissioner_kind=CommissionerKind.SUB_ICB, ods_code=ods,
                         gss_code=area.ccg_code, parent=icb)
    orgs["council_1"] = _org(OrganisationKind.LOCAL_AUTHORITY, "Kingsmere Council",
                             gss_code="E09000901", is_served=True, cqc_area_name="Kingsmere")
    orgs["council_2"] = _org(OrganisationKind.LOCAL_AUTHORITY, "Ashbourne Vale Council",
                             gss_code="E06000902", is_served=True, cqc_area_name="Ashbourne Vale")
    orgs["council_3"] = _org(OrganisationKind.LOCAL_AUTHORITY, "Northfold Council",
                             gss_code="E06000903", is_served=False, cqc_area_name="Northfold")
    orgs["ambulance"] = _org(OrganisationKind.AMBULANCE_TRUST, "Riverside Ambulance Service NHS Trust",
                             ods_code="RZA")
    orgs["acute"] = _org(OrganisationKind.ACUTE_TRUST, "Kingsmere Hospitals NHS Foundation Trust",
                         ods_code="RZK")
    return orgs


def _gp_practices(orgs, rng: random.Random) -> list[GpPractice]:
    practices = []
    for index in range(18):
        sub_icb = orgs["sub_icb_1"] if index % 2 == 0 else orgs["sub_icb_2"]
        area = AREAS[index % 2]
        practice, _ = GpPractice.objects.update_or_create(
            ods_code=f"Z{84001 + index}",
            defaults={"name": f"{rng.choice(['The', 'Riverside', 'Park', 'Station', 'Green'])} "
                              f"{rng.choice(['Surgery', 'Medical Centre', 'Health Centre', 'Practice'])}"
                              f" {area.town}",
                      "postcode": f"{area.postcode_area}{index % 9 + 1} {index % 9 + 1}AB",
                      "nhs_commissioner": sub_icb})
        practices.append(practice)
    return practices


def _import(content: bytes, filename: str, user) -> CqcImport:
    checksum = hashlib.sha256(content).hexdigest()
    done = CqcImport.objects.filter(checksum=checksum, status="succeeded").first()
    if done:  # the demo is built already: leave it as it is
        return done
    return cqc_import_run(cqc_import=cqc_import_record(filename=filename, content=content,
                                                       user=user))


def _user(email, name, *, staff=False) -> User:
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=DEMO_PASSWORD, full_name=name)
    user.is_staff = user.is_superuser = staff
    user.save()
    return user


def _users(orgs) -> list[DemoUser]:
    provider = (Organisation.objects.filter(kind=OrganisationKind.CARE_PROVIDER,
                                            provided_homes__local_authority__is_served=True)
                .order_by("cqc_provider_id").first())
    people = [
        ("admin@demo.portal.nhs.uk", "Alex Admin", Role.ADMINISTRATOR, orgs["icb"]),
        ("commissioner@demo.portal.nhs.uk", "Chris Commissioner", Role.COMMISSIONER,
         orgs["council_1"]),
        ("nhs.commissioner@demo.portal.nhs.uk", "Nia Commissioner", Role.COMMISSIONER,
         orgs["icb"]),
        ("quality.officer@demo.portal.nhs.uk", "Quinn Officer", Role.QUALITY_OFFICER,
         orgs["sub_icb_1"]),
        ("senior.officer@demo.portal.nhs.uk", "Sam Senior", Role.SENIOR_QUALITY_OFFICER, orgs["icb"]),
        ("manager@demo.portal.nhs.uk", "Morgan Manager", Role.CARE_HOME_MANAGER, provider),
        ("jig.chair@demo.portal.nhs.uk", "Jo Chair", Role.JIG_CHAIR, orgs["council_1"]),
        ("jig.member@demo.portal.nhs.uk", "Jamie Member", Role.JIG_MEMBER, orgs["ambulance"]),
        ("ambulance.api@demo.portal.nhs.uk", "Ambulance feed (API)", Role.PARTNER_SYSTEM,
         orgs["ambulance"]),
        ("hospital.api@demo.portal.nhs.uk", "Hospital feed (API)", Role.PARTNER_SYSTEM, orgs["acute"]),
    ]
    made = []
    for email, name, role, org in people:
        user = _user(email, name, staff=role == Role.ADMINISTRATOR)
        if not Membership.objects.filter(user=user, organisation=org, role=role).exists():
            membership_create(user=user, organisation=org, role=role,
                              all_provider_homes=role == Role.CARE_HOME_MANAGER)
        if role == Role.PARTNER_SYSTEM:
            Token.objects.get_or_create(user=user)
        made.append(DemoUser(email, name, Role(role).label, org.name))
    return made


@transaction.atomic
def _align_gp_practices(practices, rng) -> None:
    homes = list(CareHome.objects.filter(local_authority__is_served=True, gp_practice=None)
                 .order_by("cqc_location_id"))
    for home in homes:
        if rng.random() < 0.85:  # most, not all, homes have an aligned practice
            home.gp_practice = rng.choice(practices)
    CareHome.objects.bulk_update(homes, ["gp_practice"])


def seed_demo_area(*, seed: int = DEMO_SEED) -> tuple[list[DemoUser], list[CqcImport]]:
    """Build the demo area. Safe to run again: it leaves the same area."""
    rng = random.Random(seed)
    orgs = _organisations()
    practices = _gp_practices(orgs, rng)
    admin = _user("admin@demo.portal.nhs.uk", "Alex Admin", staff=True)
    # Last year's directory, then this year's: ratings gain history, one home leaves.
    old = build_directory(AREAS, seed=seed, other_rows=8)
    new = build_directory(AREAS, seed=seed, other_rows=8)
    for row in old.rows:
        if row["Location Latest Overall Rating"]:
            row["Location Latest Overall Rating"] = rng.choice(["Good", "Requires improvement"])
            row["Publication Date"] = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2021"
    new.rows.pop(3)  # this home has closed and left the register
    imports = [_import(old.csv_bytes(), "cqc-care-directory-2025.csv", admin),
               _import(new.csv_bytes(), "cqc-care-directory-2026.csv", admin)]
    _align_gp_practices(practices, rng)
    return _users(orgs), imports


def seed_national(*, homes: int, seed: int = DEMO_SEED) -> CqcImport:
    """A national-scale registry (``homes`` homes in ~150 served councils) for benchmarks."""
    areas = national_areas(homes)
    for index, area in enumerate(areas):
        _org(OrganisationKind.LOCAL_AUTHORITY, f"{area.council} (national)",
             gss_code=f"E07{index + 1:06d}", is_served=True, cqc_area_name=area.council)
        _org(OrganisationKind.NHS_COMMISSIONER, area.ccg_name, commissioner_kind=CommissionerKind.CCG,
             gss_code=area.ccg_code)
    admin = _user("admin@demo.portal.nhs.uk", "Alex Admin", staff=True)
    directory = build_directory(areas, seed=seed, provider_count=max(3, homes // 5))
    return _import(directory.csv_bytes(), f"cqc-national-{homes}.csv", admin)
