"""Demo data: a DPMPTSP with licensing and non-licensing services, counters and responses."""

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from app import directory
from app.auth import create_user
from app.directory import AccessMode, ServiceKind
from app.extensions import db
from survey.models import Channel, Response
from survey.questionnaire import EDUCATIONS, ELEMENTS, GENDERS, OCCUPATIONS

SERVICES = (
    ("Perizinan Berusaha (NIB/OSS)", ServiceKind.PERIZINAN),
    ("Persetujuan Bangunan Gedung (PBG)", ServiceKind.PERIZINAN),
    ("Izin Praktik Tenaga Kesehatan", ServiceKind.PERIZINAN),
    ("Izin Reklame", ServiceKind.PERIZINAN),
    ("Konsultasi Perizinan", ServiceKind.NONPERIZINAN),
    ("Informasi dan Pengaduan", ServiceKind.NONPERIZINAN),
)

# Answer weights per score 1..4, with a weaker waiting time (U3) as in many real offices.
_WEIGHTS = {"U3": (6, 22, 52, 20)}
_DEFAULT_WEIGHTS = (2, 10, 55, 33)


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

    tz = ZoneInfo(current_app.config["OFFICE_TIMEZONE"])
    today = datetime.now(tz).date()
    for _ in range(responses):
        counter = rng.choice(counters)
        service = rng.choice(counter.services or services)
        day = today - timedelta(days=rng.randrange(0, 180))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        local = datetime.combine(day, time(rng.randrange(8, 15), rng.randrange(60)), tz)
        scores = {}
        for element in ELEMENTS:
            weights = _WEIGHTS.get(element.code, _DEFAULT_WEIGHTS)
            scores[element.code.lower()] = None if rng.random() < 0.02 else rng.choices((1, 2, 3, 4), weights)[0]
        occupation = rng.choice(OCCUPATIONS)[0]
        db.session.add(
            Response(
                unit_id=unit.id,
                service_id=service.id,
                counter_id=counter.id,
                survey_date=day,
                submitted_at=local.astimezone(UTC),
                channel=Channel.ONLINE,
                assisted=counter.access_mode == AccessMode.ASSISTED,
                gender=rng.choice(GENDERS)[0],
                age=rng.randrange(18, 70),
                education=rng.choice(EDUCATIONS)[0],
                occupation=occupation,
                occupation_other="Mahasiswa" if occupation == "LAINNYA" else None,
                **scores,
            )
        )
    db.session.flush()
    return unit
