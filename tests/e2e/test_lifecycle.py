"""One browser test of the whole lifecycle of a class (issue 9), on PostgreSQL.

Organizer, sponsor, two unit contacts, trainees (on phones), a grader: each works in their own
browser context, and the test asserts on what each of them sees. At the end the class's
standard-compliance page shows the score.

Through the UI: every step of the lifecycle. Through the service layer: only the set-up an
administrator does before (units and accounts), reading the trainees' initial passwords (the
login slips) and checking what the server stored. The question bank is questions.json written
in the banks page's Excel format (the page does not import JSON).

A class takes two weeks from notice to graduation, so the test moves the app's clock
(``training_app.clock``) the way the calendar would: the notice goes out today with a deadline
8 days later, registration closes the day after the deadline, the class runs three days from
day 10, and the exam, feedback and certificates happen on its second and last days. Nothing is
back-dated: every record is written at the app's "now" of its step.
"""
from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import select

import question_bank as qb
from question_bank.numbers import fmt_decimal
from tests.conftest import DATABASES
from tests.e2e.conftest import PHONE, log_in
from tests.factories import (
    PASSWORD,
    demo_questions,
    make_unit,
    make_unit_contact,
    make_user,
    trainee_data,
)
from training_app.clock import clock_of, travel_to
from training_app.models import (
    Attempt,
    Certificate,
    Enrollment,
    Exam,
    Qualification,
    Role,
    ScheduleItem,
    TraineeProfile,
    TrainingClass,
    UnitKind,
)
from training_app.services import (
    completion,
    compliance,
    grading,
    groups,
    schedule,
)
from training_app.services.roster_excel import HEADERS
from training_app.services.trainee_data import QUALIFICATION_CELL

pytestmark = [pytest.mark.e2e,
              pytest.mark.parametrize("database_url", [d for d in DATABASES if d == "postgresql"],
                                      indirect=True)]

TZ = ZoneInfo("Asia/Shanghai")
DEMO = Path(__file__).resolve().parents[3] / "shared/demo"
WAIT = 30000
NEW_PASSWORD = "newsecret5678"


def _context(browser, *, phone=False):
    if phone:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                      locale="zh-CN")
    else:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(WAIT)
    context.set_default_navigation_timeout(WAIT)
    return context


def _person(browser, base, identifier, password=PASSWORD, *, phone=False):
    context = _context(browser, phone=phone)
    page = context.new_page()
    log_in(page, base, identifier, password)
    return context, page


def _post(page, action_suffix, button="button[type=submit], input[type=submit]"):
    """Click the submit button of the form whose action ends with ``action_suffix``."""
    page.locator(f"form[action$='{action_suffix}']").first.locator(button).first.click()
    page.wait_for_load_state()


def _flash(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def _fresh(db_session):
    db_session.commit()  # end the read snapshot before looking at what the server wrote
    db_session.expire_all()


def _roster_xlsx(people) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS))
    for p in people:
        sheet.append([p.name, "", p.id_number, p.mobile,
                      QUALIFICATION_CELL[Qualification(p.qualification)], p.certificate_number,
                      p.years_experience])
    for row in sheet.iter_rows(min_row=2):
        row[2].number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_whole_lifecycle(app, live_server, browser, db_session, tmp_path):
    base = live_server.url

    def app_now():
        return clock_of(app).now()

    def go_to_day(day, hour):
        """Move the app's clock to ``hour`` o'clock on the class calendar's day ``day``."""
        travel_to(app, datetime.combine(today + timedelta(days=day), time(hour), tzinfo=TZ))

    def take_attendance_of_ended_sessions():
        """The organizer marks everyone present on the roster of each session that has ended."""
        _fresh(db_session)
        items = schedule.list_items(db_session, db_session.get(TrainingClass, class_id))
        ended = [i.id for i in items if i.takes_attendance and i.ends_at <= app_now()]
        assert ended
        for item_id in ended:
            org.goto(f"{base}/schedule/{item_id}/roster")
            for dropdown in org.locator("select[name^=status_]").all():
                dropdown.select_option("present")
            org.locator(f"form[action$='/schedule/{item_id}/roster'] [type=submit]").click()
            org.wait_for_load_state()
            assert "考勤已保存" in _flash(org), _flash(org)

    today = app_now().astimezone(TZ).date()
    start = today + timedelta(days=10)  # a three-day class: days 10, 11 and 12
    # --- people and units (accounts are made by an administrator: service layer) -------------
    sponsor_unit = make_unit(db_session, name="潍坊市民政局", kind=UnitKind.CIVIL_AFFAIRS)
    organizer_unit = make_unit(db_session, name="潍坊市社会工作协会", kind=UnitKind.ASSOCIATION)
    unit_a = make_unit(db_session, name="奎文区东关街道社工站")
    unit_b = make_unit(db_session, name="潍城区北关街道社工站")
    organizer = make_user(db_session, roles=[Role.ORGANIZER], username="lc_org",
                          display_name="承办方王老师", unit=organizer_unit)
    make_user(db_session, roles=[Role.SPONSOR], username="lc_sponsor",
              display_name="民政局李科长", unit=sponsor_unit)
    make_unit_contact(db_session, unit_a, username="lc_contact_a")
    make_unit_contact(db_session, unit_b, username="lc_contact_b")
    grader = make_user(db_session, roles=[Role.LECTURER], username="lc_grader",
                       display_name="阅卷老师")
    db_session.commit()

    # --- 1. organizer creates the class (UI) ----------------------------------------------------
    org_ctx, org = _person(browser, base, "lc_org")
    org.goto(f"{base}/classes/new")
    org.fill("#title", "社会工作服务标准化培训班（全流程）")
    org.select_option("#sponsor_unit_id", str(sponsor_unit.id))
    org.select_option("#organizer_unit_id", str(organizer_unit.id))
    org.fill("#start_date", start.isoformat())
    org.fill("#end_date", (start + timedelta(days=2)).isoformat())
    org.fill("#registration_deadline", (today + timedelta(days=8)).isoformat())
    org.fill("#capacity", "10")
    org.fill("#description", "提升社会工作服务标准化水平。")
    org.click("#submit")
    org.wait_for_load_state()
    assert "培训班已创建" in _flash(org), _flash(org)
    class_id = int(org.url.rstrip("/").split("/")[-1])
    training_class = db_session.get(TrainingClass, class_id)

    # --- 2. organizer imports the Markdown manual (PDF rendered) and submits it (UI) ----------
    org.goto(f"{base}/classes/{class_id}/manual")
    org.set_input_files("#markdown", str(DEMO / "manual.md"))
    org.locator("form[action$='/manual/markdown'] [type=submit]").click()
    org.wait_for_load_state()
    assert "已导入" in _flash(org) and "章" in _flash(org), _flash(org)
    _post(org, "/submit")
    assert "已提交主办方审批" in _flash(org), _flash(org)

    # --- 3. sponsor approves the manual (UI) --------------------------------------------------
    sp_ctx, sp = _person(browser, base, "lc_sponsor")
    sp.goto(f"{base}/classes/{class_id}/manual")
    assert "审批第1版" in sp.content()
    sp.click("#approve")
    sp.wait_for_load_state()
    assert "教材已批准" in _flash(sp), _flash(sp)

    # --- 4. quotas on the quota page, notice drafted on the class page and submitted (UI) ----
    org.goto(f"{base}/enrollment/classes/{class_id}/quotas")
    for box in org.locator("input[form=quota-form]").all():
        box.fill("0")
    org.fill(f"#seats_{unit_a.id}", "2")
    org.fill(f"#seats_{unit_b.id}", "2")
    org.click("button[form=quota-form]")
    org.wait_for_load_state()
    assert "名额分配已保存" in _flash(org), _flash(org)
    org.goto(f"{base}/classes/{class_id}")
    org.select_option("#kind", "formal")
    org.locator(f"form[action$='/classes/{class_id}/notices'] [type=submit]").click()
    org.wait_for_load_state()
    assert "/notices/" in org.url and org.url.endswith("/edit")  # drafted: the edit form first
    notice_url = org.url.removesuffix("/edit")
    org.goto(notice_url)
    _post(org, "/submit")
    assert "已提交主办方审批" in _flash(org), _flash(org)

    # --- 5. sponsor approves the notice (UI) -------------------------------------------------
    sp.goto(notice_url)
    sp.click("#approve")
    sp.wait_for_load_state()
    assert "通知已批准" in _flash(sp), _flash(sp)

    # --- 6. organizer publishes: registration opens (UI) -------------------------------------
    org.goto(notice_url)
    org.click("button[data-transition=open_registration]")
    org.wait_for_load_state()
    assert "培训班状态已变更为" in _flash(org), _flash(org)
    _fresh(db_session)
    assert db_session.get(TrainingClass, class_id).status == "registration_open", _flash(org)

    # --- 7. unit contact A nominates through the form, B uploads an Excel roster (UI) ---------
    a_ctx, a = _person(browser, base, "lc_contact_a", phone=True)
    a.goto(f"{base}/enrollment/classes/{class_id}/unit")
    person = trainee_data(name="张晓民")
    a.fill("#name", person.name)
    a.fill("#id_number", person.id_number)
    a.fill("#mobile", person.mobile)
    a.fill("#certificate_number", person.certificate_number)
    a.fill("#years_experience", "3")
    a.click("#submit")
    a.wait_for_load_state()
    assert "已推荐张晓民" in a.content()
    a_ctx.close()

    roster_people = [trainee_data(name=name) for name in ("李红", "王芳")]
    roster = tmp_path / "名单.xlsx"
    roster.write_bytes(_roster_xlsx(roster_people))
    b_ctx, b = _person(browser, base, "lc_contact_b")
    b.goto(f"{base}/enrollment/classes/{class_id}/unit")
    b.set_input_files("form[action$='/unit/roster'] input[type=file]", str(roster))
    b.locator("form[action$='/unit/roster'] [type=submit]").click()
    b.wait_for_load_state()
    assert "已导入2名学员（其中候补0名）" in _flash(b), _flash(b)
    assert "李红" in b.content() and "王芳" in b.content()
    b_ctx.close()

    # --- 8. organizer approves every entry (UI) -----------------------------------------------
    org.goto(f"{base}/enrollment/classes/{class_id}/review")
    for box in org.locator("input[name=entry_ids][type=checkbox]").all():
        box.check()
    org.locator("#bulk-form button[value=approve]").click()
    org.wait_for_load_state()
    assert "已通过3条报名" in _flash(org), _flash(org)
    _fresh(db_session)
    entries = db_session.scalars(select(Enrollment).where(Enrollment.class_id == class_id)).all()
    assert sorted(e.status for e in entries) == ["approved"] * 3, _flash(org)

    # --- 9. day 9, the day after the deadline: registration closes; too early to start (UI) ----
    go_to_day(9, 9)
    org.goto(f"{base}/classes/{class_id}")
    org.click("button[data-transition=close_registration]")
    org.wait_for_load_state()
    assert "培训班状态已变更为" in _flash(org), _flash(org)
    org.click("button[data-transition=start_session]")
    org.wait_for_load_state()
    assert start.isoformat() in _flash(org), _flash(org)  # refused before the start date
    _fresh(db_session)
    assert db_session.get(TrainingClass, class_id).status == "registration_closed"

    # --- day 10, 8 o'clock: the class starts (UI) ------------------------------------------------
    go_to_day(10, 8)
    org.goto(f"{base}/classes/{class_id}")
    org.click("button[data-transition=start_session]")
    org.wait_for_load_state()
    _fresh(db_session)
    assert db_session.get(TrainingClass, class_id).status == "in_session", _flash(org)

    # --- 10. groups: auto-grouping, leaders, names, a class monitor (UI) ----------------------
    org.goto(f"{base}/classes/{class_id}/groups")
    _post(org, "/groups/auto")
    assert "第1组" in org.content()
    _fresh(db_session)
    training_class = db_session.get(TrainingClass, class_id)
    group_rows = [(g.id, g.number, g.members[0].user_id)
                  for g in groups.list_groups(db_session, training_class)]
    assert group_rows
    for group_id, number, leader_id in group_rows:
        org.goto(f"{base}/groups/{group_id}")
        leader_form = org.locator("form[action$='/leader']")
        leader_form.locator("select[name=user_id]").select_option(str(leader_id))
        leader_form.locator("[type=submit]").click()
        org.wait_for_load_state()
        org.locator("#identity-form input[name=name]").fill(f"阳光{number}组")
        org.locator("#identity-form [type=submit]").click()
        org.wait_for_load_state()
        assert f"阳光{number}组" in org.content(), _flash(org)
    monitor_id = db_session.scalars(select(TraineeProfile).where(
        TraineeProfile.name == "张晓民")).one().user_id
    org.goto(f"{base}/classes/{class_id}/groups")
    committee = org.locator("form[action$='/committee']")
    committee.locator("select[name=role]").select_option("monitor")
    committee.locator("select[name=user_id]").select_option(str(monitor_id))
    committee.locator("[type=submit]").click()
    org.wait_for_load_state()
    _fresh(db_session)
    training_class = db_session.get(TrainingClass, class_id)
    assert all(g.leader_id and g.name for g in groups.list_groups(db_session, training_class))

    # --- 11. standard agenda; on day 11 at 10 o'clock (the first day's sessions are over) a
    # check-in session starting in 10 minutes (UI) --------------------------------------------
    org.goto(f"{base}/classes/{class_id}/schedule")
    _post(org, "/schedule/standard")
    assert "已生成标准日程" in _flash(org), _flash(org)
    assert "开班仪式" in org.content()
    go_to_day(11, 10)
    local = app_now().astimezone(TZ).replace(tzinfo=None, second=0, microsecond=0)
    org.goto(f"{base}/classes/{class_id}/schedule/new")
    org.select_option("#kind", "keynote")
    org.fill("#title", "专题讲座签到")
    org.fill("#starts_at", (local + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    org.fill("#ends_at", (local + timedelta(minutes=70)).strftime("%Y-%m-%dT%H:%M"))
    org.select_option("#responsible_id", str(organizer.id))
    org.check("#takes_attendance")
    org.click("#submit")
    org.wait_for_load_state()
    assert "日程已添加" in _flash(org), _flash(org)
    _fresh(db_session)
    checkin_item = db_session.scalars(select(ScheduleItem).where(
        ScheduleItem.class_id == class_id, ScheduleItem.title == "专题讲座签到")).one()

    # the completion rule: attendance of the sessions still to come cannot count yet (UI)
    org.goto(f"{base}/classes/{class_id}/completion")
    org.click("#rule-summary ~ details > summary")
    rule_form = org.locator("form[action$='/completion/rule']")
    rule_form.locator("input[name=min_attendance_percent]").fill("0")
    rule_form.locator("input[name=min_exam_score]").fill("0")
    rule_form.locator("[type=submit]").click()
    org.wait_for_load_state()
    _fresh(db_session)
    assert completion.rule_for(db_session, db_session.get(TrainingClass, class_id)) \
        .min_attendance_rate == 0, _flash(org)

    # --- 12. exam: bank imported on the banks page, exam created, published, opened (UI) -----
    bank_file = tmp_path / "questions.xlsx"  # questions.json as the banks page's Excel format
    bank_file.write_bytes(qb.export_bytes(demo_questions(), "questions.xlsx"))
    org.goto(f"{base}/banks/")
    org.fill("#name", "全流程题库")
    org.select_option("#class_id", str(class_id))
    org.click("#submit")
    org.wait_for_load_state()
    org.set_input_files("#file", str(bank_file))
    org.click("#submit")
    org.wait_for_load_state()
    assert "已导入" in _flash(org), _flash(org)
    org.goto(f"{base}/classes/{class_id}/exams")
    org.fill("#title", "结业考试")
    org.select_option("#bank_id", label="全流程题库")
    local = app_now().astimezone(TZ).replace(tzinfo=None)
    org.fill("#window_start", (local - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    org.fill("#window_end", (local + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    org.fill("#duration_minutes", "60")
    org.click("#submit")
    org.wait_for_load_state()
    assert "/exams/" in org.url, _flash(org)
    exam_id = int(org.url.rstrip("/").split("/")[-1])
    org.goto(f"{base}/exams/{exam_id}")
    _post(org, f"/exams/{exam_id}/publish")
    _post(org, f"/exams/{exam_id}/open")
    _fresh(db_session)
    assert db_session.get(Exam, exam_id).status == "published", _flash(org)
    org.goto(f"{base}/exams/{exam_id}/grading")
    graders = org.locator("form[action$='/graders']")
    graders.locator("select[name=user_id]").select_option(str(grader.id))
    graders.locator("[type=submit]").click()
    org.wait_for_load_state()
    assert "阅卷老师" in org.locator("#graders-heading").locator("..").inner_text()

    # --- 13. trainees: first login (change password), check in on a phone, take the exam ------
    screen = org.context.new_page()
    screen.goto(f"{base}/schedule/{checkin_item.id}/screen")
    link = screen.locator("#checkin-link").get_attribute("href")
    screen.close()
    profiles = db_session.scalars(select(TraineeProfile).join(Enrollment).where(
        Enrollment.class_id == class_id)).all()
    assert len(profiles) == 3 and all(p.initial_password for p in profiles)
    trainees = {}
    for profile in profiles:
        ctx = _context(browser, phone=True)
        page = ctx.new_page()
        page.goto(link)
        page.fill("#identifier", profile.mobile)
        page.fill("#password", profile.initial_password)
        page.click("#submit")
        page.wait_for_load_state()
        if page.locator("#new_password").count():
            page.fill("#current_password", profile.initial_password)
            page.fill("#new_password", NEW_PASSWORD)
            page.fill("#confirm", NEW_PASSWORD)
            page.click("#submit")
            page.wait_for_load_state()
            page.goto(link)
        page.click("#checkin-button")
        page.wait_for_selector("#checkin-status")
        assert "签到成功" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

        page.goto(f"{base}/exams/{exam_id}/take")
        page.click("#start-exam")
        page.wait_for_selector("#exam-form")
        for fieldset in page.locator("fieldset.question").all():
            if fieldset.get_attribute("data-type") == "short":
                fieldset.locator("textarea").fill("事事有人干、事事有人管、事事有记录。")
            else:
                fieldset.locator("input.form-check-input").first.check()
        page.wait_for_function("() => document.querySelectorAll('.qnav.answered').length === 43"
                               " && document.querySelectorAll('.qnav.unsaved').length === 0",
                               timeout=WAIT)
        page.click("#submit-exam")
        page.click("#confirm-submit")
        page.wait_for_selector("#submitted-notice")
        trainees[profile.name] = (profile.mobile, ctx, page)

    # attendance of the agenda's sessions that have already ended: the organizer's roster (UI)
    take_attendance_of_ended_sessions()

    # --- 14. the grader grades the short answers (UI) -----------------------------------------
    gr_ctx, gr = _person(browser, base, "lc_grader")
    gr.goto(f"{base}/exams/{exam_id}/grading")
    numbers = [int(n) for n in gr.locator("#grading-progress tr[data-number]").evaluate_all(
        "rows => rows.map(r => r.dataset.number)")]
    assert numbers == [41, 42, 43]
    for number in numbers:
        gr.goto(f"{base}/exams/{exam_id}/grading")
        gr.click(f"#grading-progress tr[data-number='{number}'] a.btn-primary")
        graded = 0
        while gr.locator("#mark-form").count():
            assert "事事有人管" in gr.locator("#trainee-answer").inner_text()
            gr.fill("#score", "8")
            gr.click("#submit")
            gr.wait_for_load_state()
            graded += 1
        assert graded == 3
        assert f'data-number="{number}" data-remaining="0"' in gr.content()
    gr_ctx.close()

    # --- 15. day 12, the last day: feedback, results, certificates, graduation ----------------
    go_to_day(12, 14)
    take_attendance_of_ended_sessions()  # the sessions of days 11 and 12 held since
    # feedback: the organizer opens it, every trainee answers (UI)
    org.goto(f"{base}/classes/{class_id}/feedback/setup")
    _post(org, "/feedback/open")
    assert "评估反馈已开放" in _flash(org), _flash(org)
    for _mobile, _ctx, page in trainees.values():
        page.goto(f"{base}/classes/{class_id}/feedback")
        for dropdown in page.locator("#feedback-form select").all():
            options = dropdown.locator("option").evaluate_all("os => os.map(o => o.value)")
            dropdown.select_option([v for v in options if v][-1])
        page.fill("#comments", "内容实用，组织有序。")
        page.click("#submit")
        page.wait_for_load_state()
        assert "感谢您的评估反馈" in _flash(page), _flash(page)
        assert page.locator("#feedback-form").count() == 0, _flash(page)

    # --- 16. the organizer closes the exam and releases results; a trainee reads theirs (UI) --
    org.goto(f"{base}/exams/{exam_id}")
    _post(org, f"/exams/{exam_id}/close")
    org.goto(f"{base}/exams/{exam_id}/grading")
    org.click("#release-button")
    org.wait_for_selector("#released-at")
    assert "成绩已发布" in _flash(org), _flash(org)
    _, _, page = trainees["张晓民"]
    page.goto(f"{base}/exams/{exam_id}/result")
    assert page.locator("#question-results > li").count() == 43
    _fresh(db_session)
    attempt = db_session.scalars(select(Attempt).where(
        Attempt.exam_id == exam_id, Attempt.trainee_id == monitor_id)).one()
    assert grading.attempt_total(attempt) == attempt.objective_score + 24  # 3 short answers x 8
    assert page.locator("#total strong").inner_text() == fmt_decimal(grading.attempt_total(attempt))

    # --- 17. certificates printed in a batch (UI, background thread) --------------------------
    org.goto(f"{base}/classes/{class_id}/certificates")
    org.select_option("#kind", "completion")
    org.click("#submit")
    item = org.locator("#batches li").first
    item.locator("[data-role='download']").wait_for(state="visible", timeout=120000)
    assert "3/3" in item.locator("[data-role='count']").inner_text()
    org.wait_for_selector("#certificates tr[data-serial]")  # the page reloads when done
    assert org.locator("#certificates tr[data-serial]").count() == 3
    _fresh(db_session)
    certificates = db_session.scalars(select(Certificate).where(
        Certificate.class_id == class_id)).all()
    assert len(certificates) == 3

    # --- 18. anyone verifies one certificate (UI, not logged in) ------------------------------
    public = _context(browser, phone=True)
    verify = public.new_page()
    verify.goto(f"{base}/verify/{certificates[0].code}")
    text = verify.content()
    assert certificates[0].serial in text
    assert "有效" in text
    public.close()

    # --- 19. the class graduates (UI), the compliance page ----------------------------------
    org.goto(f"{base}/classes/{class_id}")
    org.click("button[data-transition=graduate]")
    org.wait_for_load_state()
    assert "培训班状态已变更为" in _flash(org), _flash(org)
    report = org.context.new_page()
    report.goto(f"{base}/classes/{class_id}/compliance")
    page_text = report.locator("main").inner_text()
    _fresh(db_session)
    score = compliance.evaluate(db_session, db_session.get(TrainingClass, class_id), app_now())
    assert score.missing == [], [(r.clause.id, r.detail, r.args) for r in score.results
                                 if not r.met]
    assert score.total == 100
    assert report.locator("#compliance-total").get_attribute("data-total") == "100"
    assert report.locator("[data-met=no]").count() == 0
    assert report.locator("[data-met=yes]").count() == 25
    assert "报名期8天" in page_text, page_text

    for _, ctx, _page in trainees.values():
        ctx.close()
    sp_ctx.close()
    org_ctx.close()
