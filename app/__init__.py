"""Application factory for the SKM and complaint-handling system."""

import os
import sqlite3

from flask import Flask

from app.commands import LazyCommands
from app.config import DEV_SECRET_KEY, Config


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(__name__, instance_relative_config=True)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.config.from_object(Config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)  # instance/config.py, untracked
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "skm.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    _check_secret(app)
    if not app.config.get("DEVELOPMENT_COOKIES") and app.config["SKM_ENV"] == "development":
        app.config["DEVELOPMENT_COOKIES"] = True
    if app.config.get("DEVELOPMENT_COOKIES"):
        # Plain http://127.0.0.1 in development: a __Host- cookie needs HTTPS.
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False, SESSION_COOKIE_NAME="skm_session")
    proxies = int(app.config.get("PROXY_FIX_X_FOR", os.environ.get("PROXY_FIX_X_FOR", 0)))
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    register_extensions(app)
    from app import access_log
    from app.security import RowIdConverter

    access_log.install()
    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    register_blueprints(app)
    register_error_handlers(app)
    app.cli = LazyCommands(app.cli, register=lambda: register_commands(app))  # imported by `flask`, not a worker
    register_signals()
    return app


def _normalise_db_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// URLs as given by most hosts."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _check_secret(app: Flask) -> None:
    """Refuse to run outside development or tests with the development secret or without PUBLIC_BASE_URL."""
    if app.config.get("TESTING") or app.config["SKM_ENV"] == "development" or app.debug:
        return
    if app.config["SECRET_KEY"] in (None, "", DEV_SECRET_KEY) or len(app.config["SECRET_KEY"]) < 16:
        raise RuntimeError(
            "SECRET_KEY is missing or is the development default. Set a long random SECRET_KEY "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))') or SKM_ENV=development."
        )
    from app.links import local_link_warning

    base = app.config.get("PUBLIC_BASE_URL", "")
    if not base.startswith(("https://", "http://")) or local_link_warning(base):
        # Posters and receipts print this address; taken from a request's Host header it could be anything.
        raise RuntimeError(
            "PUBLIC_BASE_URL is not set or points at this computer. Set it to the address citizens open, e.g. "
            "https://skm.example.go.id "
            "(printed in QR codes on posters and receipts), or SKM_ENV=development."
        )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL, synchronous=NORMAL and a busy timeout for every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app."""
    from sqlalchemy import event

    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        default_locale=app.config["BABEL_DEFAULT_LOCALE"],
        default_timezone=app.config["OFFICE_TIMEZONE"],
        locale_selector=select_locale,
    )
    login_manager.init_app(app)
    limiter.init_app(app)

    from app import audit, auth, i18n, office_calendar, outbox, security, staff_session  # noqa: F401  (models)

    auth.init_app(app)
    staff_session.init_app(app)
    security.init_app(app)
    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach the blueprints of every area."""
    from analytics.followup_staff import bp as followup_bp
    from analytics.publog_staff import bp as publication_log_bp
    from analytics.recap_staff import bp as complaint_recap_bp
    from analytics.report_text_staff import bp as report_text_bp
    from analytics.staff import bp as analytics_staff_bp
    from analytics.staff_evidence import bp as evidence_bp
    from analytics.views import bp as results_bp
    from app.accounts import bp as accounts_bp
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.main import bp as main_bp
    from complaints.staff import bp as complaints_staff_bp
    from complaints.staff import wbs_bp as wbs_staff_bp
    from complaints.staff_monitoring import bp as monitoring_bp
    from complaints.views import bp as complaints_bp
    from complaints.views import wbs_bp
    from survey.staff import bp as survey_staff_bp
    from survey.staff_suggestions import bp as survey_suggestions_bp
    from survey.views import bp as survey_bp

    for blueprint in (
        *(main_bp, auth_bp, admin_bp, accounts_bp),
        *(survey_bp, survey_staff_bp, survey_suggestions_bp),
        *(complaints_bp, wbs_bp, complaints_staff_bp, wbs_staff_bp, monitoring_bp),
        *(analytics_staff_bp, evidence_bp, followup_bp, results_bp),
        *(complaint_recap_bp, publication_log_bp, report_text_bp),
    ):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    """Install the error pages."""
    from app.errors import register_error_handlers as register

    register(app)


def register_signals() -> None:
    """Connect the receivers of the domains' signals (once per process; connecting again changes nothing)."""
    from analytics.rollup import on_responses_changed
    from app.signals import responses_changed

    responses_changed.connect(on_responses_changed)


def register_commands(app: Flask) -> None:
    """Install the command-line commands (called by app.commands.LazyCommands on their first use)."""
    from analytics.cli import register as register_analytics
    from app.backup import register as register_backup
    from app.cli import register as register_shell
    from app.office_calendar import register as register_calendar
    from app.outbox import register as register_outbox
    from complaints.cli import register as register_complaints
    from survey.cli import register as register_survey

    for register in (
        register_shell,
        register_backup,
        register_calendar,
        register_outbox,
        register_survey,
        register_complaints,
        register_analytics,
    ):
        register(app)
