"""Demo data: a DPMPTSP with services, counters, a login per role, and each domain's data."""

import random
import secrets
from collections.abc import Mapping

from flask import current_app

from app import directory
from app.auth import UNIT_ROLES, Role, create_user
from app.commands import load_commands
from app.directory import AccessMode, ServiceKind
from app.extensions import db

SERVICES = (
    ("Perizinan Berusaha (NIB/OSS)", ServiceKind.PERIZINAN),
    ("Persetujuan Bangunan Gedung (PBG)", ServiceKind.PERIZINAN),
    ("Izin Praktik Tenaga Kesehatan", ServiceKind.PERIZINAN),
    ("Izin Reklame", ServiceKind.PERIZINAN),
    ("Konsultasi Perizinan", ServiceKind.NONPERIZINAN),
    ("Informasi dan Pengaduan", ServiceKind.NONPERIZINAN),
)

# Domains add their demo data through seeders registered here by their command registration:
# seed(unit=..., counters=..., services=..., count=..., rng=...), called after the directory exists.
DEMO_SEEDERS = "skm.demo_seeders"


# One demo account per role: username and full name; the unit-bound roles work for the demo unit.
DEMO_ACCOUNTS = {
    Role.ADMIN: ("admin", "Admin Demo"),
    Role.LOKET: ("loket", "Petugas Loket Demo"),
    Role.PENGADUAN: ("pengaduan", "Petugas Pengaduan Demo"),
    Role.UNIT: ("unit", "Penanggung Jawab Unit Demo"),
    Role.PIMPINAN: ("pimpinan", "Pimpinan Demo"),
    Role.PPID: ("ppid", "PPID Demo"),
    Role.WBS: ("wbs", "Penangan WBS Demo"),
}


def random_passwords() -> dict[Role, str]:
    """A fresh random password for every role."""
    return {role: secrets.token_urlsafe(12) for role in DEMO_ACCOUNTS}


def seed_logins(unit: directory.Unit, passwords: Mapping[Role, str]) -> None:
    """Create the demo account of each role in `passwords` (unit-bound roles work for `unit`). Flushes."""
    for role, password in passwords.items():
        username, full_name = DEMO_ACCOUNTS[role]
        unit_id = unit.id if role in UNIT_ROLES else None
        create_user(username=username, password=password, full_name=full_name, role=role, unit_id=unit_id)


def seed_demo(
    *,
    passwords: Mapping[Role, str] | None = None,
    admin_password: str | None = None,
    responses: int = 240,
    seed: int = 14,
) -> directory.Unit:
    """Create the demo unit, a login per role in `passwords` ('admin' also by `admin_password`) and answers. Flushes."""
    rng = random.Random(seed)
    unit = directory.create_unit(
        name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Bontang",
        slug="dpmptsp-bontang",
        address="Jl. Bessai Berinta, Bontang Lestari, Kota Bontang, Kalimantan Timur",
    )
    services = [directory.create_service(unit=unit, name=name, kind=kind) for name, kind in SERVICES]
    licensing = [s for s in services if s.kind == ServiceKind.PERIZINAN]
    counters = [
        directory.create_counter(unit=unit, name="Loket 1 Perizinan Berusaha", slug="loket-1", services=[services[0]]),
        directory.create_counter(
            unit=unit,
            name="Loket 2 Perizinan Lainnya",
            slug="loket-2",
            services=licensing[1:],
            access_mode=AccessMode.TOKEN,
        ),
        directory.create_counter(
            unit=unit, name="Loket 3 Konsultasi dan Informasi", slug="loket-3", services=services[4:]
        ),
        directory.create_counter(
            unit=unit, name="Meja Bantuan", slug="meja-bantuan", services=[], access_mode=AccessMode.ASSISTED
        ),
    ]
    logins = dict(passwords or {})
    if admin_password is not None:
        logins[Role.ADMIN] = admin_password
    seed_logins(unit, logins)

    load_commands(current_app)  # the domains register their seeders with their commands
    for seed in current_app.extensions.get(DEMO_SEEDERS, []):
        seed(unit=unit, counters=counters, services=services, count=responses, rng=rng)
    db.session.flush()
    return unit
