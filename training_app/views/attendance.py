"""Attendance (考勤): the room screen with the rotating QR code, the trainee's check-in through
it, the roster, sign-in sheets, the class's attendance grid, and leave requests (请假).

The screen, roster and sheets of an item are for organizers and the coordinator of the item's
sub-venue; anyone else gets 404.
"""
from io import BytesIO
from zoneinfo import ZoneInfo

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from training_app.extensions import db
from training_app.forms.attendance import DecideLeaveForm, LeaveForm
from training_app.forms.auth import EmptyForm
from training_app.models import (
    AttendanceStatus,
    LeaveRequest,
    Role,
    ScheduleItem,
    TrainingClass,
    utcnow,
)
from training_app.permissions import STAFF, any_user, roles_required
from training_app.services import attendance, groups, schedule, signin_sheets
from training_app.timeutil import local_to_utc
from training_app.views.helpers import apply, flash_form_errors

bp = Blueprint("attendance", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_LABELS = {
    AttendanceStatus.PRESENT: _l("出勤"),
    AttendanceStatus.LATE: _l("迟到"),
    AttendanceStatus.EXCUSED: _l("请假"),
    AttendanceStatus.ABSENT: _l("缺勤"),
}
LEAVE_STATUS_LABELS = {"pending": _l("待审批"), "approved": _l("已批准"), "refused": _l("未批准"),
                       "cancelled": _l("已撤回")}


def class_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _runnable_item(item_id: int) -> ScheduleItem:
    item = db.get_or_404(ScheduleItem, item_id)
    if not item.takes_attendance or not schedule.can_run_item(db.session, current_user, item):
        abort(404)
    return item


def status_labels() -> dict[str, str]:
    return {k.value: str(v) for k, v in STATUS_LABELS.items()}


# --- the room screen and check-in ------------------------------------------------------------

@bp.get("/schedule/<int:item_id>/screen")
@any_user
def screen(item_id: int):
    item = _runnable_item(item_id)
    now = utcnow()
    code = attendance.checkin_code(secret=_secret(), item_id=item.id, now=now)
    url = url_for("attendance.checkin", item_id=item.id, code=code, _external=True)
    qr = segno.make(url, error="m")
    rows = attendance.roster(db.session, item)
    opens, closes = attendance.checkin_window(item)
    return render_template(
        "attendance/screen.html", item=item, training_class=item.training_class, url=url,
        qr_data_uri=qr.svg_data_uri(scale=8, border=2), code=code,
        refresh_seconds=attendance.code_refresh_seconds(now), opens=opens, closes=closes,
        window_open=attendance.window_is_open(item, now),
        checked_in=sum(1 for r in rows if r.status in attendance.ATTENDED), expected=len(rows),
        venue=schedule.venue_name(item.training_class, item.venue))


@bp.route("/checkin/<int:item_id>/<code>", methods=["GET", "POST"])
@any_user
def checkin(item_id: int, code: str):
    """The QR code's target. GET shows the session and a button; POST checks in."""
    item = db.get_or_404(ScheduleItem, item_id)
    if request.method == "POST" and EmptyForm().validate_on_submit():
        apply(lambda: attendance.check_in(db.session, item=item, user=current_user,
                                          code=code[:64], secret=_secret(), now=utcnow(),
                                          tz=class_tz()), _("签到成功。"))
        return redirect(url_for("attendance.checkin", item_id=item.id, code=code))
    record = attendance.record_for(db.session, item, current_user)
    opens, closes = attendance.checkin_window(item)
    return render_template(
        "attendance/checkin.html", item=item, training_class=item.training_class, code=code,
        record=record, opens=opens, closes=closes, status_labels=status_labels(),
        done=record is not None and record.status in attendance.ATTENDED,
        venue=schedule.venue_name(item.training_class, item.venue))


# --- roster and sheets -----------------------------------------------------------------------

@bp.route("/schedule/<int:item_id>/roster", methods=["GET", "POST"])
@any_user
def roster(item_id: int):
    item = _runnable_item(item_id)
    if request.method == "POST" and EmptyForm().validate_on_submit():
        marks = {int(key[7:]): value for key, value in request.form.items()
                 if key.startswith("status_") and key[7:].isdigit()}
        if apply(lambda: attendance.mark_roster(db.session, item=item, marks=marks,
                                                actor=current_user, now=utcnow()),
                 lambda changed: _("考勤已保存（%(n)s人有变动）。", n=changed)):
            return redirect(url_for("attendance.roster", item_id=item.id))
    rows = attendance.roster(db.session, item)
    return render_template(
        "attendance/roster.html", item=item, training_class=item.training_class, rows=rows,
        status_labels=status_labels(), statuses=[s.value for s in AttendanceStatus],
        venue=schedule.venue_name(item.training_class, item.venue),
        counts={s.value: sum(1 for r in rows if r.status == s.value) for s in AttendanceStatus})


@bp.get("/schedule/<int:item_id>/signin.pdf")
@any_user
def signin_pdf(item_id: int):
    item = _runnable_item(item_id)
    return send_file(BytesIO(signin_sheets.signin_sheet_pdf(db.session, item, class_tz())),
                     mimetype="application/pdf", download_name=f"签到表-{item.id}.pdf")


@bp.get("/schedule/<int:item_id>/signin.xlsx")
@any_user
def signin_xlsx(item_id: int):
    item = _runnable_item(item_id)
    return send_file(BytesIO(signin_sheets.signin_sheet_xlsx(db.session, item, class_tz())),
                     mimetype=XLSX, as_attachment=True, download_name=f"签到表-{item.id}.xlsx")


@bp.get("/classes/<int:class_id>/attendance")
@roles_required(*STAFF)
def summary(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    items, rows = attendance.class_summary(db.session, training_class)
    return render_template("attendance/summary.html", training_class=training_class,
                           items=items, rows=rows, status_labels=status_labels())


@bp.get("/classes/<int:class_id>/attendance.xlsx")
@roles_required(*STAFF)
def summary_xlsx(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    return send_file(BytesIO(signin_sheets.summary_xlsx(db.session, training_class, class_tz())),
                     mimetype=XLSX, as_attachment=True, download_name=f"考勤汇总-{class_id}.xlsx")


# --- leave requests --------------------------------------------------------------------------

@bp.route("/classes/<int:class_id>/leave", methods=["GET", "POST"])
@roles_required(Role.TRAINEE)
def leave(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    if not groups.is_approved_trainee(db.session, training_class, current_user):
        abort(404)
    form = LeaveForm()
    if form.validate_on_submit():
        tz = current_app.config["TIMEZONE"]
        if apply(lambda: attendance.request_leave(
                db.session, training_class=training_class, user=current_user,
                starts_at=local_to_utc(form.starts_at.data, tz),
                ends_at=local_to_utc(form.ends_at.data, tz), reason=form.reason.data,
                now=utcnow()), _("请假申请已提交，请等待承办方审批。")):
            return redirect(url_for("attendance.leave", class_id=class_id))
    flash_form_errors(form)
    return render_template(
        "attendance/leave.html", training_class=training_class, form=form,
        requests=attendance.list_leave(db.session, training_class, current_user),
        leave_status_labels=LEAVE_STATUS_LABELS)


@bp.post("/leave/<int:leave_id>/cancel")
@roles_required(Role.TRAINEE)
def cancel_leave(leave_id: int):
    leave_request = db.get_or_404(LeaveRequest, leave_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: attendance.cancel_leave(db.session, leave=leave_request,
                                              actor=current_user, now=utcnow()),
              _("请假申请已撤回。"))
    return redirect(url_for("attendance.leave", class_id=leave_request.class_id))


@bp.get("/classes/<int:class_id>/leave/requests")
@roles_required(*STAFF)
def leave_requests(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    return render_template(
        "attendance/leave_requests.html", training_class=training_class,
        requests=attendance.list_leave(db.session, training_class), form=DecideLeaveForm(),
        details=groups.member_details(db.session, training_class),
        leave_status_labels=LEAVE_STATUS_LABELS)


@bp.post("/leave/<int:leave_id>/decide")
@roles_required(*STAFF)
def decide_leave(leave_id: int):
    leave_request = db.get_or_404(LeaveRequest, leave_id)
    form = DecideLeaveForm()
    if form.validate_on_submit():
        apply(lambda: attendance.decide_leave(
            db.session, leave=leave_request, approve=form.approve.data,
            note=form.note.data or "", actor=current_user, now=utcnow()),
            _("已批准请假。") if form.approve.data else _("已不批准请假。"))
    return redirect(url_for("attendance.leave_requests", class_id=leave_request.class_id))
