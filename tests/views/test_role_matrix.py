"""Every route and the roles it admits, in one table. A new route fails here until it is listed.

Values: PUBLIC (anyone, logged in or not), ANY_USER (any logged-in user), or a set of roles.
Anonymous users are sent to the login page for anything not PUBLIC; a logged-in user without
an admitted role gets 403.
"""
from urllib.parse import urlparse

import pytest
from flask import url_for

from training_app.models import Role
from training_app.services import manuals, notices
from training_app.services import exams
from tests.factories import make_room_sample, make_published_exam, NOW, make_class, make_unit, make_user
from tests.factories import make_entry_with_material
from tests.factories import make_certificate_sample
from tests.factories import make_feedback_question

PUBLIC = "public"
ANY_USER = "any user"
ADMIN = {Role.ADMIN}
STAFF = {Role.ADMIN, Role.ORGANIZER}
# issue 6: who sees a class's groups (object check: 404 unless related), and who may edit
# (trainees: the group leader and the committee, checked by the services)
ROOM_VIEWERS = {Role.ADMIN, Role.ORGANIZER, Role.SPONSOR, Role.LECTURER, Role.TRAINEE}
ROOM_EDITORS = {Role.ADMIN, Role.ORGANIZER, Role.TRAINEE}

ROUTES: dict[tuple[str, str], object] = {
    # certificates (issue 7); my_pdf answers 404 for a certificate that is not the trainee's own
    ("certificates.index", "GET"): STAFF,
    ("certificates.settings", "GET"): STAFF,
    ("certificates.settings", "POST"): STAFF,
    ("certificates.stock", "POST"): STAFF,
    ("certificates.add_image", "POST"): STAFF,
    ("certificates.update_image", "POST"): STAFF,
    ("certificates.image", "GET"): STAFF,
    ("certificates.preview", "GET"): STAFF,
    ("certificates.calibration", "GET"): STAFF,
    ("certificates.start_batch", "POST"): STAFF,
    ("certificates.batch_status", "GET"): STAFF,
    ("certificates.batch_pdf", "GET"): STAFF,
    ("certificates.certificate_pdf", "GET"): STAFF,
    ("certificates.revoke", "POST"): STAFF,
    ("certificates.reissue", "POST"): STAFF,
    ("certificates.mine", "GET"): {Role.TRAINEE},
    ("certificates.my_pdf", "GET"): {Role.TRAINEE},
    ("certificates.verify_lookup", "GET"): PUBLIC,
    ("certificates.verify", "GET"): PUBLIC,
    # issue 6: groups, committee, exchange, programme, schedule, attendance
    ("groups.index", "GET"): ROOM_VIEWERS,
    ("groups.auto", "POST"): STAFF,
    ("groups.add", "POST"): STAFF,
    ("groups.move", "POST"): STAFF,
    ("groups.committee", "POST"): STAFF,
    ("groups.detail", "GET"): ROOM_VIEWERS,
    ("groups.identity", "POST"): ROOM_EDITORS,
    ("groups.leader", "POST"): STAFF,
    ("groups.report", "POST"): ROOM_EDITORS,
    ("groups.remove", "POST"): STAFF,
    ("groups.add_act", "POST"): ROOM_EDITORS,
    ("groups.remove_act", "POST"): ROOM_EDITORS,
    ("groups.programme", "GET"): ROOM_VIEWERS,
    ("groups.arrange", "POST"): ROOM_EDITORS,
    ("groups.bulletin", "GET"): ROOM_VIEWERS,
    ("groups.edit_bulletin", "GET"): ROOM_EDITORS,
    ("groups.edit_bulletin", "POST"): ROOM_EDITORS,
    ("groups.publish_bulletin", "POST"): ROOM_EDITORS,
    ("groups.bulletin_pdf", "GET"): ROOM_VIEWERS,
    ("schedule.index", "GET"): ANY_USER,
    ("schedule.create", "GET"): STAFF,
    ("schedule.create", "POST"): STAFF,
    ("schedule.edit", "GET"): STAFF,
    ("schedule.edit", "POST"): STAFF,
    ("schedule.delete", "POST"): STAFF,
    ("schedule.standard", "POST"): STAFF,
    ("schedule.add_coordinator", "POST"): STAFF,
    ("schedule.remove_coordinator", "POST"): STAFF,
    ("schedule.ics", "GET"): ANY_USER,
    ("schedule.my_ics", "GET"): ANY_USER,
    ("schedule.pdf", "GET"): ANY_USER,
    # screen, roster and sheets: any user, 404 unless organizer or the sub-venue's coordinator
    ("attendance.screen", "GET"): ANY_USER,
    ("attendance.checkin", "GET"): ANY_USER,
    ("attendance.checkin", "POST"): ANY_USER,
    ("attendance.roster", "GET"): ANY_USER,
    ("attendance.roster", "POST"): ANY_USER,
    ("attendance.signin_pdf", "GET"): ANY_USER,
    ("attendance.signin_xlsx", "GET"): ANY_USER,
    ("attendance.summary", "GET"): STAFF,
    ("attendance.summary_xlsx", "GET"): STAFF,
    ("attendance.leave", "GET"): {Role.TRAINEE},
    ("attendance.leave", "POST"): {Role.TRAINEE},
    ("attendance.cancel_leave", "POST"): {Role.TRAINEE},
    ("attendance.leave_requests", "GET"): STAFF,
    ("attendance.decide_leave", "POST"): STAFF,
    ("main.index", "GET"): PUBLIC,
    ("main.healthz", "GET"): PUBLIC,
    ("main.set_language", "POST"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): ANY_USER,
    ("auth.change_password", "GET"): ANY_USER,
    ("auth.change_password", "POST"): ANY_USER,
    ("admin.users", "GET"): ADMIN,
    ("admin.create_user", "GET"): ADMIN,
    ("admin.create_user", "POST"): ADMIN,
    ("admin.edit_user", "GET"): ADMIN,
    ("admin.edit_user", "POST"): ADMIN,
    ("admin.reset_password", "POST"): ADMIN,
    ("admin.set_active", "POST"): ADMIN,
    ("units.index", "GET"): STAFF,
    ("units.create", "GET"): STAFF,
    ("units.create", "POST"): STAFF,
    ("units.edit", "GET"): STAFF,
    ("units.edit", "POST"): STAFF,
    ("audit.index", "GET"): STAFF,
    ("classes.index", "GET"): ANY_USER,
    ("classes.detail", "GET"): ANY_USER,
    # classes, manual, notices (issue 3, first half)
    ("classes.create", "GET"): STAFF,
    ("classes.create", "POST"): STAFF,
    ("classes.edit", "GET"): STAFF,
    ("classes.edit", "POST"): STAFF,
    ("classes.copy", "GET"): STAFF,
    ("classes.copy", "POST"): STAFF,
    ("classes.transition", "POST"): STAFF,
    ("manuals.show", "GET"): STAFF | {Role.SPONSOR, Role.LECTURER},
    ("manuals.pdf", "GET"): STAFF | {Role.SPONSOR, Role.LECTURER},
    ("manuals.upload", "POST"): STAFF,
    ("manuals.import_markdown", "POST"): STAFF,
    ("manuals.new_version", "POST"): STAFF,
    ("manuals.chapters", "POST"): STAFF,
    ("manuals.submit", "POST"): STAFF,
    ("manuals.review", "POST"): {Role.SPONSOR},
    ("notices.create", "POST"): STAFF,
    ("notices.show", "GET"): ANY_USER,
    ("notices.pdf", "GET"): ANY_USER,
    ("notices.edit", "GET"): STAFF,
    ("notices.edit", "POST"): STAFF,
    ("notices.submit", "POST"): STAFF,
    ("notices.review", "POST"): {Role.SPONSOR},
    # question banks and exams (issue 4)
    ("exams.banks", "GET"): STAFF,
    ("exams.banks", "POST"): STAFF,
    ("exams.bank", "GET"): STAFF,
    ("exams.bank", "POST"): STAFF,
    ("exams.export_bank", "GET"): STAFF,
    ("exams.bank_template", "GET"): STAFF,
    ("exams.class_exams", "GET"): STAFF,
    ("exams.class_exams", "POST"): STAFF,
    ("exams.manage", "GET"): STAFF,
    ("exams.change", "POST"): STAFF,
    ("exams.monitor", "GET"): STAFF,
    ("exams.extend", "POST"): STAFF,
    ("exams.take", "GET"): {Role.TRAINEE},
    ("my.index", "GET"): {Role.TRAINEE},
    ("exams.manual", "GET"): {Role.TRAINEE},
    ("exams.start", "POST"): {Role.TRAINEE},
    ("exams.state", "GET"): {Role.TRAINEE},
    ("exams.save", "POST"): {Role.TRAINEE},
    ("exams.submit", "POST"): {Role.TRAINEE},
    # quotas and enrollment (issue 3, second half). Routes on one entry or material also admit
    # its owners (the entry's unit contact and trainee) and the summary export the class's
    # sponsors, by an object check tested in tests/views/test_enrollment_views.py; the users
    # made here own nothing, so they get 403 like any role not listed.
    ("enrollment.index", "GET"): ANY_USER,
    ("enrollment.unit_page", "GET"): {Role.UNIT_CONTACT},
    ("enrollment.nominate", "POST"): {Role.UNIT_CONTACT},
    ("enrollment.roster_template", "GET"): STAFF | {Role.UNIT_CONTACT},
    ("enrollment.roster_upload", "POST"): {Role.UNIT_CONTACT},
    ("enrollment.confirm", "POST"): STAFF,
    ("enrollment.decline", "POST"): STAFF,
    ("enrollment.register", "GET"): PUBLIC,
    ("enrollment.register", "POST"): PUBLIC,
    ("enrollment.mine", "GET"): {Role.TRAINEE},
    ("enrollment.entry", "GET"): STAFF,
    ("enrollment.withdraw", "POST"): STAFF,
    ("enrollment.upload_material", "POST"): STAFF,
    ("enrollment.material", "GET"): STAFF,
    ("enrollment.delete_material", "POST"): STAFF,
    ("enrollment.review", "GET"): STAFF,
    ("enrollment.decide", "POST"): STAFF,
    ("enrollment.quota_table", "GET"): STAFF,
    ("enrollment.quota_table", "POST"): STAFF,
    ("enrollment.release", "POST"): STAFF,
    ("enrollment.reassign", "POST"): STAFF,
    ("enrollment.export_roster", "GET"): STAFF,
    ("enrollment.export_summary", "GET"): STAFF,
    ("enrollment.login_slips", "GET"): STAFF,
    # grading, results, feedback, completion (issue 5). Lecturers grade and read statistics
    # only for exams they are assigned to, read feedback reports only of classes they lecture
    # in, sponsors only of classes they sponsor (object checks: 404 otherwise, tested in
    # tests/views/test_grading_http.py and test_feedback_http.py).
    ("grading.index", "GET"): STAFF | {Role.LECTURER},
    ("grading.overview", "GET"): STAFF | {Role.LECTURER},
    ("grading.assign", "POST"): STAFF,
    ("grading.remove", "POST"): STAFF,
    ("grading.question", "GET"): STAFF | {Role.LECTURER},
    ("grading.paper", "GET"): STAFF | {Role.LECTURER},
    ("grading.paper", "POST"): STAFF | {Role.LECTURER},
    ("grading.key", "GET"): STAFF,
    ("grading.key", "POST"): STAFF,
    ("results.release", "POST"): STAFF,
    ("results.statistics", "GET"): STAFF | {Role.LECTURER},
    ("results.export_scores", "GET"): STAFF,
    ("results.mine", "GET"): {Role.TRAINEE},
    ("feedback.respond", "GET"): {Role.TRAINEE},
    ("feedback.respond", "POST"): {Role.TRAINEE},
    ("feedback.setup", "GET"): STAFF,
    ("feedback.change", "POST"): STAFF,
    ("feedback.add_question", "POST"): STAFF,
    ("feedback.delete_question", "POST"): STAFF,
    ("feedback.report", "GET"): STAFF | {Role.SPONSOR, Role.LECTURER},
    ("feedback.report_pdf", "GET"): STAFF | {Role.SPONSOR, Role.LECTURER},
    ("feedback.report_xlsx", "GET"): STAFF | {Role.SPONSOR, Role.LECTURER},
    ("feedback.compare", "GET"): STAFF | {Role.SPONSOR},
    ("completion.index", "GET"): STAFF,
    ("completion.rule", "POST"): STAFF,
    ("completion.nominate", "POST"): STAFF,
    ("completion.confirm", "POST"): STAFF,
    ("completion.group_nomination", "GET"): {Role.TRAINEE},
    ("completion.group_nomination", "POST"): {Role.TRAINEE},
    # issue 9: compliance (sponsors: only classes they sponsor, 404 otherwise), credit hours,
    # dashboards
    ("reports.compliance_page", "GET"): STAFF | {Role.SPONSOR},
    ("reports.compliance_snapshot", "POST"): STAFF,
    ("reports.my_hours", "GET"): {Role.TRAINEE},
    ("reports.my_hours_pdf", "GET"): {Role.TRAINEE},
    ("reports.unit_hours_xlsx", "GET"): STAFF,
    ("reports.organizer_dashboard", "GET"): STAFF,
    ("reports.sponsor_dashboard", "GET"): {Role.SPONSOR},
}
# Files, not pages: served to anyone.
STATIC_ENDPOINTS = {"static", "bootstrap.static"}
ROLES = [None, *Role]


def app_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_table(app):
    missing = [(r.endpoint, m) for r, m in app_routes(app) if (r.endpoint, m) not in ROUTES]
    assert not missing, f"routes missing from the role matrix: {missing}"
    stale = set(ROUTES) - {(r.endpoint, m) for r, m in app_routes(app)}
    assert not stale, f"the role matrix lists routes that do not exist: {stale}"


@pytest.fixture
def sample_args(db_session):
    """A value for every URL argument any route takes."""
    victim = make_user(db_session, roles=[Role.TRAINEE], username="matrix_target")
    unit = make_unit(db_session)
    training_class = make_class(db_session)
    version = manuals.open_draft(db_session, training_class=training_class, actor=None, now=NOW)
    notice = notices.draft_notice(db_session, training_class=training_class, kind="formal",
                                  issuers="sponsor", actor=None, now=NOW)
    exam, (exam_taker,) = make_published_exam(db_session)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=exam_taker, now=NOW)
    entry, material = make_entry_with_material(db_session, training_class)
    room = make_room_sample(db_session, training_class)  # issue 6
    certificate_sample = make_certificate_sample(db_session)  # issue 7
    feedback_question = make_feedback_question(db_session, training_class)  # issue 5
    db_session.commit()
    return {**room, **certificate_sample, "exam_id": exam.id, "attempt_id": attempt.id, "bank_id": exam.bank_id,
            "fmt": "xlsx", "action": "close",
            "user_id": victim.id, "unit_id": unit.id, "class_id": training_class.id,
            "lang": "en", "active": 1, "version_id": version.id, "notice_id": notice.id,
            "name": "close_registration",
            "enrollment_id": entry.id, "material_id": material.id,
            "number": 41, "question_id": feedback_question.id}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_role_matrix(app, client, login, sample_args, role):
    if role is not None:
        login(role)
    with app.test_request_context():
        login_path = url_for("auth.login")
        urls = {rule.rule: url_for(rule.endpoint, **{a: sample_args[a] for a in rule.arguments})
                for rule, _ in app_routes(app)}
    failures = []
    for rule, method in app_routes(app):
        allowed = ROUTES[(rule.endpoint, method)]
        url = urls[rule.rule]
        response = client.open(url, method=method, data={})
        # Flask-Login's redirect carries ?next=; logout's own redirect to the login page does not.
        location = urlparse(response.location or "")
        redirected_to_login = (response.status_code == 302 and location.path == login_path
                               and "next=" in location.query)
        if allowed == PUBLIC:
            ok = response.status_code != 403 and not redirected_to_login
        elif role is None:
            ok = redirected_to_login
        elif allowed == ANY_USER or role in allowed:
            ok = response.status_code not in (401, 403) and not redirected_to_login
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append((method, rule.endpoint, response.status_code, response.location))
        if rule.endpoint == "auth.logout" and role is not None:
            login(role)  # logging out is part of the walk; log back in for the rest
    assert not failures, failures
