"""Organizers' side of exams: the bulk CLI, bank import in the browser, creating and publishing."""
from datetime import timedelta
from io import BytesIO

import question_bank as qb
from sqlalchemy import select

from training_app.models import BankQuestion, Exam, QuestionBank, Role
from training_app.services import exams
from tests.factories import NOW, demo_questions, make_approved_manual, make_class

BAD_GIFT = """::S1:: 第一题 {=对 ~错}

::N1:: 数值题 {#3.5}

::M1:: 匹配题 {=甲 -> 乙 =丙 -> 丁}
"""


def test_cli_import_counts_types_and_export_round_trips(app, db_session, tmp_path):
    source = tmp_path / "bank.gift"
    qb.export_file(demo_questions(), source)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["questions", "import", str(source), "--bank", "演示题库"])
    assert result.exit_code == 0, result.output
    assert "单选 30 题，多选 30 题，简答 6 题" in result.output
    for suffix in ("xml", "xlsx", "gift"):
        target = tmp_path / f"out.{suffix}"
        result = runner.invoke(args=["questions", "export", "--bank", "演示题库", str(target)])
        assert result.exit_code == 0, result.output
        assert qb.import_file(target) == demo_questions()


def test_cli_import_reports_every_error_and_imports_nothing(app, db_session, tmp_path):
    source = tmp_path / "bad.gift"
    source.write_text(BAD_GIFT, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["questions", "import", str(source), "--bank", "坏题库"])
    assert result.exit_code != 0
    assert "第3行" in result.output and "第5行" in result.output
    assert "未导入任何题目" in result.output
    assert db_session.scalar(select(QuestionBank)) is None


def test_bank_upload_in_the_browser_is_all_or_nothing(client, login, db_session):
    login(Role.ORGANIZER)
    client.post("/banks/", data={"name": "网页题库"})
    bank = db_session.scalar(select(QuestionBank).where(QuestionBank.name == "网页题库"))
    page = client.post(f"/banks/{bank.id}", data={"file": (BytesIO(BAD_GIFT.encode()), "bad.gift")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "未导入任何题目" in page and "第3行" in page and "第5行" in page
    assert db_session.scalar(select(BankQuestion)) is None
    good = qb.export_bytes(demo_questions(), "bank.xml")
    response = client.post(f"/banks/{bank.id}", data={"file": (BytesIO(good), "bank.xml")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(db_session.scalars(select(BankQuestion)).all()) == 66
    exported = client.get(f"/banks/{bank.id}/export.gift")
    assert qb.import_bytes(exported.data, "x.gift") == demo_questions()


def test_create_and_publish_exam_only_after_manual_approval(client, login, db_session):
    training_class = make_class(db_session)
    bank = exams.create_bank(db_session, name="班级题库", training_class=training_class, actor=None, now=NOW)
    exams.import_questions(db_session, bank=bank, questions=demo_questions(), actor=None, now=NOW)
    login(Role.ORGANIZER)
    response = client.post(f"/classes/{training_class.id}/exams", data={
        "title": "结业考试", "bank_id": bank.id, "window_start": "2026-05-18T09:00",
        "window_end": "2026-05-18T10:30", "duration_minutes": 60,
        "multiple_policy": "half_if_subset"})
    assert response.status_code == 302
    exam = db_session.scalar(select(Exam))
    assert exam.window_start.hour == 1  # 09:00 in Asia/Shanghai is 01:00 UTC
    assert exam.window_end - exam.window_start == timedelta(minutes=90)
    page = client.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert "43题，共100分" in page
    client.post(f"/exams/{exam.id}/publish")
    page = client.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert "培训教材尚未经主办方审核通过" in page
    make_approved_manual(db_session, training_class)
    client.post(f"/exams/{exam.id}/publish")
    client.post(f"/exams/{exam.id}/open")
    db_session.refresh(exam)
    assert exam.status == "published" and exam.is_open and len(exam.questions) == 43
