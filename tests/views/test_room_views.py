"""HTTP tests of the room pages: groups, schedule, check-in, roster, leave, bulletin."""
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from zoneinfo import ZoneInfo

import icalendar
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import PASSWORD, make_approved_trainee, make_class, make_user
from training_app.models import Attendance, Group, LeaveRequest, Role, ScheduleItem
from training_app.services import attendance, groups, schedule

TZ = ZoneInfo("Asia/Shanghai")
DAY1 = date(2026, 5, 17)
SECRET = "test-secret-key-not-for-production"  # conftest's SECRET_KEY


def local(day, hh, mm=0):
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).astimezone(timezone.utc)


def login_as(client, user):
    client.post("/logout")
    response = client.post("/login", data={"identifier": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def room(db_session):
    organizer = make_user(db_session, roles=[Role.ORGANIZER], username="room_org",
                          display_name="李协会")
    training_class = make_class(db_session, start=DAY1, end=DAY1 + timedelta(days=2))
    training_class.rules_text = "本次培训为封闭式培训，原则上不准请假。"
    training_class.sub_venues = ["寿光分会场"]
    trainees = [make_approved_trainee(db_session, training_class) for _ in range(12)]
    db_session.commit()
    return organizer, training_class, trainees


def freeze(monkeypatch, moment):
    for module in ("training_app.views.attendance", "training_app.views.groups",
                   "training_app.views.schedule"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: moment)


def test_organizer_groups_and_trainee_sees_own_group(client, db_session, room):
    organizer, training_class, trainees = room
    login_as(client, organizer)
    response = client.post(f"/classes/{training_class.id}/groups/auto", data={"seed": 7})
    assert response.status_code == 302
    made = groups.list_groups(db_session, training_class)
    assert sorted(len(g.members) for g in made) == [6, 6]
    html = client.get(f"/classes/{training_class.id}/groups").get_data(as_text=True)
    assert "第1组" in html and "第2组" in html and "自动分组" in html
    login_as(client, trainees[0])
    html = client.get(f"/classes/{training_class.id}/groups").get_data(as_text=True)
    assert "您在第" in html and "自动分组" not in html
    outsider = make_user(db_session, roles=[Role.TRAINEE], username="outsider")
    db_session.commit()
    login_as(client, outsider)
    assert client.get(f"/classes/{training_class.id}/groups").status_code == 404
    assert client.get(f"/groups/{made[0].id}").status_code == 404
    contact = make_user(db_session, roles=[Role.UNIT_CONTACT], username="contact1")
    db_session.commit()
    login_as(client, contact)
    assert client.get(f"/classes/{training_class.id}/groups").status_code == 403


def test_group_leader_edits_identity_and_outline_others_cannot(client, db_session, room):
    organizer, training_class, trainees = room
    (g1, g2) = groups.auto_group(db_session, training_class=training_class, seed=1,
                                 actor=organizer, now=local(DAY1, 9))
    leader = db_session.get(type(organizer), g1.members[0].user_id)
    member = db_session.get(type(organizer), g1.members[1].user_id)
    db_session.commit()
    login_as(client, organizer)
    assert client.post(f"/groups/{g1.id}/leader", data={"user_id": leader.id}).status_code == 302
    login_as(client, member)
    client.post(f"/groups/{g1.id}/identity", data={"name": "捣乱组"})
    html = client.get(f"/groups/{g1.id}").get_data(as_text=True)
    assert "只有本组组长可以修改组名" in html and "identity-form" not in html
    login_as(client, leader)
    assert "identity-form" in client.get(f"/groups/{g1.id}").get_data(as_text=True)
    client.post(f"/groups/{g1.id}/identity", data={"name": "春风组", "song": "《歌》",
                                                    "slogan": "携手同行"})
    client.post(f"/groups/{g1.id}/report", data={"representatives": [leader.id],
                                                  "outline": "一、体会\n二、建议"})
    client.post(f"/groups/{g1.id}/acts", data={"title": "小合唱", "kind": "song",
                                                "performers": "全组", "minutes": 35})
    db_session.expire_all()
    group = db_session.get(Group, g1.id)
    assert (group.name, group.slogan, group.outline) == ("春风组", "携手同行", "一、体会\n二、建议")
    html = client.get(f"/classes/{training_class.id}/programme").get_data(as_text=True)
    assert "小合唱" in html and "合计35分钟" in html and "alert-warning" in html


def test_committee_publishes_bulletin_page_and_pdf(client, db_session, room):
    organizer, training_class, trainees = room
    groups.auto_group(db_session, training_class=training_class, seed=1, actor=organizer,
                      now=local(DAY1, 9))
    db_session.commit()
    login_as(client, organizer)
    client.post(f"/classes/{training_class.id}/committee",
                data={"role": "study", "user_id": trainees[3].id})
    login_as(client, trainees[4])
    assert client.get(f"/classes/{training_class.id}/bulletin/edit").status_code == 404
    login_as(client, trainees[3])
    assert client.get(f"/classes/{training_class.id}/bulletin/edit").status_code == 200
    client.post(f"/classes/{training_class.id}/bulletin/edit",
                data={"title": "交流简报第1期", "body": "学员交流气氛热烈。"})
    assert client.get(f"/classes/{training_class.id}/bulletin.pdf").status_code == 404
    client.post(f"/classes/{training_class.id}/bulletin/publish")
    html = client.get(f"/classes/{training_class.id}/bulletin").get_data(as_text=True)
    assert "学员交流气氛热烈。" in html
    response = client.get(f"/classes/{training_class.id}/bulletin.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_standard_agenda_page_checks_ics_and_pdf(client, db_session, room):
    organizer, training_class, trainees = room
    login_as(client, organizer)
    client.post(f"/classes/{training_class.id}/schedule/standard")
    html = client.get(f"/classes/{training_class.id}/schedule").get_data(as_text=True)
    assert "日程符合标准" in html and 'data-level="error"' not in html
    assert "08:30-09:00 报到签到" in html
    items = schedule.list_items(db_session, training_class)
    response = client.get(f"/classes/{training_class.id}/schedule.ics")
    assert response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(items)
    assert {e.decoded("DTSTART") for e in events} == {i.starts_at for i in items}
    login_as(client, trainees[0])
    mine = icalendar.Calendar.from_ical(
        client.get(f"/classes/{training_class.id}/my-schedule.ics").data)
    assert len(list(mine.walk("VEVENT"))) == len(items)
    response = client.get(f"/classes/{training_class.id}/schedule.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "日程检查" not in client.get(
        f"/classes/{training_class.id}/schedule").get_data(as_text=True)


def test_item_form_takes_local_time_and_overlap_is_flagged(client, db_session, room):
    organizer, training_class, trainees = room
    login_as(client, organizer)
    client.post(f"/classes/{training_class.id}/schedule/standard")
    response = client.post(f"/classes/{training_class.id}/schedule/new", data={
        "kind": "lecture", "title": "加开讲座", "starts_at": "2026-05-17T09:30",
        "ends_at": "2026-05-17T10:30", "venue": "", "lecturer_id": 0,
        "responsible_id": organizer.id, "lecture_mode": "public", "audience_zones": "A区"})
    assert response.status_code == 302
    item = db_session.scalar(select(ScheduleItem).where(ScheduleItem.title == "加开讲座"))
    assert item.starts_at == local(DAY1, 9, 30)
    html = client.get(f"/classes/{training_class.id}/schedule").get_data(as_text=True)
    assert "时间重叠" in html and 'data-level="error"' in html
    response = client.post(f"/classes/{training_class.id}/schedule/new", data={
        "kind": "lecture", "title": "无人负责", "starts_at": "2026-05-17T19:00",
        "ends_at": "2026-05-17T20:00", "venue": "", "lecturer_id": 0, "responsible_id": 0,
        "lecture_mode": ""})
    assert response.status_code == 200 and "请指定负责人" in response.get_data(as_text=True)


@pytest.fixture
def session_item(db_session, room):
    organizer, training_class, trainees = room
    item = schedule.create_item(db_session, training_class=training_class,
                                values=schedule.ItemValues(
                                    kind="keynote", title="主题授课", starts_at=local(DAY1, 9),
                                    ends_at=local(DAY1, 11), responsible=organizer,
                                    takes_attendance=True),
                                actor=organizer, now=local(DAY1, 8), tz=TZ)
    db_session.commit()
    return item


def test_qr_check_in_over_http(client, db_session, room, session_item, monkeypatch):
    organizer, training_class, trainees = room
    now = local(DAY1, 8, 50)
    freeze(monkeypatch, now)
    login_as(client, organizer)
    html = client.get(f"/schedule/{session_item.id}/screen").get_data(as_text=True)
    code = attendance.checkin_code(secret=SECRET, item_id=session_item.id, now=now)
    assert f"/checkin/{session_item.id}/{code}" in html
    assert 'src="data:image/svg+xml' in html and "<script>" not in html
    client.post("/logout")
    path = f"/checkin/{session_item.id}/{code}"
    response = client.get(path)
    assert response.status_code == 302 and "next=" in response.location
    login_as(client, trainees[0])
    assert "确认签到" in client.get(path).get_data(as_text=True)
    html = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert "签到成功" in html and "您已签到（出勤）" in html
    html = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert "无需重复签到" in html
    outsider = make_user(db_session, roles=[Role.TRAINEE], username="outsider2")
    db_session.commit()
    login_as(client, outsider)
    assert "不是“测试培训班”的已录取学员" in client.post(
        path, follow_redirects=True).get_data(as_text=True)
    login_as(client, trainees[1])
    freeze(monkeypatch, now + timedelta(minutes=3))  # the code rotated once: still accepted
    html = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert "签到成功" in html and "您已签到（迟到）" not in html
    login_as(client, trainees[2])
    freeze(monkeypatch, now + timedelta(minutes=45))
    html = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert "二维码已过期" in html
    late_code = attendance.checkin_code(secret=SECRET, item_id=session_item.id,
                                        now=now + timedelta(minutes=45))
    html = client.post(f"/checkin/{session_item.id}/{late_code}",
                       follow_redirects=True).get_data(as_text=True)
    assert "签到已结束" in html
    records = db_session.scalars(select(Attendance).where(
        Attendance.item_id == session_item.id)).all()
    assert sorted(r.user_id for r in records) == sorted([trainees[0].id, trainees[1].id])


def test_roster_sheets_and_coordinator_scope(client, db_session, room, session_item):
    organizer, training_class, trainees = room
    login_as(client, organizer)
    response = client.post(f"/schedule/{session_item.id}/roster", data={
        f"status_{trainees[0].id}": "present", f"status_{trainees[1].id}": "late",
        f"status_{trainees[2].id}": "absent"})
    assert response.status_code == 302
    html = client.get(f"/schedule/{session_item.id}/roster").get_data(as_text=True)
    assert "出勤 1 · 迟到 1 · 请假 0 · 缺勤 1" in html
    response = client.get(f"/schedule/{session_item.id}/signin.xlsx")
    ws = load_workbook(BytesIO(response.data)).active
    assert ws.max_row == 3 + 12
    response = client.get(f"/schedule/{session_item.id}/signin.pdf")
    assert response.mimetype == "application/pdf"
    html = client.get(f"/classes/{training_class.id}/attendance").get_data(as_text=True)
    assert "100.0%" in html and "0.0%" in html
    assert client.get(f"/classes/{training_class.id}/attendance.xlsx").status_code == 200
    coordinator = make_user(db_session, roles=[Role.UNIT_CONTACT], username="coord")
    schedule.assign_coordinator(db_session, training_class=training_class, venue="寿光分会场",
                                user=coordinator, actor=organizer, now=local(DAY1, 8))
    sub_item = schedule.create_item(db_session, training_class=training_class,
                                    values=schedule.ItemValues(
                                        kind="lecture", title="分会场授课",
                                        starts_at=local(DAY1, 9), ends_at=local(DAY1, 11),
                                        venue="寿光分会场", responsible=organizer,
                                        takes_attendance=True),
                                    actor=organizer, now=local(DAY1, 8), tz=TZ)
    db_session.commit()
    login_as(client, coordinator)
    assert client.get(f"/schedule/{session_item.id}/roster").status_code == 404
    assert client.get(f"/schedule/{session_item.id}/screen").status_code == 404
    assert client.get(f"/schedule/{sub_item.id}/roster").status_code == 200
    assert client.get(f"/schedule/{sub_item.id}/screen").status_code == 200
    html = client.post(f"/schedule/{sub_item.id}/roster",
                       data={f"status_{trainees[0].id}": "excused"},
                       follow_redirects=True).get_data(as_text=True)
    assert "没有经承办方批准的请假" in html


def test_leave_request_and_approval(client, db_session, room, session_item):
    organizer, training_class, trainees = room
    login_as(client, trainees[0])
    html = client.get(f"/classes/{training_class.id}/leave").get_data(as_text=True)
    assert "原则上不准请假" in html
    response = client.post(f"/classes/{training_class.id}/leave", data={
        "starts_at": "2026-05-17T08:00", "ends_at": "2026-05-17T12:00", "reason": "孩子生病"})
    assert response.status_code == 302
    leave = db_session.scalar(select(LeaveRequest))
    assert leave.status == "pending" and leave.starts_at == local(DAY1, 8)
    login_as(client, organizer)
    assert "孩子生病" in client.get(
        f"/classes/{training_class.id}/leave/requests").get_data(as_text=True)
    client.post(f"/leave/{leave.id}/decide", data={"note": "同意", "approve": "批准"})
    db_session.expire_all()
    assert db_session.get(LeaveRequest, leave.id).status == "approved"
    record = attendance.record_for(db_session, session_item, trainees[0])
    assert record.status == "excused"
    outsider = make_user(db_session, roles=[Role.TRAINEE], username="outsider3")
    db_session.commit()
    login_as(client, outsider)
    assert client.get(f"/classes/{training_class.id}/leave").status_code == 404
