"""Notices (预备通知 / 培训通知): draft, edit, submit, sponsor review, page and PDF.

Publishing is a lifecycle transition of the class (classes.transition)."""
from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training_app.extensions import db
from training_app.forms.auth import EmptyForm
from training_app.forms.classes import STATUS_LABELS
from training_app.forms.manuals import ReviewForm
from training_app.forms.notices import (
    ISSUER_LABELS,
    KIND_LABELS,
    NOTICE_STATUS_LABELS,
    NewNoticeForm,
    NoticeForm,
)
from training_app.models import (
    ClassStatus,
    Notice,
    NoticeKind,
    NoticeStatus,
    Role,
    TrainingClass,
    utcnow,
)
from training_app.permissions import STAFF, any_user, roles_required
from training_app.services import classes, notices
from training_app.services.errors import DomainError
from training_app.views.helpers import apply, flash_error, flash_form_errors

bp = Blueprint("notices", __name__)

# The transition that publishes each kind of notice.
PUBLISH_TRANSITION = {NoticeKind.PRELIMINARY.value: "publish_preliminary",
                      NoticeKind.FORMAL.value: "open_registration"}
PUBLISHABLE_FROM = {NoticeKind.PRELIMINARY.value: {ClassStatus.DRAFT.value},
                    NoticeKind.FORMAL.value: {ClassStatus.DRAFT.value,
                                              ClassStatus.PRELIMINARY.value}}


def _readable(notice_id: int) -> Notice:
    notice = db.get_or_404(Notice, notice_id)
    if not notices.can_read(current_user, notice):
        abort(404)
    return notice


def _back(notice: Notice):
    return redirect(url_for("notices.show", notice_id=notice.id))


@bp.post("/classes/<int:class_id>/notices")
@roles_required(*STAFF)
def create(class_id: int):
    c = db.get_or_404(TrainingClass, class_id)
    form = NewNoticeForm()
    if form.validate_on_submit():
        try:
            notice = notices.draft_notice(db.session, training_class=c, kind=form.kind.data,
                                          issuers=form.issuers.data, actor=current_user,
                                          now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("通知草稿已生成，请核对并填写培训目的。"), "success")
            return redirect(url_for("notices.edit", notice_id=notice.id))
    flash_form_errors(form)
    return redirect(url_for("classes.detail", class_id=c.id))


@bp.get("/notices/<int:notice_id>")
@any_user
def show(notice_id: int):
    notice = _readable(notice_id)
    c = notice.training_class
    manage = classes.can_manage(current_user)
    publishable = (manage and notice.status == NoticeStatus.APPROVED.value
                   and c.status in PUBLISHABLE_FROM[notice.kind])
    return render_template(
        "notices/show.html", notice=notice, training_class=c,
        content=notices.current_content(db.session, notice, now=utcnow()),
        can_manage=manage, can_review=classes.is_class_sponsor(current_user, c),
        publish_transition=PUBLISH_TRANSITION[notice.kind] if publishable else None,
        review_form=ReviewForm(), action_form=EmptyForm(), kind_labels=KIND_LABELS,
        issuer_labels=ISSUER_LABELS, status_labels=NOTICE_STATUS_LABELS,
        class_status_labels=STATUS_LABELS)


@bp.get("/notices/<int:notice_id>/pdf")
@any_user
def pdf(notice_id: int):
    notice = _readable(notice_id)
    content = notices.current_content(db.session, notice, now=utcnow())
    filename = quote(f"{content['title']}.pdf")
    return notices.notice_pdf(content), 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f"inline; filename=\"notice-{notice.id}.pdf\"; "
                               f"filename*=UTF-8''{filename}"}


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(notice_id: int):
    notice = db.get_or_404(Notice, notice_id)
    form = NoticeForm(obj=notice)
    if form.validate_on_submit():
        try:
            was_approved = notice.status == NoticeStatus.APPROVED.value
            notices.update_notice(db.session, notice=notice, purpose=form.purpose.data,
                                  issuers=form.issuers.data,
                                  document_number=form.document_number.data,
                                  actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("通知已保存。"), "success")
            if was_approved and notice.status == NoticeStatus.DRAFT.value:
                flash(_("通知已修改，需要重新提交主办方审批。"), "warning")
            return _back(notice)
    flash_form_errors(form)
    return render_template("notices/edit.html", form=form, notice=notice,
                           training_class=notice.training_class, kind_labels=KIND_LABELS)


@bp.post("/notices/<int:notice_id>/submit")
@roles_required(*STAFF)
def submit(notice_id: int):
    notice = db.get_or_404(Notice, notice_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: notices.submit_notice(db.session, notice=notice, actor=current_user,
                                            now=utcnow()), _("已提交主办方审批。"))
    return _back(notice)


@bp.post("/notices/<int:notice_id>/review")
@roles_required(Role.SPONSOR)
def review(notice_id: int):
    notice = db.get_or_404(Notice, notice_id)
    form = ReviewForm()
    if form.validate_on_submit():
        decide = notices.return_notice if form.reject.data else notices.approve_notice
        apply(lambda: decide(db.session, notice=notice, comment=form.comment.data,
                             actor=current_user, now=utcnow()),
              _("通知已退回。") if form.reject.data else _("通知已批准。"))
    return redirect(url_for("notices.show", notice_id=notice.id)
                    if notices.can_read(current_user, notice) else url_for("classes.index"))
