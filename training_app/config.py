"""Configuration in three layers: defaults, then the environment, then ``test_config``.

The environment is read as ``DATABASE_URL``, ``SECRET_KEY`` and any ``TRAINING_APP_<NAME>``
variable (its value parsed as JSON when it can be, so ``TRAINING_APP_LOGIN_MAX_FAILURES=5``
is an int).
"""
from __future__ import annotations

import os
from datetime import timedelta

# Values that must never sign a production session.
INSECURE_SECRET_KEYS = frozenset({"", "dev", "change-me", "secret"})


class Defaults:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled with the instance SQLite file
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool | None = None  # None: True unless debug/testing
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; exams last hours
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    BOOTSTRAP_SERVE_LOCAL = True  # never a CDN: many sites have no internet
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # Login throttling: this many failures for one account within the window lock it for the window.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    # Login throttling per client address, so one machine cannot try many accounts.
    LOGIN_MAX_FAILURES_PER_IP = 50
    TIMEZONE = "Asia/Shanghai"
    CONTINUING_EDUCATION_HOURS = 40  # 继续教育：每年培训学时目标 (issue 9)
    # Certificates (issue 7). A queue makes batches survive the web process: RQ on Redis, e.g.
    # TRAINING_APP_RQ_REDIS_URL=redis://127.0.0.1:6379/0; unset: a background thread of the app.
    RQ_REDIS_URL: str | None = None
    RQ_QUEUE = "training_app"
    CERTIFICATE_CHUNK_SIZE = 200  # certificates per WeasyPrint render in a batch
    CERTIFICATE_STORAGE_DIR: str | None = None  # default instance/certificates; share it
    CERTIFICATE_VERIFY_BASE_URL: str | None = None  # e.g. https://training.example.org


def normalize_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` spellings and select psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(environ: os._Environ | dict) -> dict:
    values: dict = {}
    if environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(environ["DATABASE_URL"])
    if environ.get("SECRET_KEY"):
        values["SECRET_KEY"] = environ["SECRET_KEY"]
    return values


def check_production_safety(config) -> None:
    """Refuse to run outside debug/testing with a missing or well-known secret key."""
    if config.get("DEBUG") or config.get("TESTING"):
        return
    key = config.get("SECRET_KEY")
    if key is None or str(key).strip().lower() in INSECURE_SECRET_KEYS or len(str(key)) < 16:
        raise RuntimeError(
            "SECRET_KEY is missing or insecure. Set SECRET_KEY to a long random value "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )
