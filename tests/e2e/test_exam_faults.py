"""Faults during an exam, on PostgreSQL behind real gunicorn processes.

A killed worker, a restarted server, two instances, duplicate and out-of-order saves, double
submits: every acknowledged answer survives and the final state is the newest answer.
"""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from training_app.models import Answer, Attempt, AuditEntry, utcnow
from tests.conftest import DATABASES
from tests.e2e.conftest import log_in
from tests.e2e.servers import Browserless
from tests.factories import PASSWORD, make_published_exam

pytestmark = [pytest.mark.e2e,
              pytest.mark.parametrize("database_url", [d for d in DATABASES if d == "postgresql"],
                                      indirect=True)]


def _live_exam(db_session, trainees=1):
    now = utcnow()
    exam, users = make_published_exam(db_session, trainees=trainees,
                                      window_start=now - timedelta(minutes=5),
                                      window_end=now + timedelta(hours=2))
    db_session.commit()
    return exam, users


def _response(kind: str, i: int) -> dict:
    return {"text": f"答案{i}"} if kind == "short" else {"choices": [i % 4 if kind == "single" else 0]}


def _stored(db_session, attempt_id):
    db_session.commit()
    db_session.expire_all()
    return {a.question_id: a for a in db_session.scalars(select(Answer).where(Answer.attempt_id == attempt_id))}


def test_killed_worker_loses_no_acknowledged_answer(servers, db_session):
    exam, (trainee,) = _live_exam(db_session)
    server = servers(workers=2)
    client = Browserless(server.url, trainee.mobile)
    attempt_id, questions = client.open(exam.id)
    deadline = db_session.get(Attempt, attempt_id).deadline
    acknowledged = {}
    for i, (qid, kind) in enumerate(questions[:20]):
        assert client.save(attempt_id, qid, _response(kind, i), 1)["ok"]
        acknowledged[qid] = _response(kind, i)
    killed = server.kill_worker()
    for i, (qid, kind) in enumerate(questions[20:], start=20):
        assert client.save(attempt_id, qid, _response(kind, i), 1)["ok"]
        acknowledged[qid] = _response(kind, i)
    assert killed not in server.worker_pids()
    stored = _stored(db_session, attempt_id)
    assert {qid: a.response for qid, a in stored.items()} == acknowledged
    assert db_session.get(Attempt, attempt_id).deadline == deadline


def test_out_of_order_duplicate_saves_and_double_submits(servers, db_session):
    exam, (trainee,) = _live_exam(db_session)
    server = servers(workers=2, threads=4)
    client = Browserless(server.url, trainee.mobile)
    attempt_id, questions = client.open(exam.id)
    qid, kind = next(q for q in questions if q[1] == "short")
    saves = [(seq, {"text": f"第{seq}次修改"}) for seq in range(1, 31)] * 2  # every save twice
    random.Random(7).shuffle(saves)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda s: client.save(attempt_id, qid, s[1], s[0]), saves))
    stored = _stored(db_session, attempt_id)[qid]
    assert stored.seq == 30 and stored.response == {"text": "第30次修改"}

    def submit(_):
        return client.http.post(f"{server.url}/attempts/{attempt_id}/submit",
                                data={"csrf_token": client.csrf},
                                headers={"Accept": "application/json"}).status_code
    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(submit, range(6))) == {200}
    db_session.commit()
    submits = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "attempt.submit", AuditEntry.target_id == attempt_id)).all()
    assert len(submits) == 1
    assert _stored(db_session, attempt_id)[qid].response == {"text": "第30次修改"}


def test_two_instances_share_one_attempt(servers, db_session):
    exam, (trainee,) = _live_exam(db_session)
    first, second = servers(), servers()
    client = Browserless(first.url, trainee.mobile)
    attempt_id, questions = client.open(exam.id)
    client.base = second.url
    assert client.open(exam.id)[0] == attempt_id  # same attempt from the other instance
    expected = {}
    for i, (qid, kind) in enumerate(questions):
        client.base = (first if i % 2 else second).url
        assert client.save(attempt_id, qid, _response(kind, i), 1)["ok"]
        expected[qid] = _response(kind, i)
    client.base = first.url
    state = client.http.get(f"{first.url}/attempts/{attempt_id}/state").json()
    assert {int(q): v["response"] for q, v in state["answers"].items()} == expected
    assert {qid: a.response for qid, a in _stored(db_session, attempt_id).items()} == expected


def test_page_recovers_after_a_server_restart(servers, db_session, phone):
    exam, (trainee,) = _live_exam(db_session)
    server = servers(workers=1)
    page = phone.new_page()
    log_in(page, server.url, trainee.mobile, PASSWORD)
    page.goto(f"{server.url}/exams/{exam.id}/take")
    page.click("#start-exam")
    page.wait_for_selector("#exam-form")
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    deadline = attempt.deadline
    fieldsets = page.locator("fieldset.question").all()
    for fieldset in fieldsets[:5]:
        fieldset.locator("input.form-check-input").first.check()
    page.wait_for_function("() => document.querySelectorAll('.qnav.unsaved').length === 0 "
                           "&& document.querySelectorAll('.qnav.answered').length === 5")
    server.stop()
    for fieldset in fieldsets[5:10]:
        fieldset.locator("input.form-check-input").first.check()
    # One state, read atomically in the page: the retry loop may change the status text at any
    # moment, so reading it after waiting for the class would race the page's own retry.
    page.wait_for_function("() => { const s = document.getElementById('save-status');"
                           " return s.classList.contains('error') && s.textContent.includes('未保存'); }")
    server.start()
    page.wait_for_function("() => document.querySelectorAll('.qnav.unsaved').length === 0", timeout=40000)
    assert len(_stored(db_session, attempt.id)) == 10
    assert db_session.get(Attempt, attempt.id).deadline == deadline
