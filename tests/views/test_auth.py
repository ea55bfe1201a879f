import re

import pytest

from sqlalchemy import select

from training_app.models import AuditEntry, Role
from training_app.services import accounts
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user


def test_login_by_username_and_by_mobile(client, db_session):
    make_user(db_session, username="chen", mobile="13512345678")
    db_session.commit()
    response = client.post("/login", data={"identifier": "chen", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/logout")
    response = client.post("/login", data={"identifier": "13512345678", "password": PASSWORD})
    assert response.status_code == 302


def test_five_wrong_passwords_are_throttled_with_a_chinese_message(client, db_session):
    make_user(db_session, username="huang")
    db_session.commit()
    statuses = []
    for _ in range(5):
        response = client.post("/login", data={"identifier": "huang", "password": "wrong"})
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 200, 429]
    assert "登录失败次数过多" in response.get_data(as_text=True)
    response = client.post("/login", data={"identifier": "huang", "password": PASSWORD})
    assert response.status_code == 429
    assert "请15分钟后再试" in response.get_data(as_text=True)


def test_next_parameter_only_redirects_locally(client, db_session):
    make_user(db_session, username="hehe")
    db_session.commit()
    response = client.post("/login?next=https://evil.example/", data={"identifier": "hehe",
                                                                       "password": PASSWORD})
    assert response.location == "/my/"  # a trainee's own start page, not the evil one
    client.post("/logout")
    response = client.post("/login?next=/classes/", data={"identifier": "hehe", "password": PASSWORD})
    assert response.location == "/classes/"


def test_initial_password_must_be_changed_first(client, db_session):
    make_user(db_session, username="lin", must_change_password=True)
    db_session.commit()
    client.post("/login", data={"identifier": "lin", "password": PASSWORD})
    response = client.get("/classes/")
    assert response.status_code == 302
    assert response.location == "/account/password?next=/classes/"
    response = client.post("/account/password?next=/classes/", data={
        "current_password": PASSWORD, "new_password": "brandnew99", "confirm": "brandnew99"})
    assert response.status_code == 302 and response.location == "/classes/"
    assert client.get("/classes/").status_code == 200


def test_admin_creates_resets_and_deactivates_users(client, login, db_session):
    admin = login(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        "username": "newbie", "display_name": "新学员", "mobile": "13300000000",
        "unit_id": 0, "roles": ["trainee", "lecturer"], "password": "initial123"})
    assert response.status_code == 302
    user = accounts.find_by_identifier(db_session, "newbie")
    assert user.roles == {Role.TRAINEE, Role.LECTURER} and user.must_change_password
    assert client.post(f"/admin/users/{user.id}/password",
                       data={"new_password": "another123"}).status_code == 302
    assert client.post(f"/admin/users/{user.id}/active/0").status_code == 302
    db_session.refresh(user)
    assert not user.active
    actions = set(db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.actor_id == admin.id)))
    assert {"user.create", "user.reset_password", "user.deactivate"} <= actions


def test_duplicate_username_shows_message_and_saves_nothing(client, login, db_session):
    login(Role.ADMIN, username="boss")
    response = client.post("/admin/users/new", data={
        "username": "boss", "display_name": "x", "unit_id": 0, "roles": ["trainee"],
        "password": "initial123"})
    assert response.status_code == 200
    assert "用户名已存在" in response.get_data(as_text=True)


class TestWithCsrf:
    """CSRF is on in production; these tests turn it on to prove every POST needs the token."""

    def _login_with_token(self, client, username):
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"identifier": username, "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302

    def test_post_without_token_is_refused_with_400(self, app, client, db_session):
        app.config["WTF_CSRF_ENABLED"] = True
        make_user(db_session, roles=list(Role), username="root")
        db_session.commit()
        assert client.post("/login", data={"identifier": "root", "password": PASSWORD}).status_code == 400
        self._login_with_token(client, "root")
        refused = []
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            # Any value the route matches will do: the CSRF check runs before the view.
            url = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule.rule)
            url = re.sub(r"<int:[^>]+>", "1", url)
            url = re.sub(r"<[^>]+>", "en", url)
            response = client.post(url, data={})
            if response.status_code != 400:
                refused.append((rule.rule, response.status_code))
        assert not refused, f"POST accepted without CSRF token: {refused}"
        body = client.post("/logout").get_data(as_text=True)
        assert "请求无效" in body
        # logout without a token did not log us out
        assert client.get("/classes/").status_code == 200

    def test_logout_with_token_works(self, app, client, db_session):
        app.config["WTF_CSRF_ENABLED"] = True
        make_user(db_session, username="wei")
        db_session.commit()
        self._login_with_token(client, "wei")
        page = client.get("/").get_data(as_text=True)
        token = csrf_token_from(page)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302
        assert client.get("/classes/").status_code == 302
        assert re.search(r'action="/logout"', page)


@pytest.mark.parametrize("roles, landing", [
    ((Role.TRAINEE,), "/my/"),
    ((Role.ORGANIZER,), "/dashboard/"),
    ((Role.ADMIN,), "/dashboard/"),
    ((Role.SPONSOR,), "/dashboard/sponsor"),
    ((Role.UNIT_CONTACT,), "/enrollment/"),
    ((Role.LECTURER,), "/grading/"),
    ((Role.LECTURER, Role.TRAINEE), "/grading/"),
])
def test_each_role_lands_where_its_work_is(client, db_session, roles, landing):
    user = make_user(db_session, roles=roles)
    db_session.commit()
    response = client.post("/login", data={"identifier": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.location == landing
    assert client.get(landing).status_code == 200
    assert client.get("/login").location == landing  # already logged in: straight there
