"""One rate-limit count for the hottest path, the survey POST: a single hit on Flask-Limiter's own strategy and
storage (memory:// or Redis, shared between app servers as every other limit), without the decorator.

Flask-Limiter's decorator resolves a route's limits on every request, twice (its `before_request`, then the
decorator), with their exemptions, defaults, meta limits and header bookkeeping; on the survey POST that cost a
tenth of the request (issue 12). `hit` counts the same way (the same strategy, key prefix, client address and
limit notation) and answers 429 through the blueprint's handler when the limit is reached, after logging the line
Flask-Limiter logs (app.access_log strips its address). A view decorated with `limit` counts itself this way and
is left out of Flask-Limiter's own checks.
"""

import functools
import logging

from flask import abort, current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from app.extensions import limiter

log = logging.getLogger("flask-limiter")


@functools.lru_cache(maxsize=64)
def _items(text: str) -> tuple[RateLimitItem, ...]:
    """Every part of a limit ("10 per minute;600 per hour"), narrowest first, as Flask-Limiter checks them."""
    return tuple(sorted(parse_many(text)))


def hit(limit: str, scope: str) -> None:
    """Count this request against each part of `limit` ("600 per hour") for the client's address in `scope`, up
    to the first part that is reached: then 429. A storage error is raised (a 500), or logged and let through
    when RATELIMIT_SWALLOW_ERRORS is set, as Flask-Limiter does; its in-memory fallback does not apply here.

    :raise werkzeug.exceptions.TooManyRequests: a part of the limit is reached (nothing else is done).
    """
    if not (limiter.enabled and limiter.initialized):
        return
    key = get_remote_address()
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    args = (prefix, key, scope) if prefix else (key, scope)
    try:
        breached = next((item for item in _items(limit) if not limiter.limiter.hit(item, *args)), None)
    except Exception:
        if not current_app.config.get("RATELIMIT_SWALLOW_ERRORS"):
            raise
        log.exception("Failed to rate limit. Swallowing error")
        return
    if breached is not None:
        log.info("ratelimit %s (%s) exceeded at endpoint: %s", breached, key, scope)
        abort(429)


def limit(config_key: str):
    """Decorate a view so that it counts the limit in `config_key` with `hit` (the endpoint is the scope, as for
    Flask-Limiter's decorator), and Flask-Limiter's own checks skip it."""

    def decorate(view):
        @functools.wraps(view)
        def counted(*args, **kwargs):
            hit(current_app.config[config_key], request.endpoint)
            return view(*args, **kwargs)

        setattr(counted, _COUNTS_ITSELF, True)
        return counted

    return decorate


_COUNTS_ITSELF = "_rate_limits_counted"  # on a view decorated by `limit`


@limiter.request_filter
def _counts_itself() -> bool:
    return getattr(current_app.view_functions.get(request.endpoint), _COUNTS_ITSELF, False)
