from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from training_app.models import AuditEntry, LoginAttempt, Role
from training_app.services import accounts
from training_app.services.errors import DomainError, InvalidCredentials, LoginThrottled
from tests.factories import NOW, PASSWORD, make_unit, make_user


def _login(session, identifier, password, now=NOW, ip="10.0.0.1"):
    return accounts.authenticate(session, identifier=identifier, password=password,
                                 remote_addr=ip, now=now, max_failures=5,
                                 window=timedelta(minutes=15))


def test_create_user_hashes_password_and_audits(db_session):
    unit = make_unit(db_session)
    user = make_user(db_session, roles=[Role.ORGANIZER, Role.LECTURER], username="lili",
                     mobile="13912345678", unit=unit)
    assert user.password_hash != PASSWORD
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.verify_password(user.password_hash, PASSWORD)
    assert not accounts.verify_password(user.password_hash, PASSWORD + "x")
    assert user.roles == {Role.ORGANIZER, Role.LECTURER}
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                      AuditEntry.target_id == user.id))
    assert entry.changes["roles"] == ["lecturer", "organizer"]
    assert PASSWORD not in str(entry.changes)


@pytest.mark.parametrize("kwargs, message", [
    ({"username": "ab"}, "用户名须为"),
    ({"mobile": "12345"}, "手机号码格式不正确"),
    ({"password": "short1"}, "密码至少需要"),
    ({"password": "onlyletters"}, "字母和数字"),
    ({"roles": []}, "至少选择一个角色"),
])
def test_create_user_rejects_bad_input(db_session, kwargs, message):
    values = {"username": "valid_user", "display_name": "x", "password": PASSWORD,
              "roles": [Role.TRAINEE], "mobile": None} | kwargs
    with pytest.raises(DomainError) as error:
        accounts.create_user(db_session, actor=None, now=NOW, **values)
    assert message in str(error.value)


def test_username_and_mobile_are_unique_case_insensitively(db_session):
    make_user(db_session, username="Zhang", mobile="13900000000")
    with pytest.raises(DomainError, match="用户名已存在"):
        make_user(db_session, username="zhang")
    with pytest.raises(DomainError, match="手机号码已被使用"):
        make_user(db_session, mobile="13900000000")


def test_login_by_username_or_mobile(db_session):
    user = make_user(db_session, username="wang", mobile="13700000000")
    assert _login(db_session, "WANG", PASSWORD) is user
    assert _login(db_session, "13700000000", PASSWORD) is user
    assert user.last_login_at == NOW


def test_wrong_password_counts_down_then_throttles(db_session):
    make_user(db_session, username="zhao")
    messages = []
    for i in range(5):
        with pytest.raises((InvalidCredentials, LoginThrottled)) as error:
            _login(db_session, "zhao", "wrong-password", now=NOW + timedelta(seconds=i))
        messages.append(str(error.value))
    assert messages[0].endswith("还可尝试4次。")
    assert "请15分钟后再试" in messages[4]
    # Even the right password is refused while locked...
    with pytest.raises(LoginThrottled, match="登录失败次数过多"):
        _login(db_session, "zhao", PASSWORD, now=NOW + timedelta(minutes=5))
    # ...and accepted once the failures have left the window.
    assert _login(db_session, "zhao", PASSWORD, now=NOW + timedelta(minutes=16)).username == "zhao"


def test_success_resets_the_failure_count(db_session):
    make_user(db_session, username="sun")
    for i in range(4):
        with pytest.raises(InvalidCredentials):
            _login(db_session, "sun", "bad", now=NOW + timedelta(seconds=i))
    _login(db_session, "sun", PASSWORD, now=NOW + timedelta(seconds=10))
    with pytest.raises(InvalidCredentials, match="还可尝试4次"):
        _login(db_session, "sun", "bad", now=NOW + timedelta(seconds=11))


def test_unknown_user_is_throttled_too_and_attempts_are_rows(db_session):
    for i in range(5):
        with pytest.raises((InvalidCredentials, LoginThrottled)):
            _login(db_session, "nobody", "x", now=NOW + timedelta(seconds=i))
    with pytest.raises(LoginThrottled):
        _login(db_session, "nobody", "x", now=NOW + timedelta(seconds=6))
    assert len(db_session.scalars(select(LoginAttempt)).all()) == 5


def test_deactivated_user_cannot_log_in(db_session):
    admin = make_user(db_session, roles=[Role.ADMIN])
    user = make_user(db_session, username="qian")
    accounts.set_active(db_session, user=user, active=False, actor=admin, now=NOW)
    with pytest.raises(InvalidCredentials, match="已停用"):
        _login(db_session, "qian", PASSWORD)
    with pytest.raises(DomainError, match="不能停用自己"):
        accounts.set_active(db_session, user=admin, active=False, actor=admin, now=NOW)


def test_change_and_reset_password(db_session):
    admin = make_user(db_session, roles=[Role.ADMIN])
    user = make_user(db_session, username="zhou")
    with pytest.raises(DomainError, match="当前密码不正确"):
        accounts.change_password(db_session, user=user, current_password="nope",
                                 new_password="newpass123", now=NOW)
    accounts.change_password(db_session, user=user, current_password=PASSWORD,
                             new_password="newpass123", now=NOW)
    assert _login(db_session, "zhou", "newpass123") is user
    accounts.reset_password(db_session, user=user, new_password="temp12345", actor=admin, now=NOW)
    assert user.must_change_password
    actions = db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "user", AuditEntry.target_id == user.id)).all()
    assert {"user.create", "user.change_password", "user.reset_password"} <= set(actions)


def test_update_user_records_before_and_after(db_session):
    admin = make_user(db_session, roles=[Role.ADMIN])
    user = make_user(db_session, roles=[Role.TRAINEE], display_name="吴")
    accounts.update_user(db_session, user=user, display_name="吴明", mobile="13600000000",
                         unit=None, roles=[Role.TRAINEE, Role.UNIT_CONTACT], actor=admin, now=NOW)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.changes["display_name"] == ["吴", "吴明"]
    assert entry.changes["roles"] == [["trainee"], ["trainee", "unit_contact"]]
    with pytest.raises(DomainError, match="不能移除自己的管理员角色"):
        accounts.update_user(db_session, user=admin, display_name="a", mobile=None, unit=None,
                             roles=[Role.ORGANIZER], actor=admin, now=NOW)


def test_old_scrypt_hashes_still_log_in_and_are_upgraded(db_session):
    user = make_user(db_session, username="legacy")
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    assert _login(db_session, "legacy", PASSWORD) is user
    assert user.password_hash.startswith("$argon2id$")
