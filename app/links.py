"""Absolute links for things printed on paper (posters, tickets) or shown by the CLI."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def public_url(endpoint: str, **values) -> str:
    """Return an absolute URL, based on PUBLIC_BASE_URL when set, else the current request."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or DEFAULT_BASE_URL):
        return url_for(endpoint, _external=True, **values)


def survey_url(counter, *, token: str | None = None) -> str:
    """Return the survey link of a counter (optionally with a one-time token)."""
    extra = {"t": token} if token else {}
    return public_url("survey.form", unit_slug=counter.unit.slug, counter_slug=counter.slug, **extra)


def results_url(unit) -> str:
    """Return the public results page of a unit (printed as a QR code on the monthly IKM poster)."""
    return public_url("results.unit_results", unit_slug=unit.slug)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def local_link_warning(url: str) -> str | None:
    """A warning for the CLI when a link about to be printed points at this machine (a phone cannot open it)."""
    host = urlsplit(url).hostname or ""
    if host in LOCAL_HOSTS or host.startswith("127."):
        return (
            f"Warning: {url} points at this computer, so a phone cannot open it. Set PUBLIC_BASE_URL to the "
            "address citizens use (for a test on the office network: http://<this computer's LAN IP>:5000)."
        )
    return None
