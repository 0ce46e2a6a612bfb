"""Demo publications for `flask seed-demo`: the office published its last four closed months, as a unit surveying
monthly would have, posted each on the notice board and the website, and followed the results up (so the
dashboard, the public results and the evidence pack have a closed loop to show). Each step leaves its audit entry
by "demo", as the pages and the monthly job do."""

import io
from datetime import date, timedelta

from analytics import data
from analytics.followup import attach_evidence, change_status, edit_action, propose_actions
from analytics.publication_log import PublicationLogError, add_entry, check_url
from analytics.publishing import publish_period
from analytics.selection import Selection
from app import clock
from app.directory import Unit
from app.links import results_url
from app.periods import Period, last_months, period_of

DEMO_PUBLISHED_MONTHS = 4
BY = "demo"


def publish_demo(*, unit: Unit) -> list[str]:
    """Publish the last closed months that have answers (at most four), log where, follow them up; return their
    keys. Flushes."""
    previous = period_of(clock.current_period("month").start - timedelta(days=1), "month")
    published = []
    for period in last_months(previous, DEMO_PUBLISHED_MONTHS):
        selection = Selection(unit_id=unit.id).within(period.start, period.end)
        if data.tally(selection).respondents and data.publication(unit.id, period.key) is None:
            publish_period(unit=unit, period=period, published_by=BY)
            _log(unit, period)
            _follow_up(unit, period, done=not published)  # the oldest month's plans are carried out
            published.append(period.key)
    return published


def _posted_on(period: Period) -> date:
    return min(clock.today(), period.end + timedelta(days=4))


def _log(unit: Unit, period: Period) -> None:
    add_entry(unit_id=unit.id, period=period, medium="papan_pengumuman", published_on=_posted_on(period),
              photo=_picture((238, 232, 213)), note="Poster IKM di papan pengumuman ruang tunggu", by=BY)  # fmt: skip
    add_entry(unit_id=unit.id, period=period, medium="situs_web", published_on=_posted_on(period),
              url=_results_link(unit), note="Halaman hasil SKM", by=BY)  # fmt: skip


def _results_link(unit: Unit) -> str:
    """The public results page, or (when the app runs on this computer only) a stand-in address for the demo."""
    try:
        return check_url(results_url(unit))
    except PublicationLogError:
        return f"https://example.org/hasil/{unit.slug}"


def _follow_up(unit: Unit, period: Period, *, done: bool) -> None:
    today = clock.today()
    for action in propose_actions(unit=unit, period=period, by=BY):
        edit_action(action=action, description=f"Perbaikan unsur {action.source_code}: rapat evaluasi dan SOP "
                    "baru", owner="Kepala Seksi Pelayanan", due_on=period.end + timedelta(days=45), by=BY)  # fmt: skip
        change_status(action=action, status="direncanakan", by=BY, today=today)
        if done:
            change_status(action=action, status="selesai", by=BY, today=today, done_on=_posted_on(period))
            attach_evidence(action=action, data=_picture((213, 232, 238)), by=BY, max_bytes=2_000_000)


def _picture(color: tuple[int, int, int]) -> bytes:
    """A small plain photo stand-in (PNG)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buffer, format="PNG")
    return buffer.getvalue()
