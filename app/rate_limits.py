"""One rate-limit count for the hottest path, the survey POST: a single hit on Flask-Limiter's own strategy and
storage (memory:// or Redis, shared between app servers as every other limit), without the decorator.

Flask-Limiter's decorator resolves a route's limits on every request, twice (its `before_request`, then the
decorator), with their exemptions, defaults, meta limits and header bookkeeping; on the survey POST that cost a
tenth of the request (issue 12). `hit` counts the same way (the same strategy, key prefix, client address and
limit notation) and answers 429 through the blueprint's handler when the limit is reached, after logging the line
Flask-Limiter logs (app.access_log strips its address). A route counted here is left out of Flask-Limiter's own
checks by `skip_flask_limiter`.
"""

import functools
import logging

from flask import abort, current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from app.extensions import limiter

log = logging.getLogger("flask-limiter")
SKIPPED = "rate_limits_direct"  # app.extensions key: the endpoints counted by `hit`


@functools.lru_cache(maxsize=64)
def _item(text: str) -> RateLimitItem:
    return parse(text)


def hit(limit: str, scope: str) -> None:
    """Count this request against `limit` ("600 per hour") for the client's address in `scope`; 429 when over.

    :raise werkzeug.exceptions.TooManyRequests: the limit is reached (nothing else is done for the request).
    """
    if not (limiter.enabled and limiter.initialized):
        return
    item, key = _item(limit), get_remote_address()
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    args = (prefix, key, scope) if prefix else (key, scope)
    if not limiter.limiter.hit(item, *args):
        log.info("ratelimit %s (%s) exceeded at endpoint: %s", item, key, scope)
        abort(429)


def skip_flask_limiter(app, *endpoints: str) -> None:
    """Leave `endpoints` out of Flask-Limiter's per-request checks: they count themselves with `hit`."""
    app.extensions.setdefault(SKIPPED, set()).update(endpoints)


@limiter.request_filter
def _skipped() -> bool:
    return request.endpoint in current_app.extensions.get(SKIPPED, ())
