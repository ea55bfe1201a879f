"""Classes (create, edit, copy) and the guarded lifecycle transitions, without HTTP."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.factories import (
    NOW,
    make_approved_notice,
    make_class,
    make_class_team,
    make_unit,
    make_user,
)
from training_app.models import AuditEntry, ClassStatus, NoticeStatus, Role, UnitKind
from training_app.services import classes, lifecycle, notices, quotas
from training_app.services.errors import DomainError

# The class of the factories starts 2026-05-17; NOW is 2026-03-01.
DEADLINE = date(2026, 5, 10)
START_DAY = datetime(2026, 5, 17, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai


def transitions(session, training_class):
    return [(e.changes["status"]) for e in session.scalars(
        select(AuditEntry).where(AuditEntry.action == "class.transition",
                                 AuditEntry.target_id == training_class.id)
        .order_by(AuditEntry.id))]


def reason(excinfo) -> str:
    return str(excinfo.value)


# ------------------------------------------------------------------ create, edit, copy

def test_create_class_with_every_field(db_session):
    sponsor, co, organizer = (make_unit(db_session, kind=UnitKind.CIVIL_AFFAIRS),
                              make_unit(db_session, kind=UnitKind.CIVIL_AFFAIRS),
                              make_unit(db_session, kind=UnitKind.ASSOCIATION))
    c = classes.create_class(
        db_session, title="  社会工作管理人才综合素质培训班 ", sponsor=sponsor, organizer=organizer,
        co_sponsors=[co, sponsor, co], start_date=date(2026, 6, 1), end_date=date(2026, 6, 2),
        venue="潍坊宾馆", sub_venues=[" 寿光分会场 ", "", "寿光分会场", "青州分会场"],
        mode="distance", formats=["online", "lecture"], capacity=87,
        eligibility_rules=[{"qualification": 2, "min_years": 2},
                           {"qualification": "1", "min_years": "5"},
                           {"qualification": 2, "min_years": 2}],
        required_materials="报名表", rules_text="原则上不准请假", contacts="李秘书长",
        registration_deadline=date(2026, 5, 20), actor=None, now=NOW)
    assert c.title == "社会工作管理人才综合素质培训班" and c.status == "draft"
    assert c.credit_hours == 16  # 2 days x 8
    assert [u.id for u in c.sponsor_units] == [sponsor.id, co.id]  # lead first, no duplicates
    assert c.sub_venues == ["寿光分会场", "青州分会场"]
    assert c.formats == ["lecture", "online"]  # the standard order of DOMAIN.md
    assert c.eligibility_rules == [{"qualification": 2, "min_years": 2},
                                   {"qualification": 1, "min_years": 5}]
    assert classes.eligibility_summary(c.eligibility_rules) == "社会工作师满2年或助理社会工作师满5年"


@pytest.mark.parametrize("changes, message", [
    ({"end_date": date(2026, 5, 1)}, "结束日期不能早于开始日期"),
    ({"capacity": 0}, "计划人数必须大于0"),
    ({"mode": "cruise"}, "未知的培训方式"),
    ({"formats": ["dance"]}, "未知的培训形式"),
    ({"registration_deadline": date(2026, 5, 18)}, "报名截止日期不能晚于开班日期"),
    ({"eligibility_rules": [{"qualification": 9, "min_years": 1}]}, "报名条件格式不正确"),
    ({"eligibility_rules": [{"qualification": 1, "min_years": 99}]}, "工作年限应在0到60年之间"),
    ({"title": "  "}, "请填写培训班名称"),
])
def test_update_refuses_bad_settings(db_session, changes, message):
    c, organizer, _ = make_class_team(db_session)
    with pytest.raises(DomainError) as excinfo:
        classes.update_class(db_session, training_class=c, actor=organizer, now=NOW, **changes)
    assert message in reason(excinfo)


def test_update_audits_the_diff_including_co_sponsors(db_session):
    c, organizer, _ = make_class_team(db_session)
    co = make_unit(db_session, kind=UnitKind.CIVIL_AFFAIRS)
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW, capacity=86,
                         co_sponsors=[co], rules_text="封闭式培训，原则上不准请假")
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "class.update")).one()
    assert entry.changes == {"capacity": [80, 86], "co_sponsor_ids": [[], [co.id]],
                             "rules_text": ["", "封闭式培训，原则上不准请假"]}
    assert entry.actor_id == organizer.id
    # Saving the same values again records nothing.
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW, capacity=86)
    assert db_session.scalars(select(AuditEntry).where(AuditEntry.action == "class.update")).all() == [entry]
    # Adding a co-sponsor keeps the existing one.
    co2 = make_unit(db_session, kind=UnitKind.CIVIL_AFFAIRS)
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW,
                         co_sponsors=[co, co2])
    db_session.expire_all()
    assert [u.id for u in c.sponsor_units] == [c.sponsor_unit_id, co.id, co2.id]


def test_capacity_may_not_drop_below_allocated_quotas(db_session):
    c, organizer, _ = make_class_team(db_session)
    quotas.set_quota(db_session, training_class=c, unit=make_unit(db_session), seats=50,
                     actor=organizer, now=NOW)
    with pytest.raises(DomainError) as excinfo:
        classes.update_class(db_session, training_class=c, actor=organizer, now=NOW, capacity=40)
    assert "计划人数不能少于已分配给各单位的名额合计（50人）" in reason(excinfo)


def test_graduated_class_cannot_be_edited(db_session):
    c, organizer, _ = make_class_team(db_session)
    c.status = ClassStatus.GRADUATED.value
    with pytest.raises(DomainError) as excinfo:
        classes.update_class(db_session, training_class=c, actor=organizer, now=NOW, capacity=90)
    assert "已结业或已归档的培训班不能再修改" in reason(excinfo)


def test_copy_last_years_class(db_session):
    c, organizer, sponsor = make_class_team(db_session, start=date(2025, 5, 17), end=date(2025, 5, 19))
    co = make_unit(db_session, kind=UnitKind.CIVIL_AFFAIRS)
    classes.update_class(
        db_session, training_class=c, actor=organizer, now=NOW, co_sponsors=[co],
        sub_venues=["寿光分会场"], mode="closed", formats=["lecture", "discussion"],
        capacity=86, credit_hours=24, eligibility_rules=[{"qualification": 2, "min_years": 2}],
        required_materials="报名表", rules_text="原则上不准请假", contacts="李秘书长",
        registration_deadline=date(2025, 5, 7), venue="市委党校", description="目的")
    make_approved_notice(db_session, c, organizer=organizer, sponsor=sponsor)
    c.status = ClassStatus.ARCHIVED.value

    copy = classes.copy_class(db_session, source=c, title="2026年标准化培训班",
                              start_date=date(2026, 5, 18), end_date=date(2026, 5, 20),
                              actor=organizer, now=NOW)
    assert copy.id != c.id and copy.status == ClassStatus.DRAFT.value
    assert copy.title == "2026年标准化培训班"
    for name in ("sponsor_unit_id", "organizer_unit_id", "venue", "sub_venues", "mode",
                 "formats", "capacity", "credit_hours", "eligibility_rules", "required_materials",
                 "rules_text", "contacts", "description"):
        assert getattr(copy, name) == getattr(c, name), name
    assert [u.id for u in copy.sponsor_units] == [c.sponsor_unit_id, co.id]
    assert copy.registration_deadline == date(2026, 5, 8)  # 10 days before the start, as before
    assert notices.list_notices(db_session, copy) == []  # notices are approved afresh
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "class.copy")).one()
    assert entry.target_id == copy.id and entry.changes["source_id"] == c.id
    # A longer copy gets 8 hours a day unless told otherwise.
    longer = classes.copy_class(db_session, source=c, title="四天班", start_date=date(2026, 6, 1),
                                end_date=date(2026, 6, 4), actor=organizer, now=NOW)
    assert longer.credit_hours == 32


# ------------------------------------------------------------------ transitions

@pytest.fixture
def team(db_session):
    c, organizer, sponsor = make_class_team(db_session)
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW,
                         registration_deadline=DEADLINE)
    return c, organizer, sponsor


def test_the_whole_lifecycle_with_preliminary_notice(db_session, team):
    c, organizer, sponsor = team
    unit = make_unit(db_session, name="奎文区民政局", kind=UnitKind.CIVIL_AFFAIRS)
    quotas.set_quota(db_session, training_class=c, unit=unit, seats=30, actor=organizer, now=NOW)
    make_approved_notice(db_session, c, organizer=organizer, sponsor=sponsor, kind="preliminary")
    lifecycle.publish_preliminary_notice(db_session, training_class=c, actor=organizer, now=NOW)
    assert c.status == "preliminary"
    formal = make_approved_notice(db_session, c, organizer=organizer, sponsor=sponsor)
    lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert c.status == "registration_open" and formal.status == NoticeStatus.PUBLISHED.value
    lifecycle.close_registration(db_session, training_class=c, actor=organizer, now=NOW)
    lifecycle.start_session(db_session, training_class=c, actor=organizer, now=START_DAY)
    lifecycle.graduate(db_session, training_class=c, actor=organizer, now=START_DAY)
    lifecycle.archive(db_session, training_class=c, actor=organizer, now=START_DAY)
    assert c.status == "archived"
    assert transitions(db_session, c) == [
        ["draft", "preliminary"], ["preliminary", "registration_open"],
        ["registration_open", "registration_closed"], ["registration_closed", "in_session"],
        ["in_session", "graduated"], ["graduated", "archived"]]
    entry = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "class.transition")).first()
    assert entry.actor_id == organizer.id


def test_preliminary_notice_is_optional(db_session, team):
    c, organizer, sponsor = team
    make_approved_notice(db_session, c, organizer=organizer, sponsor=sponsor)
    lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert transitions(db_session, c) == [["draft", "registration_open"]]


def test_publishing_the_preliminary_notice_needs_it_approved(db_session, team):
    c, organizer, _ = team
    with pytest.raises(DomainError) as excinfo:
        lifecycle.publish_preliminary_notice(db_session, training_class=c, actor=organizer, now=NOW)
    assert reason(excinfo) == "尚未起草预备通知。"
    notice = notices.draft_notice(db_session, training_class=c, kind="preliminary",
                                  issuers="joint", actor=organizer, now=NOW)
    notices.update_notice(db_session, notice=notice, purpose="目的", issuers="joint",
                          document_number="", actor=organizer, now=NOW)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    with pytest.raises(DomainError) as excinfo:
        lifecycle.publish_preliminary_notice(db_session, training_class=c, actor=organizer, now=NOW)
    assert reason(excinfo) == "预备通知尚未经主办方审批，不能发布。"
    assert c.status == "draft" and transitions(db_session, c) == []


def test_opening_registration_needs_the_formal_notice_approved(db_session, team):
    c, organizer, sponsor = team
    with pytest.raises(DomainError) as excinfo:
        lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert reason(excinfo) == "尚未起草培训通知。"
    notice = notices.draft_notice(db_session, training_class=c, kind="formal", issuers="sponsor",
                                  purpose="目的", actor=organizer, now=NOW)
    notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    notices.return_notice(db_session, notice=notice, comment="请补充联系方式。", actor=sponsor,
                          now=NOW)
    with pytest.raises(DomainError) as excinfo:
        lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert reason(excinfo) == "培训通知尚未经主办方审批，不能发布。"
    assert c.status == "draft"


def test_opening_registration_needs_a_deadline_ahead(db_session, team):
    c, organizer, sponsor = team
    make_approved_notice(db_session, c, organizer=organizer, sponsor=sponsor)
    after_deadline = datetime(2026, 5, 10, 16, 30, tzinfo=timezone.utc)  # 11 May 00:30 Shanghai
    with pytest.raises(DomainError) as excinfo:
        lifecycle.open_registration(db_session, training_class=c, actor=organizer,
                                    now=after_deadline)
    assert reason(excinfo) == "报名截止日期（2026-05-10）已过，请先修改报名截止日期。"
    # The deadline day itself (Shanghai time) still counts.
    last_day = datetime(2026, 5, 10, 15, 30, tzinfo=timezone.utc)  # 23:30 Shanghai
    lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=last_day)
    assert c.status == "registration_open"


def test_opening_registration_without_a_deadline_is_refused(db_session):
    c, organizer, _ = make_class_team(db_session)
    with pytest.raises(DomainError) as excinfo:
        lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert reason(excinfo) == "尚未设置报名截止日期，不能开始报名。"
    # Nor can the formal notice be submitted without one.
    notice = notices.draft_notice(db_session, training_class=c, kind="formal", issuers="sponsor",
                                  purpose="目的", actor=organizer, now=NOW)
    with pytest.raises(DomainError) as excinfo:
        notices.submit_notice(db_session, notice=notice, actor=organizer, now=NOW)
    assert reason(excinfo) == "请先为培训班设置报名截止日期。"


def test_opening_registration_with_quotas_over_capacity_is_refused(db_session, team):
    c, organizer, sponsor = team
    for name, seats in [("奎文区民政局", 50), ("潍城区民政局", 30)]:
        quotas.set_quota(db_session, training_class=c, unit=make_unit(db_session, name=name),
                         seats=seats, actor=organizer, now=NOW)
    make_approved_notice(db_session, c, organizer=organizer, sponsor=sponsor)
    c.capacity = 70  # as if lowered behind the services' back
    db_session.flush()
    with pytest.raises(DomainError) as excinfo:
        lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert reason(excinfo) == "各单位名额合计80人，超过了计划人数70人。"
    assert c.status == "draft"


def test_quotas_changed_after_approval_need_a_new_approval(db_session, team):
    c, organizer, sponsor = team
    unit = make_unit(db_session, name="寿光市民政局")
    quotas.set_quota(db_session, training_class=c, unit=unit, seats=10, actor=organizer, now=NOW)
    notice = make_approved_notice(db_session, c, organizer=organizer, sponsor=sponsor)
    quotas.set_quota(db_session, training_class=c, unit=unit, seats=12, actor=organizer, now=NOW)
    with pytest.raises(DomainError) as excinfo:
        lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert reason(excinfo) == "名额分配在通知审批后发生了变化，请重新提交主办方审批。"
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW, venue="市委党校")
    quotas.set_quota(db_session, training_class=c, unit=unit, seats=10, actor=organizer, now=NOW)
    with pytest.raises(DomainError) as excinfo:
        lifecycle.open_registration(db_session, training_class=c, actor=organizer, now=NOW)
    assert reason(excinfo) == "培训班信息在通知审批后发生了变化，请重新提交主办方审批。"
    assert notice.status == "approved"


@pytest.mark.parametrize("status, step, message", [
    ("registration_open", "publish_preliminary", "只有草稿状态的培训班才能发布预备通知。"),
    ("registration_closed", "open_registration", "只有草稿或预备通知阶段的培训班才能开始报名。"),
    ("draft", "close_registration", "只有报名中的培训班才能截止报名。"),
    ("preliminary", "close_registration", "只有报名中的培训班才能截止报名。"),
    ("registration_open", "start_session", "报名截止后才能开班。"),
    ("registration_closed", "graduate", "只有培训中的培训班才能结业。"),
    ("in_session", "archive", "只有已结业的培训班才能归档。"),
    ("archived", "graduate", "只有培训中的培训班才能结业。"),
])
def test_transitions_out_of_order_are_refused(db_session, team, status, step, message):
    c, organizer, _ = team
    c.status = status
    db_session.flush()
    with pytest.raises(DomainError) as excinfo:
        lifecycle.run_transition(db_session, name=step, training_class=c, actor=organizer,
                                 now=START_DAY)
    assert reason(excinfo) == message
    assert c.status == status and transitions(db_session, c) == []


def test_session_starts_on_the_start_date_in_the_class_time_zone(db_session, team):
    c, organizer, _ = team
    c.status = ClassStatus.REGISTRATION_CLOSED.value
    evening_before = datetime(2026, 5, 16, 15, 59, tzinfo=timezone.utc)  # 23:59 Shanghai
    with pytest.raises(DomainError) as excinfo:
        lifecycle.start_session(db_session, training_class=c, actor=organizer, now=evening_before)
    assert reason(excinfo) == "开班日期（2026-05-17）还没到，不能开班。"
    midnight = datetime(2026, 5, 16, 16, 0, tzinfo=timezone.utc)  # 00:00 on the 17th, Shanghai
    lifecycle.start_session(db_session, training_class=c, actor=organizer, now=midnight)
    assert c.status == "in_session"


def test_available_transitions_follow_the_status(db_session):
    c = make_class(db_session)
    assert [t.name for t in lifecycle.available_transitions(c)] == [
        "publish_preliminary", "open_registration"]
    c.status = "preliminary"
    assert [t.name for t in lifecycle.available_transitions(c)] == ["open_registration"]
    c.status = "archived"
    assert lifecycle.available_transitions(c) == []


def test_relations_to_a_class(db_session):
    c, organizer, sponsor = make_class_team(db_session)
    other_sponsor = make_user(db_session, roles=[Role.SPONSOR], unit=make_unit(db_session))
    co_sponsor_unit = make_unit(db_session, kind=UnitKind.CIVIL_AFFAIRS)
    co_sponsor = make_user(db_session, roles=[Role.SPONSOR], unit=co_sponsor_unit)
    classes.update_class(db_session, training_class=c, actor=organizer, now=NOW,
                         co_sponsors=[co_sponsor_unit])
    lecturer = make_user(db_session, roles=[Role.LECTURER])
    contact = make_user(db_session, roles=[Role.UNIT_CONTACT], unit=c.sponsor_unit)
    assert classes.is_class_sponsor(sponsor, c) and classes.is_class_sponsor(co_sponsor, c)
    assert not classes.is_class_sponsor(other_sponsor, c)
    assert not classes.is_class_sponsor(contact, c)  # same unit, but not a sponsor account
    assert [classes.is_related(u, c) for u in (organizer, sponsor, lecturer, other_sponsor,
                                                contact)] == [True, True, True, False, False]
