"""Feedback (评估反馈): one response per trainee, and a report that reproduces the seeds' averages."""
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import (
    NOW,
    make_approved_trainee,
    make_class,
    make_class_team,
    make_lecture,
    make_user,
)
from training_app.models import AuditEntry, FeedbackResponse, Role
from training_app.services import feedback
from training_app.services.errors import DomainError

DIMS = ("course_design", "faculty", "content", "organization")


def seed_fixture(count_tens: dict[str, int], n: int = 45):
    """Scores per response: the first ``count_tens[d]`` responses give 10 in dimension d, the
    rest 9."""
    return [{d: 10 if i < count_tens[d] else 9 for d in DIMS} for i in range(n)]


# 45 responses: 441/45 = 9.80, 444/45 = 9.8667 -> 9.87, 440/45 = 9.7778 -> 9.78 (the seeds).
SEED_SCORES = seed_fixture({"course_design": 36, "faculty": 39, "content": 35,
                            "organization": 36})


def open_form(db_session, training_class):
    form = feedback.ensure_form(db_session, training_class=training_class, actor=None, now=NOW)
    feedback.set_open(db_session, form=form, is_open=True, actor=None, now=NOW)
    return form


def respond(db_session, training_class, trainee, scores, lectures=(), lecture_score=9,
            comments="", answers=None):
    return feedback.submit_response(
        db_session, training_class=training_class, trainee=trainee, dimensions=scores,
        lecture_scores={item.id: lecture_score for item in lectures},
        answers=answers or {}, comments=comments, now=NOW)


def test_average_rounds_half_up_to_two_places():
    # 173 tens and 27 nines: 1973 / 200 = 9.865 exactly -> 9.87 (half-even would give 9.86).
    assert feedback.average([10] * 173 + [9] * 27) == Decimal("9.87")
    assert feedback.average([9, 10, 10]) == Decimal("9.67")
    assert feedback.average([]) is None


def test_report_reproduces_the_seed_averages_exactly(db_session):
    training_class = make_class(db_session)
    trainees = [make_approved_trainee(db_session, training_class) for _ in range(50)]
    open_form(db_session, training_class)
    for trainee, scores in zip(trainees, SEED_SCORES):
        respond(db_session, training_class, trainee, scores)
    report = feedback.report(db_session, training_class)
    assert [str(d.average) for d in report.dimensions] == ["9.80", "9.87", "9.78", "9.80"]
    assert (report.responses, report.trainees, report.response_rate) == (45, 50, Decimal("90.0"))
    assert report.dimensions[1].distribution == [0] * 8 + [6, 39]
    # Overall: (441 + 444 + 440 + 441) / 180 = 9.8111 -> 9.81
    assert report.overall == Decimal("9.81")


def test_one_response_per_trainee_and_only_while_open(db_session):
    training_class = make_class(db_session)
    trainee = make_approved_trainee(db_session, training_class)
    scores = dict.fromkeys(DIMS, 8)
    with pytest.raises(DomainError, match="尚未开放"):
        respond(db_session, training_class, trainee, scores)
    open_form(db_session, training_class)
    respond(db_session, training_class, trainee, scores, comments="收获很大")
    with pytest.raises(DomainError, match="只能提交一次"):
        respond(db_session, training_class, trainee, scores)
    outsider = make_user(db_session, roles=[Role.TRAINEE])
    with pytest.raises(DomainError, match="已录取"):
        respond(db_session, training_class, outsider, scores)
    for bad in (0, 11, None, "9", True):
        with pytest.raises(DomainError):
            respond(db_session, training_class, make_approved_trainee(db_session, training_class),
                    {**scores, "faculty": bad})
    assert db_session.scalar(select(FeedbackResponse.comments)) == "收获很大"
    # The audit log names the form, not the response: it does not tie scores to a person.
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "feedback.submit"))
    assert entry.target_type == "feedback_form" and entry.changes == {}


def test_lectures_from_the_schedule_are_rated_and_averaged_per_lecturer(db_session):
    training_class = make_class(db_session)
    zhang = make_user(db_session, roles=[Role.LECTURER], display_name="张教授")
    li = make_user(db_session, roles=[Role.LECTURER], display_name="李老师")
    lectures = [make_lecture(db_session, training_class, title="政策解读", lecturer=zhang),
                make_lecture(db_session, training_class, title="项目书写作", lecturer=zhang,
                             hours_from_start=2),
                make_lecture(db_session, training_class, title="案例写作", lecturer=li,
                             hours_from_start=4)]
    assert feedback.lectures(db_session, training_class) == lectures
    open_form(db_session, training_class)
    trainees = [make_approved_trainee(db_session, training_class) for _ in range(3)]
    scores = dict.fromkeys(DIMS, 9)
    with pytest.raises(DomainError):  # every lecture must be rated
        feedback.submit_response(db_session, training_class=training_class, trainee=trainees[0],
                                 dimensions=scores, lecture_scores={lectures[0].id: 9},
                                 answers={}, comments="", now=NOW)
    for trainee, (a, b, c) in zip(trainees, [(10, 9, 8), (9, 9, 10), (10, 10, 10)]):
        feedback.submit_response(db_session, training_class=training_class, trainee=trainee,
                                 dimensions=scores,
                                 lecture_scores={lectures[0].id: a, lectures[1].id: b,
                                                 lectures[2].id: c},
                                 answers={}, comments="", now=NOW)
    report = feedback.report(db_session, training_class)
    assert [(r.title, r.lecturer, r.count, str(r.average)) for r in report.lectures] == [
        ("政策解读", "张教授", 3, "9.67"), ("项目书写作", "张教授", 3, "9.33"),
        ("案例写作", "李老师", 3, "9.33")]
    # 张教授: 10 9 9 9 10 10 = 57 / 6 = 9.50; 李老师: 8 10 10 = 28 / 3 = 9.33
    assert {(r.lecturer, r.lectures, str(r.average)) for r in report.lecturers} == {
        ("张教授", 2, "9.50"), ("李老师", 1, "9.33")}
    assert feedback.lectures_in(db_session, li, training_class)
    assert feedback.can_view_report(db_session, li, training_class)
    assert not feedback.can_view_report(
        db_session, make_user(db_session, roles=[Role.LECTURER]), training_class)


def test_organizer_questions_are_answered_and_summarized(db_session):
    training_class = make_class(db_session)
    form = open_form(db_session, training_class)
    rating = feedback.add_question(db_session, form=form, kind="rating", text="住宿满意度",
                                   required=True, actor=None, now=NOW)
    choice = feedback.add_question(db_session, form=form, kind="choice", text="希望的培训时长",
                                   options=["2天", "3天", "", "4天"], actor=None, now=NOW)
    text = feedback.add_question(db_session, form=form, kind="text", text="最希望学习的内容",
                                 actor=None, now=NOW)
    assert choice.options == ["2天", "3天", "4天"]
    with pytest.raises(DomainError):
        feedback.add_question(db_session, form=form, kind="choice", text="只有一个选项",
                              options=["唯一"], actor=None, now=NOW)
    scores = dict.fromkeys(DIMS, 9)
    a, b = (make_approved_trainee(db_session, training_class) for _ in range(2))
    with pytest.raises(DomainError, match="住宿满意度"):
        respond(db_session, training_class, a, scores, answers={choice.id: 1})
    respond(db_session, training_class, a, scores,
            answers={rating.id: 8, choice.id: 1, text.id: "项目书写作"})
    respond(db_session, training_class, b, scores, answers={rating.id: 9, choice.id: 1})
    report = feedback.report(db_session, training_class)
    rows = {row.question.id: row for row in report.questions}
    assert rows[rating.id].average == Decimal("8.50")
    assert rows[choice.id].choices == [("2天", 0), ("3天", 2), ("4天", 0)]
    assert rows[text.id].texts == ["项目书写作"]
    with pytest.raises(DomainError, match="不能再修改"):
        feedback.add_question(db_session, form=form, kind="text", text="迟到的问题",
                              actor=None, now=NOW)
    with pytest.raises(DomainError, match="不能再修改"):
        feedback.delete_question(db_session, question=text, actor=None, now=NOW)


def test_workbook_and_comparison_for_sponsors(db_session):
    first, organizer, sponsor = make_class_team(db_session, title="第一期")
    second = make_class(db_session, title="第二期")
    for training_class, score in ((first, 10), (second, 8)):
        open_form(db_session, training_class)
        trainee = make_approved_trainee(db_session, training_class)
        respond(db_session, training_class, trainee, dict.fromkeys(DIMS, score), comments="好")
    assert feedback.comparable_classes(db_session, sponsor) == [first]
    assert set(feedback.comparable_classes(db_session, organizer)) == {first, second}
    rows = feedback.compare(db_session, feedback.comparable_classes(db_session, organizer))
    by_title = {row.training_class.title: row for row in rows}
    assert by_title["第一期"].averages == [Decimal("10.00")] * 4
    assert by_title["第二期"].overall == Decimal("8.00")
    data = feedback.report_workbook(feedback.report(db_session, first),
                                    labels={"course_design": "课程设置"})
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == ["概况", "授课评价", "其他问题", "意见建议"]
    cells = [row for row in book["概况"].iter_rows(values_only=True)]
    assert ("课程设置", "10.00", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) in cells
    assert [r for r in book["意见建议"].iter_rows(values_only=True)][1] == ("好",)
