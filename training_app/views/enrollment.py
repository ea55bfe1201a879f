"""Enrollment (报名) and quotas (名额分配): unit contacts nominate, trainees register,
organizers review, allocate quotas and export."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from training_app.db_setup import takes_write_lock
from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.auth import EmptyForm
from training_app.forms.classes import QUALIFICATION_LABELS
from training_app.forms.classes import STATUS_LABELS as CLASS_STATUS_LABELS
from training_app.forms.enrollment import (
    GENDER_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    DecisionForm,
    MaterialForm,
    NominateForm,
    ProfileRegisterForm,
    ReasonForm,
    ReassignForm,
    ReviewFilterForm,
    RosterUploadForm,
    SelfRegisterForm,
    quota_form,
)
from training_app.i18n import translate_error
from training_app.models import (
    ClassStatus,
    Enrollment,
    EnrollmentMaterial,
    Role,
    TrainingClass,
    Unit,
    utcnow,
)
from training_app.permissions import STAFF, any_user, roles_required
from training_app.services import (
    classes,
    enrollment,
    id_numbers,
    materials,
    pdf,
    quotas,
    roster_excel,
    units,
)
from training_app.services.errors import DomainError
from training_app.views.helpers import apply, flash_error, flash_form_errors

bp = Blueprint("enrollment", __name__, url_prefix="/enrollment")
OWNERS = (*STAFF, Role.UNIT_CONTACT, Role.TRAINEE)  # then an object check: see _entry_or_403


@bp.app_template_filter("mask_id")
def mask_id(value: str) -> str:
    """3701**********1234: how a 身份证号 appears to anyone but the organizer."""
    return id_numbers.mask(value)


@bp.context_processor
def labels():
    return {"status_labels": STATUS_LABELS, "source_labels": SOURCE_LABELS,
            "gender_labels": GENDER_LABELS, "qualification_labels": QUALIFICATION_LABELS,
            "class_status_labels": CLASS_STATUS_LABELS}


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _storage_dir() -> Path:
    return Path(current_app.instance_path) / "uploads" / "materials"


def _entry_or_403(enrollment_id: int) -> Enrollment:
    entry = db.get_or_404(Enrollment, enrollment_id)
    if not enrollment.can_view_entry(current_user, entry):
        abort(403)
    return entry


def _back_to(entry: Enrollment) -> str:
    """Where a person acting on an entry came from: their own list of entries."""
    if enrollment.is_organizer(current_user):
        return url_for("enrollment.review", class_id=entry.class_id)
    if enrollment.is_unit_contact_for(current_user, entry.unit_id):
        return url_for("enrollment.unit_page", class_id=entry.class_id)
    return url_for("enrollment.mine")


def _xlsx(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype=roster_excel.XLSX_MIMETYPE, as_attachment=True,
                     download_name=filename)


def _flash_promoted(promoted) -> None:
    for entry in promoted:
        flash(_("候补学员%(name)s（%(unit)s）已递补为待审核。", name=entry.trainee.name,
                unit=entry.unit.name), "info")


# --- overview ---------------------------------------------------------------------------------

@bp.get("/")
@any_user
def index():
    is_organizer = enrollment.is_organizer(current_user)
    shown = [c for c in classes.list_classes(db.session)
             if is_organizer or c.status != ClassStatus.DRAFT.value]  # drafts are internal
    return render_template("enrollment/index.html", classes=shown, is_organizer=is_organizer)


# --- the unit contact's page ------------------------------------------------------------------

def _unit_page(training_class: TrainingClass, *, nominate_form=None, roster_errors=None,
               status: int = 200):
    unit = current_user.unit
    summary = quotas.quota_summary(db.session, training_class)
    return render_template(
        "enrollment/unit.html", training_class=training_class, unit=unit,
        row=summary.row_for(unit.id) if unit else None, pool_free=summary.pool_free,
        entries=enrollment.list_entries(db.session, training_class, unit_id=unit.id)
        if unit else [],
        is_open=enrollment.registration_open(training_class, utcnow(), _tz()),
        eligibility=classes.eligibility_summary(training_class.eligibility_rules),
        nominate_form=nominate_form or NominateForm(formdata=None),
        roster_form=RosterUploadForm(formdata=None), roster_errors=roster_errors,
        reason_form=ReasonForm(formdata=None), action_form=EmptyForm(formdata=None)), status


@bp.get("/classes/<int:class_id>/unit")
@roles_required(Role.UNIT_CONTACT)
def unit_page(class_id: int):
    return _unit_page(db.get_or_404(TrainingClass, class_id))


@bp.post("/classes/<int:class_id>/unit/nominate")
@roles_required(Role.UNIT_CONTACT)
def nominate(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = NominateForm()
    if current_user.unit is None:
        flash(_("您的账户尚未关联单位，请联系管理员。"), "danger")
        return redirect(url_for("enrollment.unit_page", class_id=class_id))
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _unit_page(training_class, nominate_form=form)
    if not apply(lambda: enrollment.nominate(
            db.session, training_class=training_class, unit=current_user.unit,
            profile_data=form.trainee_values(), actor=current_user, now=utcnow(), tz=_tz()),
            lambda entry: _("已推荐%(name)s，状态：%(status)s。", name=entry.trainee.name,
                            status=STATUS_LABELS[entry.status])):
        return _unit_page(training_class, nominate_form=form)
    return redirect(url_for("enrollment.unit_page", class_id=class_id))


@bp.get("/roster-template.xlsx")
@roles_required(*STAFF, Role.UNIT_CONTACT)
def roster_template():
    return _xlsx(roster_excel.build_template(), "报名名单模板.xlsx")


@bp.post("/classes/<int:class_id>/unit/roster")
@roles_required(Role.UNIT_CONTACT)
def roster_upload(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = RosterUploadForm()
    if current_user.unit is None or not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("enrollment.unit_page", class_id=class_id))
    try:
        entries = enrollment.import_roster(
            db.session, training_class=training_class, unit=current_user.unit,
            data=form.roster.data.read(), actor=current_user, now=utcnow(), tz=_tz())
    except roster_excel.RosterError as error:
        db.session.rollback()
        flash_error(error)
        rows = [(p.row, translate_error(DomainError(p.message, **p.params)))
                for p in error.problems]
        return _unit_page(training_class, roster_errors=rows)
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("enrollment.unit_page", class_id=class_id))
    db.session.commit()
    waiting = sum(1 for e in entries if e.status == "waitlisted")
    flash(_("已导入%(n)s名学员（其中候补%(w)s名）。", n=len(entries), w=waiting), "success")
    return redirect(url_for("enrollment.unit_page", class_id=class_id))


@bp.post("/entries/<int:enrollment_id>/confirm")
@roles_required(*STAFF, Role.UNIT_CONTACT)
def confirm(enrollment_id: int):
    entry = _entry_or_403(enrollment_id)
    if not (enrollment.is_organizer(current_user)
            or enrollment.is_unit_contact_for(current_user, entry.unit_id)):
        abort(403)
    if EmptyForm().validate_on_submit():
        apply(lambda: enrollment.confirm_by_unit(db.session, enrollment=entry,
                                                 actor=current_user, now=utcnow()),
              _("已确认%(name)s的报名。", name=entry.trainee.name))
    return redirect(_back_to(entry))


@bp.post("/entries/<int:enrollment_id>/decline")
@roles_required(*STAFF, Role.UNIT_CONTACT)
def decline(enrollment_id: int):
    entry = _entry_or_403(enrollment_id)
    if not (enrollment.is_organizer(current_user)
            or enrollment.is_unit_contact_for(current_user, entry.unit_id)):
        abort(403)
    form = ReasonForm()
    if form.validate_on_submit():
        promoted = apply(lambda: enrollment.decline_by_unit(
            db.session, enrollment=entry, reason=form.reason.data, actor=current_user,
            now=utcnow()), _("已退回%(name)s的个人报名。", name=entry.trainee.name)).result
        _flash_promoted([promoted] if promoted else [])
    flash_form_errors(form)
    return redirect(_back_to(entry))


# --- self-registration from the class's public page -------------------------------------------

def _unit_choices():
    return choices([(0, "—")] + [(u.id, u.name) for u in units.list_units(db.session)])


@bp.route("/classes/<int:class_id>/register", methods=["GET", "POST"])
def register(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    now = utcnow()
    user = current_user if current_user.is_authenticated else None
    profile = enrollment.profile_of(db.session, user) if user is not None else None
    existing = enrollment.entry_of_user(db.session, training_class, user) if user else None
    can_register = (enrollment.registration_open(training_class, now, _tz())
                    and existing is None and (user is None or user.has_role(Role.TRAINEE)))
    form = ProfileRegisterForm() if profile is not None else SelfRegisterForm()
    form.unit_id.choices = _unit_choices()
    if user is not None and profile is None:
        del form.password, form.confirm
    if request.method == "GET" and profile is not None:
        form.unit_id.data = profile.unit_id
    elif request.method == "GET" and user is not None:
        form.name.data, form.mobile.data = user.display_name, user.mobile
        form.unit_id.data = user.unit_id or 0
    if can_register and form.validate_on_submit():
        outcome = apply(lambda: enrollment.self_register(
            db.session, training_class=training_class,
            unit=db.get_or_404(Unit, form.unit_id.data), now=now, user=user,
            profile_data=form.trainee_values() if profile is None else None,
            password=form.password.data if user is None else None, tz=_tz()),
            lambda entry: _("报名已提交（%(status)s），等待单位联系人确认和承办方审核。",
                            status=STATUS_LABELS[entry.status]))
        if outcome:
            if user is None:
                login_user(outcome.result.trainee.user)
            return redirect(url_for("enrollment.mine"))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template(
        "enrollment/register.html", training_class=training_class, form=form if can_register
        else None, profile=profile, existing=existing,
        is_open=enrollment.registration_open(training_class, now, _tz()),
        eligibility=classes.eligibility_summary(training_class.eligibility_rules))


@bp.get("/mine")
@roles_required(Role.TRAINEE)
def mine():
    return render_template("enrollment/mine.html",
                           entries=enrollment.entries_of_user(db.session, current_user),
                           profile=enrollment.profile_of(db.session, current_user),
                           action_form=EmptyForm(formdata=None))


# --- one entry: details, materials, withdrawal ------------------------------------------------

def _material_labels(training_class: TrainingClass) -> list[str]:
    lines = [line.strip() for line in (training_class.required_materials or "").splitlines()]
    return [line for line in lines if line] + [_("其他材料")]


@bp.get("/entries/<int:enrollment_id>")
@roles_required(*OWNERS)
def entry(enrollment_id: int):
    item = _entry_or_403(enrollment_id)
    form = MaterialForm(formdata=None)
    form.label.choices = choices((label, label) for label in _material_labels(item.training_class))
    return render_template(
        "enrollment/entry.html", entry=item, material_form=form,
        action_form=EmptyForm(formdata=None), reason_form=ReasonForm(formdata=None),
        show_full_id=enrollment.is_organizer(current_user),
        can_confirm=not item.unit_confirmed and (
            enrollment.is_organizer(current_user)
            or enrollment.is_unit_contact_for(current_user, item.unit_id)),
        back=_back_to(item))


@bp.post("/entries/<int:enrollment_id>/withdraw")
@roles_required(*OWNERS)
def withdraw(enrollment_id: int):
    item = _entry_or_403(enrollment_id)
    if EmptyForm().validate_on_submit():
        promoted = apply(lambda: enrollment.withdraw(db.session, enrollment=item,
                                                     actor=current_user, now=utcnow()),
                         _("%(name)s已退出本培训班。", name=item.trainee.name)).result
        _flash_promoted([promoted] if promoted else [])
    return redirect(_back_to(item))


@bp.post("/entries/<int:enrollment_id>/materials")
@roles_required(*OWNERS)
def upload_material(enrollment_id: int):
    item = _entry_or_403(enrollment_id)
    form = MaterialForm()
    form.label.choices = choices((label, label) for label in _material_labels(item.training_class))
    if form.validate_on_submit():
        upload = form.file.data
        apply(lambda: materials.add_material(
            db.session, enrollment=item, label=form.label.data, filename=upload.filename,
            data=upload.read(materials.MAX_BYTES + 1), storage_dir=_storage_dir(),
            actor=current_user, now=utcnow()), _("材料已上传。"))
    flash_form_errors(form)
    return redirect(url_for("enrollment.entry", enrollment_id=item.id))


def _material_or_403(material_id: int) -> EnrollmentMaterial:
    material = db.get_or_404(EnrollmentMaterial, material_id)
    if not enrollment.can_view_entry(current_user, material.enrollment):
        abort(403)
    return material


@bp.get("/materials/<int:material_id>")
@roles_required(*OWNERS)
def material(material_id: int):
    item = _material_or_403(material_id)
    path = materials.path_of(item, _storage_dir())
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=True,
                     download_name=item.original_filename)


@bp.post("/materials/<int:material_id>/delete")
@roles_required(*OWNERS)
def delete_material(material_id: int):
    item = _material_or_403(material_id)
    entry_id = item.enrollment_id
    if EmptyForm().validate_on_submit():
        apply(lambda: materials.delete_material(db.session, material=item,
                                                storage_dir=_storage_dir(), actor=current_user,
                                                now=utcnow()), _("材料已删除。"))
    return redirect(url_for("enrollment.entry", enrollment_id=entry_id))


# --- the organizer: review, quotas, exports, login slips --------------------------------------

@bp.get("/classes/<int:class_id>/review")
@roles_required(*STAFF)
def review(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    filters = ReviewFilterForm(request.args)
    summary = quotas.quota_summary(db.session, training_class)
    filters.unit_id.choices = choices([(0, _("全部"))] + [(r.unit.id, r.unit.name)
                                                          for r in summary.rows])
    filters.validate()
    entries = enrollment.list_entries(
        db.session, training_class, statuses=[filters.status.data] if filters.status.data
        else None, unit_id=filters.unit_id.data or None)
    # Units whose next approval would be beyond their quota: that button asks for a reason.
    units_at_quota = {r.unit.id for r in summary.rows if summary.next_approval_over_quota(r)}
    return render_template("enrollment/review.html", training_class=training_class,
                           entries=entries, summary=summary, filters=filters,
                           units_at_quota=units_at_quota,
                           decision_form=DecisionForm(formdata=None),
                           action_form=EmptyForm(formdata=None), show_full_id=True)


@bp.post("/classes/<int:class_id>/review/decide")
@roles_required(*STAFF)
def decide(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = DecisionForm()
    if form.validate_on_submit() and form.action.data in ("approve", "reject"):
        chosen = list(db.session.scalars(select(Enrollment).where(
            Enrollment.class_id == training_class.id, Enrollment.id.in_(form.entry_ids.data))
            .order_by(Enrollment.created_at, Enrollment.id)))
        if form.action.data == "approve":
            apply(lambda: enrollment.approve_many(
                db.session, entries=chosen, actor=current_user, now=utcnow(),
                over_quota_reason=form.over_quota_reason.data or ""),
                  lambda count: _("已通过%(n)s条报名。", n=count))
        else:
            promoted = apply(lambda: enrollment.reject_many(
                db.session, entries=chosen, reason=form.reason.data or "", actor=current_user,
                now=utcnow()), _("已退回%(n)s条报名。", n=len(chosen))).result
            _flash_promoted(promoted or [])
    else:
        flash_form_errors(form)
    return redirect(url_for("enrollment.review", class_id=class_id, **{
        k: v for k, v in request.args.items() if k in ("status", "unit_id")}))


@bp.route("/classes/<int:class_id>/quotas", methods=["GET", "POST"])
@roles_required(*STAFF)
def quota_table(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    summary = quotas.quota_summary(db.session, training_class, all_units=True)
    all_units = [row.unit for row in summary.rows]
    form = quota_form(all_units, {row.unit.id: row.quota for row in summary.rows})
    if form.validate_on_submit():
        seats = {unit: form[f"seats_{unit.id}"].data for unit in all_units}
        outcome = apply(lambda: quotas.set_quotas(db.session, training_class=training_class,
                                                  seats=seats, actor=current_user, now=utcnow()),
                        _("名额分配已保存。"))
        if outcome:
            _flash_promoted(outcome.result)
            return redirect(url_for("enrollment.quota_table", class_id=class_id))
    flash_form_errors(form)
    reassign_form = ReassignForm(formdata=None)
    reassign_form.unit_id.choices = choices((u.id, u.name) for u in all_units)
    return render_template("enrollment/quotas.html", training_class=training_class,
                           summary=summary, form=form, reassign_form=reassign_form,
                           action_form=EmptyForm(formdata=None),
                           can_release=quotas.registration_deadline_passed(
                               training_class, utcnow(), _tz())
                           or training_class.status in quotas.RELEASE_STATUSES)


@bp.post("/classes/<int:class_id>/quotas/<int:unit_id>/release")
@roles_required(*STAFF)
def release(class_id: int, unit_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    unit = db.get_or_404(Unit, unit_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: quotas.release_unused(db.session, training_class=training_class, unit=unit,
                                            actor=current_user, now=utcnow(), tz=_tz()),
              lambda n: _("%(unit)s未使用的%(n)s个名额已释放到公共名额。", unit=unit.name, n=n))
    return redirect(url_for("enrollment.quota_table", class_id=class_id))


@bp.post("/classes/<int:class_id>/quotas/reassign")
@roles_required(*STAFF)
def reassign(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = ReassignForm()
    form.unit_id.choices = choices((u.id, u.name) for u in units.list_units(db.session))
    if form.validate_on_submit():
        unit = db.get_or_404(Unit, form.unit_id.data)
        promoted = apply(lambda: quotas.reassign(
            db.session, training_class=training_class, unit=unit, seats=form.seats.data,
            actor=current_user, now=utcnow()),
            _("已从公共名额分配%(n)s个名额给%(unit)s。", n=form.seats.data, unit=unit.name)).result
        _flash_promoted(promoted or [])
    flash_form_errors(form)
    return redirect(url_for("enrollment.quota_table", class_id=class_id))


@bp.get("/classes/<int:class_id>/roster.xlsx")
@roles_required(*STAFF)
def export_roster(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    data = roster_excel.roster_workbook(enrollment.list_entries(db.session, training_class),
                                        title=training_class.title, tz=_tz())
    return _xlsx(data, f"{training_class.title}-学员名单.xlsx")


@bp.get("/classes/<int:class_id>/quota-summary.xlsx")
@roles_required(*STAFF, Role.SPONSOR)
def export_summary(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    if not (enrollment.is_organizer(current_user)
            or classes.is_class_sponsor(current_user, training_class)):
        abort(403)
    data = roster_excel.summary_workbook(quotas.quota_summary(db.session, training_class),
                                         title=f"{training_class.title} 名额与报名汇总")
    return _xlsx(data, f"{training_class.title}-名额与报名汇总.xlsx")


@bp.get("/classes/<int:class_id>/login-slips.pdf")
@takes_write_lock  # it writes (see db_setup): the write lock first on SQLite
@roles_required(*STAFF)
def login_slips(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    slips = enrollment.login_slips(db.session, training_class=training_class,
                                   actor=current_user, now=utcnow())
    html = render_template("enrollment/login_slips_pdf.html", training_class=training_class,
                           slips=slips, css=pdf.CJK_A4_CSS,
                           login_url=url_for("auth.login", _external=True))
    data = pdf.render_pdf(html)
    db.session.commit()  # the audit entry: slips carry initial passwords
    response = send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"{training_class.title}-登录凭条.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response
