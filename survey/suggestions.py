"""Reading the respondents' suggestions: the staff review list and the ids hidden from the report."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.directory import Service
from app.extensions import db
from app.redact import mask_personal_data
from survey.models import HiddenSuggestion, Response

PAGE_SIZE = 50


@dataclass(frozen=True)
class Suggestion:
    """One suggestion as staff review it: the raw text, what the report prints, and whether it is hidden."""

    response_id: int
    survey_date: date
    service: str
    text: str
    hidden_by: str | None
    reason: str

    @property
    def printed(self) -> str:
        """The text as the report prints it (personal data masked)."""
        return mask_personal_data(self.text)

    @property
    def hidden(self) -> bool:
        return self.hidden_by is not None


def _has_text():
    return sa.and_(Response.suggestion.is_not(None), sa.func.trim(Response.suggestion) != "")


def suggestions(*, unit_id: int, first: date, last: date, page: int = 1) -> tuple[list[Suggestion], int]:
    """One page (newest first) of a unit's suggestions dated `first`..`last`, and how many there are in all."""
    where = sa.and_(Response.unit_id == unit_id, Response.survey_date.between(first, last), _has_text())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(where)) or 0
    rows = db.session.execute(
        sa.select(
            Response.id,
            Response.survey_date,
            Service.name,
            Response.suggestion,
            HiddenSuggestion.hidden_by,
            HiddenSuggestion.reason,
        )  # fmt: skip
        .join(Service, Service.id == Response.service_id)
        .outerjoin(HiddenSuggestion, HiddenSuggestion.response_id == Response.id)
        .where(where)
        .order_by(Response.survey_date.desc(), Response.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    return [Suggestion(r[0], r[1], r[2], r[3], r[4], r[5] or "") for r in rows], total


def hidden_suggestion_ids(unit_id: int) -> set[int]:
    """The ids of a unit's responses whose suggestion is kept out of the report (a few: officers hide them one
    by one)."""
    return set(
        db.session.scalars(
            sa.select(HiddenSuggestion.response_id)
            .join(Response, Response.id == HiddenSuggestion.response_id)
            .where(Response.unit_id == unit_id)
        )
    )
