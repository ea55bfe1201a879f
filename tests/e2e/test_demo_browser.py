"""Right after seeding, the demo can be tried as every role: the demo trainee checks in by QR
for today's session, the organizer sees her on today's roster, the sponsor sees the units over
their quota flagged, and each demo login lands where its work is."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE, log_in
from training_app import demo
from training_app.models import utcnow
from training_app.services import attendance, manuals

pytestmark = pytest.mark.e2e
DEMO_DIR = Path(__file__).resolve().parents[3] / "shared" / "demo"
LANDINGS = {"admin": "/dashboard/", "organizer": "/dashboard/", "sponsor": "/dashboard/sponsor",
            "unit_contact": "/enrollment/", "lecturer": "/grading/", "trainee": "/my/"}


@pytest.fixture
def seeded(app, db_session):
    now = utcnow()
    training_class = demo.seed_demo(db_session, now=now, demo_dir=DEMO_DIR,
                                    upload_dir=manuals.upload_directory(app.instance_path),
                                    tz=demo.DEMO_TIMEZONE)
    db_session.commit()
    today = now.astimezone(demo.DEMO_TIMEZONE).date()
    todays_item = next(i for i in attendance.attendance_items(db_session, training_class)
                       if i.starts_at.astimezone(demo.DEMO_TIMEZONE).date() == today)
    return training_class, todays_item


def test_demo_check_in_roster_and_over_quota_flags(live_server, browser, phone, seeded):
    training_class, item = seeded
    base = live_server.url

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    organizer = desk.new_page()
    log_in(organizer, base, "organizer", demo.DEMO_PASSWORD)
    assert organizer.url == f"{base}/dashboard/"
    organizer.goto(f"{base}/classes/{training_class.id}/schedule")
    organizer.click(f"a[href='/schedule/{item.id}/screen']")
    link = organizer.locator("#checkin-link").get_attribute("href")

    trainee = phone.new_page()
    trainee.goto(link)
    trainee.fill("#identifier", "trainee")
    trainee.fill("#password", demo.DEMO_PASSWORD)
    trainee.click("#submit")
    trainee.wait_for_selector("#checkin-button")
    trainee.click("#checkin-button")
    trainee.wait_for_selector("#checkin-status")
    assert "签到成功" in trainee.content()
    assert trainee.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    organizer.goto(f"{base}/schedule/{item.id}/roster")
    row = organizer.locator("tr", has_text="刘学员")
    assert row.locator("select").input_value() in ("present", "late")
    assert row.locator("td").nth(2).inner_text().strip()  # her check-in time
    desk.close()

    reader = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sponsor = reader.new_page()
    log_in(sponsor, base, "sponsor", demo.DEMO_PASSWORD)
    assert sponsor.url == f"{base}/dashboard/sponsor"
    flagged = sponsor.locator("tr.table-warning")
    names = " ".join(flagged.all_inner_texts())
    assert flagged.count() == 2
    assert "寿光市民政局" in names and "潍坊市阳光社会工作服务中心" in names
    assert sponsor.locator("[data-over-quota]").count() == 2
    reader.close()


def test_every_demo_login_lands_on_its_own_page(live_server, browser, seeded):
    for username, landing in LANDINGS.items():
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        log_in(page, live_server.url, username, demo.DEMO_PASSWORD)
        assert page.url == f"{live_server.url}{landing}", username
        assert page.locator("h1").count() >= 1
        context.close()


