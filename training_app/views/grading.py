"""Marking short answers by question (阅卷), graders, and answer-key corrections (重新计分)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from question_bank.numbers import fmt_decimal, to_decimal
from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.auth import EmptyForm
from training_app.forms.grading import GraderForm, KeyForm, MarkForm
from training_app.models import Exam, ExamGrader, Role, User, utcnow
from training_app.permissions import STAFF, roles_required
from training_app.services import exams, grading, results
from training_app.services.errors import DomainError
from training_app.views.helpers import apply, flash_error, flash_form_errors

bp = Blueprint("grading", __name__)

GRADERS = (*STAFF, Role.LECTURER)


@bp.app_template_filter("points")
def points_filter(value) -> str:
    """Marks as organizers write them: 10, 7.5 (not 10.00 or 7.50)."""
    return "" if value is None else fmt_decimal(to_decimal(value))


def _gradable_exam(exam_id: int) -> Exam:
    """The exam, if the current user may grade it (404 otherwise: ids are not hints)."""
    exam = db.get_or_404(Exam, exam_id)
    if not grading.can_grade(db.session, current_user, exam):
        abort(404)
    return exam


def _show_names() -> bool:
    """Grading is anonymous; organizers may reveal names with ?names=1, graders never."""
    return request.args.get("names") == "1" and current_user.has_role(*STAFF)


@bp.get("/grading/")
@roles_required(*GRADERS)
def index():
    rows = [(exam, grading.progress(db.session, exam))
            for exam in grading.exams_for_grader(db.session, current_user)]
    return render_template("grading/index.html", rows=rows)


@bp.get("/exams/<int:exam_id>/grading")
@roles_required(*GRADERS)
def overview(exam_id: int):
    exam = _gradable_exam(exam_id)
    form = GraderForm()
    form.user_id.choices = choices((u.id, u.display_name)
                                   for u in grading.assignable_lecturers(db.session, exam))
    return render_template(
        "grading/overview.html", exam=exam, progress=grading.progress(db.session, exam),
        graders=grading.graders(db.session, exam), form=form, action_form=EmptyForm(),
        can_manage=current_user.has_role(*STAFF), released=results.is_released(exam),
        objective=[q for q in exam.questions if q.type != "short"])


@bp.post("/exams/<int:exam_id>/graders")
@roles_required(*STAFF)
def assign(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    form = GraderForm()
    form.user_id.choices = choices((u.id, u.display_name)
                                   for u in grading.assignable_lecturers(db.session, exam))
    if form.validate_on_submit():
        apply(lambda: grading.assign_grader(
            db.session, exam=exam, user=db.get_or_404(User, form.user_id.data),
            actor=current_user, now=utcnow()), _("已指定阅卷人。"))
    flash_form_errors(form)
    return redirect(url_for("grading.overview", exam_id=exam.id))


@bp.post("/exams/<int:exam_id>/graders/<int:user_id>/remove")
@roles_required(*STAFF)
def remove(exam_id: int, user_id: int):
    grader = db.session.scalar(db.select(ExamGrader).where(
        ExamGrader.exam_id == exam_id, ExamGrader.user_id == user_id))
    if grader is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        grading.remove_grader(db.session, grader=grader, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("已取消阅卷人。"), "success")
    return redirect(url_for("grading.overview", exam_id=exam_id))


@bp.get("/exams/<int:exam_id>/grading/<int:number>")
@roles_required(*GRADERS)
def question(exam_id: int, number: int):
    """Start (or resume) a question: go to its next ungraded paper."""
    exam = _gradable_exam(exam_id)
    item = grading.short_question(exam, number) or abort(404)
    papers = grading.papers_for_question(db.session, exam, item)
    paper = grading.next_ungraded(papers)
    if paper is None:  # all graded: review from the first answered paper
        flash(_("第%(n)s题已全部评完。", n=number), "success")
        paper = next((p for p in papers if not p.blank), None)
        if paper is None:
            return redirect(url_for("grading.overview", exam_id=exam.id))
    return redirect(url_for("grading.paper", exam_id=exam.id, number=number,
                            attempt_id=paper.attempt.id, **_names_arg()))


def _names_arg() -> dict:
    return {"names": "1"} if _show_names() else {}


@bp.route("/exams/<int:exam_id>/grading/<int:number>/papers/<int:attempt_id>",
          methods=["GET", "POST"])
@roles_required(*GRADERS)
def paper(exam_id: int, number: int, attempt_id: int):
    exam = _gradable_exam(exam_id)
    item = grading.short_question(exam, number) or abort(404)
    papers = grading.papers_for_question(db.session, exam, item)
    current = next((p for p in papers if p.attempt.id == attempt_id), None) or abort(404)
    form = MarkForm()
    if not current.blank and form.validate_on_submit():
        # No message on success: the grader goes straight on to the next paper.
        if apply(lambda: grading.grade_answer(
                db.session, answer=current.answer, mark=form.score.data,
                comment=form.comment.data or "", grader=current_user, now=utcnow()), None):
            papers = grading.papers_for_question(db.session, exam, item)
            following = grading.next_ungraded(papers, after=current.number)
            if following is None:
                flash(_("第%(n)s题已全部评完。", n=number), "success")
                return redirect(url_for("grading.overview", exam_id=exam.id))
            return redirect(url_for("grading.paper", exam_id=exam.id, number=number,
                                    attempt_id=following.attempt.id, **_names_arg()))
    elif request.method == "GET" and current.answer is not None and current.answer.graded_at:
        form.score.data = f"{current.answer.score.normalize():f}"
        form.comment.data = current.answer.grader_comment
    flash_form_errors(form)
    text = (current.answer.response.get("text") or "") if current.answer is not None else ""
    hints, segments = grading.highlighted(text, item)
    question_data = grading.question_of(item)
    graded = sum(1 for p in papers if p.graded and not p.blank)
    return render_template(
        "grading/paper.html", exam=exam, item=item, question=question_data, papers=papers,
        current=current, hints=hints, segments=segments, form=form,
        graded=graded, to_grade=sum(1 for p in papers if not p.blank),
        next_paper=grading.next_ungraded(papers, after=current.number),
        short_numbers=[q.number for q in grading.short_questions(exam)],
        show_names=_show_names(), names_arg=_names_arg())


@bp.route("/exams/<int:exam_id>/questions/<int:number>/key", methods=["GET", "POST"])
@roles_required(*STAFF)
def key(exam_id: int, number: int):
    """Correct a published question's key: preview every changed paper, then apply."""
    exam = db.get_or_404(Exam, exam_id)
    item = next((q for q in exam.questions if q.number == number), None) or abort(404)
    question_data = grading.question_of(item)
    form = KeyForm()
    form.answer.choices = choices((i, f"{chr(65 + i)}. {text}")
                                  for i, text in enumerate(question_data.options))
    plan = None
    if request.method == "GET":
        form.answer.data = list(question_data.answer)
    elif form.validate_on_submit():
        try:
            if form.apply.data:
                plan = grading.apply_key_change(db.session, question=item,
                                                new_key=form.answer.data or [],
                                                actor=current_user, now=utcnow())
            else:
                plan = grading.plan_key_change(db.session, question=item,
                                               new_key=form.answer.data or [])
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            if form.apply.data:
                db.session.commit()
                flash(_("已更正答案，%(n)s份答卷重新计分。", n=len(plan.changes)), "success")
                return redirect(url_for("grading.overview", exam_id=exam.id))
    flash_form_errors(form)
    return render_template("grading/key.html", exam=exam, item=item, question=question_data,
                           form=form, plan=plan, type_labels=exams.TYPE_LABELS)
