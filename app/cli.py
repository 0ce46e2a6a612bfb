"""The shell's commands: database migrations, staff accounts, demo data and the organisation directory."""

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from app import directory
from app.auth import Role
from app.directory import AccessMode, DirectoryError, ServiceKind
from app.errors import DomainError
from app.extensions import db
from app.links import survey_url
from app.users import add_user


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@click.command("create-user")
@click.option("--username", prompt=True, help="Login name (stored lower-case).")
@click.option("--full-name", default="", help="Name shown in the interface.")
@click.option("--email", default="", help="E-mail address for notifications (optional).")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value, show_default=True,
    help="admin, loket (petugas loket), pengaduan, unit (penanggung jawab unit), pimpinan, ppid or wbs.",
)  # fmt: skip
@click.option("--unit", "unit_slug", help="Unit code (slug) the account works for; required for loket and unit.")
@click.password_option(help="10-128 characters, not a common password; prompted (hidden) when omitted.")
def create_user_command(username: str, full_name: str, email: str, role: str, unit_slug: str | None,
                        password: str) -> None:  # fmt: skip
    """Create a staff account with a role and, for unit roles, a unit."""
    unit_id = _unit(unit_slug).id if unit_slug else None
    try:
        user = add_user(by=None, username=username, password=password, full_name=full_name, email=email or None,
                        role=Role(role), unit_id=unit_id)  # fmt: skip
    except DomainError as exc:
        _fail(str(exc))
    db.session.commit()
    scope = f" for unit '{unit_slug}'" if unit_slug else ""
    click.echo(f"Created user '{user.username}' ({user.role.value}){scope}.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has a unit.")
@click.option("--responses", default=240, show_default=True, help="Number of demo survey responses.")
def seed_demo_command(if_empty: bool, responses: int) -> None:
    """Create a demo DPMPTSP with services, counters, one login per role and some responses."""
    from app.demo import DEMO_ACCOUNTS, random_passwords, seed_demo

    if db.session.scalar(sa.select(directory.Unit.id).limit(1)) is not None:
        if if_empty:
            click.echo("Database already has data; demo not seeded.")
            return
        _fail("The database already has units; seed-demo only fills an empty database.")
    passwords = random_passwords()
    unit = seed_demo(passwords=passwords, responses=responses)
    db.session.commit()
    click.echo(f"Demo unit: {unit.name}")
    click.echo("Staff logins (http://127.0.0.1:5000/auth/login):")
    for role, password in passwords.items():
        click.echo(f"Login {role.value}: username '{DEMO_ACCOUNTS[role][0]}', password '{password}'")
    for counter in unit.counters:
        click.echo(f"  {counter.name} [{counter.access_mode.value}]: {survey_url(counter)}")
    click.echo("Token-mode counters need a one-time link: flask --app app survey tokens UNIT COUNTER")


directory_cli = AppGroup("directory", help="Manage units (OPD), services (jenis layanan) and counters (loket).")


def _unit(slug: str) -> directory.Unit:
    unit = directory.get_unit_by_slug(slug)
    if unit is None:
        _fail(f"Unknown unit '{slug}'.")
    return unit


def _services(unit: directory.Unit, names: tuple[str, ...]) -> list[directory.Service]:
    services = []
    for name in names:
        service = directory.get_service_by_name(unit, name)
        if service is None:
            _fail(f"Unit '{unit.slug}' has no service '{name}'.")
        services.append(service)
    return services


@directory_cli.command("list")
def directory_list() -> None:
    """List every unit with its services and counters."""
    for unit in directory.list_units():
        click.echo(f"{unit.slug}: {unit.name}")
        for service in unit.services:
            state = "" if service.active else " (inactive)"
            click.echo(f"  service #{service.id} {service.name} [{service.kind.value}]{state}")
        for counter in unit.counters:
            names = ", ".join(s.name for s in counter.services) or "all services"
            click.echo(f"  counter {counter.slug}: {counter.name} [{counter.access_mode.value}] -> {names}")
            click.echo(f"    {survey_url(counter)}")


@directory_cli.command("add-unit")
@click.argument("name")
@click.option("--slug", help="Short code used in survey links (default: from the name).")
@click.option("--address", default="")
def add_unit(name: str, slug: str | None, address: str) -> None:
    """Add a unit (OPD)."""
    try:
        unit = directory.create_unit(name=name, slug=slug, address=address)
    except DirectoryError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Added unit {unit.slug}.")


@directory_cli.command("add-service")
@click.argument("unit_slug")
@click.argument("name")
@click.option(
    "--kind", type=click.Choice([k.value for k in ServiceKind]), default=ServiceKind.PERIZINAN.value, show_default=True
)
def add_service(unit_slug: str, name: str, kind: str) -> None:
    """Add a service (jenis layanan) to a unit."""
    try:
        service = directory.create_service(unit=_unit(unit_slug), name=name, kind=kind)
    except DirectoryError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Added service #{service.id} {service.name}.")


@directory_cli.command("add-counter")
@click.argument("unit_slug")
@click.argument("name")
@click.option("--slug", help="Short code used in the survey link (default: from the name).")
@click.option("--service", "services", multiple=True, help="Service name; repeat for several (default: all).")
@click.option(
    "--mode",
    type=click.Choice([m.value for m in AccessMode]),
    default=AccessMode.STATIC.value,
    show_default=True,
    help="Anti-stuffing mode: static QR, one-time tokens, or officer-assisted.",
)
def add_counter(unit_slug: str, name: str, slug: str | None, services: tuple[str, ...], mode: str) -> None:
    """Add a counter (loket) and print its survey link."""
    unit = _unit(unit_slug)
    try:
        counter = directory.create_counter(
            unit=unit, name=name, slug=slug, services=_services(unit, services), access_mode=mode
        )
    except DirectoryError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Added counter {counter.slug}: {survey_url(counter)}")


@directory_cli.command("set-counter")
@click.argument("unit_slug")
@click.argument("counter_slug")
@click.option("--name")
@click.option("--service", "services", multiple=True, help="Replace the counter's services (repeatable).")
@click.option("--mode", type=click.Choice([m.value for m in AccessMode]))
@click.option("--active/--inactive", default=None)
def set_counter(unit_slug, counter_slug, name, services, mode, active) -> None:
    """Change a counter's name, services, mode or status."""
    counter = directory.get_counter(unit_slug, counter_slug)
    if counter is None:
        _fail(f"Unknown counter '{unit_slug}/{counter_slug}'.")
    try:
        directory.update_counter(
            counter,
            name=name or counter.name,
            services=_services(counter.unit, services) if services else list(counter.services),
            access_mode=mode or counter.access_mode,
            active=counter.active if active is None else active,
        )
    except DirectoryError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Updated counter {counter.slug}.")


class MigrationCommands(click.Group):
    """`flask db ...`: Flask-Migrate's command group, imported (with Alembic) only when it runs, not by a web worker.

    Click makes a subcommand's context with `make_context` and then invokes the command of that context: giving it
    the real group's context hands the whole command line, options included, to Flask-Migrate."""

    def __init__(self) -> None:
        super().__init__("db", help="Perform database migrations (Flask-Migrate: upgrade, migrate, downgrade, ...).")

    @staticmethod
    def real() -> click.Group:
        from flask_migrate.cli import db as db_group

        return db_group

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self.real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.real().get_command(ctx, cmd_name)


def register(app: Flask) -> None:
    """Register the shell's commands: migrations, accounts, demo data and the organisation directory."""
    app.cli.add_command(MigrationCommands())
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(directory_cli)
