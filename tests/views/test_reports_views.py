"""Issue 9 over HTTP: the compliance page (demo class and a compliant class), the trainee's
credit-hour PDF, the unit's Excel export and the dashboards."""
from __future__ import annotations

import subprocess
from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from training_app.models import (
    AuditEntry,
    Certificate,
    ComplianceSnapshot,
    Enrollment,
    Role,
    TraineeProfile,
    TrainingClass,
)
from training_app import demo
from training_app.demo import history as demo_history
from training_app.services import certificates, notices
from tests.factories import NOW, make_approved_trainee, make_class_team, make_unit
from tests.services.test_compliance import build_compliant_class


def test_demo_class_score_is_shown_with_its_missing_clauses(client, login, db_session, tmp_path):
    c = demo.seed_demo(db_session, now=NOW, upload_dir=tmp_path)
    db_session.commit()
    login(Role.ORGANIZER)
    page = client.get(f"/classes/{c.id}/compliance").get_data(as_text=True)
    assert 'id="compliance-total"' in page
    missing = page.count('data-met="no"')
    total = int(page.split('data-total="')[1].split('"')[0])
    assert missing > 0 and total == 100 - 4 * missing
    # Nothing graded, released, collected or issued yet in the demo class.
    for clause in ("6.4", "7.1", "7.2"):
        assert f'data-clause="{clause}" data-met="no"' in page
    assert "去处理" in page
    (snapshot,) = db_session.scalars(select(ComplianceSnapshot)).all()
    assert snapshot.total == total and len(snapshot.missing) == missing
    client.get(f"/classes/{c.id}/compliance")  # unchanged: no second snapshot
    assert len(db_session.scalars(select(ComplianceSnapshot)).all()) == 1


def test_demo_trainee_has_a_completed_2015_class_on_record(client, db_session, tmp_path):
    demo.seed_demo(db_session, now=NOW, upload_dir=tmp_path)
    db_session.commit()
    history = db_session.scalar(select(TrainingClass).where(
        TrainingClass.title == demo_history.HISTORY_CLASS_TITLE))
    assert history.status == "graduated" and history.credit_hours == 16
    actions = db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "training_class", AuditEntry.target_id == history.id)).all()
    assert {"class.create", "certificate.issue"} <= set(actions)
    issued = db_session.scalars(select(Certificate).where(
        Certificate.class_id == history.id)).all()
    assert len(issued) == 1 + demo_history.CLASSMATES  # she and five classmates graduated
    trainee = demo.demo_user(db_session, "trainee")
    (certificate,) = [c for c in issued if c.user_id == trainee.id]
    assert certificate.values["verify_url"].startswith(demo.DEMO_VERIFY_BASE_URL + "/")
    reply = client.post("/login", data={"identifier": "trainee", "password": demo.DEMO_PASSWORD})
    assert reply.status_code == 302
    page = client.get("/my/credit-hours").get_data(as_text=True)
    assert 'data-year="2015" data-hours="16"' in page and certificate.serial in page
    path = tmp_path / "hours.pdf"
    path.write_bytes(client.get("/my/credit-hours.pdf").data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "2015年：16 / 40学时" in text and certificate.serial in text
    # read in reading order: a table cell wraps a long title over lines of its own
    cells = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert demo_history.HISTORY_CLASS_TITLE in "".join(cells.split())
    client.post("/logout")
    assert "有效" in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    # seeding again changes nothing
    demo.seed_demo(db_session, now=NOW, upload_dir=tmp_path)
    assert db_session.scalar(select(func.count()).select_from(TrainingClass).where(
        TrainingClass.title == demo_history.HISTORY_CLASS_TITLE)) == 1


def test_compliant_class_shows_100_and_sponsor_sees_own_classes_only(client, login, db_session):
    c, ctx = build_compliant_class(db_session)
    other, _o, _s = make_class_team(db_session, title="别人的培训班")
    db_session.commit()
    sponsor = ctx["sponsor"]
    client.post("/login", data={"identifier": sponsor.username, "password": "secret1234"})
    page = client.get(f"/classes/{c.id}/compliance").get_data(as_text=True)
    assert 'data-total="100"' in page and 'data-met="no"' not in page
    assert client.get(f"/classes/{other.id}/compliance").status_code == 404
    board = client.get("/dashboard/sponsor").get_data(as_text=True)
    assert f'data-class-id="{c.id}"' in board and f'data-class-id="{other.id}"' not in board
    assert 'data-compliance="100"' in board


def test_sponsor_dashboard_lists_items_waiting_for_approval(client, login, db_session):
    c, organizer, _sponsor = make_class_team(db_session)
    c.registration_deadline = date(2026, 4, 1)
    notice = notices.draft_notice(db_session, training_class=c, kind="formal", issuers="sponsor",
                                  purpose="提升专业能力。", actor=organizer, now=NOW)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    db_session.commit()
    login(Role.SPONSOR, unit=c.sponsor_unit)
    page = client.get("/dashboard/sponsor").get_data(as_text=True)
    assert 'data-pending="notice"' in page and c.title in page
    assert 'href="/dashboard/sponsor"' in page  # the navbar entry is a link now


def _completed(db_session, user, *, title, end, hours):
    c, organizer, _s = make_class_team(db_session, title=title, start=end, end=end)
    c.credit_hours = hours
    profile = db_session.scalar(select(TraineeProfile).where(TraineeProfile.user_id == user.id))
    db_session.add(Enrollment(class_id=c.id, trainee_id=profile.id, unit_id=profile.unit_id,
                              status="approved"))
    db_session.flush()
    certificates.issue(db_session, training_class=c, kind="completion", actor=organizer, now=NOW,
                       verify_base_url="http://localhost")


def test_credit_hour_pdf_and_unit_excel_have_the_right_totals(client, login, db_session,
                                                              tmp_path):
    first, _o, _s = make_class_team(db_session, title="综合素质培训班", start=date(2026, 3, 2),
                                    end=date(2026, 3, 3))
    first.credit_hours = 16
    unit = make_unit(db_session, name="奎文区民政局")
    user = make_approved_trainee(db_session, first, name="刘学员", unit=unit)
    certificates.issue(db_session, training_class=first, kind="completion", actor=None, now=NOW,
                       verify_base_url="http://localhost")
    _completed(db_session, user, title="四社联动培训班", end=date(2026, 5, 19), hours=24)
    _completed(db_session, user, title="志愿者骨干培训班", end=date(2025, 6, 1), hours=24)
    db_session.commit()
    client.post("/login", data={"identifier": user.username, "password": "secret1234"})
    page = client.get("/my/credit-hours").get_data(as_text=True)
    assert 'data-year="2026" data-hours="40"' in page and 'data-year="2025" data-hours="24"' in page
    response = client.get("/my/credit-hours.pdf")
    assert response.mimetype == "application/pdf"
    path = tmp_path / "hours.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "学时档案" in text and "刘学员" in text
    assert "2026年：40 / 40学时" in text and "已达标" in text
    assert "2025年：24 / 40学时" in text and "还差16学时" in text
    client.post("/logout")
    login(Role.ORGANIZER)
    xlsx = client.get(f"/units/{unit.id}/credit-hours.xlsx?year=2026")
    ws = load_workbook(BytesIO(xlsx.data)).active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[2], r[4]) for r in rows] == [("刘学员", "综合素质培训班", 16),
                                                   ("刘学员", "四社联动培训班", 24)]
    assert rows[-1][5:] == (40, 40, "是")
