"""The embedded default carries a whole class: 92 trainees autosaving at the same moment on
SQLite, through the real WSGI server with ``make run``'s settings (gunicorn, 2 workers x 4
threads). Before writing transactions took the write lock first (``BEGIN IMMEDIATE``), one
trainee ticking quickly got "database is locked" 500s; here no request may get a 5xx.
"""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.e2e.servers import Browserless
from tests.factories import make_published_exam, use_fast_password_hashing
from training_app.models import Answer, utcnow

pytestmark = [pytest.mark.e2e,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

CLASS_SIZE = 92
SAVES_EACH = 8


def _response(kind: str, index: int) -> dict:
    if kind == "short":
        return {"text": f"事事有人干、事事有人管、事事有记录。{index}"}
    return {"choices": [index % 4 if kind == "single" else 0]}


def test_a_class_of_92_autosaving_at_once_gets_no_5xx(servers, db_session, monkeypatch):
    use_fast_password_hashing(monkeypatch)
    now = utcnow()
    exam, users = make_published_exam(db_session, trainees=CLASS_SIZE,
                                      window_start=now - timedelta(minutes=5),
                                      window_end=now + timedelta(hours=2))
    db_session.commit()
    server = servers(workers=2, threads=4)  # make run's gunicorn settings
    with ThreadPoolExecutor(max_workers=16) as pool:  # log in and open the paper
        trainees = list(pool.map(lambda user: Browserless(server.url, user.mobile), users))
        papers = list(pool.map(lambda trainee: trainee.open(exam.id), trainees))

    statuses: Counter[int] = Counter()
    count_lock = threading.Lock()
    everyone_ready = threading.Barrier(CLASS_SIZE)

    def autosave(index: int) -> int:
        trainee, (attempt_id, questions) = trainees[index], papers[index]
        everyone_ready.wait()  # the whole class presses at the same moment
        for seq, (qid, kind) in enumerate(questions[:SAVES_EACH], start=1):
            reply = trainee.http.post(f"{server.url}/attempts/{attempt_id}/answers", timeout=60,
                                      json={"question_id": qid, "seq": seq,
                                            "response": _response(kind, index + seq)},
                                      headers={"X-CSRFToken": trainee.csrf})
            with count_lock:
                statuses[reply.status_code] += 1
        return attempt_id

    with ThreadPoolExecutor(max_workers=CLASS_SIZE) as pool:
        attempt_ids = list(pool.map(autosave, range(CLASS_SIZE)))

    assert statuses == {200: CLASS_SIZE * SAVES_EACH}, statuses
    db_session.expire_all()
    stored = db_session.scalar(select(func.count()).select_from(Answer)
                               .where(Answer.attempt_id.in_(attempt_ids)))
    assert stored == CLASS_SIZE * SAVES_EACH
