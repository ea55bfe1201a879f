"""Training classes (培训班): list, detail, create, edit, copy and lifecycle transitions."""
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.auth import EmptyForm
from training_app.forms.classes import (
    FORMAT_LABELS,
    MAX_ELIGIBILITY_ROWS,
    MODE_LABELS,
    QUALIFICATION_LABELS,
    STATUS_LABELS,
    ClassForm,
    CopyClassForm,
)
from training_app.forms.manuals import REVIEW_STATUS_LABELS
from training_app.forms.notices import (
    ISSUER_LABELS,
    KIND_LABELS,
    NOTICE_STATUS_LABELS,
    NewNoticeForm,
)
from training_app.models import NoticeKind, TrainingClass, Unit, utcnow
from training_app.permissions import STAFF, any_user, roles_required
from training_app.services import classes, lifecycle, manuals, notices, units
from training_app.views.helpers import apply, flash_form_errors

bp = Blueprint("classes", __name__, url_prefix="/classes")


def class_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _class_form(**kwargs) -> ClassForm:
    form = ClassForm(**kwargs)
    unit_choices = [(u.id, u.name) for u in units.list_units(db.session)]
    form.sponsor_unit_id.choices = choices(unit_choices)
    form.organizer_unit_id.choices = choices(unit_choices)
    form.co_sponsor_ids.choices = choices(unit_choices)
    return form


def _fill_form(form: ClassForm, c: TrainingClass) -> None:
    """Put the class's values into a GET form (the fields whose shape differs from the model)."""
    form.sponsor_unit_id.data = c.sponsor_unit_id
    form.organizer_unit_id.data = c.organizer_unit_id
    form.co_sponsor_ids.data = [link.unit_id for link in c.co_sponsor_links]
    form.sub_venues.data = "\n".join(c.sub_venues or [])
    for row, rule in zip(form.eligibility, (c.eligibility_rules or [])[:MAX_ELIGIBILITY_ROWS]):
        row.qualification.data = str(rule["qualification"])
        row.min_years.data = rule.get("min_years", 0)


def _form_values(form: ClassForm) -> dict:
    return {
        "title": form.title.data, "sponsor": db.session.get(Unit, form.sponsor_unit_id.data),
        "organizer": db.session.get(Unit, form.organizer_unit_id.data),
        "co_sponsors": [db.session.get(Unit, i) for i in form.co_sponsor_ids.data or []],
        "start_date": form.start_date.data, "end_date": form.end_date.data,
        "registration_deadline": form.registration_deadline.data, "venue": form.venue.data,
        "sub_venues": form.sub_venue_list(), "mode": form.mode.data,
        "formats": form.formats.data or [], "capacity": form.capacity.data,
        "credit_hours": form.credit_hours.data, "eligibility_rules": form.eligibility_rules(),
        "eligibility_text": form.eligibility_text.data,
        "required_materials": form.required_materials.data, "rules_text": form.rules_text.data,
        "contacts": form.contacts.data, "description": form.description.data,
    }


@bp.get("/")
@any_user
def index():
    return render_template("classes/list.html", classes=classes.list_classes(db.session),
                           status_labels=STATUS_LABELS)


@bp.get("/<int:class_id>")
@any_user
def detail(class_id: int):
    c = db.get_or_404(TrainingClass, class_id)
    manage = classes.can_manage(current_user)
    class_notices = [n for n in notices.list_notices(db.session, c)
                     if notices.can_read(current_user, n)]
    drafted = {n.kind for n in notices.list_notices(db.session, c)}
    notice_form = NewNoticeForm()
    notice_form.kind.choices = choices(
        (k.value, label) for k, label in KIND_LABELS.items()
        if k.value not in drafted and c.status in notices.DRAFTABLE_IN[k])
    return render_template(
        "classes/detail.html", training_class=c, can_manage=manage,
        transitions=lifecycle.available_transitions(c) if manage else [],
        action_form=EmptyForm(), notice_form=notice_form, notices=class_notices,
        manual_latest=manuals.latest_version(db.session, c),
        manual_approved=manuals.approved_manual_version(db.session, c),
        show_manual=classes.is_related(current_user, c),
        eligibility=classes.eligibility_summary(c.eligibility_rules or []),
        status_labels=STATUS_LABELS, mode_labels=MODE_LABELS, format_labels=FORMAT_LABELS,
        review_labels=REVIEW_STATUS_LABELS, notice_status_labels=NOTICE_STATUS_LABELS,
        kind_labels=KIND_LABELS, issuer_labels=ISSUER_LABELS,
        qualification_labels=QUALIFICATION_LABELS, NoticeKind=NoticeKind,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def create():
    form = _class_form()
    if form.validate_on_submit():
        outcome = apply(lambda: classes.create_class(db.session, **_form_values(form),
                                                     actor=current_user, now=utcnow()),
                        _("培训班已创建。"))
        if outcome:
            return redirect(url_for("classes.detail", class_id=outcome.result.id))
    flash_form_errors(form)
    return render_template("classes/form.html", form=form, training_class=None)


@bp.route("/<int:class_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(class_id: int):
    c = db.get_or_404(TrainingClass, class_id)
    # A POST is read from the form alone (a field left out is empty, as a browser sends it).
    form = _class_form(obj=None if request.method == "POST" else c)
    if not form.is_submitted():
        _fill_form(form, c)
    if form.validate_on_submit() and apply(lambda: classes.update_class(
            db.session, training_class=c, **_form_values(form), actor=current_user,
            now=utcnow()), _("培训班已保存。")):
        return redirect(url_for("classes.detail", class_id=c.id))
    flash_form_errors(form)
    return render_template("classes/form.html", form=form, training_class=c)


@bp.route("/<int:class_id>/copy", methods=["GET", "POST"])
@roles_required(*STAFF)
def copy(class_id: int):
    source = db.get_or_404(TrainingClass, class_id)
    form = CopyClassForm()
    if not form.is_submitted():
        form.title.data = source.title
        form.start_date.data, form.end_date.data = source.start_date, source.end_date
    if form.validate_on_submit():
        outcome = apply(lambda: classes.copy_class(
            db.session, source=source, title=form.title.data, start_date=form.start_date.data,
            end_date=form.end_date.data, credit_hours=form.credit_hours.data,
            actor=current_user, now=utcnow()),
            _("已复制为新的培训班（草稿），请核对日期和报名截止日期。"))
        if outcome:
            return redirect(url_for("classes.edit", class_id=outcome.result.id))
    flash_form_errors(form)
    return render_template("classes/copy.html", form=form, source=source)


@bp.post("/<int:class_id>/transition/<name>")
@roles_required(*STAFF)
def transition(class_id: int, name: str):
    c = db.get_or_404(TrainingClass, class_id)
    if name not in lifecycle.TRANSITIONS:
        abort(404)
    if EmptyForm().validate_on_submit():
        apply(lambda: lifecycle.run_transition(db.session, name=name, training_class=c,
                                               actor=current_user, now=utcnow(),
                                               tz=class_timezone()),
              _("培训班状态已变更为：%(status)s",
                status=STATUS_LABELS[lifecycle.TRANSITIONS[name].target]))
    return redirect(url_for("classes.detail", class_id=c.id))
