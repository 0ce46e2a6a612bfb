"""The daily roll-up: exact integer tallies per unit, day, service, counter and channel, the same summed per unit
and day (for trends), and profile marginals per unit and day, derived from `responses`, so what a dashboard costs
follows the days it shows, not the rows.

How it stays current:

- `roll` adds the closed days after `RollupState.through`, up to the office's today (exclusive). `flask analytics
  rollup` runs it from cron once a day (or more often) and catches up after any downtime; it takes "today" as the
  office date of `SETTLE` ago, so an answer whose date was taken just before midnight and stored just after is
  never left out of a day already rolled up. Today is always read raw.
- Whatever changes responses dated before `through` after the fact (a paper import, cancelling one, deleting
  responses) sends `app.signals.responses_changed` inside its transaction, and `refresh_days` recomputes those
  days from the raw rows in the same transaction.
- `rebuild` (`flask analytics rebuild-rollup`) recomputes everything from the raw rows.

Every writer first locks the one `analytics_rollup_state` row, so a roll, a rebuild and a refresh never
interleave, on one host or several, and a second run of the same roll finds nothing left to do. Every function
flushes; the caller commits.
"""

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa

from analytics.models import DailyProfile, DailyTally, DailyUnitTally, RollupState
from analytics.rolled import through as through  # re-exported: `rollup.through()` is the commands' reading
from analytics.selection import PROFILE_DIMENSIONS, answer_aggregates, flag_aggregates, group_expr
from app import clock
from app.directory import Unit
from app.extensions import db, upsert
from survey.models import Response
from survey.questionnaire import ELEMENTS
from survey.stuffing import FLAG_LABELS

SETTLE = timedelta(minutes=10)  # far longer than storing an answer takes once its date was read from the clock


def settled_today() -> date:
    """The office date of `SETTLE` ago: every day before it is closed, no answer to it still on its way."""
    return clock.today(at=clock.utc_now() - SETTLE)


def _tally_select(where: list) -> tuple[list[str], sa.Select]:
    """The roll-up rows of the responses matching `where`: its target columns and the aggregate that fills them."""
    keys = (Response.unit_id, Response.survey_date, Response.service_id, Response.counter_id, Response.channel)
    targets = ["unit_id", "day", "service_id", "counter_id", "channel", "respondents"]
    columns = [*keys, sa.func.count(), *answer_aggregates()]
    for element in ELEMENTS:
        targets += [f"{element.code.lower()}_n", f"{element.code.lower()}_sum"]
    targets += ["flagged", "assisted", *(f"flag_{code}" for code in FLAG_LABELS), "max_response_id"]
    columns += [*flag_aggregates(), sa.func.max(Response.id)]
    return targets, sa.select(*columns).where(*where).group_by(*keys)


def _profile_select(where: list) -> sa.CompoundSelect:
    """One row per unit, day, profile question and value, with its respondents, as the readers group them."""
    parts = []
    for name in PROFILE_DIMENSIONS:
        value = sa.cast(group_expr(name), sa.String(20))
        dimension = sa.cast(sa.literal(name), sa.String(12))
        parts.append(
            sa.select(Response.unit_id, Response.survey_date, dimension, value, sa.func.count())
            .where(*where)
            .group_by(Response.unit_id, Response.survey_date, value)
        )
    return sa.union_all(*parts)


def _unit_select(where: list) -> tuple[list[str], sa.Select]:
    """The per-unit-and-day rows summed from the `DailyTally` rows matching `where` (written just before)."""
    targets = ["unit_id", "day", "respondents", "max_response_id"]
    columns = [DailyTally.unit_id, DailyTally.day, sa.func.sum(DailyTally.respondents),
               sa.func.max(DailyTally.max_response_id)]  # fmt: skip
    for element in ELEMENTS:
        for part in ("n", "sum"):
            targets.append(f"{element.code.lower()}_{part}")
            columns.append(sa.func.sum(getattr(DailyTally, f"{element.code.lower()}_{part}")))
    return targets, sa.select(*columns).where(*where).group_by(DailyTally.unit_id, DailyTally.day)


def _insert(*, unit_id: int | None = None, start: date | None = None, end: date | None = None,
            days: tuple[date, ...] | None = None) -> None:  # fmt: skip
    """Roll up the responses of one unit (or all) dated in [start, end) or on `days`."""

    def where(unit_column, day_column) -> list:
        clauses = [] if unit_id is None else [unit_column == unit_id]
        clauses += [] if start is None else [day_column >= start]
        clauses += [] if end is None else [day_column < end]
        return clauses + ([] if days is None else [day_column.in_(days)])

    responses, rolled = where(Response.unit_id, Response.survey_date), where(DailyTally.unit_id, DailyTally.day)
    targets, select = _tally_select(responses)
    db.session.execute(sa.insert(DailyTally).from_select(targets, select))
    unit_targets, unit_select = _unit_select(rolled)
    db.session.execute(sa.insert(DailyUnitTally).from_select(unit_targets, unit_select))
    profile_targets = ["unit_id", "day", "dimension", "value", "respondents"]
    db.session.execute(sa.insert(DailyProfile).from_select(profile_targets, _profile_select(responses)))


def _lock() -> date | None:
    """Lock the state row (creating it the first time) and return `through`."""
    db.session.execute(upsert()(RollupState).values(id=1, through=None).on_conflict_do_nothing(index_elements=["id"]))
    return db.session.execute(sa.select(RollupState.through).where(RollupState.id == 1).with_for_update()).scalar_one()


def _set_through(day: date | None) -> None:
    db.session.execute(sa.update(RollupState).where(RollupState.id == 1).values(through=day))


def _first_day(unit_ids: list[int]) -> date | None:
    """The earliest survey date, one index seek per unit (the date index starts with the unit)."""
    firsts = [
        db.session.scalar(sa.select(sa.func.min(Response.survey_date)).where(Response.unit_id == unit_id))
        for unit_id in unit_ids
    ]
    firsts = [day for day in firsts if day is not None]
    return min(firsts, default=None)


def roll(*, today: date, days: int | None = None) -> date | None:
    """Add the closed days after `through`, at most `days` of them, up to `today` (exclusive). Flushes.

    :return: the new `through`, or None when there was nothing to roll (a second run of the same day).
    """
    current = _lock()
    target = today
    unit_ids = list(db.session.scalars(sa.select(Unit.id).order_by(Unit.id)))
    start = current if current is not None else (_first_day(unit_ids) or target)
    if start >= target:
        if current is None:
            _set_through(target)
            return target
        return None
    end = target if days is None else min(target, start + timedelta(days=days))
    if current is None:  # from the first response on: one pass over the table for every unit at once
        _insert(end=end)
    else:  # a few days: one range of each unit's own index entries (the units' rows are mixed in the table)
        for unit_id in unit_ids:
            _insert(unit_id=unit_id, start=start, end=end)
    _set_through(end)
    return end


def reset() -> None:
    """Empty the roll-up: every reader reads raw rows until the next roll. Flushes."""
    _lock()
    for table in (DailyTally, DailyUnitTally, DailyProfile):
        db.session.execute(sa.delete(table))
    _set_through(None)


def rebuild(*, today: date) -> date | None:
    """Recompute the whole roll-up from the raw rows, in the caller's transaction. Flushes."""
    reset()
    return roll(today=today)


def refresh_days(*, unit_id: int, days: Iterable[date]) -> tuple[date, ...]:
    """Recompute a unit's rolled-up days among `days` from the raw rows (after an import, a cancellation or a
    deletion). Flushes. Returns the days recomputed; days not rolled up yet need nothing."""
    current = _lock()
    stale = tuple(sorted({day for day in days if current is not None and day < current}))
    if not stale:
        return ()
    for table in (DailyTally, DailyUnitTally, DailyProfile):
        db.session.execute(sa.delete(table).where(table.unit_id == unit_id, table.day.in_(stale)))
    _insert(unit_id=unit_id, days=stale)
    return stale


def on_responses_changed(_sender, *, unit_id: int, days: Iterable[date]) -> None:
    """Receiver of `app.signals.responses_changed`: keep the roll-up equal to the raw rows."""
    refresh_days(unit_id=unit_id, days=days)
