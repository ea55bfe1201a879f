import pytest
from sqlalchemy import select

from training_app.models import Role
from tests.factories import PASSWORD, make_user


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_or_style_in_pages(client, login):
    login(Role.ADMIN)
    for url in ["/", "/admin/users", "/units/", "/audit/", "/classes/", "/login"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, url
        assert " onclick=" not in html, url


def test_session_cookie_flags(app_config, make_app, db_session):
    app_config.update(TESTING=False, SESSION_COOKIE_SECURE=None, SECRET_KEY="k" * 40)
    production = make_app(app_config)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    make_user(db_session, username="cookie")
    db_session.commit()
    client = production.test_client()
    response = client.post("/login", data={"identifier": "cookie", "password": PASSWORD},
                           base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("url, status, text", [
    ("/no-such-page", 404, "页面不存在"),
    ("/admin/users", 403, "没有权限"),
])
def test_error_pages_are_chinese(client, login, url, status, text):
    login(Role.TRAINEE)
    response = client.get(url)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


def test_500_shows_no_stack_trace(app_config, make_app):
    app_config.update(TESTING=False, SECRET_KEY="k" * 40)
    app = make_app(app_config)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "服务器内部错误" in body
    assert "Traceback" not in body and "secret internals" not in body


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(app_config, make_app):
    app_config.update(SQLALCHEMY_DATABASE_URI=
                      "postgresql+psycopg://nobody@127.0.0.1:1/nowhere?connect_timeout=1")
    app = make_app(app_config)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_each_role_sees_its_own_navigation(client, login):
    expected = {
        Role.ADMIN: ["用户管理", "单位管理", "操作记录"],
        Role.ORGANIZER: ["单位管理", "操作记录"],
        Role.SPONSOR: ["审批与报告"],
        Role.UNIT_CONTACT: ["本单位报名"],
        Role.LECTURER: ["授课与阅卷"],
        Role.TRAINEE: ["我的培训"],
    }
    every_entry = {e for entries in expected.values() for e in entries}
    for role, entries in expected.items():
        login(role)
        nav = client.get("/").get_data(as_text=True).split("</nav>")[0]
        for entry in every_entry:
            assert (entry in nav) == (entry in entries), (role, entry)
        client.post("/logout")
