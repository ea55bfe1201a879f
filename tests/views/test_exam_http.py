"""The exam over HTTP: what a trainee's browser receives and what the server accepts."""
import re
from datetime import timedelta

from sqlalchemy import select

from training_app.models import Answer, Attempt, Role, utcnow
from training_app.services import exams
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_approved_trainee, make_published_exam

SECRET_FIELDS = ("answer", "reference_answer", "scoring_points", "manual_ref", "tied_to_class")


def _live_exam(db_session, **kwargs):
    now = utcnow()
    return make_published_exam(db_session, window_start=now - timedelta(minutes=5),
                               window_end=now + timedelta(hours=2), **kwargs)


def _login_trainee(client, user):
    response = client.post("/login", data={"identifier": user.mobile, "password": PASSWORD})
    assert response.status_code == 302


def _start(client, exam):
    client.post(f"/exams/{exam.id}/start")
    page = client.get(f"/exams/{exam.id}/take").get_data(as_text=True)
    assert 'id="exam-form"' in page
    return page


def _walk_json(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _walk_json(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk_json(inner)


def test_trainee_finds_the_exam_on_my_page(client, db_session):
    exam, (trainee,) = _live_exam(db_session)
    _login_trainee(client, trainee)
    page = client.get("/my/").get_data(as_text=True)
    assert f"/exams/{exam.id}/take" in page and "可以开始" in page


def test_no_answer_key_reaches_the_trainee(client, db_session):
    exam, (trainee,) = _live_exam(db_session)
    _login_trainee(client, trainee)
    page = _start(client, exam)
    for question in exam.questions:
        data = question.data
        assert data["stem"] in page
        if data["type"] == "short":
            assert data["reference_answer"] not in page
            for point in data["scoring_points"]:
                assert point["point"] not in page
        if data.get("manual_ref") and data["manual_ref"].get("title"):
            assert f"《{data['manual_ref']['title']}》" not in page
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    question = exam.questions[0]
    save = client.post(f"/attempts/{attempt.id}/answers",
                       json={"question_id": question.id, "response": {"choices": [0]}, "seq": 1})
    state = client.get(f"/attempts/{attempt.id}/state")
    for response in (save, state):
        keys = set(_walk_json(response.get_json()))
        assert not keys & set(SECRET_FIELDS), keys


def test_save_resume_and_submit_with_plain_form(client, db_session):
    exam, (trainee,) = _live_exam(db_session)
    _login_trainee(client, trainee)
    _start(client, exam)
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    single = next(q for q in exam.questions if q.type == "single")
    short = next(q for q in exam.questions if q.type == "short")
    response = client.post(f"/attempts/{attempt.id}/answers",
                           json={"question_id": single.id, "response": {"choices": [2]}, "seq": 1})
    assert response.status_code == 200 and response.get_json()["stored"] is True
    # Another device (a new session) sees the saved answer.
    state = client.get(f"/attempts/{attempt.id}/state").get_json()
    assert state["answers"][str(single.id)] == {"response": {"choices": [2]}, "seq": 1}
    assert 0 < state["remaining_seconds"] <= 3600
    page = client.get(f"/exams/{exam.id}/take").get_data(as_text=True)
    assert re.search(rf'id="q-{single.id}-2" value="2"\s+checked', page)
    # JavaScript off: the form carries the answers with the submission.
    client.post(f"/attempts/{attempt.id}/submit", data={
        "shown": [str(q.id) for q in exam.questions],
        f"q-{single.id}": "1", f"q-{short.id}": "社会工作服务标准化"})
    answers = {a.question_id: a for a in db_session.scalars(
        select(Answer).where(Answer.attempt_id == attempt.id))}
    assert answers[single.id].response == {"choices": [1]} and answers[single.id].seq == 2
    assert answers[short.id].response == {"text": "社会工作服务标准化"}
    db_session.refresh(attempt)
    assert attempt.submitted_at is not None and not attempt.auto_submitted
    assert "已交卷" in client.get(f"/exams/{exam.id}/take").get_data(as_text=True)
    # Submitting twice is harmless; saving afterwards is refused.
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    late = client.post(f"/attempts/{attempt.id}/answers",
                       json={"question_id": single.id, "response": {"choices": [0]}, "seq": 9})
    assert late.status_code == 409 and "考试已结束或已交卷" in late.get_json()["error"]


def test_submit_without_answers_keeps_the_saved_ones(client, db_session):
    """A submission carrying no form answers (a script, a JSON client) must not erase any."""
    exam, (trainee,) = _live_exam(db_session)
    _login_trainee(client, trainee)
    _start(client, exam)
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    multiple = next(q for q in exam.questions if q.type == "multiple")
    client.post(f"/attempts/{attempt.id}/answers",
                json={"question_id": multiple.id, "response": {"choices": [0, 2]}, "seq": 1})
    client.post(f"/attempts/{attempt.id}/submit", headers={"Accept": "application/json"})
    stored = db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id))
    assert stored.response == {"choices": [0, 2]}


def test_a_shown_checkbox_group_left_empty_clears_the_answer(client, db_session):
    exam, (trainee,) = _live_exam(db_session)
    _login_trainee(client, trainee)
    _start(client, exam)
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    multiple = next(q for q in exam.questions if q.type == "multiple")
    client.post(f"/attempts/{attempt.id}/answers",
                json={"question_id": multiple.id, "response": {"choices": [0, 2]}, "seq": 1})
    client.post(f"/attempts/{attempt.id}/submit", data={"shown": [str(multiple.id)]})
    stored = db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id))
    assert stored.response == {"choices": []} and stored.seq == 2


def test_bad_input_to_exam_endpoints(client, db_session):
    exam, (trainee,) = _live_exam(db_session)
    intruder = make_approved_trainee(db_session, exam.training_class)
    _login_trainee(client, trainee)
    _start(client, exam)
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    url = f"/attempts/{attempt.id}/answers"
    question = exam.questions[0]
    cases = [
        (client.post(url, data="{not json", content_type="application/json"), 400),
        (client.post(url, json=["a list"]), 400),
        (client.post(url, json={"question_id": 999999, "response": {"choices": [0]}, "seq": 1}), 422),
        (client.post(url, json={"question_id": 10**30, "response": {"choices": [0]}, "seq": 1}), 422),
        (client.post(url, json={"question_id": 2**31, "response": {"choices": [0]}, "seq": 1}), 422),
        (client.post(url, json={"question_id": True, "response": {"choices": [0]}, "seq": 1}), 422),
        (client.post(url, json={"question_id": question.id, "response": {"choices": [0]}, "seq": "x"}), 422),
        (client.post(url, json={"question_id": question.id, "response": {"text": "长" * 6000}, "seq": 1}), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, response.get_data(as_text=True)
    client.post("/logout")
    _login_trainee(client, intruder)
    response = client.post(url, json={"question_id": question.id, "response": {"choices": [0]}, "seq": 1})
    assert response.status_code == 404
    assert client.get(f"/attempts/{attempt.id}/state").status_code == 404
    assert db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id)) is None


def test_json_save_needs_the_csrf_header(app, client, db_session):
    app.config["WTF_CSRF_ENABLED"] = True
    exam, (trainee,) = _live_exam(db_session)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"identifier": trainee.mobile, "password": PASSWORD, "csrf_token": token})
    client.post(f"/exams/{exam.id}/start", data={"csrf_token": token})
    page = client.get(f"/exams/{exam.id}/take").get_data(as_text=True)
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    body = {"question_id": exam.questions[0].id, "response": {"choices": [0]}, "seq": 1}
    assert client.post(f"/attempts/{attempt.id}/answers", json=body).status_code == 400
    ok = client.post(f"/attempts/{attempt.id}/answers", json=body,
                     headers={"X-CSRFToken": csrf_token_from(page)})
    assert ok.status_code == 200


def test_organizer_monitor_and_extension(client, login, db_session):
    exam, trainees = _live_exam(db_session, trainees=3)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainees[0], now=utcnow())
    db_session.commit()
    login(Role.ORGANIZER)
    page = client.get(f"/exams/{exam.id}/monitor").get_data(as_text=True)
    assert "未开始 2" in page and "答题中 1" in page and "已交卷 0" in page
    before = attempt.deadline
    client.post(f"/attempts/{attempt.id}/extend", data={"minutes": 15})
    db_session.refresh(attempt)
    assert attempt.deadline == before + timedelta(minutes=15)


def test_the_approved_manual_opens_beside_the_exam(app, client, db_session):
    """Open book: the enrolled trainee reads the manual version the paper was published against."""
    from pathlib import Path

    from training_app.models.manual import ManualVersion

    exam, (trainee,) = _live_exam(db_session)
    outsider = make_approved_trainee(db_session, make_published_exam(db_session, trainees=0)[0].training_class)
    version = db_session.get(ManualVersion, exam.manual_version_id)
    version.pdf_name = "a" * 32 + ".pdf"
    db_session.commit()
    directory = Path(app.instance_path) / "uploads" / "manuals"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / version.pdf_name).write_bytes(b"%PDF-1.4 manual")
    _login_trainee(client, trainee)
    _start(client, exam)
    page = client.get(f"/exams/{exam.id}/take").get_data(as_text=True)
    assert f"/exams/{exam.id}/manual" in page
    response = client.get(f"/exams/{exam.id}/manual")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    response.close()
    client.post("/logout")
    _login_trainee(client, outsider)
    assert client.get(f"/exams/{exam.id}/manual").status_code == 404
