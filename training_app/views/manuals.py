"""The training manual (培训教材): versions, chapters, upload, Markdown import, approval."""
from pathlib import Path

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
from flask_login import current_user

from training_app.extensions import csrf, db
from training_app.forms.auth import EmptyForm
from training_app.forms.manuals import (
    EXTRA_CHAPTER_ROWS,
    REVIEW_STATUS_LABELS,
    ChaptersForm,
    ImportMarkdownForm,
    ReviewForm,
    UploadManualForm,
)
from training_app.models import ManualVersion, ReviewStatus, Role, TrainingClass, utcnow
from training_app.permissions import STAFF, roles_required
from training_app.services import classes, manuals
from training_app.services.errors import DomainError
from training_app.views.helpers import apply, flash_error, flash_form_errors

bp = Blueprint("manuals", __name__)

READERS = (*STAFF, Role.SPONSOR, Role.LECTURER)


def upload_dir() -> Path:
    return manuals.upload_directory(current_app.instance_path)


def max_bytes() -> int:
    return int(current_app.config.get("MANUAL_MAX_BYTES", manuals.MANUAL_MAX_BYTES))


def _version(version_id: int) -> ManualVersion:
    version = db.get_or_404(ManualVersion, version_id)
    if not classes.is_related(current_user, version.manual.training_class):
        abort(404)
    return version


def _back(version: ManualVersion):
    return redirect(url_for("manuals.show", class_id=version.manual.class_id))


@bp.get("/classes/<int:class_id>/manual")
@roles_required(*READERS)
def show(class_id: int):
    c = db.get_or_404(TrainingClass, class_id)
    if not classes.is_related(current_user, c):
        abort(404)
    versions = manuals.list_versions(db.session, c)
    latest = versions[0] if versions else None
    chapters_form = None
    if latest is not None and latest.status == ReviewStatus.DRAFT.value:
        chapters_form = ChaptersForm(data={"chapters": [
            {"number": ch.number, "title": ch.title, "page_from": ch.page_from,
             "page_to": ch.page_to} for ch in latest.chapters]})
        for _i in range(EXTRA_CHAPTER_ROWS):
            chapters_form.chapters.append_entry()
    return render_template(
        "manuals/show.html", training_class=c, versions=versions, latest=latest,
        approved=manuals.approved_manual_version(db.session, c),
        can_manage=classes.can_manage(current_user),
        can_review=classes.is_class_sponsor(current_user, c),
        upload_form=UploadManualForm(), import_form=ImportMarkdownForm(),
        chapters_form=chapters_form, review_form=ReviewForm(), action_form=EmptyForm(),
        status_labels=REVIEW_STATUS_LABELS, max_mb=max_bytes() // (1024 * 1024))


@bp.post("/classes/<int:class_id>/manual/upload")
@roles_required(*STAFF)
@csrf.exempt  # checked below, after raising the body limit for a 50 MB PDF
def upload(class_id: int):
    request.max_content_length = max_bytes() + 64 * 1024  # the file plus the other fields
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    c = db.get_or_404(TrainingClass, class_id)
    form = UploadManualForm()
    if form.validate_on_submit():
        try:
            version = manuals.upload_pdf(
                db.session, training_class=c, stream=form.pdf.data.stream,
                filename=form.pdf.data.filename or "manual.pdf", directory=upload_dir(),
                note=form.note.data, max_bytes=max_bytes(), actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("已上传第%(n)s版教材PDF。", n=version.number), "success")
    flash_form_errors(form)
    return redirect(url_for("manuals.show", class_id=c.id))


@bp.post("/classes/<int:class_id>/manual/markdown")
@roles_required(*STAFF)
def import_markdown(class_id: int):
    c = db.get_or_404(TrainingClass, class_id)
    form = ImportMarkdownForm()
    if form.validate_on_submit():
        try:
            text = manuals.decode_markdown(form.markdown.data.read(manuals.MARKDOWN_MAX_BYTES + 1))
            version = manuals.import_markdown(
                db.session, training_class=c, text=text,
                directory=upload_dir() if form.render_pdf.data else None,
                filename=form.markdown.data.filename or "manual.md",
                actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("已导入%(n)s章。", n=len(version.chapters)), "success")
    flash_form_errors(form)
    return redirect(url_for("manuals.show", class_id=c.id))


@bp.post("/classes/<int:class_id>/manual/new-version")
@roles_required(*STAFF)
def new_version(class_id: int):
    c = db.get_or_404(TrainingClass, class_id)
    if EmptyForm().validate_on_submit():
        try:
            version = manuals.open_draft(db.session, training_class=c, actor=current_user,
                                         now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("第%(n)s版可以编辑了。", n=version.number), "success")
    return redirect(url_for("manuals.show", class_id=c.id))


@bp.post("/manual-versions/<int:version_id>/chapters")
@roles_required(*STAFF)
def chapters(version_id: int):
    version = _version(version_id)
    form = ChaptersForm()
    if form.validate_on_submit():
        try:
            manuals.set_chapters(db.session, version=version, actor=current_user, now=utcnow(),
                                 chapters=[row.data for row in form.chapters])
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("章节已保存。"), "success")
    flash_form_errors(form)
    return _back(version)


@bp.post("/manual-versions/<int:version_id>/submit")
@roles_required(*STAFF)
def submit(version_id: int):
    version = _version(version_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: manuals.submit_version(db.session, version=version, actor=current_user,
                                             now=utcnow()), _("已提交主办方审批。"))
    return _back(version)


@bp.post("/manual-versions/<int:version_id>/review")
@roles_required(Role.SPONSOR)
def review(version_id: int):
    version = db.get_or_404(ManualVersion, version_id)
    form = ReviewForm()
    if form.validate_on_submit():
        decide = manuals.return_version if form.reject.data else manuals.approve_version
        apply(lambda: decide(db.session, version=version, comment=form.comment.data,
                             actor=current_user, now=utcnow()),
              _("教材已退回。") if form.reject.data else _("教材已批准。"))
    return _back(version)


@bp.get("/manual-versions/<int:version_id>/pdf")
@roles_required(*READERS)
def pdf(version_id: int):
    version = _version(version_id)
    path = manuals.pdf_path(upload_dir(), version)
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=(
        f"{version.manual.training_class.title}-培训教材-第{version.number}版.pdf"))
