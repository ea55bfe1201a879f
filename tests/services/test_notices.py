"""Notices: generated text, approval, the published snapshot, and the printed PDF."""
import subprocess
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import NOW, make_class_team, make_unit, make_user
from training_app.models import AuditEntry, Role, UnitKind
from training_app.services import classes, lifecycle, notices, quotas
from training_app.services.errors import DomainError, PermissionDenied

UNITS = [("奎文区民政局", 30), ("潍坊市阳光社会工作服务中心", 12), ("潍城区北关街道东关社区居委会", 8)]


@pytest.fixture
def setup(db_session):
    c, organizer, sponsor = make_class_team(db_session, title="社会工作服务标准化与“四社联动”培训班",
                                            capacity=86)
    classes.update_class(
        db_session, training_class=c, actor=organizer, now=NOW, venue="中共潍坊市委党校",
        registration_deadline=date(2026, 5, 10), mode="closed", formats=["lecture", "discussion"],
        sub_venues=["寿光分会场"], eligibility_rules=[{"qualification": 2, "min_years": 2},
                                                      {"qualification": 1, "min_years": 5}],
        required_materials="学员报名表\n资格证书复印件", rules_text="封闭式培训，原则上不准请假。",
        contacts="李秘书长 0536-8230002")
    for name, seats in UNITS:
        quotas.set_quota(db_session, training_class=c, unit=make_unit(db_session, name=name),
                         seats=seats, actor=organizer, now=NOW)
    return c, organizer, sponsor


def draft(session, c, organizer, kind="formal", issuers="joint"):
    return notices.draft_notice(session, training_class=c, kind=kind, issuers=issuers,
                                purpose="提升全市社会工作服务标准化水平。", document_number="潍民字〔2026〕8号",
                                actor=organizer, now=NOW)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_notice_is_generated_from_the_class(db_session, setup):
    c, organizer, _ = setup
    content = notices.generate_content(db_session, draft(db_session, c, organizer))
    assert content["title"] == "关于举办社会工作服务标准化与“四社联动”培训班的通知"
    headings = [s["heading"] for s in content["sections"]]
    assert headings == ["一、培训目的", "二、培训时间和地点", "三、参训对象和条件", "四、名额分配",
                        "五、报名要求", "六、培训纪律", "七、联系方式"]
    text = "\n".join(p for s in content["sections"] for p in s["paragraphs"])
    assert "培训时间：2026年5月17日至19日，共3天，计24学时。" in text
    assert "培训地点：中共潍坊市委党校（主会场）。" in text and "分会场：寿光分会场。" in text
    assert "培训方式：封闭式培训，采用讲授法、讨论法等形式。" in text
    assert "报名条件：社会工作师满2年或助理社会工作师满5年。" in text
    assert "请各单位于2026年5月10日前完成报名，逾期不再受理。" in text
    assert "本期培训班共86个名额，已分配各单位50个，其余36个名额由承办方统筹安排。" in text
    assert content["quota_table"] == {
        "rows": [{"unit": n, "seats": s} for n, s in sorted(UNITS)], "allocated": 50,
        "capacity": 86, "unallocated": 36}
    assert content["issuers"] == [c.sponsor_unit.name, c.organizer_unit.name]  # joint


def test_preliminary_notice_says_the_formal_notice_follows(db_session, setup):
    c, organizer, _ = setup
    content = notices.generate_content(db_session, draft(db_session, c, organizer, "preliminary",
                                                         "sponsor"))
    assert content["title"].endswith("培训班的预备通知")
    assert content["sections"][4]["heading"] == "五、有关要求"
    assert content["sections"][4]["paragraphs"][0].startswith("正式培训通知将另行下发")
    assert content["issuers"] == [c.sponsor_unit.name]


def test_one_notice_of_each_kind_and_not_after_registration_opened(db_session, setup):
    c, organizer, _ = setup
    draft(db_session, c, organizer)
    with pytest.raises(DomainError) as excinfo:
        draft(db_session, c, organizer)
    assert str(excinfo.value) == "本班已有这一类通知，请直接修改。"
    c.status = "registration_open"
    with pytest.raises(DomainError) as excinfo:
        draft(db_session, c, organizer, kind="preliminary")
    assert str(excinfo.value) == "只有草稿状态的培训班才能起草预备通知。"


def test_submit_freezes_the_text_and_only_a_sponsor_approves(db_session, setup):
    c, organizer, sponsor = setup
    notice = draft(db_session, c, organizer)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    assert notice.status == "submitted" and notice.content["quota_table"]["allocated"] == 50
    with pytest.raises(DomainError) as excinfo:
        notices.update_notice(db_session, notice=notice, purpose="改", issuers="joint",
                              document_number="", actor=organizer, now=NOW)
    assert str(excinfo.value) == "通知正在等待主办方审批，不能修改。"
    other = make_user(db_session, roles=[Role.SPONSOR],
                      unit=make_unit(db_session, kind=UnitKind.CIVIL_AFFAIRS))
    with pytest.raises(PermissionDenied) as excinfo:
        notices.approve_notice(db_session, notice=notice, actor=other, now=NOW)
    assert str(excinfo.value) == "只有本培训班的主办方可以审批通知。"
    with pytest.raises(DomainError) as excinfo:
        notices.return_notice(db_session, notice=notice, comment="", actor=sponsor, now=NOW)
    assert str(excinfo.value) == "退回时请填写修改意见。"
    notices.return_notice(db_session, notice=notice, comment="请写明住宿安排。", actor=sponsor,
                          now=NOW)
    assert notice.status == "returned" and notice.review_comment == "请写明住宿安排。"
    notices.update_notice(db_session, notice=notice, purpose="提升能力；统一安排住宿。",
                          issuers="joint", document_number="潍民字〔2026〕8号", actor=organizer,
                          now=NOW)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    notices.approve_notice(db_session, notice=notice, actor=sponsor, now=NOW, comment="同意")
    assert notice.status == "approved" and notice.reviewed_by_id == sponsor.id
    assert notice.content["sections"][0]["paragraphs"] == ["提升能力；统一安排住宿。"]
    actions = list(db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "notice").order_by(AuditEntry.id)))
    assert actions == ["notice.create", "notice.submit", "notice.return", "notice.update",
                       "notice.submit", "notice.approve"]


def test_editing_an_approved_notice_needs_a_new_approval(db_session, setup):
    c, organizer, sponsor = setup
    notice = draft(db_session, c, organizer)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    notices.approve_notice(db_session, notice=notice, actor=sponsor, now=NOW)
    notices.update_notice(db_session, notice=notice, purpose="新的目的", issuers="sponsor",
                          document_number="", actor=organizer, now=NOW)
    assert notice.status == "draft" and notice.content is None
    with pytest.raises(DomainError) as excinfo:
        lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert str(excinfo.value) == "培训通知尚未经主办方审批，不能发布。"


def test_the_published_notice_is_a_snapshot(db_session, setup):
    c, organizer, sponsor = setup
    notice = draft(db_session, c, organizer)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    notices.approve_notice(db_session, notice=notice, actor=sponsor, now=NOW)
    published_at = datetime(2026, 3, 2, 17, 0, tzinfo=timezone.utc)  # 3 March, Shanghai
    lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=published_at)
    assert notice.status == "published" and notice.published_at == published_at
    assert notice.content["issue_date"] == "2026年3月3日"
    snapshot = dict(notice.content)
    # Later changes of the class and the quotas do not change what was published.
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW,
                         description="课程安排见日程。")
    unit = make_unit(db_session, name="青州市民政局")
    quotas.set_quota(db_session, training_class=c, unit=unit, seats=5, actor=organizer, now=NOW)
    db_session.commit()
    db_session.expire_all()
    assert notice.content == snapshot
    assert notices.current_content(db_session, notice) == snapshot
    assert "青州市民政局" not in str(notice.content)
    with pytest.raises(DomainError) as excinfo:
        notices.update_notice(db_session, notice=notice, purpose="x", issuers="joint",
                              document_number="", actor=organizer, now=NOW)
    assert str(excinfo.value) == "已发布的通知不能修改。"
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "notice.publish")).one()
    assert entry.changes["quota_table"]["allocated"] == 50


def test_notice_pdf_carries_the_quota_table_in_chinese_with_embedded_fonts(db_session, setup,
                                                                          tmp_path):
    c, organizer, sponsor = setup
    notice = draft(db_session, c, organizer)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    notices.approve_notice(db_session, notice=notice, actor=sponsor, now=NOW)
    lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    pdf = notices.notice_pdf(notice.content)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    assert "社会工作服务标准化与“四社联动”培训班" in text
    assert "名额分配表" in text and "名额分配" in text
    lines = text.splitlines()
    for name, seats in UNITS:
        row = next(line for line in lines if name in line)
        assert row.split()[-1] == str(seats), row
    assert "潍民字〔2026〕8号" in text and "2026年3月1日" in text
    assert "封闭式培训，原则上不准请假。" in text
    fonts = subprocess.run(["pdffonts", str(tmp_path / "notice.pdf")], capture_output=True,
                           text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column
    assert any("Serif-CJK-SC" in line for line in cjk), fonts


def test_draft_notice_readers(db_session, setup):
    c, organizer, sponsor = setup
    notice = draft(db_session, c, organizer)
    trainee = make_user(db_session, roles=[Role.TRAINEE])
    contact = make_user(db_session, roles=[Role.UNIT_CONTACT])
    assert notices.can_read(organizer, notice) and notices.can_read(sponsor, notice)
    assert not notices.can_read(trainee, notice) and not notices.can_read(contact, notice)
    notice.status = "published"
    assert notices.can_read(trainee, notice) and notices.can_read(contact, notice)


@pytest.mark.parametrize("change", [
    {"start_date": date(2026, 5, 18), "end_date": date(2026, 5, 20)},
    {"registration_deadline": date(2026, 5, 12)},
    {"venue": "潍坊宾馆"},
    {"capacity": 90},
    {"eligibility_rules": [{"qualification": 2, "min_years": 1}]},
])
def test_the_published_notice_holds_the_class_to_what_it_says(db_session, setup, change):
    c, organizer, sponsor = setup
    notice = draft(db_session, c, organizer)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    notices.approve_notice(db_session, notice=notice, actor=sponsor, now=NOW)
    lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    db_session.commit()
    audited = db_session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(DomainError) as excinfo:
        classes.update_class(db_session, training_class=c, actor=organizer, now=NOW, **change)
    assert "培训通知已发布" in str(excinfo.value)
    db_session.rollback()
    assert all(getattr(c, name) != value for name, value in change.items())
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == audited
    # what the notice does not state may still change, and quotas released after the deadline
    # (a change of the table since publication) do not block a later edit
    quotas.set_quota(db_session, training_class=c, unit=make_unit(db_session, name="青州市民政局"),
                     seats=2, actor=organizer, now=NOW)
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW,
                         description="课程安排见日程。", title=c.title)
    assert c.description == "课程安排见日程。"


def test_a_published_preliminary_notice_does_not_freeze_the_class(db_session, setup):
    c, organizer, sponsor = setup
    notice = draft(db_session, c, organizer, kind="preliminary")
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    notices.approve_notice(db_session, notice=notice, actor=sponsor, now=NOW)
    lifecycle.publish_preliminary_notice(db_session, training_class=c, actor=organizer, now=NOW)
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW,
                         start_date=date(2026, 5, 18), end_date=date(2026, 5, 20))
    assert c.start_date == date(2026, 5, 18)  # the formal notice, still to come, will say so
