"""Question banks and exams: organizers build and run them, trainees take them."""
from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from io import BytesIO

import question_bank as qb
from training_app.db_setup import takes_write_lock
from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.exams import POLICY_LABELS, BankForm, BankImportForm, ExamForm, ExtendForm
from training_app.forms.auth import EmptyForm
from training_app.i18n import translate_error
from training_app.models import Attempt, Exam, QuestionBank, Role, TrainingClass, utcnow
from training_app.permissions import STAFF, roles_required
from training_app.services import exams
from training_app.services.errors import DomainError
from training_app.timeutil import local_to_utc
from training_app.views.helpers import flash_error, flash_form_errors

bp = Blueprint("exams", __name__)

EXPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "gift": "text/plain; charset=utf-8", "xml": "application/xml"}


# --- banks (organizers) ------------------------------------------------------------------------

@bp.route("/banks/", methods=["GET", "POST"])
@roles_required(*STAFF)
def banks():
    form = BankForm()
    form.class_id.choices = choices([(0, _("共享题库（各班通用）"))] + [
        (c.id, c.title) for c in db.session.scalars(
            db.select(TrainingClass).order_by(TrainingClass.start_date.desc()))])
    if form.validate_on_submit():
        try:
            owner = db.session.get(TrainingClass, form.class_id.data) if form.class_id.data else None
            bank = exams.create_bank(db.session, name=form.name.data, training_class=owner,
                                     actor=current_user, now=utcnow())
        except DomainError as error:
            flash_error(error)
        else:
            db.session.commit()
            return redirect(url_for("exams.bank", bank_id=bank.id))
    all_banks = db.session.scalars(db.select(QuestionBank).order_by(QuestionBank.name)).all()
    return render_template("exams/banks.html", banks=all_banks, form=form)


@bp.route("/banks/<int:bank_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def bank(bank_id: int):
    bank = db.get_or_404(QuestionBank, bank_id)
    form = BankImportForm()
    issues: list[qb.ImportIssue] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            questions = qb.import_bytes(upload.read(), Path(upload.filename).name)
            counts = exams.import_questions(db.session, bank=bank, questions=questions,
                                            actor=current_user, now=utcnow())
        except qb.ImportFailed as failure:
            issues = list(failure.issues)
            flash(_("导入失败：文件中有%(n)s处错误，未导入任何题目。", n=len(issues)), "danger")
        except (qb.UnsupportedFormat, DomainError) as error:
            flash(translate_error(error) if isinstance(error, DomainError) else str(error), "danger")
        else:
            db.session.commit()
            flash(_("已导入：单选%(s)s题，多选%(m)s题，简答%(q)s题。", s=counts.get("single", 0),
                    m=counts.get("multiple", 0), q=counts.get("short", 0)), "success")
            return redirect(url_for("exams.bank", bank_id=bank.id))
    flash_form_errors(form)
    return render_template("exams/bank.html", bank=bank, form=form, issues=issues,
                           questions=exams.bank_questions(bank))


@bp.get("/banks/<int:bank_id>/export.<fmt>")
@roles_required(*STAFF)
def export_bank(bank_id: int, fmt: str):
    bank = db.get_or_404(QuestionBank, bank_id)
    if fmt not in EXPORT_TYPES:
        abort(404)
    data = qb.export_bytes(exams.bank_questions(bank), f"bank.{fmt}")
    return send_file(BytesIO(data), mimetype=EXPORT_TYPES[fmt], as_attachment=True,
                     download_name=f"{bank.name}.{fmt}")


@bp.get("/banks/template.xlsx")
@roles_required(*STAFF)
def bank_template():
    return send_file(BytesIO(qb.template_workbook()), mimetype=EXPORT_TYPES["xlsx"],
                     as_attachment=True, download_name="题库导入模板.xlsx")


# --- exams (organizers) ------------------------------------------------------------------------

@bp.route("/classes/<int:class_id>/exams", methods=["GET", "POST"])
@roles_required(*STAFF)
def class_exams(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = ExamForm()
    form.bank_id.choices = choices((b.id, b.name) for b in db.session.scalars(
        db.select(QuestionBank).where(QuestionBank.class_id.in_([class_id]) |
                                      QuestionBank.class_id.is_(None))
        .order_by(QuestionBank.name)))
    if form.validate_on_submit():
        tz = current_app.config["TIMEZONE"]
        try:
            exam = exams.create_exam(
                db.session, training_class=training_class,
                bank=db.get_or_404(QuestionBank, form.bank_id.data), title=form.title.data,
                window_start=local_to_utc(form.window_start.data, tz),
                window_end=local_to_utc(form.window_end.data, tz),
                duration_minutes=form.duration_minutes.data,
                multiple_policy=form.multiple_policy.data, actor=current_user, now=utcnow())
        except DomainError as error:
            flash_error(error)
        else:
            db.session.commit()
            return redirect(url_for("exams.manage", exam_id=exam.id))
    flash_form_errors(form)
    class_exam_list = db.session.scalars(db.select(Exam).where(Exam.class_id == class_id)).all()
    return render_template("exams/class_exams.html", training_class=training_class,
                           exams=class_exam_list, form=form)


@bp.get("/exams/<int:exam_id>")
@roles_required(*STAFF)
def manage(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    paper, problems = None, None
    if exam.status == "published":
        paper = exams.published_paper(exam)
    else:
        try:
            paper = exams.preview_paper(db.session, exam)
        except DomainError as error:
            problems = translate_error(error)
    return render_template("exams/manage.html", exam=exam, paper=paper, problems=problems,
                           policy_label=POLICY_LABELS.get(exam.multiple_policy, ""),
                           action_form=EmptyForm())


@bp.post("/exams/<int:exam_id>/<any(publish, open, close):action>")
@roles_required(*STAFF)
def change(exam_id: int, action: str):
    exam = db.get_or_404(Exam, exam_id)
    if EmptyForm().validate_on_submit():
        try:
            if action == "publish":
                exams.publish_exam(db.session, exam=exam, actor=current_user, now=utcnow())
            else:
                exams.set_open(db.session, exam=exam, is_open=action == "open",
                               actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("操作成功。"), "success")
    return redirect(url_for("exams.manage", exam_id=exam.id))


@bp.get("/exams/<int:exam_id>/monitor")
@takes_write_lock  # it writes (see db_setup): the write lock first on SQLite
@roles_required(*STAFF)
def monitor(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    now = utcnow()
    exams.finalize_expired(db.session, exam=exam, now=now)
    db.session.commit()
    rows = exams.monitor(db.session, exam=exam, now=now,
                         trainees=exams.approved_trainee_users(db.session, exam.training_class))
    counts = {state: sum(1 for r in rows if r.state == state)
              for state in ("not_started", "in_progress", "submitted")}
    return render_template("exams/monitor.html", exam=exam, rows=rows, counts=counts,
                           extend_form=ExtendForm(), question_count=len(exam.questions))


@bp.post("/attempts/<int:attempt_id>/extend")
@roles_required(*STAFF)
def extend(attempt_id: int):
    attempt = db.get_or_404(Attempt, attempt_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            exams.extend_time(db.session, attempt=attempt, minutes=form.minutes.data,
                              actor=current_user, now=utcnow())
        except DomainError as error:
            flash_error(error)
        else:
            db.session.commit()
            flash(_("已为%(name)s延长%(n)s分钟。", name=attempt.trainee.display_name,
                    n=form.minutes.data), "success")
    flash_form_errors(form)
    return redirect(url_for("exams.monitor", exam_id=attempt.exam_id))


# --- taking the exam (trainees) ----------------------------------------------------------------

def _own_attempt(attempt_id: int) -> Attempt:
    """The attempt, only for the trainee who owns it (404 for anyone else: ids are not hints)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.trainee_id != current_user.id:
        abort(404)
    return attempt


def _json_error(error: DomainError, status: int):
    return jsonify(ok=False, error=translate_error(error)), status


@bp.get("/exams/<int:exam_id>/take")
@takes_write_lock  # it writes (see db_setup): the write lock first on SQLite
@roles_required(Role.TRAINEE)
def take(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    now = utcnow()
    attempt = exams.find_attempt(db.session, exam=exam, trainee=current_user)
    if attempt is None:
        check = exams.start_check(db.session, exam=exam, trainee=current_user, now=now)
        return render_template("exams/start.html", exam=exam, check=check,
                               reason=_(check.reason, **(check.params or {})) if check.reason else "",
                               action_form=EmptyForm())
    if exams.is_closed(attempt, now) and attempt.submitted_at is None:
        exams.submit_attempt(db.session, attempt=attempt, now=now, auto=True)
        db.session.commit()
    if attempt.submitted_at is not None:
        return render_template("exams/submitted.html", exam=exam, attempt=attempt)
    paper = exams.trainee_paper(attempt)
    by_code = {q.data["code"]: q for q in exam.questions}
    answers = exams.saved_answers(db.session, attempt)
    items = [(item, by_code[item.question.code]) for item in paper.items]
    return render_template(
        "exams/take.html", exam=exam, attempt=attempt, items=items, answers=answers,
        remaining=exams.remaining_seconds(attempt, now), type_labels=exams.TYPE_LABELS,
        manual_url=_manual_url(exam))


def _manual_url(exam: Exam) -> str | None:
    return url_for("exams.manual", exam_id=exam.id) if exam.manual_version_id else None


@bp.get("/exams/<int:exam_id>/manual")
@roles_required(Role.TRAINEE)
def manual(exam_id: int):
    """The approved manual the paper was published against: the exam is open-book (开卷)."""
    from training_app.models.manual import ManualVersion
    from training_app.services import manuals
    from training_app.views.manuals import upload_dir

    exam = db.get_or_404(Exam, exam_id)
    if exam.manual_version_id is None or not exams.is_enrolled(db.session, exam.training_class,
                                                                current_user):
        abort(404)
    version = db.get_or_404(ManualVersion, exam.manual_version_id)
    path = manuals.pdf_path(upload_dir(), version)
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf",
                     download_name=f"{exam.training_class.title}-培训教材.pdf")


@bp.post("/exams/<int:exam_id>/start")
@roles_required(Role.TRAINEE)
def start(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    if EmptyForm().validate_on_submit():
        try:
            exams.start_attempt(db.session, exam=exam, trainee=current_user, now=utcnow())
        except DomainError as error:
            flash_error(error)
        else:
            db.session.commit()
    return redirect(url_for("exams.take", exam_id=exam.id))


@bp.get("/attempts/<int:attempt_id>/state")
@roles_required(Role.TRAINEE)
def state(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    answers = exams.saved_answers(db.session, attempt)
    return jsonify(
        ok=True, submitted=attempt.submitted_at is not None,
        remaining_seconds=exams.remaining_seconds(attempt, now),
        answers={str(qid): {"response": a.response, "seq": a.seq} for qid, a in answers.items()})


@bp.post("/attempts/<int:attempt_id>/answers")
@roles_required(Role.TRAINEE)
def save(attempt_id: int):
    payload = request.get_json(silent=True)
    question_id = payload.get("question_id") if isinstance(payload, dict) else None
    attempt, question = exams.load_for_save(db.session, attempt_id=attempt_id,
                                            question_id=question_id)
    if attempt is None or attempt.trainee_id != current_user.id:
        abort(404)
    if not isinstance(question_id, int):
        return jsonify(ok=False, error=_("请求格式错误。")), 400
    now = utcnow()
    try:
        stored = exams.save_answer(db.session, attempt=attempt, question_id=question_id,
                                   question=question, response=payload.get("response"),
                                   seq=payload.get("seq"), now=now)
    except exams.ExamClosed as error:
        return _json_error(error, 409)
    except DomainError as error:
        return _json_error(error, 422)
    remaining = exams.remaining_seconds(attempt, now)  # before commit expires the attempt
    db.session.commit()
    return jsonify(ok=True, stored=stored, remaining_seconds=remaining)


@bp.post("/attempts/<int:attempt_id>/submit")
@roles_required(Role.TRAINEE)
def submit(attempt_id: int):
    """Submit; the form carries every answer too, so the page works without JavaScript."""
    attempt = _own_attempt(attempt_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    now = utcnow()
    if not exams.is_closed(attempt, now):
        try:
            exams.save_form_answers(db.session, attempt=attempt, form=request.form, now=now)
        except DomainError as error:
            flash_error(error)
            return redirect(url_for("exams.take", exam_id=attempt.exam_id))
    # The page's timer sends auto=1 at zero; honoured only once the server's deadline is reached.
    timer_expired = request.form.get("auto") == "1" and now >= attempt.deadline - exams.CLOCK_SKEW
    exams.submit_attempt(db.session, attempt=attempt, now=now, auto=timer_expired)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ok=True, submitted=True)
    flash(_("已交卷。"), "success")
    return redirect(url_for("exams.take", exam_id=attempt.exam_id))
