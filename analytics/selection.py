"""Which responses a figure counts and how they are summed: the `Selection` (unit, service, counter, dates,
respondent group, published cutoffs), the allow-list of group keys and the SQL aggregates, shared by the raw
readers (`analytics.data`) and the roll-up (`analytics.rollup`, `analytics.rolled`)."""

from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa

from survey.models import Response
from survey.questionnaire import ELEMENTS

AGE_BANDS = ((None, 20, "< 20"), (20, 30, "20-29"), (30, 40, "30-39"), (40, 50, "40-49"), (50, 60, "50-59"),
             (60, None, ">= 60"))  # fmt: skip
NOT_FILLED = "Tidak diisi"


def _age_band():
    whens = []
    for low, high, label in AGE_BANDS:
        condition = sa.and_(
            *(c for c in ((Response.age >= low) if low is not None else None,
                          (Response.age < high) if high is not None else None) if c is not None)
        )  # fmt: skip
        whens.append((condition, label))
    return sa.case(*whens, else_=NOT_FILLED)


# Group keys a caller may ask for, mapped to SQL expressions (allow-list).
GROUPS = {
    "unit": Response.unit_id,
    "service": Response.service_id,
    "counter": Response.counter_id,
    "channel": Response.channel,
    "gender": sa.func.coalesce(Response.gender, NOT_FILLED),
    "education": sa.func.coalesce(Response.education, NOT_FILLED),
    "occupation": sa.func.coalesce(Response.occupation, NOT_FILLED),
    "age_band": None,  # built per query (a CASE expression)
}


def count_if(condition):
    """How many rows meet `condition` (0, not NULL, when there are none)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def flag_aggregates() -> list:
    """Flagged and officer-assisted responses, then each anti-stuffing flag (in FLAG_LABELS order)."""
    from survey.stuffing import FLAG_LABELS

    columns = [count_if(Response.flags != ""), count_if(Response.assisted.is_(True))]
    return columns + [count_if(Response.flags.contains(code)) for code in FLAG_LABELS]


def answer_aggregates() -> list:
    """Per element, in questionnaire order: how many answered it (NULLs are not counted) and the sum of scores."""
    columns = []
    for element in ELEMENTS:
        column = getattr(Response, element.code.lower())
        columns += [sa.func.count(column), sa.func.coalesce(sa.func.sum(column), 0)]
    return columns


PROFILE_DIMENSIONS = ("gender", "age_band", "education", "occupation")  # the profile questions, as groups


def group_expr(name: str):
    """The SQL expression of an allowed group key; anything else is refused."""
    if name not in GROUPS:
        raise ValueError(f"unknown group {name!r}")
    return _age_band() if name == "age_band" else GROUPS[name]


@dataclass(frozen=True)
class Cutoff:
    """A published period's respondent set: of the responses dated in [start, end), those with id <= max_id."""

    start: date
    end: date
    max_id: int

    def clipped(self, start: date, end: date) -> "Cutoff | None":
        """The part of this cutoff inside [start, end), or None."""
        low, high = max(self.start, start), min(self.end, end)
        return Cutoff(low, high, self.max_id) if low < high else None

    def outside(self, start: date, end: date) -> tuple["Cutoff", ...]:
        """The parts of this cutoff outside [start, end) (none, one or two)."""
        parts = (Cutoff(self.start, min(self.end, start), self.max_id), Cutoff(max(self.start, end), self.end,
                                                                                self.max_id))  # fmt: skip
        return tuple(part for part in parts if part.start < part.end)


@dataclass(frozen=True)
class Selection:
    """Which responses to count: a unit, service, counter, date range and respondent group.

    `cutoffs` freeze published periods: a response dated in a cutoff's range counts only when it was in the
    published respondent set (id <= the watermark taken at publication).
    """

    unit_id: int | None = None
    service_id: int | None = None
    counter_id: int | None = None
    start: date | None = None  # inclusive
    end: date | None = None  # exclusive
    gender: str | None = None
    education: str | None = None
    occupation: str | None = None
    age_band: str | None = None
    channel: str | None = None
    cutoffs: tuple[Cutoff, ...] = ()

    FILTERS = ("service_id", "counter_id", "gender", "education", "occupation", "age_band", "channel")
    PROFILE_FILTERS = ("gender", "education", "occupation", "age_band")

    @property
    def filtered(self) -> bool:
        """True when the selection is narrower than a whole unit (a service, counter or respondent group)."""
        return any(getattr(self, name) is not None for name in self.FILTERS)

    @property
    def by_profile(self) -> bool:
        """True when the selection is a respondent group (gender, education, occupation or age band)."""
        return any(getattr(self, name) is not None for name in self.PROFILE_FILTERS)

    def frozen_at(self, cutoffs: tuple[Cutoff, ...]) -> "Selection":
        return replace(self, cutoffs=cutoffs)

    def within(self, start: date, end: date) -> "Selection":
        return replace(self, start=start, end=end)

    def where(self) -> list:
        clauses = []
        for attr, column in (("unit_id", Response.unit_id), ("service_id", Response.service_id),
                             ("counter_id", Response.counter_id), ("gender", Response.gender),
                             ("education", Response.education), ("occupation", Response.occupation),
                             ("channel", Response.channel)):  # fmt: skip
            value = getattr(self, attr)
            if value is not None:
                clauses.append(column == value)
        if self.start is not None:
            clauses.append(Response.survey_date >= self.start)
        if self.end is not None:
            clauses.append(Response.survey_date < self.end)
        if self.age_band is not None:
            clauses.append(_age_band() == self.age_band)
        for cut in self.cutoffs:
            clauses.append(
                sa.or_(Response.survey_date < cut.start, Response.survey_date >= cut.end, Response.id <= cut.max_id)
            )
        return clauses
