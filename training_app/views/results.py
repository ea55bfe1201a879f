"""Results: release (发布成绩), a trainee's own result, statistics and the score export."""
from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from training_app.extensions import db
from training_app.forms.auth import EmptyForm
from training_app.models import Exam, ExamStatus, Role, utcnow
from training_app.permissions import STAFF, roles_required
from training_app.services import exams, grading, results
from training_app.views.helpers import apply

bp = Blueprint("results", __name__)


@bp.post("/exams/<int:exam_id>/release")
@roles_required(*STAFF)
def release(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: results.release_results(db.session, exam=exam, actor=current_user,
                                              now=utcnow()),
              _("成绩已发布，学员现在可以查看自己的成绩。"))
    return redirect(url_for("grading.overview", exam_id=exam_id))


@bp.get("/exams/<int:exam_id>/statistics")
@roles_required(*STAFF, Role.LECTURER)
def statistics(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    if not grading.can_grade(db.session, current_user, exam):
        abort(404)
    return render_template("results/statistics.html", exam=exam,
                           stats=results.exam_statistics(db.session, exam),
                           type_labels=exams.TYPE_LABELS,
                           can_export=current_user.has_role(*STAFF))


@bp.get("/exams/<int:exam_id>/scores.xlsx")
@roles_required(*STAFF)
def export_scores(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    if exam.status != ExamStatus.PUBLISHED:
        abort(404)
    data = results.scores_workbook(db.session, exam, tz=current_app.config["TIMEZONE"])
    return send_file(BytesIO(data), mimetype=results.XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"{exam.title}-成绩.xlsx")


@bp.get("/exams/<int:exam_id>/result")
@roles_required(Role.TRAINEE)
def mine(exam_id: int):
    """The current trainee's own result; nothing of it before the organizer releases it."""
    exam = db.get_or_404(Exam, exam_id)
    if exam.status != ExamStatus.PUBLISHED or not exams.is_enrolled(
            db.session, exam.training_class, current_user):
        abort(404)
    result = results.trainee_result(db.session, exam=exam, trainee=current_user)
    return render_template("results/mine.html", exam=exam, result=result,
                           released=results.is_released(exam), type_labels=exams.TYPE_LABELS)
