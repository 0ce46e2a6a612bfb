"""User management, one's own password, the password policy, sessions ending, the audit log, demo logins."""

import logging
import re

import pytest
import sqlalchemy as sa

from app import passwords
from app.audit import Action, AuditEntry, record
from app.auth import Role, User, authenticate
from app.extensions import db
from app.passwords import PasswordError, check_password_policy
from tests.factories import PASSWORD, log_in, make_user

pytestmark = pytest.mark.usefixtures("fast_hashing")

NEW_PASSWORD = "kopi pagi di bontang 7"


@pytest.fixture
def boss(app, client):
    """A logged-in administrator (created through the factories, so with the shared test password)."""
    user = make_user("admin", username="boss")
    log_in(client, user)
    return user


def new_user_form(**fields) -> dict:
    data = {"username": "siti", "full_name": "Siti Aminah", "email": "Siti@Example.go.id", "role": "loket",
            "unit_id": "", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}  # fmt: skip
    data.update(fields)
    return data


def users_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def audit_entries(action: Action) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


@pytest.mark.parametrize(
    "password",
    ["password12", "1234567890", "qwertyuiop", "Password123", "bismillah123", "aaaaaaaaaaaa", "abababababab", "short"],
)
def test_the_policy_refuses_short_and_common_passwords(app, password):
    with pytest.raises(PasswordError):
        check_password_policy(password)


def test_the_policy_accepts_a_long_phrase_but_not_the_username(app):
    check_password_policy("correct horse battery", username="siti")
    check_password_policy("x" * 9 + "yz" + "w" * 117)  # 128 characters
    with pytest.raises(PasswordError, match="10-128"):
        check_password_policy("y" * 129)
    with pytest.raises(PasswordError, match="nama pengguna"):
        check_password_policy("Petugas.Loket1", username="petugas.loket1")
    assert len(passwords.common_passwords()) >= 200


def test_an_administrator_creates_an_account_with_role_and_unit(client, boss, demo):
    response = client.post("/admin/pengguna/baru", data=new_user_form(unit_id=str(demo.unit.id)))
    assert response.status_code == 303
    siti = db.session.scalar(sa.select(User).where(User.username == "siti"))
    assert (siti.role, siti.unit_id, siti.email, siti.full_name) == (Role.LOKET, demo.unit.id, "siti@example.go.id",
                                                                      "Siti Aminah")  # fmt: skip
    assert authenticate("siti", NEW_PASSWORD) is not None
    [entry] = audit_entries(Action.USER_CREATED)
    assert (entry.actor_id, entry.object_id, entry.detail) == (boss.id, siti.id, "role: loket; unit: dpmptsp-uji")
    assert "siti" in client.get("/admin/pengguna/").get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"password": "password12", "password_again": "password12"}, "terlalu umum"),
        ({"password_again": "something else entirely"}, "tidak sama"),
        ({"password": "siti", "password_again": "siti"}, "10-128"),
        ({"password": "Siti.Aminah", "password_again": "Siti.Aminah", "username": "siti.aminah"}, "nama pengguna"),
        ({"unit_id": ""}, "pilih unitnya"),
        ({"username": "boss"}, "sudah dipakai"),
        ({"username": "Siti Aminah!"}, "huruf kecil"),
        ({"email": "bukan-email"}, "e-mail tidak valid"),
        ({"role": "superuser"}, "Not a valid choice"),
        ({"unit_id": "999999", "role": "unit"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(client, boss, demo, fields, message):
    fields.setdefault("unit_id", str(demo.unit.id))
    before = users_count()
    response = client.post("/admin/pengguna/baru", data=new_user_form(**fields))
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert users_count() == before and audit_entries(Action.USER_CREATED) == []


def test_an_administrator_has_no_unit(client, boss, demo):
    response = client.post("/admin/pengguna/baru", data=new_user_form(role="admin", unit_id=str(demo.unit.id)))
    assert response.status_code == 400 and "seluruh kantor" in response.get_data(as_text=True)


def test_editing_role_unit_name_and_email_is_audited(client, boss, demo):
    loket = make_user("loket", unit=demo.unit)
    data = {"full_name": "Budi", "email": "budi@example.id", "role": "unit", "unit_id": str(demo.unit.id)}
    response = client.post(f"/admin/pengguna/{loket.id}/ubah", data=data)
    assert response.status_code == 303
    db.session.refresh(loket)
    assert (loket.role, loket.full_name, loket.email) == (Role.UNIT, "Budi", "budi@example.id")
    [entry] = audit_entries(Action.USER_CHANGED)
    assert entry.detail == "role: loket -> unit; name; email" and entry.actor_id == boss.id
    # a unit role cannot lose its unit
    bad = client.post(f"/admin/pengguna/{loket.id}/ubah", data={"role": "unit", "unit_id": ""})
    assert bad.status_code == 400 and "pilih unitnya" in bad.get_data(as_text=True)
    db.session.refresh(loket)
    assert loket.unit_id == demo.unit.id


def test_deactivation_ends_the_sessions_and_reactivation_allows_login(app, client, boss):
    ppid = make_user("ppid")
    other = app.test_client()
    log_in(other, ppid)
    assert other.get("/admin/pengguna/sandi").status_code == 200
    assert client.post(f"/admin/pengguna/{ppid.id}/nonaktifkan").status_code == 303
    assert other.get("/admin/pengguna/sandi").status_code == 302  # the existing session ended at once
    assert app.test_client().post("/auth/login", data={"username": "ppid", "password": PASSWORD}).status_code == 401
    assert client.post(f"/admin/pengguna/{ppid.id}/aktifkan").status_code == 303
    log_in(app.test_client(), ppid)
    assert [e.detail for e in audit_entries(Action.USER_CHANGED)] == ["active: yes -> no", "active: no -> yes"]


def test_the_last_active_administrator_is_protected(client, boss):
    for path, data in ((f"/admin/pengguna/{boss.id}/nonaktifkan", {}),
                       (f"/admin/pengguna/{boss.id}/ubah", {"role": "pimpinan", "unit_id": ""})):  # fmt: skip
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "administrator aktif terakhir" in response.get_data(as_text=True)
    db.session.refresh(boss)
    assert boss.active and boss.role == Role.ADMIN and audit_entries(Action.USER_CHANGED) == []
    # an inactive administrator does not count
    spare = make_user("admin", username="cadangan")
    spare.active = False
    db.session.commit()
    assert client.post(f"/admin/pengguna/{boss.id}/nonaktifkan").status_code == 400
    # with a second active administrator the first may step down
    assert client.post(f"/admin/pengguna/{spare.id}/aktifkan").status_code == 303
    response = client.post(f"/admin/pengguna/{boss.id}/ubah", data={"role": "pimpinan", "unit_id": ""})
    assert response.status_code == 303
    db.session.refresh(boss)
    assert boss.role == Role.PIMPINAN
    assert client.get("/admin/pengguna/").status_code == 403  # no longer allowed


def test_a_password_reset_ends_the_old_sessions(app, client, boss):
    head = make_user("pimpinan")
    theirs = app.test_client()
    log_in(theirs, head)
    weak = client.post(f"/admin/pengguna/{head.id}/sandi", data={"password": "1234567890",
                                                                   "password_again": "1234567890"})  # fmt: skip
    assert weak.status_code == 400 and "terlalu umum" in weak.get_data(as_text=True)
    assert theirs.get("/admin/pengguna/sandi").status_code == 200
    response = client.post(f"/admin/pengguna/{head.id}/sandi", data={"password": NEW_PASSWORD,
                                                                       "password_again": NEW_PASSWORD})  # fmt: skip
    assert response.status_code == 303
    assert theirs.get("/admin/pengguna/sandi").status_code == 302
    assert authenticate("pimpinan", PASSWORD) is None and authenticate("pimpinan", NEW_PASSWORD) is not None
    [entry] = audit_entries(Action.PASSWORD_RESET)
    assert (entry.actor_id, entry.object_id, entry.detail) == (boss.id, head.id, "")
    assert client.get("/admin/pengguna/").status_code == 200  # the administrator is still logged in


def test_changing_ones_own_password(app, client, demo):
    loket = make_user("loket", unit=demo.unit)
    log_in(client, loket)
    elsewhere = app.test_client()
    log_in(elsewhere, loket)
    page = "/admin/pengguna/sandi"
    wrong = client.post(page, data={"current_password": "not my password", "password": NEW_PASSWORD,
                                    "password_again": NEW_PASSWORD})  # fmt: skip
    assert wrong.status_code == 400 and "saat ini salah" in wrong.get_data(as_text=True)
    same = client.post(page, data={"current_password": PASSWORD, "password": PASSWORD, "password_again": PASSWORD})
    assert same.status_code == 400 and "berbeda" in same.get_data(as_text=True)
    assert authenticate(loket.username, PASSWORD) is not None and audit_entries(Action.PASSWORD_CHANGED) == []
    ok = client.post(page, data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                 "password_again": NEW_PASSWORD})  # fmt: skip
    assert ok.status_code == 303
    assert client.get("/admin/loket").status_code == 200  # this session continues
    assert elsewhere.get("/admin/loket").status_code == 302  # the other one ended
    assert authenticate(loket.username, NEW_PASSWORD) is not None
    [entry] = audit_entries(Action.PASSWORD_CHANGED)
    assert entry.actor_id == entry.object_id == loket.id


def test_wrong_current_passwords_are_throttled(app, client, demo):
    app.config["LOGIN_ACCOUNT_FREE_FAILURES"] = 2
    user = make_user("ppid")
    log_in(client, user)
    data = {"current_password": "not my password", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    codes = [client.post("/admin/pengguna/sandi", data=data).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_the_audit_log_page_filters_and_pages(client, boss):
    for number in range(60):
        record(Action.EXPORT if number % 2 else Action.PUBLISHED, actor_name=f"orang{number % 3}",
               detail=f"entry {number:02d}")  # fmt: skip
    db.session.commit()
    html = client.get("/admin/pengguna/audit").get_data(as_text=True)
    assert re.findall(r"entry (\d\d)", html) == [f"{n:02d}" for n in range(59, 9, -1)]  # 50 a page, newest first
    second = client.get("/admin/pengguna/audit?hal=2").get_data(as_text=True)
    assert re.findall(r"entry (\d\d)", second) == [f"{n:02d}" for n in range(9, -1, -1)]
    assert "login_ok" in second and "login_ok" not in html.split("<table>")[1]  # the oldest entry comes last
    exports = client.get("/admin/pengguna/audit?aksi=export").get_data(as_text=True)
    assert {int(n) % 2 for n in re.findall(r"entry (\d\d)", exports)} == {1}
    by_actor = client.get("/admin/pengguna/audit?aksi=export&pelaku=orang1").get_data(as_text=True)
    assert {(int(n) % 2, int(n) % 3) for n in re.findall(r"entry (\d\d)", by_actor)} == {(1, 1)}
    assert client.get("/admin/pengguna/audit?aksi=nope").status_code == 400
    assert client.get("/admin/pengguna/audit?hal=x").status_code == 400


def test_no_password_reaches_a_log_record_or_the_audit_log(app, client, boss, demo, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/admin/pengguna/baru", data=new_user_form(unit_id=str(demo.unit.id)))
    client.post("/admin/pengguna/baru", data=new_user_form(username="x2", password="password12",
                                                           password_again="password12"))  # fmt: skip
    siti = db.session.scalar(sa.select(User).where(User.username == "siti"))
    client.post(f"/admin/pengguna/{siti.id}/sandi", data={"password": "teh manis 42 gelas", "password_again":
                                                          "teh manis 42 gelas"})  # fmt: skip
    theirs = app.test_client()
    theirs.post("/auth/login", data={"username": "siti", "password": "salah sekali 99"})
    theirs.post("/auth/login", data={"username": "siti", "password": "teh manis 42 gelas"})
    theirs.post("/admin/pengguna/sandi", data={"current_password": "teh manis 42 gelas", "password": NEW_PASSWORD,
                                               "password_again": NEW_PASSWORD})  # fmt: skip
    assert len(audit_entries(Action.PASSWORD_CHANGED)) == 1  # the flow really ran
    secrets = (NEW_PASSWORD, "password12", "teh manis 42 gelas", "salah sekali 99", PASSWORD)
    lines = [record.getMessage() for record in caplog.records]
    assert lines, "nothing was logged"
    stored = [f"{e.actor_name} {e.object_type} {e.detail}" for e in db.session.scalars(sa.select(AuditEntry))]
    for secret in secrets:
        assert not any(secret in line for line in lines + stored), secret


def test_create_user_command_takes_role_and_unit(runner, demo):
    bad = runner.invoke(args=["create-user", "--username", "loket1", "--password", NEW_PASSWORD, "--role", "loket"])
    assert bad.exit_code != 0 and "pilih unitnya" in bad.output
    unknown = runner.invoke(args=["create-user", "--username", "loket1", "--password", NEW_PASSWORD, "--role",
                                  "loket", "--unit", "tidak-ada"])  # fmt: skip
    assert unknown.exit_code != 0 and "Unknown unit" in unknown.output
    ok = runner.invoke(args=["create-user", "--username", "loket1", "--password", NEW_PASSWORD, "--role", "loket",
                             "--unit", "dpmptsp-uji", "--email", "loket1@example.id"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    user = db.session.scalar(sa.select(User).where(User.username == "loket1"))
    assert (user.role, user.unit_id, user.email) == (Role.LOKET, demo.unit.id, "loket1@example.id")
    assert audit_entries(Action.USER_CREATED)[0].actor_id is None
    common = runner.invoke(args=["create-user", "--username", "lain", "--password", "qwertyuiop"])
    assert common.exit_code != 0 and "terlalu umum" in common.output


def test_seed_demo_prints_one_login_per_role(runner):
    result = runner.invoke(args=["seed-demo", "--responses", "0"])
    assert result.exit_code == 0, result.output
    logins = re.findall(r"^Login (\w+): username '([^']+)', password '([^']+)'$", result.output, re.MULTILINE)
    assert [role for role, _name, _password in logins] == [role.value for role in Role]
    assert len({password for _role, _name, password in logins}) == len(Role)  # each its own random password
    for role, name, password in logins:
        user = authenticate(name, password)
        assert user is not None and user.role == Role(role), role
        assert (user.unit_id is not None) == (role in ("loket", "unit")), role
    assert "Admin login" not in result.output


def test_every_account_form_carries_a_csrf_token(app, client, boss):
    ppid = make_user("ppid")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        listing = client.get("/admin/pengguna/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
        assert client.post(f"/admin/pengguna/{ppid.id}/nonaktifkan").status_code == 400
        assert client.post(f"/admin/pengguna/{ppid.id}/nonaktifkan", data={"csrf_token": token}).status_code == 303
        for page in ("/admin/pengguna/baru", f"/admin/pengguna/{ppid.id}/ubah", f"/admin/pengguna/{ppid.id}/sandi",
                     "/admin/pengguna/sandi"):  # fmt: skip
            assert 'name="csrf_token"' in client.get(page).get_data(as_text=True), page
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_audit_log_page_never_shows_wbs_entries_to_an_administrator(client, boss, demo):
    from app.audit import WBS_OBJECT

    record(Action.COMPLAINT_ASSIGNED, actor_name="wbs", object_type=WBS_OBJECT, object_id=7, detail="Dinas X / Y")
    record(Action.COMPLAINT_ASSIGNED, actor_name="pengaduan", object_type="complaint", object_id=8, detail="Unit Z")
    db.session.commit()
    html = client.get("/admin/pengguna/audit").get_data(as_text=True)
    assert "Unit Z" in html and "Dinas X" not in html


def test_two_administrators_demoting_each_other_at_once_leave_one_administrator(tmp_path):
    """On an SQLite file (the one-office setup) as on PostgreSQL: the second demotion waits and is refused."""
    import threading

    from tests.conftest import make_app
    from tests.factories import run_at_once

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/race.sqlite")
    with app.app_context():
        db.create_all()
        first, second = make_user("admin", username="adm-a"), make_user("admin", username="adm-b")
        clients = [app.test_client(), app.test_client()]
        log_in(clients[0], first)
        log_in(clients[1], second)
        jobs = iter([(clients[0], second.id), (clients[1], first.id)])
        take = threading.Lock()

        def demote() -> int:
            with take:
                client, target = next(jobs)
            return client.post(f"/admin/pengguna/{target}/ubah", data={"role": "ppid", "full_name": "x"}).status_code

        codes = run_at_once(app, demote)
        db.session.expire_all()
        admins = db.session.scalars(sa.select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))).all()
        # The second demotion is refused: by the last-administrator rule (400), or, when the first one committed
        # before its request was authorised, because its sender is no longer an administrator (403).
        assert sorted(codes) in ([303, 400], [303, 403]) and len(admins) == 1


def test_a_wrong_current_password_on_the_own_password_page_is_audited_as_a_failed_login(client, boss):
    response = client.post(
        "/admin/pengguna/sandi",
        data={"current_password": "not my password", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.status_code == 400
    failed = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == Action.LOGIN_FAILED)).all()
    assert [(e.actor_id, e.detail) for e in failed] == [(boss.id, "own password page")]


def test_wrong_current_passwords_are_counted_before_they_are_checked(app, client, boss, monkeypatch):
    """The own-password page throttles as the login does: past the free failures the next try is refused (429)
    without its password being checked, and a refused new password with the right current one counts nothing."""
    from app import users

    app.config["LOGIN_ACCOUNT_FREE_FAILURES"] = 2
    checked = []
    verify = users.verify_password
    monkeypatch.setattr(users, "verify_password", lambda *a, **k: checked.append(1) or verify(*a, **k))
    url = "/admin/pengguna/sandi"
    weak = {"current_password": PASSWORD, "password": "password12", "password_again": "password12"}
    for _ in range(3):
        assert client.post(url, data=weak).status_code == 400  # the right current password: never counted
    wrong = {"current_password": "not my password", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert [client.post(url, data=wrong).status_code for _ in range(2)] == [400, 400]
    before = len(checked)
    right = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert client.post(url, data=right).status_code == 429 and len(checked) == before
