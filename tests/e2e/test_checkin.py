"""A trainee checks in through the room screen's QR link on a phone-sized screen; a second
attempt and a check-in outside the window are refused with clear messages."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.e2e.conftest import PHONE, log_in
from tests.factories import PASSWORD, make_approved_trainee, make_class, make_user
from training_app.models import Attendance, Role, utcnow
from training_app.services import attendance, schedule

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Asia/Shanghai")


def _class_and_items(db_session):
    now = utcnow()
    today = now.astimezone(TZ).date()
    organizer = make_user(db_session, roles=[Role.ORGANIZER], username="screen_org")
    training_class = make_class(db_session, start=today - timedelta(days=1),
                                end=today + timedelta(days=1))
    trainee = make_approved_trainee(db_session, training_class, name="王学员")

    def item(title, start):
        return schedule.create_item(db_session, training_class=training_class,
                                    values=schedule.ItemValues(
                                        kind="keynote", title=title, starts_at=start,
                                        ends_at=start + timedelta(hours=1), responsible=organizer,
                                        takes_attendance=True),
                                    actor=organizer, now=now, tz=TZ)

    current = item("主题授课", now + timedelta(minutes=10))  # window: now-20min .. now+40min
    past = item("早间讲座", now - timedelta(hours=3))  # window closed 2.5 hours ago
    db_session.commit()
    return organizer, trainee, current, past


def _no_horizontal_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_check_in_through_the_qr_link_on_a_phone(app, live_server, browser, phone, db_session):
    organizer, trainee, current, past = _class_and_items(db_session)

    # The room screen: a QR code (an image, no inline script) and the link it encodes.
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    screen = desk.new_page()
    problems = []
    screen.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    log_in(screen, live_server.url, organizer.username, PASSWORD)
    screen.goto(f"{live_server.url}/schedule/{current.id}/screen")
    assert screen.locator("#checkin-qr").is_visible()
    assert screen.locator("#checkin-qr").get_attribute("src").startswith("data:image/svg+xml")
    link = screen.locator("#checkin-link").get_attribute("href")
    assert f"/checkin/{current.id}/" in link
    assert not problems, problems  # e.g. a CSP violation
    desk.close()

    # The trainee scans: not logged in yet, so the login page first, then back to the link.
    page = phone.new_page()
    page.goto(link)
    assert "/login" in page.url
    page.fill("#identifier", trainee.mobile)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_selector("#checkin-button")
    assert "主题授课" in page.content()
    assert _no_horizontal_scroll(page)
    second_tab = phone.new_page()  # the same link opened twice, before either is used
    second_tab.goto(link)
    second_tab.wait_for_selector("#checkin-button")

    page.click("#checkin-button")
    page.wait_for_selector("#checkin-status")
    assert "签到成功" in page.content()
    assert "您已签到（出勤）" in page.locator("#checkin-status").inner_text()
    assert _no_horizontal_scroll(page)

    # A second attempt is refused.
    second_tab.click("#checkin-button")
    second_tab.wait_for_selector(".alert-danger")
    assert "无需重复签到" in second_tab.locator(".alert-danger").inner_text()

    # Outside the window: refused, saying when check-in was open.
    code = attendance.checkin_code(secret=app.config["SECRET_KEY"], item_id=past.id, now=utcnow())
    page.goto(f"{live_server.url}/checkin/{past.id}/{code}")
    page.click("#checkin-button")
    page.wait_for_selector(".alert-danger")
    message = page.locator(".alert-danger").inner_text()
    assert "签到已结束" in message and "请联系工作人员登记" in message

    db_session.commit()  # end the read snapshot before looking at what the server wrote
    records = db_session.scalars(select(Attendance).where(Attendance.user_id == trainee.id)).all()
    assert [(r.item_id, r.status, r.method) for r in records] == [(current.id, "present", "qr")]
