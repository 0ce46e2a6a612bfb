"""Analytics' write side: populations, publishing a period (freezing its figures) and withdrawing it.

Functions flush; the caller (a staff view or a command) commits. Only analytics' own tables are written.
"""

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from analytics import data
from analytics.dashboard import Dashboard, Status, monthly_trend
from analytics.dashboard import Publication as PublicationInfo
from analytics.data import Cutoff, Selection
from analytics.models import Publication, PublishingSettings, SurveyPopulation
from analytics.snapshot import Snapshot, compute_figures, cutoffs_in_force
from app import audit, clock
from app.directory import Unit
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from app.links import results_url
from app.periods import Period, parse_period
from survey.service import response_watermark

logger = logging.getLogger(__name__)

MAX_POPULATION = 100_000_000
MIN_REASON_LENGTH = 10


class PublishingError(DomainError):
    """A population, publication or withdrawal that breaks a rule."""


def set_population(*, unit: Unit, period_key: str, population: int) -> SurveyPopulation:
    """Record how many citizens a unit served in a period (the base of the minimum sample). Flushes.

    :raise PeriodError: the period key cannot be read.
    :raise PublishingError: the population is not a positive whole number.
    """
    period = parse_period(period_key)
    if not 1 <= population <= MAX_POPULATION:
        raise PublishingError({"population": N_("Populasi harus bilangan bulat positif.")})
    row = db_population(unit.id, period.key)
    if row is None:
        row = SurveyPopulation(unit_id=unit.id, period_key=period.key, population=population)
        db.session.add(row)
    else:
        row.population = population
    db.session.flush()
    return row


def db_population(unit_id: int, period_key: str) -> SurveyPopulation | None:
    return db.session.scalar(
        sa.select(SurveyPopulation).where(
            SurveyPopulation.unit_id == unit_id, SurveyPopulation.period_key == period_key
        )
    )


def publish_period(
    *, unit: Unit, period: Period, published_by: str, expected_respondents: int | None = None, actor=None
) -> tuple[Publication, Dashboard]:
    """Freeze a unit's figures for a period, with its rendered poster, audited as by `actor` (a User) or the
    command or job `published_by`. Flushes.

    The respondent set is every response of the period up to the watermark taken now, less what publications
    in force over part of the period left out (a published month's late questionnaires stay out of its quarter).
    Every later figure of this period (dashboard, posters, reports, exports, trends) is read from the snapshot
    or that set.
    :param expected_respondents: the count the publisher confirmed; publishing is refused if data arrived since.
    :raise PublishingError: no responses, figures changed since they were confirmed, or already published.
    """
    from analytics.ikm_poster import ikm_poster

    if data.publication(unit.id, period.key) is not None:
        raise PublishingError(N_("Hasil periode ini sudah dipublikasikan dan dibekukan."))
    watermark = response_watermark()
    figures = _figures_to_freeze(unit, period, watermark, expected_respondents)
    snapshot = Snapshot.of(figures, watermark=watermark)
    now = datetime.now(UTC)
    dashboard = Dashboard(
        figures=figures,
        status=Status.PUBLISHED,
        trend=monthly_trend(Selection(unit_id=unit.id), period, own=snapshot),
        today=clock.today(),
        publication=PublicationInfo(now, published_by),
    )
    url = results_url(unit)
    publication = Publication(
        unit_id=unit.id,
        period_key=period.key,
        period_start=period.start,
        snapshot=snapshot.to_json(),
        poster_png=ikm_poster(dashboard, results_url=url, fmt="png"),
        poster_pdf=ikm_poster(dashboard, results_url=url, fmt="pdf"),
        published_by=published_by,
        published_at=now,
    )
    db.session.add(publication)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # two publishers raced: the partial unique index decides
        raise PublishingError(N_("Hasil periode ini sudah dipublikasikan dan dibekukan.")) from None
    logger.info("Published %s %s (watermark %s) by %s", unit.slug, period.key, watermark, published_by)
    _record(audit.Action.PUBLISHED, publication, actor=actor, actor_name=published_by)
    return publication, dashboard


def _figures_to_freeze(unit: Unit, period: Period, watermark: int, expected_respondents: int | None):
    """The whole unit's figures over the respondent set to publish; refuses an empty or changed one."""
    cutoffs = (*cutoffs_in_force(unit.id, period.start, period.end), Cutoff(period.start, period.end, watermark))
    figures = compute_figures(
        unit_id=unit.id, unit_name=unit.name, period=period, selection=Selection(unit_id=unit.id).frozen_at(cutoffs)
    )
    if not figures.result.has_data:
        raise PublishingError(
            N_("Tidak ada respons pada %(period)s; tidak ada yang dipublikasikan."), period=period.label
        )
    if expected_respondents is not None and figures.result.respondents != expected_respondents:
        raise PublishingError(
            N_(
                "Data berubah sejak angka diperiksa (%(then)d menjadi %(now)d responden); periksa lagi sebelum "
                "mempublikasikan."
            ),
            then=expected_respondents,
            now=figures.result.respondents,
        )
    return figures


def withdraw_publication(*, unit: Unit, period: Period, withdrawn_by: str, reason: str, actor=None) -> Publication:
    """Withdraw the publication in force of a unit's period, recording who, when and why, audited as by `actor`
    (a User) or `withdrawn_by`. Flushes.

    The figures become live again (and can be published anew); the withdrawn publication stays as the record.
    :raise PublishingError: no publication in force, or no reason given.
    """
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise PublishingError(
            {"reason": N_("Tuliskan alasan penarikan (minimal %(n)d karakter).")}, n=MIN_REASON_LENGTH
        )
    publication = data.publication(unit.id, period.key)
    if publication is None:
        raise PublishingError(N_("Periode %(period)s belum dipublikasikan."), period=period.label)
    publication.withdrawn_at = datetime.now(UTC)
    publication.withdrawn_by = withdrawn_by
    publication.withdrawal_reason = reason[:2000]
    db.session.flush()
    logger.info("Publication %s of %s %s withdrawn by %s", publication.id, unit.slug, period.key, withdrawn_by)
    _record(audit.Action.WITHDRAWN, publication, actor=actor, actor_name=withdrawn_by)
    return publication


def _record(what: audit.Action, publication: Publication, *, actor, actor_name: str) -> None:
    audit.record(what, actor=actor, actor_name=actor_name, object_type="publication", object_id=publication.id,
                 unit_id=publication.unit_id, detail=publication.period_key)  # fmt: skip


def set_auto_publish(*, unit: Unit, on: bool, updated_by: str, actor=None) -> PublishingSettings:
    """Record whether `flask monthly` publishes each closed month of `unit` by itself, and audit the choice by
    `actor` (a User) or `updated_by`. Flushes."""
    settings = db.session.get(PublishingSettings, unit.id)
    if settings is None:
        settings = PublishingSettings(unit_id=unit.id)
        db.session.add(settings)
    settings.auto_publish, settings.updated_by, settings.updated_at = on, updated_by[:80], datetime.now(UTC)
    audit.record(audit.Action.AUTO_PUBLISH_SET, actor=actor, actor_name=updated_by, object_type="unit",
                 object_id=unit.id, unit_id=unit.id, detail="on" if on else "off")  # fmt: skip
    return settings
