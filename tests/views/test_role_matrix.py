"""Every route and the roles it admits, in one table. A new route fails here until it is listed.

Values: PUBLIC (anyone, logged in or not), ANY_USER (any logged-in user), or a set of roles.
Anonymous users are sent to the login page for anything not PUBLIC; a logged-in user without
an admitted role gets 403.
"""
from urllib.parse import urlparse

import pytest
from flask import url_for

from training_app.models import Role
from tests.factories import make_class, make_unit, make_user

PUBLIC = "public"
ANY_USER = "any user"
ADMIN = {Role.ADMIN}
STAFF = {Role.ADMIN, Role.ORGANIZER}

ROUTES: dict[tuple[str, str], object] = {
    ("main.index", "GET"): PUBLIC,
    ("main.healthz", "GET"): PUBLIC,
    ("main.set_language", "POST"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): ANY_USER,
    ("auth.change_password", "GET"): ANY_USER,
    ("auth.change_password", "POST"): ANY_USER,
    ("admin.users", "GET"): ADMIN,
    ("admin.create_user", "GET"): ADMIN,
    ("admin.create_user", "POST"): ADMIN,
    ("admin.edit_user", "GET"): ADMIN,
    ("admin.edit_user", "POST"): ADMIN,
    ("admin.reset_password", "POST"): ADMIN,
    ("admin.set_active", "POST"): ADMIN,
    ("units.index", "GET"): STAFF,
    ("units.create", "GET"): STAFF,
    ("units.create", "POST"): STAFF,
    ("units.edit", "GET"): STAFF,
    ("units.edit", "POST"): STAFF,
    ("audit.index", "GET"): STAFF,
    ("classes.index", "GET"): ANY_USER,
    ("classes.detail", "GET"): ANY_USER,
}
# Files, not pages: served to anyone.
STATIC_ENDPOINTS = {"static", "bootstrap.static"}
ROLES = [None, *Role]


def app_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_table(app):
    missing = [(r.endpoint, m) for r, m in app_routes(app) if (r.endpoint, m) not in ROUTES]
    assert not missing, f"routes missing from the role matrix: {missing}"
    stale = set(ROUTES) - {(r.endpoint, m) for r, m in app_routes(app)}
    assert not stale, f"the role matrix lists routes that do not exist: {stale}"


@pytest.fixture
def sample_args(db_session):
    """A value for every URL argument any route takes."""
    victim = make_user(db_session, roles=[Role.TRAINEE], username="matrix_target")
    unit = make_unit(db_session)
    training_class = make_class(db_session)
    db_session.commit()
    return {"user_id": victim.id, "unit_id": unit.id, "class_id": training_class.id,
            "lang": "en", "active": 1}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_role_matrix(app, client, login, sample_args, role):
    if role is not None:
        login(role)
    with app.test_request_context():
        login_path = url_for("auth.login")
        urls = {rule.rule: url_for(rule.endpoint, **{a: sample_args[a] for a in rule.arguments})
                for rule, _ in app_routes(app)}
    failures = []
    for rule, method in app_routes(app):
        allowed = ROUTES[(rule.endpoint, method)]
        url = urls[rule.rule]
        response = client.open(url, method=method, data={})
        # Flask-Login's redirect carries ?next=; logout's own redirect to the login page does not.
        location = urlparse(response.location or "")
        redirected_to_login = (response.status_code == 302 and location.path == login_path
                               and "next=" in location.query)
        if allowed == PUBLIC:
            ok = response.status_code != 403 and not redirected_to_login
        elif role is None:
            ok = redirected_to_login
        elif allowed == ANY_USER or role in allowed:
            ok = response.status_code not in (401, 403) and not redirected_to_login
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append((method, rule.endpoint, response.status_code, response.location))
        if rule.endpoint == "auth.logout" and role is not None:
            login(role)  # logging out is part of the walk; log back in for the rest
    assert not failures, failures
