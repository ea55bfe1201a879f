"""SQLite under a writer that will not let go: a writing request waits for the lock up to the
busy timeout and then gets a retryable 503 in the user's language, never a 500; reading pages
are not blocked at all (WAL); GET views that write take the lock first (see db_setup)."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.factories import PASSWORD, make_published_exam
from training_app import db_setup
from training_app.models import Answer, Attempt, utcnow
from training_app.services import exams

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SQLITE_BUSY_TIMEOUT_MS": 200}


@contextmanager
def another_writer(database_url: str):
    """A second process's connection holding SQLite's write lock."""
    connection = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@pytest.fixture
def trainee_in_exam(client, db_session):
    now = utcnow()
    exam, (trainee,) = make_published_exam(db_session, window_start=now - timedelta(minutes=5),
                                           window_end=now + timedelta(hours=2))
    db_session.commit()
    reply = client.post("/login", data={"identifier": trainee.username, "password": PASSWORD})
    assert reply.status_code == 302
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=now)
    db_session.commit()
    question = next(q for q in exam.questions if q.type == "single")
    return exam, attempt, question


def test_a_save_that_cannot_get_the_lock_is_a_retryable_503(client, db_session, database_url,
                                                           trainee_in_exam):
    exam, attempt, question = trainee_in_exam
    body = {"question_id": question.id, "response": {"choices": [1]}, "seq": 1}
    with another_writer(database_url):
        reply = client.post(f"/attempts/{attempt.id}/answers", json=body)
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "2"
    assert reply.get_json()["ok"] is False
    assert "系统正忙" in reply.get_json()["message"]
    db_session.expire_all()
    assert db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id)) is None
    # the page's retry, once the lock is free, goes through
    again = client.post(f"/attempts/{attempt.id}/answers", json=body)
    assert again.status_code == 200 and again.get_json()["stored"] is True


def test_a_busy_page_is_a_chinese_503_page(client, database_url, trainee_in_exam):
    exam, _attempt, _question = trainee_in_exam
    with another_writer(database_url):
        reply = client.get(f"/exams/{exam.id}/take")  # a GET that may write: takes the lock
    assert reply.status_code == 503
    assert "系统繁忙" in reply.get_data(as_text=True)


def test_reading_pages_never_wait_for_the_writer(client, database_url, trainee_in_exam):
    _exam, attempt, _question = trainee_in_exam
    with another_writer(database_url):
        reply = client.get(f"/attempts/{attempt.id}/state")
    assert reply.status_code == 200


def test_which_transactions_take_the_write_lock(app, database_url):
    with app.test_request_context("/anything", method="POST"):
        assert db_setup.transaction_writes()
    with app.test_request_context("/anything", method="GET"):
        assert not db_setup.transaction_writes()
    with app.test_request_context("/exams/1/take", method="GET"):
        from flask import request

        assert request.endpoint == "exams.take"
        assert db_setup.transaction_writes()
    assert not db_setup.transaction_writes()  # CLI and background jobs: deferred
    with db_setup.write_transactions():
        assert db_setup.transaction_writes()


def test_attempts_unchanged_by_a_refused_submit(client, db_session, database_url,
                                                trainee_in_exam):
    _exam, attempt, _question = trainee_in_exam
    with another_writer(database_url):
        reply = client.post(f"/attempts/{attempt.id}/submit", data={},
                            headers={"Accept": "application/json"})
    assert reply.status_code == 503
    db_session.expire_all()
    assert db_session.get(Attempt, attempt.id).submitted_at is None
