"""Feedback (评估反馈): trainees fill the form once; reports for organizers, sponsors, lecturers."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training_app.extensions import db
from training_app.forms.auth import EmptyForm
from training_app.forms.feedback import QuestionForm, response_form
from training_app.models import FeedbackQuestion, Role, TrainingClass, utcnow
from training_app.models.feedback import DIMENSIONS
from training_app.permissions import STAFF, roles_required
from training_app.services import exams, feedback
from training_app.services.pdf import CJK_A4_CSS, render_pdf
from training_app.views.helpers import apply, flash_form_errors

bp = Blueprint("feedback", __name__)

READERS = (*STAFF, Role.SPONSOR, Role.LECTURER)


@bp.route("/classes/<int:class_id>/feedback", methods=["GET", "POST"])
@roles_required(Role.TRAINEE)
def respond(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    if not exams.is_enrolled(db.session, training_class, current_user):
        abort(404)
    form_row = feedback.form_for(db.session, training_class)
    done = form_row is not None and feedback.response_of(db.session, form_row, current_user)
    if form_row is None or not form_row.is_open or done:
        return render_template("feedback/respond.html", training_class=training_class,
                               form=None, done=bool(done))
    lectures = feedback.lectures(db.session, training_class)
    form = response_form(lectures, form_row.questions)
    if form.validate_on_submit():
        answers = {}
        for question in form_row.questions:
            raw = form[f"question_{question.id}"].data
            answers[question.id] = (int(raw) if raw else None) if question.kind != "text" else raw
        if apply(lambda: feedback.submit_response(
                db.session, training_class=training_class, trainee=current_user,
                dimensions={d: int(form[d].data) for d in DIMENSIONS},
                lecture_scores={i.id: int(form[f"lecture_{i.id}"].data) for i in lectures},
                answers=answers, comments=form.comments.data or "", now=utcnow()),
                 _("感谢您的评估反馈！")):
            return redirect(url_for("feedback.respond", class_id=class_id))
    flash_form_errors(form)
    return render_template("feedback/respond.html", training_class=training_class, form=form,
                           done=False, dimension_count=len(DIMENSIONS), lectures=lectures)


@bp.get("/classes/<int:class_id>/feedback/setup")
@roles_required(*STAFF)
def setup(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form_row = feedback.form_for(db.session, training_class)
    return render_template(
        "feedback/setup.html", training_class=training_class, form_row=form_row,
        responses=feedback.response_count(db.session, form_row) if form_row else 0,
        lectures=feedback.lectures(db.session, training_class), question_form=QuestionForm(),
        action_form=EmptyForm(), kind_labels=feedback.KIND_LABELS,
        dimension_labels=feedback.DIMENSION_LABELS)


@bp.post("/classes/<int:class_id>/feedback/<any(open, close):action>")
@roles_required(*STAFF)
def change(class_id: int, action: str):
    training_class = db.get_or_404(TrainingClass, class_id)
    if EmptyForm().validate_on_submit():
        now = utcnow()
        form_row = feedback.ensure_form(db.session, training_class=training_class,
                                        actor=current_user, now=now)
        feedback.set_open(db.session, form=form_row, is_open=action == "open",
                          actor=current_user, now=now)
        db.session.commit()
        flash(_("评估反馈已开放。") if action == "open" else _("评估反馈已关闭。"), "success")
    return redirect(url_for("feedback.setup", class_id=class_id))


@bp.post("/classes/<int:class_id>/feedback/questions")
@roles_required(*STAFF)
def add_question(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = QuestionForm()
    if form.validate_on_submit():
        now = utcnow()

        def add():
            form_row = feedback.ensure_form(db.session, training_class=training_class,
                                            actor=current_user, now=now)
            feedback.add_question(db.session, form=form_row, kind=form.kind.data,
                                  text=form.text.data, options=(form.options.data or "").splitlines(),
                                  required=form.required.data, actor=current_user, now=now)

        apply(add, _("已增加问题。"))
    flash_form_errors(form)
    return redirect(url_for("feedback.setup", class_id=class_id))


@bp.post("/feedback/questions/<int:question_id>/delete")
@roles_required(*STAFF)
def delete_question(question_id: int):
    question = db.get_or_404(FeedbackQuestion, question_id)
    class_id = question.form.class_id
    if EmptyForm().validate_on_submit():
        apply(lambda: feedback.delete_question(db.session, question=question,
                                               actor=current_user, now=utcnow()),
              _("已删除问题。"))
    return redirect(url_for("feedback.setup", class_id=class_id))


def _readable_class(class_id: int) -> TrainingClass:
    training_class = db.get_or_404(TrainingClass, class_id)
    if not feedback.can_view_report(db.session, current_user, training_class):
        abort(404)
    return training_class


def _labels() -> dict[str, str]:
    return {key: _(label) for key, label in feedback.DIMENSION_LABELS.items()}


@bp.get("/classes/<int:class_id>/feedback/report")
@roles_required(*READERS)
def report(class_id: int):
    training_class = _readable_class(class_id)
    return render_template("feedback/report.html", report=feedback.report(db.session, training_class),
                           labels=_labels())


@bp.get("/classes/<int:class_id>/feedback/report.pdf")
@roles_required(*READERS)
def report_pdf(class_id: int):
    training_class = _readable_class(class_id)
    html = render_template("feedback/report_pdf.html", css=CJK_A4_CSS,
                           report=feedback.report(db.session, training_class), labels=_labels())
    return send_file(BytesIO(render_pdf(html)), mimetype="application/pdf",
                     download_name=f"{training_class.title}-评估反馈.pdf")


@bp.get("/classes/<int:class_id>/feedback/report.xlsx")
@roles_required(*READERS)
def report_xlsx(class_id: int):
    training_class = _readable_class(class_id)
    data = feedback.report_workbook(feedback.report(db.session, training_class), labels=_labels())
    return send_file(BytesIO(data), mimetype=feedback.XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"{training_class.title}-评估反馈.xlsx")


@bp.get("/feedback/compare")
@roles_required(*STAFF, Role.SPONSOR)
def compare():
    rows = feedback.compare(db.session, feedback.comparable_classes(db.session, current_user))
    return render_template("feedback/compare.html", rows=rows, labels=_labels(),
                           dimensions=DIMENSIONS)
