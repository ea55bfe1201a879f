import sqlite3

import pytest
from sqlalchemy import text

from training_app import create_app
from training_app.config import normalize_database_url
from training_app.extensions import db


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINING_APP_INSTANCE_PATH", str(tmp_path / "instance"))
    for name in ("DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "instance"


def test_refuses_to_start_without_a_real_secret_key(instance):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "dev"})
    assert create_app({"DEBUG": True}).debug


def test_layers_defaults_then_environment_then_test_config(instance, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "e" * 40)
    monkeypatch.setenv("TRAINING_APP_LOGIN_MAX_FAILURES", "7")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    app = create_app()
    assert app.config["SECRET_KEY"] == "e" * 40
    assert app.config["LOGIN_MAX_FAILURES"] == 7  # parsed as JSON: an int
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert app.config["LOGIN_FAILURE_WINDOW_MINUTES"] == 15  # default kept
    app = create_app({"LOGIN_MAX_FAILURES": 3})
    assert app.config["LOGIN_MAX_FAILURES"] == 3


def test_normalize_database_url():
    assert normalize_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_default_sqlite_file_in_instance_with_wal_and_foreign_keys(instance):
    app = create_app({"TESTING": True})
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri == f"sqlite:///{instance / 'training_app.sqlite3'}"
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
    assert sqlite3.connect(instance / "training_app.sqlite3").execute(
        "PRAGMA journal_mode").fetchone()[0] == "wal"
