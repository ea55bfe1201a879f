"""Fixtures: an app per test on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL too.

Every test that asks for ``app`` (or anything built on it) runs once per database; the test id
shows which (``[sqlite]`` / ``[postgresql]``). PostgreSQL runs use a database created for this
pytest process, so concurrent runs on one server never see each other's rows; tables are
truncated after each test, so tests never see each other's rows either.
"""
from __future__ import annotations

import os
import re
import shutil
import uuid

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from flask.testing import FlaskClient

from training_app import create_app
from training_app.extensions import db as _db
from training_app.models import Base

from tests import factories

# Hypothesis on a shared 2-core CI machine: no per-example deadline (a busy neighbour makes one
# example slow, not wrong), no too-slow health check, and a derandomized run so a red CI
# reproduces. HYPOTHESIS_PROFILE=dev searches with fresh randomness locally.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this pytest process, dropped at the end."""
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"training_app_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """An SQLite file with every table, made once; each test gets a copy (faster than DDL)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app_config(database_url, tmp_path):
    """Test configuration; a test may update it before ``app`` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "SERVER_NAME": "localhost",
    }


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    """The app, with no context left pushed: each test-client request then gets its own
    application context and ``g``, as in production (a shared context would leak Flask-Login's
    cached user and Flask-Babel's cached locale from one request to the next)."""
    monkeypatch.setenv("TRAINING_APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(app_config)
    yield app
    with app.app_context():
        _db.session.remove()
        if _db.engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with _db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture
def make_app(monkeypatch, tmp_path):
    """Build extra apps (e.g. production settings); their connection pools close at teardown."""
    built = []

    def _make(config: dict):
        monkeypatch.setenv("TRAINING_APP_INSTANCE_PATH", str(tmp_path / f"instance{len(built)}"))
        extra = create_app(config)
        built.append(extra)
        return extra

    yield _make
    for extra in built:
        with extra.app_context():
            _db.engine.dispose()


@pytest.fixture
def db_session(app):
    """A session of the test's own on the app's engine: services take a session explicitly."""
    with app.app_context():
        engine = _db.engine
    session = Session(bind=engine, expire_on_commit=False)
    yield session
    session.close()


class SessionAwareClient(FlaskClient):
    """Commits the test's own session before every request.

    That publishes what the test wrote, and ends the test session's transaction so that on
    SQLite it does not keep reading an old snapshot (or fail to write on top of one) after the
    request has written.
    """

    test_session: Session | None = None

    def open(self, *args, **kwargs):
        if self.test_session is not None:
            self.test_session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db_session):
    app.test_client_class = SessionAwareClient
    client = app.test_client()
    client.test_session = db_session
    return client


PASSWORD = factories.PASSWORD


@pytest.fixture
def login(client, db_session):
    """``login(*roles)`` creates a user holding ``roles``, logs the client in, returns the user."""

    def _login(*roles, **user_fields):
        user = factories.make_user(db_session, roles=roles, **user_fields)
        db_session.commit()
        response = client.post("/login", data={"identifier": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.data.decode()[:500]
        return user

    return _login


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
