"""The schedule (日程): the page with its checks, item editing, the standard agenda, sub-venue
coordinators, and the iCalendar and PDF exports. Times are entered and shown in the class's
local zone (config TIMEZONE) and stored in UTC."""
from io import BytesIO
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.auth import EmptyForm
from training_app.forms.schedule import (
    KIND_LABELS,
    LECTURE_MODE_LABELS,
    CoordinatorForm,
    ItemForm,
    StandardAgendaForm,
)
from training_app.models import ScheduleItem, TrainingClass, User, VenueCoordinator, utcnow
from training_app.permissions import STAFF, any_user, roles_required
from training_app.services import accounts, schedule, schedule_exports
from training_app.services.classes import can_manage
from training_app.timeutil import local_to_utc, utc_to_local_naive
from training_app.views.helpers import apply, flash_form_errors

bp = Blueprint("schedule", __name__)
ICS_MIMETYPE = "text/calendar; charset=utf-8"


def class_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _item_form(training_class: TrainingClass, **kwargs) -> ItemForm:
    form = ItemForm(**kwargs)
    form.venue.choices = choices(
        [("", _("主会场"))] + [(v, v) for v in training_class.sub_venues or []])
    form.lecturer_id.choices = choices(
        [(0, _("（无）"))] + [(u.id, u.display_name) for u in schedule.lecturers(db.session)])
    form.responsible_id.choices = choices(
        [(0, _("（请选择）"))]
        + [(u.id, u.display_name) for u in schedule.staff_members(db.session)])
    return form


def _values(form: ItemForm) -> schedule.ItemValues:
    tz = current_app.config["TIMEZONE"]

    def utc(value):
        return local_to_utc(value, tz) if value else None

    return schedule.ItemValues(
        kind=form.kind.data, title=form.title.data, starts_at=utc(form.starts_at.data),
        ends_at=utc(form.ends_at.data), venue=form.venue.data or "",
        lecturer=db.session.get(User, form.lecturer_id.data) if form.lecturer_id.data else None,
        responsible=db.session.get(User, form.responsible_id.data)
        if form.responsible_id.data else None,
        lecture_mode=form.lecture_mode.data, audience_zones=form.audience_zones.data or "",
        seating_plan=form.seating_plan.data or "", notes=form.notes.data or "",
        takes_attendance=form.takes_attendance.data,
        checkin_opens_at=utc(form.checkin_opens_at.data),
        checkin_closes_at=utc(form.checkin_closes_at.data))


def _translate(finding: schedule.Finding) -> str:
    return _(finding.message, **finding.params)


@bp.get("/classes/<int:class_id>/schedule")
@any_user
def index(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    manage = can_manage(current_user)
    items = schedule.list_items(db.session, training_class)
    checks = schedule.check_schedule(db.session, training_class, class_tz()) if manage else None
    flagged = {i for f in (checks.findings if checks else []) if f.level == "error"
               for i in f.item_ids}
    coordinator_form = CoordinatorForm()
    coordinator_form.venue.choices = choices((v, v) for v in training_class.sub_venues or [])
    coordinator_form.user_id.choices = choices(
        (u.id, f"{u.display_name}（{u.username}）") for u in accounts.list_users(db.session)
        if u.active)
    runnable = {i.id for i in items if schedule.can_run_item(db.session, current_user, i)}
    return render_template(
        "schedule/index.html", training_class=training_class, items=items, checks=checks,
        translate=_translate, flagged=flagged, can_manage=manage, runnable=runnable,
        standard_form=StandardAgendaForm(), coordinator_form=coordinator_form,
        coordinators=schedule.coordinators(db.session, training_class),
        action_form=EmptyForm(), kind_labels=KIND_LABELS, mode_labels=LECTURE_MODE_LABELS,
        venue_name=lambda v: schedule.venue_name(training_class, v),
        exam_minutes=schedule.exam_minutes(db.session, training_class))


@bp.route("/classes/<int:class_id>/schedule/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def create(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = _item_form(training_class)
    if not form.is_submitted():
        form.responsible_id.data = current_user.id
    if form.validate_on_submit() and apply(lambda: schedule.create_item(
            db.session, training_class=training_class, values=_values(form),
            actor=current_user, now=utcnow(), tz=class_tz()), _("日程已添加。")):
        return redirect(url_for("schedule.index", class_id=class_id))
    flash_form_errors(form)
    return render_template("schedule/form.html", form=form, training_class=training_class,
                           item=None)


@bp.route("/schedule/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(item_id: int):
    item = db.get_or_404(ScheduleItem, item_id)
    training_class = item.training_class
    form = _item_form(training_class, obj=item)
    if not form.is_submitted():
        tz = current_app.config["TIMEZONE"]
        for name in ("starts_at", "ends_at", "checkin_opens_at", "checkin_closes_at"):
            value = getattr(item, name)
            getattr(form, name).data = utc_to_local_naive(value, tz) if value else None
        form.lecturer_id.data = item.lecturer_id or 0
        form.responsible_id.data = item.responsible_id or 0
    if form.validate_on_submit() and apply(lambda: schedule.update_item(
            db.session, item=item, values=_values(form), actor=current_user, now=utcnow(),
            tz=class_tz()), _("日程已保存。")):
        return redirect(url_for("schedule.index", class_id=training_class.id))
    flash_form_errors(form)
    return render_template("schedule/form.html", form=form, training_class=training_class,
                           item=item)


@bp.post("/schedule/<int:item_id>/delete")
@roles_required(*STAFF)
def delete(item_id: int):
    item = db.get_or_404(ScheduleItem, item_id)
    class_id = item.class_id
    if EmptyForm().validate_on_submit():
        apply(lambda: schedule.delete_item(db.session, item=item, actor=current_user,
                                           now=utcnow()), _("日程已删除。"))
    return redirect(url_for("schedule.index", class_id=class_id))


@bp.post("/classes/<int:class_id>/schedule/standard")
@roles_required(*STAFF)
def standard(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = StandardAgendaForm()
    if form.validate_on_submit():
        apply(lambda: schedule.build_standard_agenda(
            db.session, training_class=training_class, actor=current_user, now=utcnow(),
            tz=class_tz(), replace=form.replace.data),
            lambda items: _("已生成标准日程（%(n)s项），请指定授课教师并按需调整。", n=len(items)))
    return redirect(url_for("schedule.index", class_id=class_id))


@bp.post("/classes/<int:class_id>/schedule/coordinators")
@roles_required(*STAFF)
def add_coordinator(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = CoordinatorForm()
    form.venue.choices = choices((v, v) for v in training_class.sub_venues or [])
    form.user_id.choices = choices((u.id, "") for u in accounts.list_users(db.session))
    if form.validate_on_submit():
        apply(lambda: schedule.assign_coordinator(
            db.session, training_class=training_class, venue=form.venue.data,
            user=db.get_or_404(User, form.user_id.data), actor=current_user, now=utcnow()),
            _("分会场负责人已指定。"))
    flash_form_errors(form)
    return redirect(url_for("schedule.index", class_id=class_id))


@bp.post("/coordinators/<int:coordinator_id>/delete")
@roles_required(*STAFF)
def remove_coordinator(coordinator_id: int):
    coordinator = db.get_or_404(VenueCoordinator, coordinator_id)
    class_id = coordinator.class_id
    if EmptyForm().validate_on_submit():
        schedule.remove_coordinator(db.session, coordinator=coordinator, actor=current_user,
                                    now=utcnow())
        db.session.commit()
        flash(_("已取消分会场负责人。"), "success")
    return redirect(url_for("schedule.index", class_id=class_id))


# --- exports ---------------------------------------------------------------------------------

@bp.get("/classes/<int:class_id>/schedule.ics")
@any_user
def ics(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    data = schedule_exports.calendar_bytes(
        schedule.list_items(db.session, training_class), training_class=training_class,
        calendar_name=training_class.title, tz=class_tz(), now=utcnow())
    return send_file(BytesIO(data), mimetype=ICS_MIMETYPE, as_attachment=True,
                     download_name=f"class-{class_id}.ics")


@bp.get("/classes/<int:class_id>/my-schedule.ics")
@any_user
def my_ics(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    items = schedule_exports.items_for(db.session, training_class, current_user)
    data = schedule_exports.calendar_bytes(
        items, training_class=training_class,
        calendar_name=f"{training_class.title}（{current_user.display_name}）", tz=class_tz(),
        now=utcnow())
    return send_file(BytesIO(data), mimetype=ICS_MIMETYPE, as_attachment=True,
                     download_name=f"class-{class_id}-{current_user.username}.ics")


@bp.get("/classes/<int:class_id>/schedule.pdf")
@any_user
def pdf(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    data = schedule_exports.agenda_pdf(schedule.list_items(db.session, training_class),
                                       training_class=training_class, tz=class_tz())
    return send_file(BytesIO(data), mimetype="application/pdf", download_name="日程安排.pdf")
