"""Groups (分组), class committee (班委), trainee exchange (学员交流) and the cultural programme.

Organizers group and arrange; group leaders edit their group from a phone; the committee writes
the exchange bulletin. Who may see a class's groups: organizers, its sponsors, lecturers and its
approved trainees (others get 404).
"""
from io import BytesIO
from zoneinfo import ZoneInfo

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
from training_app.forms import choices
from training_app.forms.auth import EmptyForm
from training_app.forms.groups import (
    ACT_KIND_LABELS,
    COMMITTEE_LABELS,
    ActForm,
    AutoGroupForm,
    BulletinForm,
    CommitteeForm,
    IdentityForm,
    LeaderForm,
    MoveForm,
    ReportForm,
)
from training_app.models import ActivityAct, Group, Role, TrainingClass, User, utcnow
from training_app.permissions import STAFF, roles_required
from training_app.services import activities, exchange, groups
from training_app.services.classes import can_manage
from training_app.views.helpers import apply, flash_form_errors

bp = Blueprint("groups", __name__)

VIEWERS = (Role.ADMIN, Role.ORGANIZER, Role.SPONSOR, Role.LECTURER, Role.TRAINEE)
EDITORS = (Role.ADMIN, Role.ORGANIZER, Role.TRAINEE)  # trainees: leaders and committee members
GENDER_LABELS = {"male": _l("男"), "female": _l("女")}


def _viewable_class(class_id: int) -> TrainingClass:
    training_class = db.get_or_404(TrainingClass, class_id)
    if not groups.can_view_class_room(db.session, current_user, training_class):
        abort(404)
    return training_class


def _viewable_group(group_id: int) -> Group:
    group = db.get_or_404(Group, group_id)
    if not groups.can_view_class_room(db.session, current_user, group.training_class):
        abort(404)
    return group


def _trainee_choices(training_class: TrainingClass, blank: str | None = None):
    details = groups.approved_enrollments(db.session, training_class)
    pairs = [(e.trainee.user_id, f"{e.trainee.name}（{e.unit.name}）") for e in details]
    return choices(([(0, blank)] if blank else []) + pairs)


# --- groups of a class -----------------------------------------------------------------------

@bp.get("/classes/<int:class_id>/groups")
@roles_required(*VIEWERS)
def index(class_id: int):
    training_class = _viewable_class(class_id)
    class_groups = groups.list_groups(db.session, training_class)
    manage = can_manage(current_user)
    move_form = MoveForm()
    move_form.user_id.choices = _trainee_choices(training_class)
    move_form.group_id.choices = choices(
        [(0, _("移出分组"))] + [(g.id, g.label) for g in class_groups])
    committee_form = CommitteeForm()
    committee_form.user_id.choices = _trainee_choices(training_class, blank=_("（空缺）"))
    return render_template(
        "groups/index.html", training_class=training_class, groups=class_groups,
        details=groups.member_details(db.session, training_class),
        ungrouped=groups.ungrouped(db.session, training_class),
        committee=groups.committee(db.session, training_class),
        my_group=groups.group_of(db.session, training_class, current_user),
        can_manage=manage, auto_form=AutoGroupForm(), move_form=move_form,
        committee_form=committee_form, action_form=EmptyForm(),
        committee_labels=COMMITTEE_LABELS, gender_labels=GENDER_LABELS,
        max_size=groups.MAX_GROUP_SIZE)


@bp.post("/classes/<int:class_id>/groups/auto")
@roles_required(*STAFF)
def auto(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = AutoGroupForm()
    if form.validate_on_submit():
        apply(lambda: groups.auto_group(
            db.session, training_class=training_class, seed=form.seed.data, actor=current_user,
            now=utcnow()), _("已完成自动分组。"))
    flash_form_errors(form)
    return redirect(url_for("groups.index", class_id=class_id))


@bp.post("/classes/<int:class_id>/groups/add")
@roles_required(*STAFF)
def add(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: groups.add_group(
            db.session, training_class=training_class, actor=current_user, now=utcnow()),
            _("已新增小组。"))
    return redirect(url_for("groups.index", class_id=class_id))


@bp.post("/classes/<int:class_id>/groups/move")
@roles_required(*STAFF)
def move(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = MoveForm()
    form.user_id.choices = _trainee_choices(training_class)
    form.group_id.choices = choices(
        [(0, "")] + [(g.id, g.label) for g in groups.list_groups(db.session, training_class)])
    if form.validate_on_submit():
        user = db.get_or_404(User, form.user_id.data)
        target = db.session.get(Group, form.group_id.data) if form.group_id.data else None
        apply(lambda: groups.move_member(
            db.session, training_class=training_class, user=user, group=target,
            actor=current_user, now=utcnow()), _("分组已调整。"))
    flash_form_errors(form)
    return redirect(url_for("groups.index", class_id=class_id))


@bp.post("/classes/<int:class_id>/committee")
@roles_required(*STAFF)
def committee(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = CommitteeForm()
    form.user_id.choices = _trainee_choices(training_class, blank="-")
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) if form.user_id.data else None
        apply(lambda: groups.assign_committee(
            db.session, training_class=training_class, role=form.role.data, user=user,
            actor=current_user, now=utcnow()), _("班委已更新。"))
    flash_form_errors(form)
    return redirect(url_for("groups.index", class_id=class_id))


# --- one group -------------------------------------------------------------------------------

@bp.get("/groups/<int:group_id>")
@roles_required(*VIEWERS)
def detail(group_id: int):
    group = _viewable_group(group_id)
    training_class = group.training_class
    details = groups.member_details(db.session, training_class)
    identity_form = IdentityForm(obj=group)
    report_form = ReportForm()
    report_form.representatives.choices = choices(
        (m.user_id, details[m.user_id].trainee.name if m.user_id in details
         else m.user.display_name) for m in group.members)
    report_form.representatives.data = [m.user_id for m in group.representatives]
    report_form.outline.data = group.outline
    leader_form = LeaderForm()
    leader_form.user_id.choices = report_form.representatives.choices
    leader_form.user_id.data = group.leader_id
    acts = [a for a in activities.list_acts(db.session, training_class) if a.group_id == group.id]
    return render_template(
        "groups/detail.html", group=group, training_class=training_class, details=details,
        can_edit=groups.can_edit_group(current_user, group), can_manage=can_manage(current_user),
        can_register=activities.can_register(db.session, current_user, group),
        identity_form=identity_form, report_form=report_form, leader_form=leader_form,
        act_form=ActForm(), action_form=EmptyForm(), acts=acts, act_kind_labels=ACT_KIND_LABELS,
        gender_labels=GENDER_LABELS, acts_per_group=activities.ACTS_PER_GROUP)


@bp.post("/groups/<int:group_id>/identity")
@roles_required(*EDITORS)
def identity(group_id: int):
    group = _viewable_group(group_id)
    form = IdentityForm()
    if form.validate_on_submit():
        apply(lambda: groups.update_identity(
            db.session, group=group, name=form.name.data or "", song=form.song.data or "",
            slogan=form.slogan.data or "", actor=current_user, now=utcnow()),
            _("组名、组歌和口号已保存。"))
    flash_form_errors(form)
    return redirect(url_for("groups.detail", group_id=group.id))


@bp.post("/groups/<int:group_id>/leader")
@roles_required(*STAFF)
def leader(group_id: int):
    group = db.get_or_404(Group, group_id)
    form = LeaderForm()
    form.user_id.choices = choices([(0, "")] + [(m.user_id, "") for m in group.members])
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) if form.user_id.data else None
        apply(lambda: groups.set_leader(
            db.session, group=group, user=user, actor=current_user, now=utcnow()),
            _("组长已设置。"))
    flash_form_errors(form)
    return redirect(url_for("groups.detail", group_id=group.id))


@bp.post("/groups/<int:group_id>/report")
@roles_required(*EDITORS)
def report(group_id: int):
    group = _viewable_group(group_id)
    form = ReportForm()
    form.representatives.choices = choices((m.user_id, "") for m in group.members)
    if form.validate_on_submit():
        apply(lambda: groups.set_report(
            db.session, group=group, representative_ids=form.representatives.data or [],
            outline=form.outline.data or "", actor=current_user, now=utcnow()),
            _("交流代表和汇报提纲已提交。"))
    flash_form_errors(form)
    return redirect(url_for("groups.detail", group_id=group.id))


@bp.post("/groups/<int:group_id>/delete")
@roles_required(*STAFF)
def remove(group_id: int):
    group = db.get_or_404(Group, group_id)
    class_id = group.class_id
    if EmptyForm().validate_on_submit():
        apply(lambda: groups.remove_group(
            db.session, group=group, actor=current_user, now=utcnow()), _("小组已删除。"))
    return redirect(url_for("groups.index", class_id=class_id))


@bp.post("/groups/<int:group_id>/acts")
@roles_required(*EDITORS)
def add_act(group_id: int):
    group = _viewable_group(group_id)
    form = ActForm()
    if form.validate_on_submit():
        apply(lambda: activities.add_act(
            db.session, group=group, title=form.title.data, kind=form.kind.data,
            performers=form.performers.data or "", minutes=form.minutes.data,
            actor=current_user, now=utcnow()), _("节目已登记。"))
    flash_form_errors(form)
    return redirect(url_for("groups.detail", group_id=group.id))


@bp.post("/acts/<int:act_id>/delete")
@roles_required(*EDITORS)
def remove_act(act_id: int):
    act = db.get_or_404(ActivityAct, act_id)
    group = _viewable_group(act.group_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: activities.remove_act(
            db.session, act=act, actor=current_user, now=utcnow()), _("节目已删除。"))
    return redirect(url_for("groups.detail", group_id=group.id))


# --- the cultural programme ------------------------------------------------------------------

@bp.get("/classes/<int:class_id>/programme")
@roles_required(*VIEWERS)
def programme(class_id: int):
    training_class = _viewable_class(class_id)
    return render_template(
        "groups/programme.html", training_class=training_class,
        programme=activities.programme(db.session, training_class),
        can_arrange=activities.can_arrange(db.session, current_user, training_class),
        action_form=EmptyForm(), act_kind_labels=ACT_KIND_LABELS,
        min_minutes=activities.ACTIVITY_MIN_MINUTES, max_minutes=activities.ACTIVITY_MAX_MINUTES,
        acts_per_group=activities.ACTS_PER_GROUP)


@bp.post("/classes/<int:class_id>/programme")
@roles_required(*EDITORS)
def arrange(class_id: int):
    training_class = _viewable_class(class_id)
    if EmptyForm().validate_on_submit():
        positions, prizes = {}, {}
        for key, value in request.form.items():
            kind, _sep, act_id = key.partition("_")
            if not act_id.isdigit():
                continue
            if kind == "position":
                positions[int(act_id)] = int(value) if value.strip().isdigit() else 0
            elif kind == "prize":
                prizes[int(act_id)] = value
        apply(lambda: activities.arrange(
            db.session, training_class=training_class, positions=positions, prizes=prizes,
            actor=current_user, now=utcnow()), _("节目单已保存。"))
    return redirect(url_for("groups.programme", class_id=class_id))


# --- the exchange bulletin -------------------------------------------------------------------

@bp.get("/classes/<int:class_id>/bulletin")
@roles_required(*VIEWERS)
def bulletin(class_id: int):
    training_class = _viewable_class(class_id)
    return render_template(
        "groups/bulletin.html", training_class=training_class,
        bulletin=exchange.get_bulletin(db.session, training_class),
        can_edit=exchange.can_edit_bulletin(db.session, current_user, training_class),
        groups=groups.list_groups(db.session, training_class),
        details=groups.member_details(db.session, training_class))


@bp.route("/classes/<int:class_id>/bulletin/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_bulletin(class_id: int):
    training_class = _viewable_class(class_id)
    if not exchange.can_edit_bulletin(db.session, current_user, training_class):
        abort(404)
    current = exchange.get_bulletin(db.session, training_class)
    form = BulletinForm(obj=current)
    if not form.is_submitted() and current is None:
        form.title.data = _("%(title)s 学员交流简报", title=training_class.title)
    if form.validate_on_submit() and apply(lambda: exchange.save_draft(
            db.session, training_class=training_class, title=form.title.data,
            body=form.body.data or "", actor=current_user, now=utcnow()), _("简报草稿已保存。")):
        return redirect(url_for("groups.bulletin", class_id=class_id))
    flash_form_errors(form)
    return render_template("groups/bulletin_edit.html", training_class=training_class,
                           form=form, action_form=EmptyForm(), bulletin=current)


@bp.post("/classes/<int:class_id>/bulletin/publish")
@roles_required(*EDITORS)
def publish_bulletin(class_id: int):
    training_class = _viewable_class(class_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: exchange.publish(
            db.session, training_class=training_class, actor=current_user, now=utcnow(),
            tz=ZoneInfo(current_app.config["TIMEZONE"])), _("交流简报已发布。"))
    return redirect(url_for("groups.bulletin", class_id=class_id))


@bp.get("/classes/<int:class_id>/bulletin.pdf")
@roles_required(*VIEWERS)
def bulletin_pdf(class_id: int):
    training_class = _viewable_class(class_id)
    current = exchange.get_bulletin(db.session, training_class)
    if current is None or current.published is None:
        abort(404)
    return send_file(BytesIO(exchange.bulletin_pdf(current.published)),
                     mimetype="application/pdf", download_name="交流简报.pdf")
