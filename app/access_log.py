"""Log lines without what could tie a survey response or a complaint to a person.

Werkzeug logs every request as `<address> - - [<time>] "<method> <path>?<query> HTTP/1.1" <status> -`. A survey
code sits in the query (`?t=`) and a complaint's tracking code in the path (`/lacak/<code>`), and with the time
and address beside them a log would say who answered when. This filter drops the address and the query string
and masks tracking codes before the line is written. A production server's own access log (gunicorn, nginx) is
configured by the operator: README, "Anonymity". Rate-limit breaches are logged without the address too.
"""

import logging
import re

_ADDRESS = re.compile(r"^\S+ - - \[")
_QUERY = re.compile(r"\?[^ \x1b\"]*")
_TRACKING = re.compile(r"(/lacak/)[^/ ?\x1b\"]+")


def redact(line: str) -> str:
    """Return a request line without its query string and with tracking codes masked."""
    return _TRACKING.sub(r"\1...", _QUERY.sub("", line))


_SURVEY_ANSWER = re.compile(r"POST /s/")


class RedactingFilter(logging.Filter):
    """Rewrite werkzeug's request lines: no client address, no query string, no tracking code; and no line at all
    for a survey answer (its time and order would date a response)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and _SURVEY_ANSWER.search(arg) for arg in record.args
        ):
            return False
        if isinstance(record.msg, str):
            record.msg = redact(_ADDRESS.sub("- - - [", record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class LimitKeyFilter(logging.Filter):
    """Flask-Limiter's "ratelimit 20 per 10 minutes (<address>) exceeded" line, without the address."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("ratelimit ") and isinstance(record.args, tuple) and len(record.args) == 3:
            limit, _key, endpoint = record.args
            record.args = (limit, "-", endpoint)
        return True


def install() -> None:
    """Attach the filters once per process."""
    for name, kind in (("werkzeug", RedactingFilter), ("flask-limiter", LimitKeyFilter)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
