"""complaints.access: who sees which complaint or WBS report, who may do what, and who may see the reporter."""

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.extensions import db
from complaints import access
from complaints.access import Action
from complaints.models import Complaint, Stream
from tests.complaint_factories import make_cast, make_complaint
from tests.factories import make_user


@pytest.fixture
def cast(demo):
    return make_cast(demo)


@pytest.fixture
def objects(cast):
    """A complaint of unit A routed to A, one of unit B routed to B, an anonymous one (A) and a WBS report."""
    return {
        "a": make_complaint(cast.unit_a, assigned_unit=cast.unit_a, status="didisposisikan", title="A"),
        "b": make_complaint(cast.unit_b, assigned_unit=cast.unit_b, status="didisposisikan", title="B"),
        "anon": make_complaint(cast.unit_a, assigned_unit=cast.unit_a, anonymous=True, title="Anon"),
        "wbs": make_complaint(cast.unit_a, stream="wbs", title="WBS"),
    }


def visible_titles(user, stream) -> set[str]:
    query = sa.select(Complaint.title).where(access.visible_complaints(user, stream))
    return set(db.session.scalars(query))


# Who sees what, as the list's where-clause and as can_view (the two must agree).
EXPECTED_VISIBLE = {
    "admin": set(),
    "loket": set(),
    "ppid": set(),
    "pengaduan": {"a", "b", "anon"},
    "unit_pj_a": {"a", "anon"},
    "unit_pj_b": {"b"},
    "pimpinan": {"a", "b", "anon"},
    "wbs": {"wbs"},
}


@pytest.mark.parametrize("who", sorted(EXPECTED_VISIBLE))
def test_visibility_per_role(cast, objects, who):
    user = getattr(cast, who)
    expected = EXPECTED_VISIBLE[who]
    assert {key for key, c in objects.items() if access.can_view(user, c)} == expected
    titles = visible_titles(user, Stream.COMPLAINT) | visible_titles(user, Stream.WBS)
    assert titles == {objects[key].title for key in expected}


@pytest.mark.parametrize("who", sorted(EXPECTED_VISIBLE))
def test_get_or_404_refuses_with_404_what_the_user_may_not_see(cast, objects, who):
    user = getattr(cast, who)
    for key, complaint in objects.items():
        stream = complaint.stream
        if key in EXPECTED_VISIBLE[who]:
            assert access.get_or_404(user, complaint.id, stream).id == complaint.id
        else:
            with pytest.raises(NotFound):
                access.get_or_404(user, complaint.id, stream)
        other = Stream.COMPLAINT if stream is Stream.WBS else Stream.WBS
        with pytest.raises(NotFound):  # never through the other stream's pages
            access.get_or_404(user, complaint.id, other)
    with pytest.raises(NotFound):
        access.get_or_404(user, 999_999, Stream.COMPLAINT)


def test_handler_may_do_everything_answerer_answers_and_notes_reader_acts_on_nothing(cast, objects):
    assert access.allowed_actions(cast.pengaduan, objects["a"]) == frozenset(Action)
    assert access.allowed_actions(cast.wbs, objects["wbs"]) == frozenset(Action)
    assert access.allowed_actions(cast.unit_pj_a, objects["a"]) == {
        Action.RESPOND,
        Action.NOTE,
        Action.REVEAL,
        Action.ATTACHMENT,
    }
    assert access.allowed_actions(cast.pimpinan, objects["a"]) == {Action.REVEAL, Action.ATTACHMENT}
    for verb in ("verify", "reject", "duplicate", "route", "close", "archive"):
        assert not access.can_act(cast.unit_pj_a, objects["a"], verb)
        assert not access.can_act(cast.pimpinan, objects["a"], verb)


def test_nobody_acts_on_what_they_cannot_see(cast, objects):
    assert access.allowed_actions(cast.unit_pj_a, objects["b"]) == frozenset()
    assert access.allowed_actions(cast.pengaduan, objects["wbs"]) == frozenset()
    assert access.allowed_actions(cast.pimpinan, objects["wbs"]) == frozenset()
    assert access.allowed_actions(cast.wbs, objects["a"]) == frozenset()
    for who in ("admin", "loket", "ppid"):
        for complaint in objects.values():
            assert access.allowed_actions(getattr(cast, who), complaint) == frozenset()


def test_identity_never_for_anonymous_reports(cast, objects):
    for who in EXPECTED_VISIBLE:
        assert not access.may_see_identity(getattr(cast, who), objects["anon"])
    assert access.may_see_identity(cast.pengaduan, objects["a"])
    assert access.may_see_identity(cast.unit_pj_a, objects["a"])
    assert access.may_see_identity(cast.pimpinan, objects["a"])
    assert not access.may_see_identity(cast.unit_pj_a, objects["b"])
    assert not access.may_see_identity(cast.pimpinan, objects["wbs"])
    assert access.may_see_identity(cast.wbs, objects["wbs"])


def test_unit_answerer_sees_a_complaint_assigned_to_them_personally(cast):
    complaint = make_complaint(cast.unit_b, assigned_unit=cast.unit_b, assigned_user=cast.unit_pj_a)
    assert access.can_view(cast.unit_pj_a, complaint)
    assert visible_titles(cast.unit_pj_a, Stream.COMPLAINT) == {complaint.title}


def test_unrouted_complaint_is_not_seen_by_any_unit(cast):
    complaint = make_complaint(cast.unit_a)  # received, not yet routed
    assert not access.can_view(cast.unit_pj_a, complaint)
    assert access.can_view(cast.pengaduan, complaint)


def test_rerouting_takes_a_complaint_away_from_the_first_unit(cast, objects):
    complaint = objects["a"]
    complaint.assigned_unit_id = cast.unit_b.id
    db.session.commit()
    assert not access.can_view(cast.unit_pj_a, complaint)
    assert access.can_view(cast.unit_pj_b, complaint)


def test_unit_scoped_officer_and_reader_see_only_their_unit(cast, objects):
    officer = make_user("pengaduan", unit=cast.unit_b, username="pengaduan-b")
    reader = make_user("pimpinan", unit=cast.unit_b, username="pimpinan-b")
    handler = make_user("wbs", unit=cast.unit_b, username="wbs-b")
    assert visible_titles(officer, Stream.COMPLAINT) == {"B"}
    assert visible_titles(reader, Stream.COMPLAINT) == {"B"}
    assert not access.can_view(officer, objects["a"])
    assert not access.can_view(handler, objects["wbs"])  # the WBS report concerns unit A
    assert access.unit_in_scope(officer, cast.unit_b.id) and not access.unit_in_scope(officer, cast.unit_a.id)


def test_a_deactivated_account_sees_nothing(cast, objects):
    cast.pengaduan.active = False
    db.session.commit()
    assert not access.can_open_inbox(cast.pengaduan, Stream.COMPLAINT)
    assert not access.can_view(cast.pengaduan, objects["a"])
    assert visible_titles(cast.pengaduan, Stream.COMPLAINT) == set()


def test_inbox_and_registration_per_role(cast):
    inbox = {who for who in EXPECTED_VISIBLE if access.can_open_inbox(getattr(cast, who), Stream.COMPLAINT)}
    assert inbox == {"pengaduan", "unit_pj_a", "unit_pj_b", "pimpinan"}
    register = {who for who in EXPECTED_VISIBLE if access.can_register(getattr(cast, who), Stream.COMPLAINT)}
    assert register == {"pengaduan"}
    wbs = {who for who in EXPECTED_VISIBLE if access.can_open_inbox(getattr(cast, who), Stream.WBS)}
    assert wbs == {"wbs"} == {w for w in EXPECTED_VISIBLE if access.can_register(getattr(cast, w), Stream.WBS)}
    assert not access.can_open_inbox(None, Stream.COMPLAINT)


def test_assignable_officers_are_the_units_answerers(cast):
    users = access.assignable_users(Stream.COMPLAINT, cast.unit_a.id)
    assert [u.username for u in users] == [cast.unit_pj_a.username]
    assert [u.username for u in access.assignable_users(Stream.WBS, cast.unit_a.id)] == [cast.wbs.username]
