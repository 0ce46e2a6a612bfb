"""Configuration read from the environment, with safe development defaults."""

import os

DEV_SECRET_KEY = "dev-only-insecure-secret-key"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings taken from environment variables when the app is created.

    Read at class creation, so tests and ``create_app(test_config)`` override
    individual keys afterwards.
    """

    # "production" unless told otherwise: a forgotten variable must fail safe.
    SKM_ENV = os.environ.get("SKM_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # None means: an SQLite file in the instance folder (set in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # hide_parameters: a database error logged by the 500 handler never carries the values of the statement
    # (complaint text, a reporter's e-mail, a tracking code's hash).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    OFFICE_NAME = os.environ.get("OFFICE_NAME", "")
    # Period boundaries (month, quarter, year) use the office's own clock.
    OFFICE_TIMEZONE = os.environ.get("OFFICE_TIMEZONE", "Asia/Makassar")
    # Local non-working days beyond national holidays and cuti bersama (ISO dates, comma-separated), used for
    # working-day deadlines; see app/clock.py.
    OFFICE_EXTRA_HOLIDAYS = os.environ.get("OFFICE_EXTRA_HOLIDAYS", "")
    # Absolute base for links printed on posters and tickets (https://skm.example.go.id); required in production.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Host names this app answers to (comma-separated, e.g. "skm.example.go.id,.pemda.go.id"); any other Host
    # header gets 400 before a view runs (Flask). Empty: any host (printed links still use PUBLIC_BASE_URL only).
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = OFFICE_TIMEZONE
    LANGUAGES = ("id", "en")

    # Request bodies: a complaint with its attachments is the largest legitimate upload.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    SURVEY_MAX_BODY = 32 * 1024  # a full form with a 2,000-character suggestion in a 3-byte script, URL-encoded: ~19 KB

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME", "__Host-session")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # A staff session ends after this long without a request (app/staff_session.py).
    STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", 60))
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 31536000))

    WTF_CSRF_TIME_LIMIT = 4 * 3600  # a citizen may take a while at the counter

    # Rate limits: memory:// is per process; set redis://... when running
    # several workers or hosts so the limits are shared.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = False
    SURVEY_POST_LIMIT = os.environ.get("SURVEY_POST_LIMIT", "600 per hour")
    LOGIN_LIMIT = os.environ.get("LOGIN_LIMIT", "10 per minute")

    # Anti-stuffing (flag, do not block): see survey/stuffing.py.
    # Wrong or unknown codes typed on a token counter's page, per network address (right ones are not counted).
    SURVEY_CODE_LIMIT = os.environ.get("SURVEY_CODE_LIMIT", "20 per 10 minutes")
    SURVEY_TOKEN_MAX_AGE_DAYS = int(os.environ.get("SURVEY_TOKEN_MAX_AGE_DAYS", 30))
    STUFFING_DEVICE_WINDOW_MINUTES = int(os.environ.get("STUFFING_DEVICE_WINDOW_MINUTES", 60))
    STUFFING_IP_WINDOW_MINUTES = int(os.environ.get("STUFFING_IP_WINDOW_MINUTES", 10))
    STUFFING_IP_BURST = int(os.environ.get("STUFFING_IP_BURST", 20))
    STUFFING_IDENTICAL_BURST = int(os.environ.get("STUFFING_IDENTICAL_BURST", 3))

    WEB_EXPORT_MAX_ROWS = int(os.environ.get("WEB_EXPORT_MAX_ROWS", 8000))

    # Complaint clocks (product decision 7): working days, except the completion limit in calendar days.
    COMPLAINT_VERIFY_DAYS = int(os.environ.get("COMPLAINT_VERIFY_DAYS", 3))
    COMPLAINT_FOLLOWUP_DAYS = int(os.environ.get("COMPLAINT_FOLLOWUP_DAYS", 5))
    COMPLAINT_REPLY_DAYS = int(os.environ.get("COMPLAINT_REPLY_DAYS", 10))
    COMPLAINT_COMPLETION_DAYS = int(os.environ.get("COMPLAINT_COMPLETION_DAYS", 60))
    COMPLAINT_DUE_SOON_DAYS = int(os.environ.get("COMPLAINT_DUE_SOON_DAYS", 1))  # working days before a deadline
    # Attachments: each file at most this size, at most this many per submission (stated on the form).
    COMPLAINT_ATTACHMENT_MAX_BYTES = int(os.environ.get("COMPLAINT_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024))
    COMPLAINT_MAX_ATTACHMENTS = int(os.environ.get("COMPLAINT_MAX_ATTACHMENTS", 3))
    COMPLAINT_POST_LIMIT = os.environ.get("COMPLAINT_POST_LIMIT", "30 per hour")
    TRACKING_LIMIT = os.environ.get("TRACKING_LIMIT", "30 per minute")

    # Login throttling, per account and per address, shared by every worker (database, or Redis when
    # RATELIMIT_STORAGE_URI is redis://): a growing delay, never a lockout an attacker could impose.
    LOGIN_THROTTLE_ENABLED = _env_bool("LOGIN_THROTTLE_ENABLED", True)
    LOGIN_ACCOUNT_FREE_FAILURES = int(os.environ.get("LOGIN_ACCOUNT_FREE_FAILURES", 5))
    LOGIN_IP_FREE_FAILURES = int(os.environ.get("LOGIN_IP_FREE_FAILURES", 50))
    LOGIN_ACCOUNT_ANYWHERE_FREE_FAILURES = int(os.environ.get("LOGIN_ACCOUNT_ANYWHERE_FREE_FAILURES", 20))
    LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", 15 * 60))

    # Notifications: an outbox sent by `flask outbox send` (and by `flask complaints tick`). Without SMTP_HOST
    # the app logs what it would have sent (recipient and subject only).
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", 587))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "starttls")  # starttls, ssl or none
    MAIL_FROM = os.environ.get("MAIL_FROM", "")
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 5))

    KIOSK_IDLE_SECONDS = int(os.environ.get("KIOSK_IDLE_SECONDS", 300))
    # The kiosk form warns this many seconds before its idle reset (a touch keeps the answers).
    KIOSK_WARN_SECONDS = int(os.environ.get("KIOSK_WARN_SECONDS", 30))
    KIOSK_THANKS_SECONDS = int(os.environ.get("KIOSK_THANKS_SECONDS", 8))
