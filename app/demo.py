"""Demo data: a DPMPTSP with licensing and non-licensing services, counters, a login, and each domain's data."""

import random

from flask import current_app

from app import directory
from app.auth import create_user
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


def seed_demo(*, admin_password: str, responses: int = 240, seed: int = 14) -> directory.Unit:
    """Create the demo unit with an 'admin' login and `responses` answers over six months. Flushes."""
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
    create_user(username="admin", password=admin_password, full_name="Admin Demo")

    for seed in current_app.extensions.get(DEMO_SEEDERS, []):
        seed(unit=unit, counters=counters, services=services, count=responses, rng=rng)
    db.session.flush()
    return unit
