"""The complaint recap (analytics/complaint_recap.py) against hand-counted complaints of March 2026.

March 2026 on the national calendar: 18 March cuti bersama Nyepi, 19 Nyepi, 20 cuti bersama Idul Fitri, 21-22 Idul
Fitri (a weekend), 23-24 cuti bersama; 3 April Good Friday; 1 May Labour Day. Moments are UTC; the office is WITA
(UTC+8). Limits: verification 3 working days, first follow-up 5 working days, completion 60 calendar days.
"""

import secrets
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from analytics.complaint_recap import complaint_recap, median, nearest_rank, wbs_recap
from app import directory
from app.extensions import db
from app.periods import month
from complaints.models import Channel, Complaint, ComplaintEvent, EventKind, Status, Stream

MARCH = month(2026, 3)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def add(unit, received_on, *, channel=Channel.WEB, status=Status.RECEIVED, answered=None, **columns) -> Complaint:
    complaint = Complaint(
        stream=columns.pop("stream", Stream.COMPLAINT), tracking_hash=secrets.token_hex(32), unit_id=unit.id,
        title=columns.pop("title", "Antrean lama"), description="Uraian", channel=channel, status=status,
        received_on=received_on, verify_due=received_on, **columns,
    )  # fmt: skip
    for at in answered or ():
        complaint.events.append(ComplaintEvent(kind=EventKind.RESPONSE, at=at, body="Jawaban", public=True))
    db.session.add(complaint)
    return complaint


@pytest.fixture
def march(demo):
    """Five complaints received in March (web and phone), and some that must stay out of March's recap."""
    unit = demo.unit
    # A (web): received Tue 17 Mar; verified Wed 25 Mar = 1 working day (18-24 are holidays and a weekend), in time;
    # routed 25 Mar, first public answer Wed 1 Apr = 5 working days (26, 27, 30, 31, 1), due 1 Apr: in time (an
    # internal note and a later answer do not count); done Mon 6 Apr = 12 calendar days from 25 Mar (completion is
    # counted in calendar days, as its 60-day limit; it would be 7 working days, 3 Apr being Good Friday): in time.
    a = add(unit, date(2026, 3, 17), status=Status.DONE, verified_at=utc(2026, 3, 25, 2), complete_on=date(2026, 3, 25),
            routed_at=utc(2026, 3, 25, 3), answered=[utc(2026, 4, 1, 2), utc(2026, 4, 3, 2)],
            done_at=utc(2026, 4, 6, 2), rating=4)  # fmt: skip
    a.events.append(ComplaintEvent(kind=EventKind.NOTE, at=utc(2026, 3, 26, 2), body="Catatan", public=False))
    # B (web): received Thu 19 Mar (Nyepi); verified Mon 30 Mar = 4 working days (25, 26, 27, 30), due 27 Mar: late;
    # routed 30 Mar, answered Wed 8 Apr = 6 working days (31, 1, 2, 6, 7, 8), due 7 Apr: late (an answer given on
    # 27 Mar, before this disposition, does not count); still open.
    add(unit, date(2026, 3, 19), status=Status.FOLLOWED_UP, verified_at=utc(2026, 3, 30, 1),
        complete_on=date(2026, 3, 30), routed_at=utc(2026, 3, 30, 2),
        answered=[utc(2026, 3, 27, 2), utc(2026, 4, 8, 2)])  # fmt: skip
    # C (phone): received Mon 2 Mar, verified the same day = 0; routed 2 Mar, answered Thu 5 Mar = 3 working days;
    # done Mon 4 May: 29 calendar days in March after the 2nd, 30 in April, 4 in May = 63; due 1 May: late.
    add(unit, date(2026, 3, 2), channel=Channel.PHONE, status=Status.DONE, verified_at=utc(2026, 3, 2, 5),
        complete_on=date(2026, 3, 2), routed_at=utc(2026, 3, 2, 6), answered=[utc(2026, 3, 5, 2)],
        done_at=utc(2026, 5, 4, 2), rating=2)  # fmt: skip
    # D (phone): received Tue 31 Mar, the period's last day, verified Thu 2 Apr 00.30 WITA = 2 working days: in
    # time, and counted in March although verified in April.
    add(unit, date(2026, 3, 31), channel=Channel.PHONE, status=Status.VERIFIED, verified_at=utc(2026, 4, 1, 16, 30),
        complete_on=date(2026, 4, 2))  # fmt: skip
    # E (web): rejected; no step time.
    add(unit, date(2026, 3, 2), status=Status.REJECTED, rejection_reason="Di luar kewenangan",
        done_at=utc(2026, 3, 3, 2))  # fmt: skip
    # Not March's: received in February (verified in March), a WBS report, another unit's complaint.
    add(unit, date(2026, 2, 27), verified_at=utc(2026, 3, 2, 2), status=Status.VERIFIED)
    add(unit, date(2026, 3, 5), stream=Stream.WBS, verified_at=utc(2026, 3, 30, 2), status=Status.VERIFIED)
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    add(other, date(2026, 3, 5), verified_at=utc(2026, 3, 30, 2), status=Status.VERIFIED)
    db.session.commit()
    return demo


def test_percentile_methods_on_known_values():
    assert [nearest_rank([15, 20, 35, 40, 50], p) for p in (5, 30, 40, 50, 100)] == [15, 20, 20, 35, 50]
    assert nearest_rank(range(1, 11), 90) == 9 and nearest_rank(range(1, 21), 90) == 18
    assert nearest_rank([7], 90) == 7 and nearest_rank([], 90) is None
    assert median([4, 1, 3, 2]) == Decimal("2.5") and median([3, 1, 2]) == 2 and median([]) is None
    with pytest.raises(ValueError):
        nearest_rank([1], 0)


def _summary(times) -> tuple:
    return times.days, times.median, times.p90, times.within, times.within_percent


def test_times_per_channel_hand_counted_over_holidays(app, march):
    recap = complaint_recap(period=MARCH, unit_id=march.unit.id)

    web, phone = recap.channels
    assert (web.channel, phone.channel) == (Channel.WEB, Channel.PHONE)
    assert _summary(web.verification) == ((1, 4), Decimal("2.5"), 4, 1, Decimal("50.0"))
    assert _summary(phone.verification) == ((0, 2), Decimal(1), 2, 2, Decimal("100.0"))
    assert _summary(recap.overall.verification) == ((0, 1, 2, 4), Decimal("1.5"), 4, 3, Decimal("75.0"))
    assert _summary(web.followup) == ((5, 6), Decimal("5.5"), 6, 1, Decimal("50.0"))
    assert _summary(recap.overall.followup) == ((3, 5, 6), Decimal(5), 6, 2, Decimal("66.7"))
    assert _summary(web.completion) == ((12,), Decimal(12), 12, 1, Decimal("100.0"))
    assert _summary(phone.completion) == ((63,), Decimal(63), 63, 0, Decimal("0.0"))
    assert _summary(recap.overall.completion) == ((12, 63), Decimal("37.5"), 63, 1, Decimal("50.0"))
    assert recap.limits == {"verifikasi": 3, "tindak_lanjut": 5, "penyelesaian": 60}


def test_counts_and_ratings_follow_the_received_in_the_period_rule(app, march):
    recap = complaint_recap(period=MARCH, unit_id=march.unit.id)

    stats = recap.stats
    assert (stats.total, stats.to_handle, stats.handled, stats.in_progress) == (5, 4, 2, 2)
    assert stats.handled_percent == Decimal("50.0")
    assert (stats.rated, stats.rating_mean) == (2, 3)
    april = complaint_recap(period=month(2026, 4), unit_id=march.unit.id)
    assert april.stats.total == 0 and april.overall.verification.count == 0 and april.channels == ()
    february = complaint_recap(period=month(2026, 2), unit_id=march.unit.id)
    assert february.overall.verification.days == (1,)  # 27 Feb -> 2 Mar, counted in February


def test_the_limits_are_read_from_the_configuration(app, march):
    app.config["COMPLAINT_VERIFY_DAYS"] = 4

    recap = complaint_recap(period=MARCH, unit_id=march.unit.id)

    assert recap.overall.verification.within == 4  # B's 4 working days now meet the limit
    assert recap.limits["verifikasi"] == 4


def test_wbs_recap_counts_only(app, demo):
    unit = demo.unit
    add(unit, date(2026, 3, 3), stream=Stream.WBS, title="Rahasia satu")
    add(unit, date(2026, 3, 4), stream=Stream.WBS, status=Status.ROUTED)
    add(unit, date(2026, 3, 5), stream=Stream.WBS, status=Status.DONE, done_at=utc(2026, 3, 20, 2))
    add(unit, date(2026, 3, 6), stream=Stream.WBS, status=Status.ARCHIVED, rejection_reason="Tidak jelas",
        done_at=utc(2026, 3, 9, 2))  # fmt: skip
    add(unit, date(2026, 3, 6), status=Status.DONE, done_at=utc(2026, 3, 20, 2))  # a pengaduan: not WBS
    db.session.commit()

    wbs = wbs_recap(period=MARCH, unit_id=unit.id)

    assert (wbs.received, wbs.in_process, wbs.done, wbs.rejected) == (4, 2, 1, 1)
    assert set(vars(wbs)) == {"period", "received", "in_process", "done", "rejected"}  # no content field
    assert complaint_recap(period=MARCH, unit_id=unit.id).stats.total == 1  # WBS stays out of the recap


def test_the_page_names_each_steps_unit(app, client, march, demo):
    from tests.factories import log_in, make_user

    log_in(client, make_user("pengaduan", unit=demo.unit))
    page = client.get("/analitik/rekap-pengaduan/pengaduan?unit=dpmptsp-uji&periode=2026-03")
    assert page.status_code == 200
    assert "Verifikasi (hari kerja)" in page.text and "Penyelesaian (hari kalender)" in page.text
