"""complaints.access: who sees which complaint or WBS report, who may do what, and who may see the reporter."""

import itertools

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.audit import Action as AuditAction
from app.audit import AuditEntry, record
from app.extensions import db
from complaints import access
from complaints.access import Action
from complaints.models import Complaint, ComplaintEvent, Status, Stream
from tests.complaint_factories import (
    ANON_EMAIL,
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    StaffClient,
    add_attachment,
    make_cast,
    make_complaint,
)
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


# --- The role x route x object matrix over every staff page ----------------------------------------------------

ROLES = sorted(EXPECTED_VISIBLE)
ACTIONS = ("verify", "reject", "duplicate", "route", "respond", "note", "close", "archive")
IDENTITY = (REPORTER_NAME, REPORTER_EMAIL, REPORTER_PHONE)
INBOX_ROLES = {"pengaduan": {"pengaduan", "unit_pj_a", "unit_pj_b", "pimpinan"}, "wbs": {"wbs"}}
REGISTER_ROLES = {"pengaduan": {"pengaduan"}, "wbs": {"wbs"}}


@pytest.fixture
def world(app, cast):
    """Every object routed (so no empty POST changes a status), with a file and a marked audit entry each."""
    objects = {
        "a": make_complaint(cast.unit_a, assigned_unit=cast.unit_a, status="didisposisikan", title="Judul A"),
        "b": make_complaint(cast.unit_b, assigned_unit=cast.unit_b, status="didisposisikan", title="Judul B"),
        "anon": make_complaint(
            cast.unit_a, assigned_unit=cast.unit_a, status="didisposisikan", anonymous=True, title="Judul Anon"
        ),  # fmt: skip
        "wbs": make_complaint(
            cast.unit_a, assigned_unit=cast.unit_a, status="didisposisikan", stream="wbs", title="Judul WBS"
        ),  # fmt: skip
    }
    files = {key: add_attachment(c) for key, c in objects.items()}
    for key, c in objects.items():
        record(AuditAction.COMPLAINT_NOTE, object_type="wbs" if key == "wbs" else "complaint", object_id=c.id,
               detail=f"penanda-audit-{key}")  # fmt: skip
    db.session.commit()
    return objects, files, Clients(app, cast)


class Clients(dict):
    """One logged-in StaffClient per role, logged in when first used (a login costs an argon2 verification)."""

    def __init__(self, app, cast) -> None:
        super().__init__({who: None for who in ROLES})
        self.app, self.cast = app, cast

    def __getitem__(self, who: str) -> StaffClient:
        if super().__getitem__(who) is None:
            self[who] = StaffClient(self.app, getattr(self.cast, who))
        return super().__getitem__(who)

    def items(self):
        return [(who, self[who]) for who in self]

    def values(self):
        return [self[who] for who in self]


def _base(complaint) -> str:
    return "/admin/wbs" if complaint.stream == Stream.WBS else "/admin/pengaduan"


def _other_base(complaint) -> str:
    return "/admin/pengaduan" if complaint.stream == Stream.WBS else "/admin/wbs"


def _assert_no_leak(who: str, key: str, body: str, revealed: bool) -> None:
    assert ANON_EMAIL not in body  # an anonymous reporter's e-mail reaches nobody, ever
    if not revealed:
        for text in IDENTITY:
            assert text not in body, (who, key)
    for other in ("a", "b", "anon", "wbs"):
        if other not in EXPECTED_VISIBLE[who]:
            assert f"penanda-audit-{other}" not in body, (who, key, other)


def test_inbox_and_registration_pages_per_role(world):
    """403 on the inbox and the registration page for roles without them; each inbox lists exactly what the
    role may see."""
    objects, _files, clients = world
    for stream, base in (("pengaduan", "/admin/pengaduan"), ("wbs", "/admin/wbs")):
        for who, client in clients.items():
            response = client.get(base + "/")
            assert response.status_code == (200 if who in INBOX_ROLES[stream] else 403), (who, stream)
            body = response.get_data(as_text=True)
            _assert_no_leak(who, "inbox", body, revealed=False)
            if response.status_code == 200:
                shown = {key for key, c in objects.items() if f"#{c.id} {c.title}<" in body}
                assert shown == {k for k in EXPECTED_VISIBLE[who] if (k == "wbs") == (stream == "wbs")}, who
            registers = who in REGISTER_ROLES[stream]
            assert client.get(base + "/baru").status_code == (200 if registers else 403), (who, stream)
            assert client.post(base + "/baru", data={}).status_code == (400 if registers else 403), (who, stream)


def test_object_routes_per_role(world):
    """Detail, attachment, every action and the reveal: 404 when the user may not see it, 403 when they may see
    it but not do that, and never a 5xx or a leaked identity."""
    objects, files, clients = world
    for (key, complaint), (who, client) in itertools.product(objects.items(), clients.items()):
        _check_object_routes(key, complaint, files[key], who, client)
    db.session.expire_all()  # the empty or refused POSTs moved nothing and wrote no history
    assert {c.status for c in db.session.scalars(sa.select(Complaint))} == {Status.ROUTED}
    assert db.session.scalar(sa.select(sa.func.count(ComplaintEvent.id))) == 0


def _check_object_routes(key, complaint, item, who, client) -> None:
    base, other = _base(complaint), _other_base(complaint)
    visible = key in EXPECTED_VISIBLE[who]
    response = client.get(f"{base}/{complaint.id}")
    assert response.status_code == (200 if visible else 404), (who, key)
    _assert_no_leak(who, key, response.get_data(as_text=True), revealed=False)
    if visible:
        assert f"penanda-audit-{key}" in response.get_data(as_text=True)  # the audit panel
    assert client.get(f"{other}/{complaint.id}").status_code == 404, (who, key)
    assert client.get(f"{base}/{complaint.id}/lampiran/{item.id}").status_code == (200 if visible else 404)
    assert client.get(f"{other}/{complaint.id}/lampiran/{item.id}").status_code == 404
    for verb in ACTIONS:
        response = client.post(f"{base}/{complaint.id}/{verb}", data={})
        allowed = visible and verb in {a.value for a in ACTION_RIGHTS[who]}
        expected = (400, 303) if allowed else ((403,) if visible else (404,))
        assert response.status_code in expected, (who, key, verb, response.status_code)
        _assert_no_leak(who, key, response.get_data(as_text=True), revealed=False)
        assert client.post(f"{other}/{complaint.id}/{verb}", data={}).status_code == 404
    response = client.post(f"{base}/{complaint.id}/identitas", data={})
    may_reveal = visible and key != "anon"
    assert response.status_code == (200 if may_reveal else 403 if visible else 404), (who, key)
    body = response.get_data(as_text=True)
    _assert_no_leak(who, key, body, revealed=may_reveal)
    assert (REPORTER_NAME in body) == may_reveal


ACTION_RIGHTS = {
    "admin": frozenset(),
    "loket": frozenset(),
    "ppid": frozenset(),
    "pengaduan": frozenset(Action),
    "unit_pj_a": frozenset({Action.RESPOND, Action.NOTE}),
    "unit_pj_b": frozenset({Action.RESPOND, Action.NOTE}),
    "pimpinan": frozenset(),
    "wbs": frozenset(Action),
}


def test_not_logged_in_is_sent_to_the_login_page(world):
    objects, files, _clients = world
    client = StaffClient(world[2].app, None)  # never logged in
    complaint = objects["a"]
    for url in ("/admin/pengaduan/", "/admin/wbs/", "/admin/pengaduan/baru", f"/admin/pengaduan/{complaint.id}",
                f"/admin/pengaduan/{complaint.id}/lampiran/{files['a'].id}"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    assert client.post(f"/admin/pengaduan/{complaint.id}/identitas").status_code == 302


def test_revealing_identity_is_audited_and_shown_once_and_never_for_anonymous(world, cast):
    objects, _files, clients = world
    complaint = objects["a"]
    before = db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == AuditAction.IDENTITY_REVEALED)
    )
    response = clients["unit_pj_a"].post(f"/admin/pengaduan/{complaint.id}/identitas")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert all(text in body for text in IDENTITY)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == AuditAction.IDENTITY_REVEALED)).all()
    assert len(entries) == before + 1
    assert entries[-1].actor_id == cast.unit_pj_a.id and entries[-1].object_id == complaint.id
    assert all(text not in entries[-1].detail for text in IDENTITY)
    again = clients["unit_pj_a"].get(f"/admin/pengaduan/{complaint.id}").get_data(as_text=True)
    assert REPORTER_NAME not in again  # only on the reveal's own response
    anonymous = objects["anon"]
    assert clients["pengaduan"].post(f"/admin/pengaduan/{anonymous.id}/identitas").status_code == 403
    body = clients["pengaduan"].get(f"/admin/pengaduan/{anonymous.id}").get_data(as_text=True)
    assert ANON_EMAIL not in body and "Tampilkan identitas pelapor" not in body
    count = sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == AuditAction.IDENTITY_REVEALED)
    assert db.session.scalar(count) == before + 1  # the refused reveal wrote nothing
