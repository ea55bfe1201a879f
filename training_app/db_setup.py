"""Engine settings that must hold on every connection, whichever process opened it.

SQLite is the embedded default and must carry a class of trainees autosaving at once. It is
configured the way SQLite is meant for a concurrent web app:

- WAL, so readers never wait for the writer and the writer never waits for readers;
- a busy timeout, so a writer queues for the write lock instead of failing at once;
- ``BEGIN IMMEDIATE`` for a transaction that will write: it takes the write lock before its
  first read. A deferred transaction that reads and then writes cannot wait for the lock: if
  another writer committed since its snapshot, SQLite refuses the upgrade at once with
  "database is locked" (SQLITE_BUSY_SNAPSHOT), whatever the busy timeout. That was the 500s.

Which transactions write is decided per request: an unsafe HTTP method (POST, PUT, PATCH,
DELETE), or a GET view marked with :func:`takes_write_lock`. Outside a request (CLI, background
jobs) transactions stay deferred unless the code asks with :func:`write_transactions`, so a
long read (rendering certificates) never holds the write lock. PostgreSQL ignores all of this.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Milliseconds a writer waits for the write lock before the request gets a retryable 503
# (config ``SQLITE_BUSY_TIMEOUT_MS``). A save holds the lock for about a millisecond, so this
# is thousands of saves queued ahead, far beyond a class.
SQLITE_BUSY_TIMEOUT_MS = 15000
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_LOCK_ATTRIBUTE = "sqlite_takes_write_lock"

_write_intent: ContextVar[bool | None] = ContextVar("sqlite_write_intent", default=None)
View = TypeVar("View", bound=Callable)


def takes_write_lock(view: View) -> View:
    """Mark a GET view that writes (e.g. closes an expired attempt): its transaction begins
    with the write lock on SQLite, like a POST's."""
    setattr(view, WRITE_LOCK_ATTRIBUTE, True)
    return view


@contextmanager
def write_transactions(enabled: bool = True) -> Iterator[None]:
    """Outside a request: transactions begun inside this block take the write lock first."""
    token = _write_intent.set(enabled)
    try:
        yield
    finally:
        _write_intent.reset(token)


def transaction_writes() -> bool:
    """Whether a transaction beginning now is expected to write (see the module doc)."""
    explicit = _write_intent.get()
    if explicit is not None:
        return explicit
    from flask import current_app, has_request_context, request

    if not has_request_context():
        return False
    if request.method in UNSAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(view is not None and getattr(view, WRITE_LOCK_ATTRIBUTE, False))


def is_lock_timeout(error: BaseException) -> bool:
    """SQLite could not give this transaction the write lock in time (retry later)."""
    original = getattr(error, "orig", error)
    return isinstance(original, sqlite3.OperationalError) and (
        "database is locked" in str(original) or "database is busy" in str(original))


def configure_sqlite(engine: Engine, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    """Foreign keys, WAL, the busy timeout, and transactions that SQLAlchemy (not pysqlite)
    begins: pysqlite's own implicit BEGIN breaks SAVEPOINT and lets a read run outside a
    transaction, so SQLAlchemy's documented recipe hands BEGIN back to us, and we choose
    ``BEGIN IMMEDIATE`` for writing transactions."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # Durable at every checkpoint, not every commit: in WAL mode a power cut can lose
            # the last commits but never corrupts the database (SQLite's advice for WAL).
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if transaction_writes() else "BEGIN")
