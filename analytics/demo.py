"""Demo publications for `flask seed-demo`: the office published its last four closed months, as a unit surveying
monthly would have (so the dashboard, the public results and the evidence pack have published periods to show)."""

from datetime import timedelta

from analytics import data
from analytics.publishing import publish_period
from analytics.selection import Selection
from app import clock
from app.directory import Unit
from app.periods import last_months, period_of

DEMO_PUBLISHED_MONTHS = 4


def publish_demo(*, unit: Unit) -> list[str]:
    """Publish the last closed months that have answers (at most four); return their keys. Flushes."""
    previous = period_of(clock.current_period("month").start - timedelta(days=1), "month")
    published = []
    for period in last_months(previous, DEMO_PUBLISHED_MONTHS):
        selection = Selection(unit_id=unit.id).within(period.start, period.end)
        if data.tally(selection).respondents and data.publication(unit.id, period.key) is None:
            publish_period(unit=unit, period=period, published_by="demo")
            published.append(period.key)
    return published
