"""Completion (结业) and outstanding trainees (优秀学员): the rule, the ranking, nominations."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.auth import EmptyForm
from training_app.forms.completion import ConfirmForm, GroupNominationForm, RuleForm
from training_app.models import Exam, ExamStatus, GroupMember, Role, TrainingClass, User, utcnow
from training_app.permissions import STAFF, roles_required
from training_app.services import completion
from training_app.views.helpers import apply, flash_form_errors

bp = Blueprint("completion", __name__)
HUNDRED = Decimal(100)


def _exam_choices(training_class: TrainingClass):
    exams = db.session.scalars(db.select(Exam).where(
        Exam.class_id == training_class.id, Exam.status == ExamStatus.PUBLISHED.value)
        .order_by(Exam.window_start.desc())).all()
    return choices([(0, _("最近一次已发布的考试")), *((e.id, e.title) for e in exams)])


def _confirm_form(standings) -> ConfirmForm:
    form = ConfirmForm()
    form.user_ids.choices = choices((s.user.id, s.name) for s in standings if s.completes)
    return form


@bp.get("/classes/<int:class_id>/completion")
@roles_required(*STAFF)
def index(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    rule = completion.rule_for(db.session, training_class)
    form = RuleForm(data={
        "min_attendance_percent": (Decimal(rule.min_attendance_rate) * HUNDRED).normalize(),
        "min_exam_score": Decimal(rule.min_exam_score).normalize(), "exam_id": rule.exam_id or 0,
        "weight_exam": rule.weight_exam, "weight_attendance": rule.weight_attendance,
        "weight_organizer": rule.weight_organizer, "weight_group": rule.weight_group,
        "outstanding_percent": (Decimal(rule.outstanding_share) * HUNDRED).normalize()})
    form.exam_id.choices = _exam_choices(training_class)
    standings = completion.standings(db.session, training_class)
    confirmed = completion.confirmed_outstanding(db.session, training_class)
    selected = ({o.user_id for o in confirmed} if confirmed else
                {s.user.id for s in completion.proposed_outstanding(db.session, training_class)})
    return render_template(
        "completion/index.html", training_class=training_class, form=form, rule=rule,
        standings=standings, exam=completion.counting_exam(db.session, training_class, rule),
        cap=completion.outstanding_cap(db.session, training_class), selected=selected,
        confirmed=confirmed, confirm_form=_confirm_form(standings), action_form=EmptyForm(),
        ungraded=completion.exam_warning(db.session, training_class),
        completing=sum(1 for s in standings if s.completes))


@bp.post("/classes/<int:class_id>/completion/rule")
@roles_required(*STAFF)
def rule(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = RuleForm()
    form.exam_id.choices = _exam_choices(training_class)
    if form.validate_on_submit():
        apply(lambda: completion.update_rule(
            db.session, training_class=training_class,
            min_attendance_rate=form.min_attendance_percent.data / HUNDRED,
            min_exam_score=form.min_exam_score.data, exam_id=form.exam_id.data or None,
            weight_exam=form.weight_exam.data, weight_attendance=form.weight_attendance.data,
            weight_organizer=form.weight_organizer.data, weight_group=form.weight_group.data,
            outstanding_share=form.outstanding_percent.data / HUNDRED,
            actor=current_user, now=utcnow()), _("已保存结业条件。"))
    flash_form_errors(form)
    return redirect(url_for("completion.index", class_id=class_id))


@bp.post("/classes/<int:class_id>/completion/nominations/<int:user_id>")
@roles_required(*STAFF)
def nominate(class_id: int, user_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        # No message on success: the ranking's button shows the new state.
        apply(lambda: completion.set_organizer_nomination(
            db.session, training_class=training_class, user=user,
            nominated=request.form.get("nominated") == "1", actor=current_user, now=utcnow()),
            None)
    return redirect(url_for("completion.index", class_id=class_id))


@bp.post("/classes/<int:class_id>/completion/confirm")
@roles_required(*STAFF)
def confirm(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = _confirm_form(completion.standings(db.session, training_class))
    if form.validate_on_submit():
        apply(lambda: completion.confirm_outstanding(
            db.session, training_class=training_class, user_ids=form.user_ids.data or [],
            actor=current_user, now=utcnow()),
            lambda rows: _("已确认优秀学员名单（%(n)s名）。", n=len(rows)))
    flash_form_errors(form)
    return redirect(url_for("completion.index", class_id=class_id))


@bp.route("/classes/<int:class_id>/group-nomination", methods=["GET", "POST"])
@roles_required(Role.TRAINEE)
def group_nomination(class_id: int):
    """The group leader (组长) nominates one member of the group as outstanding trainee."""
    training_class = db.get_or_404(TrainingClass, class_id)
    group = completion.led_group(db.session, training_class, current_user) or abort(404)
    members = [m.user for m in db.session.scalars(db.select(GroupMember).where(
        GroupMember.group_id == group.id).order_by(GroupMember.id))]
    form = GroupNominationForm()
    form.user_id.choices = choices([(0, _("（不推荐）")), *((u.id, u.display_name) for u in members)])
    current = completion.group_nomination(db.session, group)
    if form.validate_on_submit():
        chosen = next((u for u in members if u.id == form.user_id.data), None)
        if apply(lambda: completion.nominate_for_group(db.session, group=group, user=chosen,
                                                       actor=current_user, now=utcnow()),
                 _("已提交小组推荐。")):
            return redirect(url_for("completion.group_nomination", class_id=class_id))
    elif request.method == "GET":
        form.user_id.data = current.user_id if current else 0
    flash_form_errors(form)
    return render_template("completion/group_nomination.html", training_class=training_class,
                           group=group, form=form, current=current)
