"""Unbound Flask extensions, bound to an app in create_app()."""

import functools

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that Alembic can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _MigrateConfig:
    """What Flask-Migrate keeps in app.extensions["migrate"] (its functions and migrations/env.py read it), with its
    `Migrate` made, and so Alembic imported, on first use."""

    def __init__(self, db: SQLAlchemy, directory: str, configure_args: dict) -> None:
        self.db = db
        self.directory = directory
        self.configure_args = configure_args

    @functools.cached_property
    def migrate(self):
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, **self.configure_args)

    @property
    def metadata(self):
        return self.db.metadata


class LazyMigrate:
    """Flask-Migrate for `flask db` and the tests, without importing it (and Alembic: ~11 MB, ~0.2 s) in a web
    worker. Its commands are registered lazily by app.cli."""

    def __init__(self, **configure_args) -> None:
        self.configure_args = configure_args

    def init_app(self, app: Flask, db: SQLAlchemy, *, directory: str) -> None:
        app.extensions["migrate"] = _MigrateConfig(db, str(directory), dict(self.configure_args))


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


def upsert():
    """The `insert` with ON CONFLICT of the session's database (PostgreSQL or SQLite), for atomic counters."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
