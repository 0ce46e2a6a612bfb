"""Write side of the survey: validate and store responses. Functions flush, callers commit."""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.directory import AccessMode, Counter, Service, Unit
from app.extensions import db
from app.i18n import N_
from survey import stuffing
from survey.models import Channel, Publication, Response, SurveyPopulation
from survey.questionnaire import (
    EDUCATIONS,
    ELEMENTS,
    GENDERS,
    MAX_AGE,
    MAX_OCCUPATION_OTHER_LENGTH,
    MAX_SUGGESTION_LENGTH,
    MIN_AGE,
    OCCUPATIONS,
    parse_score,
)
from survey.tokens import TokenError, check_token

logger = logging.getLogger(__name__)


TOKEN_REQUIRED = N_("Survei di loket ini memerlukan kode dari struk atau tiket antrean.")


class SurveyError(ValueError):
    """Input that cannot be stored; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class TokenUsedError(SurveyError):
    """The one-time token was already spent."""

    def __init__(self):
        super().__init__({"token": N_("Kode survei ini sudah dipakai. Terima kasih, jawaban Anda sudah tercatat.")})


@dataclass(frozen=True)
class Profile:
    """Respondent profile; every field is optional."""

    gender: str | None = None
    age: int | None = None
    education: str | None = None
    occupation: str | None = None
    occupation_other: str | None = None
    suggestion: str | None = None


def check_answers(answers: dict[str, object]) -> dict[str, int | None]:
    """Validate raw answers keyed by element code; unknown codes are rejected."""
    errors: dict[str, str] = {}
    known = {e.code for e in ELEMENTS}
    for code in answers:
        if code not in known:
            errors[code] = "unsur tidak dikenal"
    scores: dict[str, int | None] = {}
    for element in ELEMENTS:
        try:
            scores[element.code] = parse_score(answers.get(element.code))
        except ValueError:
            errors[element.code] = N_("Jawaban harus 1, 2, 3, atau 4.")
    if not errors and all(v is None for v in scores.values()):
        errors["answers"] = N_("Jawab setidaknya satu pertanyaan.")
    if errors:
        raise SurveyError(errors)
    return scores


def check_profile(profile: Profile) -> Profile:
    """Validate a profile against the questionnaire's choices and limits."""
    errors: dict[str, str] = {}
    if profile.gender is not None and profile.gender not in dict(GENDERS):
        errors["gender"] = N_("Jenis kelamin tidak dikenal.")
    if profile.age is not None and not MIN_AGE <= profile.age <= MAX_AGE:
        errors["age"] = N_("Usia harus 10-120 tahun.")
    if profile.education is not None and profile.education not in dict(EDUCATIONS):
        errors["education"] = N_("Pendidikan tidak dikenal.")
    if profile.occupation is not None and profile.occupation not in dict(OCCUPATIONS):
        errors["occupation"] = N_("Pekerjaan tidak dikenal.")
    if profile.occupation_other and len(profile.occupation_other) > MAX_OCCUPATION_OTHER_LENGTH:
        errors["occupation_other"] = N_("Pekerjaan lainnya maks. 100 karakter.")
    if profile.suggestion and len(profile.suggestion) > MAX_SUGGESTION_LENGTH:
        errors["suggestion"] = N_("Saran maks. 2000 karakter.")
    if errors:
        raise SurveyError(errors)
    return profile


def office_today() -> date:
    """Return today's date on the office's clock (periods are cut on it)."""
    return datetime.now(ZoneInfo(current_app.config["OFFICE_TIMEZONE"])).date()


def counter_services(counter: Counter) -> list[Service]:
    """Return the active services a counter's form offers (all of the unit's if none are set)."""
    services = counter.services or counter.unit.services
    return [s for s in services if s.active]


def submit_response(
    *,
    counter: Counter,
    service: Service,
    answers: dict[str, object],
    profile: Profile,
    channel: Channel = Channel.ONLINE,
    assisted: bool = False,
    token: str | None = None,
    device_id: str | None = None,
    ip: str | None = None,
) -> Response:
    """Store one questionnaire from a counter's survey link, with its flags.

    Guarantees: scores are 1-4 or NULL, the service is one the counter offers,
    a token-mode counter has a valid unspent token, and nothing is written when
    any check fails. Flushes (so `id` is set) but does not commit.
    :raise SurveyError: bad input, with a message per field.
    :raise TokenUsedError: the token was already spent.
    """
    scores = check_answers(answers)
    check_profile(profile)
    if not counter.active:
        raise SurveyError({"counter": N_("Loket ini tidak aktif.")})
    if service not in counter_services(counter):
        raise SurveyError({"service": N_("Pilih jenis layanan yang Anda terima.")})

    token_hash = None
    if counter.access_mode == AccessMode.TOKEN:
        if not token:
            raise SurveyError({"token": TOKEN_REQUIRED})
        try:
            token_hash = check_token(token, counter_id=counter.id)
        except TokenError as exc:
            raise SurveyError({"token": str(exc)}) from None
        if token_spent(token_hash):
            raise TokenUsedError()
    if counter.access_mode == AccessMode.ASSISTED:
        assisted = True

    flags, device_hash = stuffing.assess_and_log(
        ip=ip, device_id=device_id, answers=scores, check_device=channel == Channel.ONLINE and not assisted
    )
    response = Response(
        unit_id=counter.unit_id,
        service_id=service.id,
        counter_id=counter.id,
        survey_date=office_today(),
        submitted_at=datetime.now(UTC),
        channel=channel,
        assisted=assisted,
        flags=" ".join(flags),
        device_hash=device_hash,
        token_hash=token_hash,
        **_profile_columns(profile),
        **{code.lower(): score for code, score in scores.items()},
    )
    db.session.add(response)
    if token_hash is None:
        db.session.flush()
    else:
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            # Two submissions raced with the same token: the UNIQUE constraint decides.
            raise TokenUsedError() from None
    if flags:
        logger.info("Response %s flagged: %s", response.id, " ".join(flags))
    return response


def _profile_columns(profile: Profile) -> dict[str, object]:
    return {
        "gender": profile.gender,
        "age": profile.age,
        "education": profile.education,
        "occupation": profile.occupation,
        "occupation_other": (profile.occupation_other or None) if profile.occupation == "LAINNYA" else None,
        "suggestion": (profile.suggestion or "").strip() or None,
    }


def store_paper_responses(
    *, unit: Unit, service: Service, rows: list[tuple[date, dict[str, int | None], Profile]], batch_id: int
) -> int:
    """Insert already-validated paper questionnaires in one statement; returns the count."""
    if service.unit_id != unit.id:
        raise SurveyError({"service": "Layanan bukan milik unit ini."})
    now = datetime.now(UTC)
    values = [
        {
            "unit_id": unit.id,
            "service_id": service.id,
            "counter_id": None,
            "import_batch_id": batch_id,
            "survey_date": day,
            "submitted_at": now,
            "channel": Channel.PAPER,
            "assisted": False,
            "flags": "",
            **_profile_columns(profile),
            **{code.lower(): score for code, score in scores.items()},
        }
        for day, scores, profile in rows
    ]
    if values:
        db.session.execute(sa.insert(Response), values)
    return len(values)


def token_spent(token_hash: str) -> bool:
    """Return True when a response already carries this token."""
    return db.session.scalar(sa.select(Response.id).where(Response.token_hash == token_hash)) is not None


MAX_POPULATION = 100_000_000


def set_population(*, unit: Unit, period_key: str, population: int) -> SurveyPopulation:
    """Record how many citizens a unit served in a period (the base of the minimum sample). Flushes."""
    from app.periods import parse_period

    period = parse_period(period_key)  # raises PeriodError with a message
    if not 1 <= population <= MAX_POPULATION:
        raise SurveyError({"population": N_("Populasi harus bilangan bulat positif.")})
    row = db.session.scalar(
        sa.select(SurveyPopulation).where(
            SurveyPopulation.unit_id == unit.id, SurveyPopulation.period_key == period.key
        )
    )
    if row is None:
        row = SurveyPopulation(unit_id=unit.id, period_key=period.key, population=population)
        db.session.add(row)
    else:
        row.population = population
    db.session.flush()
    return row


class AlreadyPublishedError(SurveyError):
    """A period's results are frozen once published."""

    def __init__(self):
        super().__init__({"period": N_("Hasil periode ini sudah dipublikasikan dan dibekukan.")})


def publish_results(
    *,
    unit: Unit,
    period_key: str,
    snapshot: dict,
    poster_png: bytes | None,
    poster_pdf: bytes | None,
    published_by: str,
) -> Publication:
    """Freeze a period's computed results (and poster) for publication. Flushes.

    :raise AlreadyPublishedError: the period was published before; published numbers never change.
    """
    from app.periods import parse_period

    period = parse_period(period_key)
    exists = sa.select(Publication.id).where(Publication.unit_id == unit.id, Publication.period_key == period.key)
    if db.session.scalar(exists):
        raise AlreadyPublishedError()
    publication = Publication(
        unit_id=unit.id,
        period_key=period.key,
        period_start=period.start,
        snapshot=snapshot,
        poster_png=poster_png,
        poster_pdf=poster_pdf,
        published_by=published_by,
    )
    db.session.add(publication)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AlreadyPublishedError() from None
    return publication
