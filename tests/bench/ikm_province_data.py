"""Province-scale data for the IKM benchmark (tests/bench/ikm_province.py): 50 units, millions of responses, COPY.

The rows are generated in chunks of consecutive days (ids grow with the date, as in real use, so the units' rows
are interleaved in the table) and streamed to PostgreSQL with COPY as CSV text. Each CSV line is assembled from
precomputed pieces (unit-service-counter, date, channel, profile, suggestion, flags, three groups of three scores)
with vectorised object-array additions, so generating a line costs far less than the server's COPY of it.

The directory: unit 1 is the demo DPMPTSP (`seed_demo(responses=0)`), the other 49 are clones of its structure
(the same 6 services and 4 counters, one of them officer-assisted), all made with app.directory's functions.
Distributions are those of tests/bench/ikm_data.py; units are equally likely (each about 1/50 of the rows).
"""

import csv
import io
import secrets
import time
from datetime import timedelta

from tests.bench import ikm_data
from tests.bench.ikm_data import (
    CHANNEL_WEIGHTS,
    COUNTER_WEIGHTS,
    FIRST_DAY,
    FLAG_SHARE,
    FLAG_VALUES,
    LAST_DAY,
    NULL_SHARE,
    SCORE_WEIGHTS,
    SUGGESTION_SHARE,
    SUGGESTIONS,
)

SEED = 20261128
CHUNK_DAYS = 7  # rows are generated and sent a week at a time
# COPY column order (any order is allowed): what a line is made of, piece by piece.
COPY_COLUMNS = (
    "unit_id", "service_id", "counter_id", "survey_date", "channel", "assisted", "gender", "age", "education",
    "occupation", "occupation_other", "suggestion", "flags",
    "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9",
)  # fmt: skip
GENDERS = ((None, 0.03), ("L", 0.97 * 0.52), ("P", 0.97 * 0.48))
EDUCATIONS = ("SD", "SMP", "SMA", "D1-D3", "S1", "S2", "S3")
EDUCATION_WEIGHTS = (0.08, 0.12, 0.40, 0.12, 0.23, 0.04, 0.01)
OCCUPATIONS = ("PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA", "LAINNYA")
OCCUPATION_WEIGHTS = (0.15, 0.03, 0.03, 0.35, 0.34, 0.10)
OTHERS = ("Mahasiswa", "Ibu rumah tangga", "Petani")


def _clone_unit(number: int):
    """Unit `number` of the province: the demo unit's structure under its own name and slug."""
    from app import directory
    from app.demo import SERVICES
    from app.directory import AccessMode, ServiceKind

    unit = directory.create_unit(name=f"Unit Layanan Provinsi {number:02d}", slug=f"unit-{number:02d}")
    services = [directory.create_service(unit=unit, name=name, kind=kind) for name, kind in SERVICES]
    licensing = [s for s in services if s.kind == ServiceKind.PERIZINAN]
    layout = (
        ("Loket 1", "loket-1", [services[0]], AccessMode.STATIC),
        ("Loket 2", "loket-2", licensing[1:], AccessMode.TOKEN),
        ("Loket 3", "loket-3", services[4:], AccessMode.STATIC),
        ("Meja Bantuan", "meja-bantuan", [], AccessMode.ASSISTED),
    )
    for name, slug, handled, mode in layout:
        directory.create_counter(unit=unit, name=name, slug=slug, services=handled, access_mode=mode)
    return unit


def seed_province(database_url: str, units: int) -> list[dict]:
    """The demo unit and units - 1 clones; per unit its ids in the shape of ikm_data.seed_directory's."""
    from app.demo import seed_demo
    from app.directory import Unit
    from app.extensions import db

    app = ikm_data.bench_app(database_url)
    with app.app_context():
        made = [seed_demo(admin_password=secrets.token_urlsafe(18), responses=0)]
        made += [_clone_unit(number) for number in range(2, units + 1)]
        db.session.commit()
        out = []
        for unit in db.session.query(Unit).order_by(Unit.id):
            out.append({
                "unit": unit.id,
                "services": [s.id for s in sorted(unit.services, key=lambda s: s.id)],
                "counters": [(c.id, [s.id for s in c.services]) for c in sorted(unit.counters, key=lambda c: c.id)],
            })  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    if len(out) != units or len({len(u["services"]) for u in out}) != 1:
        raise RuntimeError(f"expected {units} units of the same structure, got {len(out)}")
    return out


def _csv_field(value) -> str:
    """One CSV field as COPY (FORMAT csv) reads it: None is an unquoted empty field (NULL)."""
    if value is None:
        return ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([value])  # "\n" here makes a field holding one quoted
    return buffer.getvalue()[:-1]


class Pieces:
    """The precomputed text pieces of a CSV line, as numpy object arrays indexed by generated codes."""

    def __init__(self, ids: list[dict], days: list[str]):
        import numpy as np

        def table(values):
            return np.array(values, dtype=object)

        n_services = len(ids[0]["services"])
        self.n_services = n_services
        # unit, service, counter: index (u * n_services + s) * 5 + c, with c = 4 for a paper questionnaire
        self.place = table([
            f"{u['unit']},{sid},{'' if c == 4 else u['counters'][c][0]}"
            for u in ids for sid in u["services"] for c in range(5)
        ])  # fmt: skip
        self.day = table([f",{d}" for d in days])
        names = [c for c, _ in CHANNEL_WEIGHTS]
        self.channel = table([f",{name},{assisted}" for name in names for assisted in ("false", "true")])
        self.gender = table([f",{_csv_field(g)}" for g, _ in GENDERS])
        self.age = table([",", *(f",{a}" for a in range(18, 71))])
        self.education = table([f",{_csv_field(e)}" for e in (None, *EDUCATIONS)])
        occupations = [(o, None) for o in (None, *OCCUPATIONS[:-1])] + [(OCCUPATIONS[-1], x) for x in OTHERS]
        self.occupation = table([f",{_csv_field(o)},{_csv_field(x)}" for o, x in occupations])
        self.suggestion = table([f",{_csv_field(s)}" for s in (None, *SUGGESTIONS)])
        self.flags = table([",", *(f",{_csv_field(f)}" for f in FLAG_VALUES)])
        self.scores = table([f",{a or ''},{b or ''},{c or ''}" for a in range(5) for b in range(5) for c in range(5)])
        # service pool per counter position: the unit's service positions it handles (all of them when none)
        first = ids[0]
        positions = {sid: i for i, sid in enumerate(first["services"])}
        self.pools = [[positions[s] for s in handled] or list(range(n_services)) for _, handled in first["counters"]]


def _service_positions(rng, pieces: Pieces, counter):
    """The service of each row (its position in the unit's list), drawn from what the row's counter handles."""
    import numpy as np

    width = max(len(p) for p in pieces.pools)
    pool = np.zeros((len(pieces.pools), width), dtype=np.int64)
    size = np.array([len(p) for p in pieces.pools])
    for i, p in enumerate(pieces.pools):
        pool[i, : len(p)] = p
    pick = (rng.random(counter.size) * size[counter]).astype(np.int64)
    return pool[counter, pick]


def _profile_codes(rng, n: int):
    import numpy as np

    gender = rng.choice(len(GENDERS), size=n, p=[w for _, w in GENDERS])
    age = rng.integers(18, 71, n) - 17
    age[rng.random(n) < 0.03] = 0
    education = rng.choice(len(EDUCATIONS) + 1, size=n, p=[0.03, *(0.97 * w for w in EDUCATION_WEIGHTS)])
    occupation = rng.choice(len(OCCUPATIONS) + 1, size=n, p=[0.03, *(0.97 * w for w in OCCUPATION_WEIGHTS)])
    other = rng.integers(0, len(OTHERS), n)
    occupation = np.where(occupation == len(OCCUPATIONS), len(OCCUPATIONS) + other, occupation)
    return gender, age, education, occupation


def chunk_text(rng, pieces: Pieces, day_codes, units: int) -> str:
    """The CSV lines of one chunk (rows already in date order: `day_codes` sorted)."""
    import numpy as np

    n = day_codes.size
    unit = rng.integers(0, units, n)
    counter = rng.choice(len(COUNTER_WEIGHTS), size=n, p=COUNTER_WEIGHTS)
    channel = rng.choice(len(CHANNEL_WEIGHTS), size=n, p=[w for _, w in CHANNEL_WEIGHTS])
    paper = channel == [c for c, _ in CHANNEL_WEIGHTS].index("paper")
    service = _service_positions(rng, pieces, counter)
    assisted = (counter == len(COUNTER_WEIGHTS) - 1) & ~paper
    place = (unit * pieces.n_services + service) * 5 + np.where(paper, 4, counter)
    gender, age, education, occupation = _profile_codes(rng, n)
    suggestion = np.where(rng.random(n) < SUGGESTION_SHARE, rng.integers(1, len(SUGGESTIONS) + 1, n), 0)
    flags = np.where(rng.random(n) < FLAG_SHARE, rng.integers(1, len(FLAG_VALUES) + 1, n), 0)
    scores = rng.choice(4, size=(n, 9), p=SCORE_WEIGHTS) + 1
    scores[rng.random((n, 9)) < NULL_SHARE] = 0
    line = pieces.place[place] + pieces.day[day_codes] + pieces.channel[channel * 2 + assisted]
    line = line + pieces.gender[gender] + pieces.age[age] + pieces.education[education]
    line = line + pieces.occupation[occupation] + pieces.suggestion[suggestion] + pieces.flags[flags]
    for g in range(3):
        s = scores[:, 3 * g : 3 * g + 3]
        line = line + pieces.scores[s[:, 0] * 25 + s[:, 1] * 5 + s[:, 2]]
    return "\n".join(line.tolist()) + "\n"


def copy_rows(con, ids: list[dict], rows: int) -> tuple[float, float]:
    """COPY `rows` generated responses into `responses` on the psycopg connection `con` (in its transaction).

    Returns (seconds in all, seconds of them spent generating the text on this side).
    """
    import numpy as np

    rng = np.random.default_rng(SEED)
    days = [(FIRST_DAY + timedelta(days=i)).isoformat() for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    pieces = Pieces(ids, days)
    per_day = rng.multinomial(rows, [1 / len(days)] * len(days))
    superuser = con.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    if superuser:  # the ids are consistent by construction: skip the per-row foreign-key triggers
        con.execute("SET session_replication_role = replica")
    sql = f"COPY responses ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (flags))"
    started, generating = time.perf_counter(), 0.0
    with con.cursor().copy(sql) as copy:
        for first in range(0, len(days), CHUNK_DAYS):
            counts = per_day[first : first + CHUNK_DAYS]
            t0 = time.perf_counter()
            day_codes = np.repeat(np.arange(first, first + counts.size), counts)
            text = chunk_text(rng, pieces, day_codes, len(ids))
            generating += time.perf_counter() - t0
            copy.write(text.encode())
    if superuser:
        con.execute("SET session_replication_role = DEFAULT")
    return time.perf_counter() - started, generating
