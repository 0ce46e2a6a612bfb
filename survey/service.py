"""Write side of the survey: validate and store responses. Functions flush, callers commit."""

from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa

from app import clock, signals
from app.directory import AccessMode, Counter, CounterAccess, Service, Unit
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from survey import stuffing, tokens
from survey.models import Channel, HiddenSuggestion, Response
from survey.questionnaire import (
    EDUCATIONS,
    ELEMENTS,
    GENDERS,
    MAX_AGE,
    MAX_OCCUPATION_OTHER_LENGTH,
    MAX_SUGGESTION_LENGTH,
    MIN_AGE,
    OCCUPATIONS,
    ScoreError,
    parse_score,
)

TOKEN_REQUIRED = N_("Survei di loket ini memerlukan kode dari struk atau tiket antrean.")


class SurveyError(DomainError):
    """Input that cannot be stored; each message names its field (`by_field()`)."""


TOKEN_USED = N_("Kode survei ini sudah dipakai. Terima kasih, jawaban Anda sudah tercatat.")


class TokenUsedError(SurveyError):
    """The one-time token was already spent."""

    def __init__(self):
        super().__init__({"token": TOKEN_USED})


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
            errors[code] = N_("unsur tidak dikenal")
    scores: dict[str, int | None] = {}
    for element in ELEMENTS:
        try:
            scores[element.code] = parse_score(answers.get(element.code))
        except ScoreError:
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


def input_errors(answers: dict[str, object], profile: Profile) -> dict:
    """Every answer and profile error at once (empty when both are fine), so a form can show them together."""
    errors = {}
    for check, value in ((check_answers, answers), (check_profile, profile)):
        try:
            check(value)
        except SurveyError as exc:
            errors.update(exc.by_field())
    return errors


@dataclass(frozen=True)
class StoredResponse:
    """What was stored for one questionnaire (the row itself is never loaded back)."""

    id: int
    survey_date: date
    channel: Channel
    assisted: bool
    flags: tuple[str, ...]


# Built once: an answer only executes it. Plain Core: nothing of the ORM's unit of work is needed for one new row.
_INSERT_RESPONSE = sa.insert(Response.__table__)


def submit_response(*, counter: Counter, service: Service, **details) -> StoredResponse:
    """`record_response` for a counter and a service loaded as ORM objects (`details`: its other arguments)."""
    return record_response(counter=CounterAccess.of(counter), service_id=service.id, **details)


def record_response(
    *,
    counter: CounterAccess,
    service_id: int,
    answers: dict[str, object],
    profile: Profile,
    channel: Channel = Channel.ONLINE,
    assisted: bool = False,
    token: str | None = None,
    device_id: str | None = None,
    ip: str | None = None,
) -> StoredResponse:
    """Store one questionnaire from a counter's survey link, with its flags.

    Guarantees: scores are 1-4 or NULL, the service is one the counter offers,
    a token-mode counter has a valid unspent code (spent here, with no link to the
    response), and nothing is written when any check fails. The response keeps the
    survey date, never the time, the device, the address or the code. Inserted in the
    session's transaction (so `id` is set) but not committed.
    :raise SurveyError: bad input, with a message per field.
    :raise TokenUsedError: the token was already spent.
    """
    scores = check_answers(answers)
    check_profile(profile)
    if not counter.active:
        raise SurveyError({"counter": N_("Loket ini tidak aktif.")})
    if not counter.offers(service_id):
        raise SurveyError({"service": N_("Pilih jenis layanan yang Anda terima.")})

    if counter.access_mode == AccessMode.TOKEN:
        _spend_token(counter, token)
    if counter.access_mode == AccessMode.ASSISTED:
        assisted = True

    flags = stuffing.assess_and_log(
        ip=ip,
        device_id=device_id,
        answers=scores,
        check_device=channel == Channel.ONLINE and not assisted,
        kiosk=channel == Channel.KIOSK,
    )
    survey_date = clock.today()
    row = {
        "unit_id": counter.unit_id,
        "service_id": service_id,
        "counter_id": counter.id,
        "import_batch_id": None,
        "survey_date": survey_date,
        "channel": channel,
        "assisted": assisted,
        "flags": " ".join(flags),
        **_profile_columns(profile),
        **{code.lower(): score for code, score in scores.items()},
    }
    # On the session's connection, in its transaction; nothing is logged: a log line's time would date the response.
    result = db.session.connection().execute(_INSERT_RESPONSE, row)
    return StoredResponse(result.inserted_primary_key[0], survey_date, channel, assisted, tuple(flags))


def check_code(counter: Counter | CounterAccess, token: str | None) -> tokens.TokenRef:
    """Return a token counter's valid, unspent code.

    :raise SurveyError: no code, or an unknown, expired or foreign one.
    :raise TokenUsedError: the code was already used.
    """
    if not token:
        raise SurveyError({"token": TOKEN_REQUIRED})
    try:
        ref = tokens.check_token(token, counter_id=counter.id)
    except tokens.TokenError as exc:
        raise SurveyError(*(replace(m, field="token") for m in exc.messages)) from None
    if tokens.is_spent(ref):
        raise TokenUsedError()
    return ref


def _spend_token(counter: CounterAccess, token: str | None) -> None:
    """Spend a token counter's code; of two submissions racing with one code, the row lock lets one win."""
    if not tokens.spend(check_code(counter, token)):
        raise TokenUsedError()


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
        raise SurveyError({"service": N_("Layanan bukan milik unit ini.")})
    values = [
        {
            "unit_id": unit.id,
            "service_id": service.id,
            "counter_id": None,
            "import_batch_id": batch_id,
            "survey_date": day,
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
        signals.responses_changed.send("survey", unit_id=unit.id, days={value["survey_date"] for value in values})
    return len(values)


def response_watermark() -> int:
    """Return the highest response id below which every response is committed and visible (0 when none).

    Publishing freezes "every response of the period up to this id". On SQLite writers are serialised, so ids
    commit in order. On PostgreSQL a concurrent insert could hold a lower id and commit later, so a SHARE lock
    first waits for in-flight inserts and holds new ones back until the caller's transaction ends.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE responses IN SHARE MODE"))
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Response.id), 0))))


def hide_suggestion(*, response: Response, hidden_by: str, reason: str = "") -> HiddenSuggestion:
    """Keep a response's suggestion out of the report (idempotent: hiding twice keeps the first record)."""
    if not (response.suggestion or "").strip():
        raise SurveyError({"response": N_("Respons ini tidak memuat saran.")})
    hidden = db.session.get(HiddenSuggestion, response.id)
    if hidden is None:
        hidden = HiddenSuggestion(response_id=response.id, hidden_by=hidden_by[:80], reason=reason[:200])
        db.session.add(hidden)
        db.session.flush()
    return hidden


def show_suggestion(*, response: Response) -> None:
    """Let a hidden suggestion appear in the report again (nothing happens when it was not hidden)."""
    db.session.execute(sa.delete(HiddenSuggestion).where(HiddenSuggestion.response_id == response.id))
