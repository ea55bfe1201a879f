"""A lecturer grades every short answer of a 30-trainee exam by question, on a phone, then the
organizer releases the results and a trainee reads theirs."""
from decimal import Decimal

import pytest

from question_bank.numbers import fmt_decimal
from training_app.models import Attempt, Role
from training_app.services import exams, grading
from tests.e2e.conftest import PHONE, log_in
from tests.factories import NOW, PASSWORD, make_published_exam, make_user, submit_papers

pytestmark = pytest.mark.e2e

MARKS = {41: "8", 42: "6.5", 43: "9"}


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def _phone_page(browser):
    """A page in a fresh phone-sized context: its own cookies, so its own login."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    context.set_default_timeout(15000)
    return context, context.new_page()


def test_grade_by_question_in_the_browser_then_release(live_server, phone, browser, db_session):
    exam, users = make_published_exam(db_session, trainees=30)
    attempts = submit_papers(db_session, exam, users)
    lecturer = make_user(db_session, roles=[Role.LECTURER], display_name="阅卷老师")
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    grading.assign_grader(db_session, exam=exam, user=lecturer, actor=organizer, now=NOW)
    db_session.commit()

    page = phone.new_page()
    log_in(page, live_server.url, lecturer.username, PASSWORD)
    page.click(".navbar-toggler")  # the phone's collapsed menu
    page.click("[data-nav=lecturer]")
    page.click(f"text={exam.title}")
    for number, mark in MARKS.items():
        page.click(f"#grading-progress tr[data-number='{number}'] a.btn-primary")
        graded = 0
        while page.locator("#mark-form").count():
            assert page.locator("#trainee-answer mark").count() > 0  # keywords highlighted
            assert users[0].display_name not in page.content()  # anonymous
            if graded == 0:
                assert _fits_the_phone(page)
            page.fill("#score", mark)
            page.click("#submit")
            page.wait_for_load_state()
            graded += 1
        assert graded == 24  # every fifth trainee left the short answers blank
        assert f'data-number="{number}" data-remaining="0"' in page.content()

    page.click("text=成绩统计与试题分析")
    assert page.locator("#ungraded-warning").count() == 0
    assert page.locator("#score-histogram rect").count() == 10
    assert _fits_the_phone(page)

    db_session.commit()
    db_session.expire_all()
    short_total = sum(Decimal(m) for m in MARKS.values())
    for index, attempt in enumerate(attempts):
        attempt = db_session.get(Attempt, attempt.id)
        assert attempt.total_score == attempt.objective_score + (
            0 if index % 5 == 4 else short_total)

    # The organizer closes the exam and releases; the trainee sees their result.
    exams.set_open(db_session, exam=exam, is_open=False, actor=organizer, now=NOW)
    db_session.commit()
    organizer_context, organizer_page = _phone_page(browser)
    log_in(organizer_page, live_server.url, organizer.username, PASSWORD)
    organizer_page.goto(f"{live_server.url}/exams/{exam.id}/grading")
    organizer_page.click("#release-button")
    organizer_page.wait_for_selector("#released-at")

    organizer_context.close()
    trainee_context, trainee_page = _phone_page(browser)
    log_in(trainee_page, live_server.url, users[0].mobile, PASSWORD)
    trainee_page.goto(f"{live_server.url}/my/")
    trainee_page.click("#my-results a")
    db_session.expire_all()
    total = db_session.get(Attempt, attempts[0].id).total_score
    assert trainee_page.locator("#total strong").inner_text() == fmt_decimal(total)
    assert trainee_page.locator("#question-results > li").count() == 43
    assert "教材第" in trainee_page.locator("[data-manual]").first.inner_text()
    assert _fits_the_phone(trainee_page)
    trainee_context.close()
