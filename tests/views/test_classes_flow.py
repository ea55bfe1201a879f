"""Through HTTP: a class goes draft → preliminary → registration open → closed, the organizer
building it and a sponsor account approving the manual and the notices; every refused
transition shows its reason."""
import io
from datetime import date, timedelta

from sqlalchemy import select

from tests.factories import NOW, make_class_team, make_pdf_bytes, make_unit
from training_app.models import AuditEntry, ManualVersion, Notice, Role, TrainingClass, UnitKind
from training_app.services import quotas

TODAY = date.today()
START = TODAY + timedelta(days=30)


def page(response) -> str:
    return response.get_data(as_text=True)


def as_user(client, login, role, **fields):
    client.post("/logout")
    return login(role, **fields)


def transition(client, class_id, name):
    return page(client.post(f"/classes/{class_id}/transition/{name}", follow_redirects=True))


def test_draft_to_registration_closed_through_the_ui(client, login, db_session):
    sponsor_unit = make_unit(db_session, name="潍坊市民政局", kind=UnitKind.CIVIL_AFFAIRS)
    organizer_unit = make_unit(db_session, name="潍坊市社会工作协会", kind=UnitKind.ASSOCIATION)
    units = [make_unit(db_session, name=n) for n in ("奎文区民政局", "寿光市民政局")]
    db_session.commit()
    login(Role.ORGANIZER, unit=organizer_unit)

    # Create the class with every field of the form.
    response = client.post("/classes/new", data={
        "title": "社会工作服务标准化与“四社联动”培训班", "sponsor_unit_id": sponsor_unit.id,
        "organizer_unit_id": organizer_unit.id, "co_sponsor_ids": [],
        "start_date": START.isoformat(), "end_date": (START + timedelta(days=2)).isoformat(),
        "registration_deadline": (START - timedelta(days=7)).isoformat(),
        "venue": "中共潍坊市委党校", "sub_venues": "寿光分会场\n青州分会场", "mode": "closed",
        "formats": ["lecture", "discussion"], "capacity": 86, "credit_hours": "",
        "eligibility-0-qualification": "2", "eligibility-0-min_years": "2",
        "eligibility-1-qualification": "1", "eligibility-1-min_years": "5",
        "eligibility-2-qualification": "", "eligibility-2-min_years": "",
        "eligibility_text": "", "required_materials": "学员报名表", "rules_text": "原则上不准请假",
        "contacts": "李秘书长", "description": "提升专业能力。"})
    assert response.status_code == 302, page(response)[:2000]
    c = db_session.scalars(select(TrainingClass)).one()
    assert c.credit_hours == 24 and c.sub_venues == ["寿光分会场", "青州分会场"]
    assert c.eligibility_rules == [{"qualification": 2, "min_years": 2},
                                   {"qualification": 1, "min_years": 5}]
    html = page(client.get(f"/classes/{c.id}"))
    assert 'data-transition="publish_preliminary"' in html
    assert 'data-transition="open_registration"' in html
    assert 'data-transition="close_registration"' not in html

    # Opening registration straight away is refused, naming the reason.
    assert "尚未起草培训通知。" in transition(client, c.id, "open_registration")
    for unit, seats in zip(units, (30, 20)):
        quotas.set_quota(db_session, training_class=c, unit=unit, seats=seats, actor=None, now=NOW)

    # The manual: upload, chapters, submit.
    response = client.post(f"/classes/{c.id}/manual/upload", content_type="multipart/form-data",
                           data={"pdf": (io.BytesIO(make_pdf_bytes()), "教材.pdf"), "note": "初稿"})
    assert response.status_code == 302
    version = db_session.scalars(select(ManualVersion)).one()
    response = client.post(f"/manual-versions/{version.id}/chapters", data={
        "chapters-0-number": "1", "chapters-0-title": "国家政策", "chapters-0-page_from": "1",
        "chapters-0-page_to": "1", "chapters-1-number": "", "chapters-1-title": ""})
    assert response.status_code == 302
    client.post(f"/manual-versions/{version.id}/submit")
    db_session.refresh(version)
    assert version.status == "submitted" and [ch.title for ch in version.chapters] == ["国家政策"]

    # The preliminary notice: draft, edit, submit; publishing before approval is refused.
    response = client.post(f"/classes/{c.id}/notices", data={"kind": "preliminary",
                                                             "issuers": "joint"})
    preliminary = db_session.scalars(select(Notice)).one()
    assert response.location.endswith(f"/notices/{preliminary.id}/edit")
    client.post(f"/notices/{preliminary.id}/edit", data={
        "purpose": "围绕“四社联动”提升能力。", "issuers": "joint", "document_number": "潍民字〔2026〕3号"})
    client.post(f"/notices/{preliminary.id}/submit")
    assert "预备通知尚未经主办方审批，不能发布。" in transition(client, c.id, "publish_preliminary")

    # The sponsor approves the manual (a return needs a comment) and the preliminary notice.
    as_user(client, login, Role.SPONSOR, unit=sponsor_unit)
    html = page(client.get(f"/classes/{c.id}/manual"))
    assert f'action="/manual-versions/{version.id}/review"' in html
    html = page(client.post(f"/manual-versions/{version.id}/review",
                            data={"comment": "", "reject": "退回修改"}, follow_redirects=True))
    assert "退回时请填写修改意见。" in html
    html = page(client.post(f"/manual-versions/{version.id}/review",
                            data={"comment": "同意印制。", "approve": "批准"}, follow_redirects=True))
    assert "教材已批准。" in html
    client.post(f"/notices/{preliminary.id}/review", data={"comment": "", "approve": "批准"})
    db_session.refresh(version)
    db_session.refresh(preliminary)
    assert version.status == "approved" and preliminary.status == "approved"
    # The sponsor cannot move the class.
    assert client.post(f"/classes/{c.id}/transition/publish_preliminary").status_code == 403

    # The organizer publishes the preliminary notice; the formal notice awaits approval.
    as_user(client, login, Role.ORGANIZER, unit=organizer_unit)
    assert "培训班状态已变更为：预备通知" in transition(client, c.id, "publish_preliminary")
    client.post(f"/classes/{c.id}/notices", data={"kind": "formal", "issuers": "sponsor"})
    formal = db_session.scalars(select(Notice).where(Notice.kind == "formal")).one()
    client.post(f"/notices/{formal.id}/submit")
    html = transition(client, c.id, "open_registration")
    assert "培训通知尚未经主办方审批，不能发布。" in html

    as_user(client, login, Role.SPONSOR, unit=sponsor_unit)
    html = page(client.get(f"/notices/{formal.id}"))
    assert "名额分配表" in html and "奎文区民政局" in html
    client.post(f"/notices/{formal.id}/review", data={"comment": "同意发文", "approve": "批准"})

    as_user(client, login, Role.ORGANIZER, unit=organizer_unit)
    assert "培训班状态已变更为：报名中" in transition(client, c.id, "open_registration")
    assert "报名截止后才能开班。" in transition(client, c.id, "start_session")
    assert "培训班状态已变更为：报名截止" in transition(client, c.id, "close_registration")
    html = transition(client, c.id, "start_session")
    assert f"开班日期（{START.isoformat()}）还没到，不能开班。" in html
    db_session.refresh(c)
    db_session.refresh(formal)
    assert c.status == "registration_closed" and formal.status == "published"
    assert [e.changes["status"] for e in db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "class.transition").order_by(AuditEntry.id))
    ] == [["draft", "preliminary"], ["preliminary", "registration_open"],
          ["registration_open", "registration_closed"]]

    # The published notice as a PDF, for anyone logged in.
    as_user(client, login, Role.UNIT_CONTACT, unit=units[0])
    response = client.get(f"/notices/{formal.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "名额分配表" in page(client.get(f"/notices/{formal.id}"))


def test_refused_transition_for_unknown_name_is_404(client, login, db_session):
    c, _, _ = make_class_team(db_session)
    db_session.commit()
    login(Role.ORGANIZER)
    assert client.post(f"/classes/{c.id}/transition/teleport").status_code == 404


def test_edit_form_shows_the_class_and_saves(client, login, db_session):
    c, _, _ = make_class_team(db_session)
    c.eligibility_rules = [{"qualification": 2, "min_years": 2}]
    c.sub_venues = ["寿光分会场", "青州分会场"]
    db_session.commit()
    login(Role.ORGANIZER)
    html = page(client.get(f"/classes/{c.id}/edit"))
    assert "寿光分会场\n青州分会场" in html
    assert '<option selected value="2">' in html
    data = {"title": "改名后的培训班", "sponsor_unit_id": c.sponsor_unit_id,
            "organizer_unit_id": c.organizer_unit_id, "start_date": "2026-05-17",
            "end_date": "2026-05-19", "mode": "meeting", "capacity": 90, "credit_hours": 20,
            "eligibility-0-qualification": "3", "eligibility-0-min_years": "1"}
    assert client.post(f"/classes/{c.id}/edit", data=data).status_code == 302
    db_session.refresh(c)
    assert (c.title, c.mode, c.capacity, c.credit_hours) == ("改名后的培训班", "meeting", 90, 20)
    assert c.eligibility_rules == [{"qualification": 3, "min_years": 1}]
    # A rule the service refuses comes back as a message, nothing saved.
    data["registration_deadline"] = "2026-06-01"
    html = page(client.post(f"/classes/{c.id}/edit", data=data))
    assert "报名截止日期不能晚于开班日期。" in html


def test_copy_through_the_ui(client, login, db_session):
    c, _, _ = make_class_team(db_session, title="2025年标准化培训班")
    db_session.commit()
    login(Role.ORGANIZER)
    html = page(client.get(f"/classes/{c.id}/copy"))
    assert "2025年标准化培训班" in html
    response = client.post(f"/classes/{c.id}/copy", data={
        "title": "2026年标准化培训班", "start_date": "2026-09-01", "end_date": "2026-09-03"})
    copy = db_session.scalars(select(TrainingClass).where(
        TrainingClass.title == "2026年标准化培训班")).one()
    assert response.location.endswith(f"/classes/{copy.id}/edit")
    assert copy.status == "draft" and copy.capacity == c.capacity


def test_manual_pdf_is_served_only_to_people_of_the_class(client, login, db_session):
    c, _, _ = make_class_team(db_session)
    db_session.commit()
    login(Role.ORGANIZER)
    client.post(f"/classes/{c.id}/manual/upload", content_type="multipart/form-data",
                data={"pdf": (io.BytesIO(make_pdf_bytes()), "教材.pdf")})
    version = db_session.scalars(select(ManualVersion)).one()
    url = f"/manual-versions/{version.id}/pdf"
    with client.get(url) as response:  # a file response: close it
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
        assert response.mimetype == "application/pdf"
    as_user(client, login, Role.SPONSOR, unit=c.sponsor_unit)
    with client.get(url) as response:
        assert response.status_code == 200
    as_user(client, login, Role.SPONSOR, unit=make_unit(db_session))  # another sponsor body
    assert client.get(url).status_code == 404
    as_user(client, login, Role.TRAINEE)
    assert client.get(url).status_code == 403


def test_upload_refuses_a_fake_pdf_with_a_message(client, login, db_session):
    c, _, _ = make_class_team(db_session)
    db_session.commit()
    login(Role.ORGANIZER)
    html = page(client.post(f"/classes/{c.id}/manual/upload", content_type="multipart/form-data",
                            data={"pdf": (io.BytesIO(b"<html>not a pdf</html>"), "教材.pdf")},
                            follow_redirects=True))
    assert "上传的文件不是PDF文件。" in html
    assert db_session.scalars(select(ManualVersion)).all() == []


def test_upload_allows_more_than_the_general_request_limit(client, login, db_session, app):
    """The manual limit (MANUAL_MAX_BYTES, 50 MB by default) is above MAX_CONTENT_LENGTH.

    Scaled down here: bodies under 500 KB keep the test client from spooling them to files."""
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, MANUAL_MAX_BYTES=256 * 1024)
    c, _, _ = make_class_team(db_session)
    db_session.commit()
    login(Role.ORGANIZER)
    big = make_pdf_bytes() + b"%" + b"0" * (128 * 1024)
    response = client.post(f"/classes/{c.id}/manual/upload", content_type="multipart/form-data",
                           data={"pdf": (io.BytesIO(big), "大教材.pdf")})
    assert response.status_code == 302
    assert db_session.scalars(select(ManualVersion)).one().pdf_size == len(big)
    too_big = big + b"0" * (256 * 1024)
    response = client.post(f"/classes/{c.id}/manual/upload", content_type="multipart/form-data",
                           data={"pdf": (io.BytesIO(too_big), "太大.pdf")})
    assert response.status_code == 413


def test_markdown_import_through_the_ui(client, login, db_session):
    c, _, _ = make_class_team(db_session)
    db_session.commit()
    login(Role.ORGANIZER)
    md = "# 教材\n\n## 第一章 政策\n\n### 第一节 文件\n\n正文\n\n## 第二章 实践\n\n正文\n"
    html = page(client.post(f"/classes/{c.id}/manual/markdown", content_type="multipart/form-data",
                            data={"markdown": (io.BytesIO(md.encode()), "教材.md"),
                                  "render_pdf": "y"}, follow_redirects=True))
    assert "已导入2章。" in html
    assert "第1节 文件" in html or "第1节" in html
    version = db_session.scalars(select(ManualVersion)).one()
    assert [(ch.page_from, ch.page_to) for ch in version.chapters] == [(2, 2), (3, 3)]


def test_draft_notice_hidden_from_trainees(client, login, db_session):
    c, organizer, _ = make_class_team(db_session)
    from training_app.services import notices

    notice = notices.draft_notice(db_session, training_class=c, kind="formal", issuers="sponsor",
                                  actor=organizer, now=NOW)
    db_session.commit()
    login(Role.TRAINEE)
    assert client.get(f"/notices/{notice.id}").status_code == 404
    assert client.get(f"/notices/{notice.id}/pdf").status_code == 404
    assert "培训通知" not in page(client.get(f"/classes/{c.id}"))
