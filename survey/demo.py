"""Demo survey responses for `flask seed-demo`: six months of answers at the demo counters."""

import random
from datetime import timedelta

from app import clock
from app.directory import AccessMode, Counter, Service, Unit
from app.extensions import db
from survey.models import Channel, Response
from survey.questionnaire import EDUCATIONS, ELEMENTS, GENDERS, OCCUPATIONS

# Answer weights per score 1..4, with a weaker waiting time (U3) as in many real offices.
_WEIGHTS = {"U3": (6, 22, 52, 20)}
_DEFAULT_WEIGHTS = (2, 10, 55, 33)


def seed_responses(
    *, unit: Unit, counters: list[Counter], services: list[Service], count: int, rng: random.Random
) -> None:
    """Add `count` plausible responses over the last six months (weekdays, office hours). Flushes."""
    today = clock.today()
    for _ in range(count):
        counter = rng.choice(counters)
        service = rng.choice(counter.services or services)
        day = today - timedelta(days=rng.randrange(0, 180))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        scores = {}
        for element in ELEMENTS:
            weights = _WEIGHTS.get(element.code, _DEFAULT_WEIGHTS)
            scores[element.code.lower()] = None if rng.random() < 0.02 else rng.choices((1, 2, 3, 4), weights)[0]
        occupation = rng.choice(OCCUPATIONS)[0]
        db.session.add(
            Response(
                unit_id=unit.id,
                service_id=service.id,
                counter_id=counter.id,
                survey_date=day,
                channel=Channel.ONLINE,
                assisted=counter.access_mode == AccessMode.ASSISTED,
                gender=rng.choice(GENDERS)[0],
                age=rng.randrange(18, 70),
                education=rng.choice(EDUCATIONS)[0],
                occupation=occupation,
                occupation_other="Mahasiswa" if occupation == "LAINNYA" else None,
                **scores,
            )
        )
    db.session.flush()
