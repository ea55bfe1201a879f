"""A trainee takes the whole 43-question paper in headless Chromium on a phone-sized screen."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from training_app.models import Answer, Attempt, utcnow
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, make_published_exam

pytestmark = pytest.mark.e2e


def _answer_everything(page, exam):
    """Tick the first displayed option of each choice question and write each short answer."""
    for fieldset in page.locator("fieldset.question").all():
        kind = fieldset.get_attribute("data-type")
        if kind == "short":
            fieldset.locator("textarea").fill("标准化管理：事事有人干、事事有人管、事事有记录。")
        else:
            fieldset.locator("input.form-check-input").first.check()


def _wait_all_saved(page, attempt_count_expected, db_session, attempt_id):
    page.wait_for_function(
        "() => document.querySelectorAll('.qnav.answered').length === %d "
        "&& document.querySelectorAll('.qnav.unsaved').length === 0" % attempt_count_expected,
        timeout=30000)


def test_take_reload_resume_and_submit(live_server, phone, db_session):
    now = utcnow()
    exam, (trainee,) = make_published_exam(db_session, window_start=now - timedelta(minutes=1),
                                           window_end=now + timedelta(hours=2))
    db_session.commit()
    page = phone.new_page()
    log_in(page, live_server.url, trainee.mobile, PASSWORD)
    page.goto(f"{live_server.url}/exams/{exam.id}/take")
    page.click("#start-exam")
    page.wait_for_selector("#exam-form")
    assert page.locator("fieldset.question").count() == 43

    # Answer the first half, let it save, reload: the answers come back from the server.
    questions = page.locator("fieldset.question").all()
    for fieldset in questions[:20]:
        fieldset.locator("input.form-check-input").first.check()
    _wait_all_saved(page, 20, db_session, None)
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    db_session.commit()
    assert len(db_session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)).all()) == 20
    page.reload()
    page.wait_for_selector("#exam-form")
    assert page.locator(".qnav.answered").count() == 20
    checked = page.locator("fieldset.question input.form-check-input:checked").count()
    assert checked == 20

    _answer_everything(page, exam)
    _wait_all_saved(page, 43, db_session, attempt.id)
    page.click("#submit-exam")
    assert "所有题目均已作答" in page.locator("#confirm-unanswered").inner_text()
    page.click("#confirm-submit")
    page.wait_for_selector("#submitted-notice")
    db_session.commit()  # end the read snapshot (SQLite) before looking at what the server wrote
    db_session.expire_all()
    attempt = db_session.get(Attempt, attempt.id)
    assert attempt.submitted_at is not None and not attempt.auto_submitted
    answers = db_session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)).all()
    assert len(answers) == 43
    assert all(a.response for a in answers)


def test_confirmation_lists_unanswered_questions(live_server, phone, db_session):
    now = utcnow()
    exam, (trainee,) = make_published_exam(db_session, window_start=now - timedelta(minutes=1),
                                           window_end=now + timedelta(hours=2))
    db_session.commit()
    page = phone.new_page()
    log_in(page, live_server.url, trainee.mobile, PASSWORD)
    page.goto(f"{live_server.url}/exams/{exam.id}/take")
    page.click("#start-exam")
    page.locator("fieldset.question").first.locator("input.form-check-input").first.check()
    page.click("#submit-exam")
    text = page.locator("#confirm-unanswered").inner_text()
    assert "以下题目尚未作答：2、3、4" in text and "43" in text
    page.click("#cancel-submit")
    assert page.locator("#confirm-panel").is_hidden()


def test_time_runs_out_and_the_paper_is_submitted(live_server, phone, db_session):
    now = utcnow()
    # The window closes in a few seconds, so the server sets the deadline there.
    exam, (trainee,) = make_published_exam(db_session, window_start=now - timedelta(minutes=1),
                                           window_end=now + timedelta(seconds=25))
    db_session.commit()
    page = phone.new_page()
    log_in(page, live_server.url, trainee.mobile, PASSWORD)
    page.goto(f"{live_server.url}/exams/{exam.id}/take")
    page.click("#start-exam")
    page.wait_for_selector("#exam-form")
    page.locator("fieldset.question").first.locator("input.form-check-input").first.check()
    page.wait_for_selector("#submitted-notice", timeout=60000)
    assert "到时自动交卷" in page.locator("#submitted-notice").inner_text()
    db_session.commit()  # end the read snapshot (SQLite) before looking at what the server wrote
    db_session.expire_all()
    attempt = db_session.scalar(select(Attempt).where(Attempt.trainee_id == trainee.id))
    assert attempt.submitted_at is not None and attempt.auto_submitted
    assert attempt.submitted_at <= attempt.deadline
    assert db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id)) is not None
