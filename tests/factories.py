"""Small factories with sensible defaults."""

from dataclasses import dataclass

from app import directory
from app.directory import AccessMode, ServiceKind
from app.extensions import db


@dataclass
class Directory:
    unit: directory.Unit
    izin: directory.Service
    pbg: directory.Service
    konsultasi: directory.Service
    static: directory.Counter  # one service: pre-selected
    multi: directory.Counter  # several services: chosen on the form
    token: directory.Counter
    assisted: directory.Counter


def make_directory() -> Directory:
    """Create a unit with three services and one counter per access mode; commits."""
    unit = directory.create_unit(name="DPMPTSP Kota Uji", slug="dpmptsp-uji")
    izin = directory.create_service(unit=unit, name="Perizinan Berusaha", kind=ServiceKind.PERIZINAN)
    pbg = directory.create_service(unit=unit, name="PBG", kind=ServiceKind.PERIZINAN)
    konsultasi = directory.create_service(unit=unit, name="Konsultasi", kind=ServiceKind.NONPERIZINAN)
    static = directory.create_counter(unit=unit, name="Loket 1", slug="loket-1", services=[izin])
    multi = directory.create_counter(unit=unit, name="Loket 2", slug="loket-2", services=[pbg, konsultasi])
    token = directory.create_counter(
        unit=unit, name="Loket 3", slug="loket-3", services=[izin], access_mode=AccessMode.TOKEN
    )
    assisted = directory.create_counter(
        unit=unit, name="Meja Bantuan", slug="meja", services=[], access_mode=AccessMode.ASSISTED
    )
    db.session.commit()
    return Directory(unit, izin, pbg, konsultasi, static, multi, token, assisted)


ALL_FOUR = {f"u{i}": "4" for i in range(1, 10)}


def survey_form(service_id: int | None = None, **fields) -> dict:
    """A complete valid survey POST body (all answers 4), with overrides."""
    data = dict(ALL_FOUR)
    if service_id is not None:
        data["layanan"] = str(service_id)
    data.update({k: v for k, v in fields.items() if v is not None})
    return {k: v for k, v in data.items() if v != "__omit__"}
