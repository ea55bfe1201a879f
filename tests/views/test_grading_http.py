"""Grading by question over HTTP, key corrections, release, and what trainees may see."""
import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import (
    NOW,
    PASSWORD,
    make_published_exam,
    submit_papers,
)
from question_bank.numbers import fmt_decimal
from training_app.models import Answer, Role
from training_app.services import exams, grading, results


def _papers(db_session, trainees=3, **kwargs):
    exam, users = make_published_exam(db_session, trainees=trainees)
    attempts = submit_papers(db_session, exam, users, **kwargs)
    db_session.commit()
    return exam, users, attempts


def _assign(db_session, exam, lecturer):
    grading.assign_grader(db_session, exam=exam, user=lecturer, actor=lecturer, now=NOW)
    db_session.commit()


def _login_as(client, user):
    client.post("/logout")
    response = client.post("/login", data={"identifier": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_a_grader_marks_every_short_answer_of_30_papers_by_question(client, login, db_session):
    exam, _users, attempts = _papers(db_session, trainees=30)
    lecturer = login(Role.LECTURER)
    _assign(db_session, exam, lecturer)
    stats_before = client.get(f"/exams/{exam.id}/statistics").get_data(as_text=True)
    assert "还有72份简答题未评分" in stats_before  # 3 questions x 24 answered papers
    overview = client.get(f"/exams/{exam.id}/grading").get_data(as_text=True)
    assert 'data-number="41" data-remaining="24"' in overview
    marks = {41: "7.5", 42: "10", 43: "4"}
    posts = 0
    for number, mark in marks.items():
        response = client.get(f"/exams/{exam.id}/grading/{number}")
        seen = []
        while True:
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            location = response.location
            if location.endswith(f"/exams/{exam.id}/grading"):
                break
            match = re.search(rf"/grading/{number}/papers/(\d+)$", location)
            assert match, location
            page = client.get(location).get_data(as_text=True)
            paper_no = int(re.search(r"答卷#(\d+)", page).group(1))
            seen.append(paper_no)
            assert "<mark>" in page  # keyword hints highlighted
            response = client.post(location, data={"score": mark, "comment": "已阅"})
            posts += 1
        assert len(seen) == 24 and seen == sorted(seen)  # in paper order, each once
    assert posts == 72
    db_session.expire_all()
    short_total = sum(Decimal(m) for m in marks.values())
    for index, attempt in enumerate(attempts):
        expected = attempt.objective_score + (0 if index % 5 == 4 else short_total)
        assert attempt.total_score == expected
    assert grading.ungraded_count(db_session, exam) == 0
    stats = client.get(f"/exams/{exam.id}/statistics").get_data(as_text=True)
    assert "未评分" not in stats
    computed = results.exam_statistics(db_session, exam)
    assert computed.summary.count == 30
    mean = sum(a.total_score for a in attempts) / 30
    assert f'data-stat="mean">{float(mean):.2f}<' in stats
    assert 'id="score-histogram"' in stats and "<svg" in stats and "style=" not in stats
    # Question 41 gave 7.5 to everyone who answered and 0 to blanks: facility 24*7.5/30/10.
    assert 'data-number="41"' in stats
    assert f'data-facility="{24 * 7.5 / 30 / 10:.4f}"' in stats


def test_grading_is_anonymous_and_escapes_answers(client, login, db_session):
    def respond(question, index):
        if question.type == "short":
            return {"text": "<script>alert(1)</script>做到事事有人干"}
        return {"choices": [0]}

    exam, users, _ = _papers(db_session, trainees=1, respond=respond)
    users[0].display_name = "王秘密"
    db_session.commit()
    lecturer = login(Role.LECTURER)
    _assign(db_session, exam, lecturer)
    location = client.get(f"/exams/{exam.id}/grading/41?names=1").location
    page = client.get(location + "?names=1").get_data(as_text=True)
    assert "王秘密" not in page and "答卷#1" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;做到<mark>事事有人干</mark>" in page
    _login_as(client, _organizer(db_session))
    assert "王秘密" not in client.get(location).get_data(as_text=True)
    assert "王秘密" in client.get(location + "?names=1").get_data(as_text=True)


def _organizer(db_session):
    from tests.factories import make_user

    user = make_user(db_session, roles=[Role.ORGANIZER])
    db_session.commit()
    return user


def test_bad_marks_are_refused_and_nothing_changes(client, login, db_session):
    exam, _, (attempt,) = _papers(db_session, trainees=1)
    login(Role.ORGANIZER)
    location = client.get(f"/exams/{exam.id}/grading/41").location
    page = client.post(location, data={"score": "10.3", "comment": ""}, follow_redirects=True)
    assert "得分须在0至10分之间，且为0.5分的整数倍。" in page.get_data(as_text=True)
    db_session.expire_all()
    question = grading.short_question(exam, 41)
    answer = db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id,
                                                    Answer.question_id == question.id))
    assert answer.score is None and answer.graded_at is None


def test_lecturers_see_only_exams_they_grade(client, login, db_session):
    exam, _, (attempt,) = _papers(db_session, trainees=1)
    login(Role.LECTURER)
    question = grading.short_question(exam, 41)
    for url in (f"/exams/{exam.id}/grading", f"/exams/{exam.id}/grading/41",
                f"/exams/{exam.id}/grading/41/papers/{attempt.id}",
                f"/exams/{exam.id}/statistics"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/exams/{exam.id}/grading/41/papers/{attempt.id}",
                       data={"score": "5"}).status_code == 404
    assert exam.title not in client.get("/grading/").get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(select(Answer.score).where(
        Answer.attempt_id == attempt.id, Answer.question_id == question.id)) is None


def test_organizer_assigns_a_grader_who_then_sees_the_exam(client, login, db_session):
    from tests.factories import make_user

    exam, _, _ = _papers(db_session, trainees=1)
    lecturer = make_user(db_session, roles=[Role.LECTURER], display_name="阅卷老师")
    db_session.commit()
    login(Role.ORGANIZER)
    page = client.get(f"/exams/{exam.id}/grading").get_data(as_text=True)
    assert "阅卷老师" in page
    client.post(f"/exams/{exam.id}/graders", data={"user_id": lecturer.id})
    assert grading.is_assigned(db_session, lecturer, exam)
    _login_as(client, lecturer)
    assert exam.title in client.get("/grading/").get_data(as_text=True)
    assert client.get(f"/exams/{exam.id}/grading").status_code == 200


def test_key_correction_previews_then_applies(client, login, db_session):
    exam, _users, _attempts = _papers(db_session, trainees=4)
    login(Role.ORGANIZER)
    question = next(q for q in exam.questions if q.type == "single")
    old = question.data["answer"][0]
    new = (old + 1) % len(question.data["options"])
    page = client.get(f"/exams/{exam.id}/questions/{question.number}/key").get_data(as_text=True)
    assert 'id="current-key"' in page
    preview = client.post(f"/exams/{exam.id}/questions/{question.number}/key",
                          data={"answer": [new], "preview": "1"}).get_data(as_text=True)
    assert 'id="regrade-plan"' in preview and "答卷#" in preview
    db_session.expire_all()
    assert question.data["answer"] == [old]  # a dry run
    plan = grading.plan_key_change(db_session, question=question, new_key=[new])
    db_session.rollback()
    response = client.post(f"/exams/{exam.id}/questions/{question.number}/key",
                           data={"answer": [new], "apply": "1"})
    assert response.status_code == 302
    db_session.expire_all()
    assert question.data["answer"] == [new]
    for change in plan.changes:
        assert db_session.get(type(change.attempt), change.attempt.id).total_score == \
            change.new_total


def test_scores_export_lists_every_trainee(client, login, db_session):
    exam, users, attempts = _papers(db_session, trainees=3)
    login(Role.ORGANIZER)
    response = client.get(f"/exams/{exam.id}/scores.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    rows = list(book["成绩"].iter_rows(values_only=True))
    assert rows[0][:9] == ("答卷号", "姓名", "手机号", "单位", "状态", "交卷时间", "客观题得分",
                           "简答题得分", "总分")
    assert len(rows) == 4 and len(rows[0]) == 9 + 43
    by_name = {row[1]: row for row in rows[1:]}
    for user, attempt in zip(users, attempts):
        assert by_name[user.display_name][8] == float(attempt.total_score)
    assert book["试题分析"]["A1"].value == "交卷人数" and book["试题分析"]["B1"].value == 3


# --- release and the trainee's view ------------------------------------------------------------

def _release(db_session, exam):
    organizer = _organizer(db_session)
    exams.set_open(db_session, exam=exam, is_open=False, actor=organizer, now=NOW)
    for question in grading.short_questions(exam):
        for paper in grading.papers_for_question(db_session, exam, question):
            if not paper.blank:
                grading.grade_answer(db_session, answer=paper.answer, mark="5",
                                     comment="注意答全要点", grader=organizer, now=NOW)
    db_session.flush()
    return organizer


def test_no_result_before_release_and_only_ones_own_after(client, db_session):
    exam, (me, other), (mine, theirs) = _papers(db_session, trainees=2)
    organizer = _release(db_session, exam)
    db_session.commit()
    _login_as(client, me)
    short = grading.short_questions(exam)[0]
    key_text = short.data["reference_answer"]
    for url in (f"/exams/{exam.id}/result", f"/exams/{exam.id}/take", "/my/"):
        page = client.get(url).get_data(as_text=True)
        assert key_text not in page and "总分" not in page
        assert f">{fmt_decimal(mine.total_score)}<" not in page
    assert 'id="not-released"' in client.get(f"/exams/{exam.id}/result").get_data(as_text=True)
    # The organizer releases through the page.
    _login_as(client, organizer)
    assert client.post(f"/exams/{exam.id}/release").status_code == 302
    db_session.expire_all()
    assert exam.results_released_at is not None
    _login_as(client, me)
    page = client.get(f"/exams/{exam.id}/result").get_data(as_text=True)
    assert f"<strong>{fmt_decimal(mine.total_score)}</strong>" in page
    assert key_text in page and "教材第" in page and "注意答全要点" in page
    assert "答卷0：" in page and "答卷1：" not in page  # my short answers, not theirs
    assert page.count('data-number="') == 43
    assert "/result" in client.get("/my/").get_data(as_text=True)
    # Never anyone else's: there is no way to name another attempt.
    _login_as(client, other)
    page = client.get(f"/exams/{exam.id}/result").get_data(as_text=True)
    assert "答卷1：" in page and "答卷0：" not in page
    assert f"<strong>{fmt_decimal(theirs.total_score)}</strong>" in page


def test_trainees_of_other_classes_get_nothing(client, db_session):
    exam, _, _ = _papers(db_session, trainees=1)
    _other_exam, (outsider,) = make_published_exam(db_session)
    _release(db_session, exam)
    results.release_results(db_session, exam=exam, actor=None, now=NOW)
    db_session.commit()
    _login_as(client, outsider)
    assert client.get(f"/exams/{exam.id}/result").status_code == 404


@pytest.mark.parametrize("path", ["result", "statistics", "scores.xlsx", "grading"])
def test_trainees_cannot_reach_grading_or_statistics(client, db_session, path):
    exam, (me,), _ = _papers(db_session, trainees=1)
    _login_as(client, me)
    status = client.get(f"/exams/{exam.id}/{path}").status_code
    assert status == (200 if path == "result" else 403)
