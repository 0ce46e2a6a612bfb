"""Organisation directory shared by the survey and complaints: units, services, counters."""

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, contains_eager, mapped_column, relationship, selectinload

from app.errors import DomainError
from app.extensions import db
from app.i18n import N_


def _now() -> datetime:
    return datetime.now(UTC)


class AccessMode(enum.StrEnum):
    """How a counter guards its survey link against ballot stuffing."""

    STATIC = "static"  # printed QR; device cookie + generous IP limits; bursts flagged
    TOKEN = "token"  # one-time signed tokens printed on receipts or queue tickets
    ASSISTED = "assisted"  # an officer enters the answers with the citizen; flagged as assisted


class ServiceKind(enum.StrEnum):
    """Licensing (perizinan) or non-licensing (nonperizinan) service."""

    PERIZINAN = "perizinan"
    NONPERIZINAN = "nonperizinan"
    LAINNYA = "lainnya"


counter_services = sa.Table(
    "counter_services",
    db.metadata,
    sa.Column("counter_id", sa.ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("service_id", sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(db.Model):
    """A service unit (OPD), e.g. a DPMPTSP; one deployment may serve several."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)

    services: Mapped[list["Service"]] = relationship(
        back_populates="unit", order_by="Service.name", cascade="all, delete-orphan"
    )
    counters: Mapped[list["Counter"]] = relationship(
        back_populates="unit", order_by="Counter.name", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.slug}>"


class Service(db.Model):
    """A kind of service (jenis layanan) a unit provides."""

    __tablename__ = "services"
    __table_args__ = (sa.UniqueConstraint("unit_id", "name", name="uq_services_unit_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ServiceKind] = mapped_column(
        sa.Enum(ServiceKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=ServiceKind.PERIZINAN,
    )
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship(back_populates="services")

    def __repr__(self) -> str:
        return f"<Service {self.name}>"


class Counter(db.Model):
    """A service counter (loket) with its own survey link and QR poster."""

    __tablename__ = "counters"
    __table_args__ = (sa.UniqueConstraint("unit_id", "slug", name="uq_counters_unit_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(200))
    access_mode: Mapped[AccessMode] = mapped_column(
        sa.Enum(AccessMode, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=AccessMode.STATIC,
    )
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship(back_populates="counters")
    services: Mapped[list[Service]] = relationship(secondary=counter_services, order_by=Service.name)

    def __repr__(self) -> str:
        return f"<Counter {self.slug}>"


class DirectoryError(DomainError):
    """A directory change that breaks a rule; the message is shown to the user."""


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """Turn a name into a URL-safe slug ("Loket 1 Perizinan" -> "loket-1-perizinan")."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-")


def _check_slug(slug: str) -> str:
    if not SLUG_RE.match(slug or "") or len(slug) > 60:
        raise DirectoryError(N_("Kode hanya boleh berisi huruf kecil, angka, dan tanda hubung (maks. 60)."))
    return slug


def create_unit(*, name: str, slug: str | None = None, address: str = "") -> Unit:
    """Add a unit; the slug must be unique. Flushes, does not commit."""
    name = name.strip()
    if not name:
        raise DirectoryError(N_("Nama unit wajib diisi."))
    slug = _check_slug(slug or slugify(name))
    if db.session.scalar(sa.select(Unit.id).where(Unit.slug == slug)):
        raise DirectoryError(N_("Kode unit '%(slug)s' sudah dipakai."), slug=slug)
    unit = Unit(name=name, slug=slug, address=address.strip())
    db.session.add(unit)
    db.session.flush()
    return unit


def update_unit(unit: Unit, *, name: str, address: str = "") -> Unit:
    """Rename a unit or change its address; the slug (in printed QR links) stays."""
    if not name.strip():
        raise DirectoryError(N_("Nama unit wajib diisi."))
    unit.name = name.strip()
    unit.address = address.strip()
    db.session.flush()
    return unit


def create_service(*, unit: Unit, name: str, kind: ServiceKind | str = ServiceKind.PERIZINAN) -> Service:
    """Add a service to a unit; names are unique within a unit."""
    name = name.strip()
    if not name:
        raise DirectoryError(N_("Nama layanan wajib diisi."))
    try:
        kind = ServiceKind(kind)
    except ValueError:
        raise DirectoryError(N_("Jenis layanan tidak dikenal: %(kind)s."), kind=kind) from None
    exists = sa.select(Service.id).where(Service.unit_id == unit.id, Service.name == name)
    if db.session.scalar(exists):
        raise DirectoryError(N_("Layanan '%(name)s' sudah ada di unit ini."), name=name)
    service = Service(unit=unit, name=name, kind=kind)
    db.session.add(service)
    db.session.flush()
    return service


def update_service(service: Service, *, name: str, kind: ServiceKind | str, active: bool) -> Service:
    """Rename, reclassify or (de)activate a service; its past responses keep pointing to it."""
    name = name.strip()
    if not name:
        raise DirectoryError(N_("Nama layanan wajib diisi."))
    clash = sa.select(Service.id).where(
        Service.unit_id == service.unit_id, Service.name == name, Service.id != service.id
    )
    if db.session.scalar(clash):
        raise DirectoryError(N_("Layanan '%(name)s' sudah ada di unit ini."), name=name)
    service.name, service.kind, service.active = name, ServiceKind(kind), active
    db.session.flush()
    return service


def _check_counter_services(unit: Unit, services: list[Service]) -> None:
    if any(s.unit_id != unit.id for s in services):
        raise DirectoryError(N_("Layanan loket harus berasal dari unit yang sama."))


def create_counter(
    *,
    unit: Unit,
    name: str,
    slug: str | None = None,
    services: list[Service] | None = None,
    access_mode: AccessMode | str = AccessMode.STATIC,
) -> Counter:
    """Add a counter to a unit with the services it handles and its anti-stuffing mode."""
    name = name.strip()
    if not name:
        raise DirectoryError(N_("Nama loket wajib diisi."))
    slug = _check_slug(slug or slugify(name))
    try:
        access_mode = AccessMode(access_mode)
    except ValueError:
        raise DirectoryError(N_("Mode akses tidak dikenal: %(access_mode)s."), access_mode=access_mode) from None
    services = services or []
    _check_counter_services(unit, services)
    clash = sa.select(Counter.id).where(Counter.unit_id == unit.id, Counter.slug == slug)
    if db.session.scalar(clash):
        raise DirectoryError(N_("Kode loket '%(slug)s' sudah dipakai di unit ini."), slug=slug)
    counter = Counter(unit=unit, name=name, slug=slug, services=services, access_mode=access_mode)
    db.session.add(counter)
    db.session.flush()
    return counter


def update_counter(
    counter: Counter, *, name: str, services: list[Service], access_mode: AccessMode | str, active: bool
) -> Counter:
    """Change a counter's name, services, access mode or status; its slug (printed QR) stays."""
    if not name.strip():
        raise DirectoryError(N_("Nama loket wajib diisi."))
    _check_counter_services(counter.unit, services)
    counter.name = name.strip()
    counter.services = services
    counter.access_mode = AccessMode(access_mode)
    counter.active = active
    db.session.flush()
    return counter


def list_units() -> list[Unit]:
    """Return every unit, by name."""
    return list(db.session.scalars(sa.select(Unit).order_by(Unit.name)))


def get_unit_by_slug(slug: str) -> Unit | None:
    """Return the unit with this slug, or None."""
    return db.session.scalar(sa.select(Unit).where(Unit.slug == slug))


def get_counter(unit_slug: str, counter_slug: str) -> Counter | None:
    """Return the counter addressed by a survey link, or None."""
    stmt = (
        sa.select(Counter)
        .join(Unit)
        .where(Unit.slug == unit_slug, Counter.slug == counter_slug)
        .options(contains_eager(Counter.unit), selectinload(Counter.services))
    )
    return db.session.scalar(stmt)


def offered_services(counter: Counter) -> list[Service]:
    """The active services a counter's form offers: those of its list, or all of its unit's when it has none."""
    services = counter.services or counter.unit.services
    return [s for s in services if s.active]


@dataclass(frozen=True, slots=True)
class CounterAccess:
    """What accepting a survey answer needs of a counter: its ids, its access rule, the services it offers.

    Read fresh from the database on every request (`counter_access`), never cached: a switch to token mode or a
    deactivation applies to the very next answer, on every worker.
    """

    id: int
    unit_id: int
    access_mode: AccessMode
    active: bool
    service_ids: frozenset[int]  # the active services its form offers

    def offers(self, service_id: int | None) -> bool:
        return service_id in self.service_ids

    @classmethod
    def of(cls, counter: Counter) -> "CounterAccess":
        """The access rule of a counter already loaded as an ORM object."""
        ids = frozenset(s.id for s in offered_services(counter))
        return cls(counter.id, counter.unit_id, AccessMode(counter.access_mode), counter.active, ids)


def _access_statement() -> sa.Select:
    """A counter's row with one row per service it offers (the same rule as `offered_services`), as plain Core
    on the tables: one round trip, no ORM entity to hydrate, built once and then found in the compiled cache."""
    c, u, s, cs = Counter.__table__.c, Unit.__table__.c, Service.__table__.c, counter_services.c
    listed = sa.exists().where(cs.counter_id == c.id)
    offered = sa.and_(
        s.active,
        sa.or_(
            s.id.in_(sa.select(cs.service_id).where(cs.counter_id == c.id)),
            sa.and_(s.unit_id == c.unit_id, ~listed),
        ),
    )
    return (
        sa.select(c.id, c.unit_id, c.access_mode, c.active, s.id.label("service_id"))
        .select_from(Counter.__table__.join(Unit.__table__, u.id == c.unit_id).outerjoin(Service.__table__, offered))
        .where(u.slug == sa.bindparam("unit_slug"), c.slug == sa.bindparam("counter_slug"))
    )


_ACCESS = _access_statement()


def counter_access(unit_slug: str, counter_slug: str) -> CounterAccess | None:
    """Return the access rule of the counter a survey link addresses, or None (inactive counters included)."""
    params = {"unit_slug": unit_slug, "counter_slug": counter_slug}
    rows = db.session.connection().execute(_ACCESS, params).all()  # plain Core: nothing for the session to add
    if not rows:
        return None
    counter_id, unit_id, mode, active, _ = rows[0]
    ids = frozenset(row[4] for row in rows if row[4] is not None)
    return CounterAccess(counter_id, unit_id, AccessMode(mode), bool(active), ids)


def get_service_by_name(unit: Unit, name: str) -> Service | None:
    """Return a unit's service by its exact name (case-insensitive), or None."""
    stmt = sa.select(Service).where(Service.unit_id == unit.id, sa.func.lower(Service.name) == name.strip().lower())
    return db.session.scalar(stmt)
