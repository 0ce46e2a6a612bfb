"""A gunicorn worker SIGKILLed among concurrent survey answers loses none it acknowledged, and stores none it did not.

The run is tests/bench/no_loss.py at a small size (`make bench` sends 5,000 answers from 32 clients): a real gunicorn
with production settings, the rate limits on as a city deploys them (Redis when it answers), the clients distinct
addresses behind the office's proxy. Each test takes 10-20 s.
"""

from collections import Counter

import pytest

from tests.bench.no_loss import Outcome, Plan, Tally, redis_or_none, run, summary
from tests.conftest import REQUIRE_SERVICES, TEST_DATABASE_URL, TEST_REDIS_URL, require

SUBMISSIONS, CLIENTS = 300, 8


def limit_storage() -> str | None:
    """Redis for the rate limits when it answers (the city setting); in CI it must."""
    url = redis_or_none(TEST_REDIS_URL)
    if url is None and REQUIRE_SERVICES:
        pytest.fail(f"Redis at {TEST_REDIS_URL} is required (REQUIRE_SERVICES=1) but not reachable")
    return url


def assert_no_loss(outcome: Outcome) -> None:
    tally = outcome.tally
    assert outcome.problems() == [], summary(outcome)
    assert len(tally.acknowledged) <= outcome.rows <= len(tally.acknowledged) + len(tally.ambiguous)
    # The kill costs the requests the worker held, not the run.
    assert len(tally.acknowledged) >= 0.9 * SUBMISSIONS, summary(outcome)


def test_a_killed_worker_loses_no_acknowledged_answer_on_sqlite(tmp_path):
    assert_no_loss(run(Plan(SUBMISSIONS, CLIENTS, None, limit_storage()), tmp_path))


def test_a_killed_worker_loses_no_acknowledged_answer_on_postgresql(tmp_path):
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        pytest.skip("no PostgreSQL server (TEST_DATABASE_URL)")
    require(TEST_DATABASE_URL, "Test database")
    assert_no_loss(run(Plan(SUBMISSIONS, CLIENTS, TEST_DATABASE_URL, limit_storage()), tmp_path))


def outcome(stored: list[str], *, refused: Counter | None = None, probe: int | None = 21) -> Outcome:
    """A run of 4 submissions: a, b and c acknowledged, d dropped with its connection; `stored` read back."""
    tally = Tally(acknowledged={"a", "b", "c"}, ambiguous={"d"}, refused=refused or Counter())
    tally.killed, tally.killed_after, tally.replaced_in = 4242, 2, 0.1
    submissions = 4 + sum(tally.refused.values())
    return Outcome(Plan(submissions, 2), tally, stored, len(stored), Counter(), probe, 400, 1.0)


def test_the_check_holds_whether_or_not_a_dropped_answer_was_stored():
    assert outcome(["a", "b", "c"]).problems() == []
    assert outcome(["c", "d", "b", "a"]).problems() == []


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        (["a", "b"], "1 acknowledged answers are not stored"),
        (["a", "b", "c", "e"], "1 stored answers were neither acknowledged nor ambiguous"),
        (["a", "b", "c", "c"], "an answer is stored twice"),
    ],
)
def test_the_check_fails_on_a_lost_an_unsent_or_a_doubled_answer(stored, problem):
    assert problem in outcome(stored).problems()


def test_the_check_fails_on_a_refusal_or_rate_limits_that_never_answered():
    assert "refused answers: {'500': 1}" in outcome(["a", "b", "c"], refused=Counter({"500": 1})).problems()
    assert any("never met 429" in p for p in outcome(["a", "b", "c"], probe=None).problems())
