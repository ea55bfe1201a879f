"""Feedback over HTTP: trainees fill the form once; the report, its PDF and Excel, comparisons."""
import subprocess
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import (
    PASSWORD,
    make_approved_trainee,
    make_class_team,
    make_feedback_question,
    make_lecture,
    make_user,
)
from tests.services.test_feedback import DIMS, SEED_SCORES, open_form, respond
from training_app.models import FeedbackResponse, Role
from training_app.services import feedback


def _login_as(client, user):
    client.post("/logout")
    response = client.post("/login", data={"identifier": user.username, "password": PASSWORD})
    assert response.status_code == 302


def _class_with_lecture(db_session):
    training_class, organizer, sponsor = make_class_team(db_session, title="四社联动培训班")
    lecturer = make_user(db_session, roles=[Role.LECTURER], display_name="张教授")
    lecture = make_lecture(db_session, training_class, title="社会治理政策解读", lecturer=lecturer)
    return training_class, organizer, sponsor, lecturer, lecture


def test_trainee_fills_the_form_once(client, db_session):
    training_class, organizer, _, _, lecture = _class_with_lecture(db_session)
    question = make_feedback_question(db_session, training_class, kind="choice",
                                      text="希望的培训时长", options=["2天", "3天"])
    trainee = make_approved_trainee(db_session, training_class)
    db_session.commit()
    _login_as(client, trainee)
    url = f"/classes/{training_class.id}/feedback"
    assert 'id="feedback-closed"' in client.get(url).get_data(as_text=True)
    _login_as(client, organizer)
    client.post(f"/classes/{training_class.id}/feedback/open")
    _login_as(client, trainee)
    page = client.get(url).get_data(as_text=True)
    assert "社会治理政策解读（张教授）" in page and "希望的培训时长" in page
    assert "课程设置" in page and "组织管理" in page
    assert f"/classes/{training_class.id}/feedback" in client.get("/my/").get_data(as_text=True)
    incomplete = client.post(url, data={"course_design": "10"}).get_data(as_text=True)
    assert 'id="feedback-form"' in incomplete
    data = {"course_design": "10", "faculty": "9", "content": "10", "organization": "8",
            f"lecture_{lecture.id}": "9", f"question_{question.id}": "1",
            "comments": "希望多一些案例<b>研讨</b>"}
    assert client.post(url, data=data).status_code == 302
    assert 'id="feedback-done"' in client.get(url).get_data(as_text=True)
    client.post(url, data=data)  # a second submission is refused
    assert db_session.scalar(select(func.count()).select_from(FeedbackResponse)) == 1
    response = db_session.scalar(select(FeedbackResponse))
    assert (response.course_design, response.faculty, response.content,
            response.organization) == (10, 9, 10, 8)
    assert [r.score for r in response.lecture_ratings] == [9]
    assert response.answers[0].choice == 1
    outsider = make_user(db_session, roles=[Role.TRAINEE])
    db_session.commit()
    _login_as(client, outsider)
    assert client.get(url).status_code == 404


def test_report_pdf_and_excel_reproduce_the_seed_averages(client, db_session):
    training_class, organizer, sponsor, lecturer, lecture = _class_with_lecture(db_session)
    trainees = [make_approved_trainee(db_session, training_class) for _ in range(50)]
    open_form(db_session, training_class)
    for trainee, scores in zip(trainees, SEED_SCORES):
        respond(db_session, training_class, trainee, scores, lectures=[lecture],
                comments="收获很大" if trainee is trainees[0] else "")
    db_session.commit()
    _login_as(client, organizer)
    page = client.get(f"/classes/{training_class.id}/feedback/report").get_data(as_text=True)
    for key, value in zip(DIMS, ("9.80", "9.87", "9.78", "9.80")):
        assert f'data-dimension="{key}"><td>' in page
        assert f"<td data-average>{value}</td>" in page
    assert "90.0%" in page and "收获很大" in page and "张教授" in page
    assert page.count("<svg") == 4 and "style=" not in page
    for name in (t.display_name for t in trainees):  # anonymous: no trainee names
        assert name not in page
    pdf = client.get(f"/classes/{training_class.id}/feedback/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data,
                          capture_output=True, check=True).stdout.decode()
    for label, value in (("课程设置", "9.80"), ("师资配备", "9.87"), ("教学内容", "9.78"),
                         ("组织管理", "9.80")):
        line = next(line for line in text.splitlines() if label in line and "." in line)
        assert value in line, line
    assert "评估反馈报告" in text and "四社联动培训班" in text and "90.0%" in text
    xlsx = client.get(f"/classes/{training_class.id}/feedback/report.xlsx")
    rows = list(load_workbook(BytesIO(xlsx.data))["概况"].iter_rows(values_only=True))
    assert ("师资配备", "9.87", 0, 0, 0, 0, 0, 0, 0, 0, 6, 39) in rows
    # The lecturer of the class and its sponsor read the report too.
    for reader in (lecturer, sponsor):
        _login_as(client, reader)
        assert client.get(f"/classes/{training_class.id}/feedback/report").status_code == 200


def test_who_may_read_and_compare(client, db_session):
    training_class, organizer, _sponsor, _, _ = _class_with_lecture(db_session)
    other_class, _, other_sponsor = make_class_team(db_session, title="志愿者骨干培训班")
    for c in (training_class, other_class):
        open_form(db_session, c)
        respond(db_session, c, make_approved_trainee(db_session, c), dict.fromkeys(DIMS, 9),
                lectures=feedback.lectures(db_session, c))
    stranger = make_user(db_session, roles=[Role.LECTURER])
    db_session.commit()
    _login_as(client, stranger)
    assert client.get(f"/classes/{training_class.id}/feedback/report").status_code == 404
    assert client.get(f"/classes/{training_class.id}/feedback/report.pdf").status_code == 404
    _login_as(client, other_sponsor)
    assert client.get(f"/classes/{training_class.id}/feedback/report").status_code == 404
    page = client.get("/feedback/compare").get_data(as_text=True)
    assert "志愿者骨干培训班" in page and "四社联动培训班" not in page
    _login_as(client, organizer)
    page = client.get("/feedback/compare").get_data(as_text=True)
    assert "志愿者骨干培训班" in page and "四社联动培训班" in page and "9.00" in page


def test_organizer_adds_and_removes_questions(client, db_session):
    training_class, organizer, _, _, _ = _class_with_lecture(db_session)
    db_session.commit()
    _login_as(client, organizer)
    url = f"/classes/{training_class.id}/feedback"
    client.post(url + "/questions", data={"kind": "choice", "text": "住宿安排",
                                          "options": "满意\n一般\n不满意"})
    client.post(url + "/questions", data={"kind": "text", "text": "其他建议"})
    form = feedback.form_for(db_session, training_class)
    assert [(q.kind, q.text, q.options) for q in form.questions] == [
        ("choice", "住宿安排", ["满意", "一般", "不满意"]), ("text", "其他建议", [])]
    page = client.get(url + "/setup").get_data(as_text=True)
    assert "住宿安排" in page and "社会治理政策解读" in page
    client.post(f"/feedback/questions/{form.questions[1].id}/delete")
    db_session.expire_all()
    assert [q.text for q in feedback.form_for(db_session, training_class).questions] == ["住宿安排"]
