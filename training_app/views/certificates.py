"""Certificates (结业证书、优秀学员证书): settings, preview, batch PDFs, revocation, trainees'
downloads and the public verification page ``/verify/<code>``."""
from __future__ import annotations

from io import BytesIO

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

from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.certificates import (
    BATCH_STATUS_LABELS,
    DESIGN_LABELS,
    IMAGE_KIND_LABELS,
    KIND_LABELS,
    MODE_LABELS,
    ORDER_LABELS,
    PHASE_LABELS,
    STATE_LABELS,
    STOCK_LABELS,
    BatchForm,
    ImageForm,
    ImagePositionForm,
    ReasonForm,
    SettingsForm,
    StockForm,
)
from training_app.jobs import certificate_images_dir, certificate_storage, enqueue_certificate_batch
from training_app.models import (
    Certificate,
    CertificateBatch,
    CertificateImage,
    Role,
    TrainingClass,
    utcnow,
)
from training_app.permissions import STAFF, roles_required
from training_app.services import certificate_batches, certificates
from training_app.services.certificate_render import STOCK_FIELD_NAMES, stock_layout
from training_app.views.helpers import apply, flash_form_errors

bp = Blueprint("certificates", __name__)

LIST_LIMIT = 300


def _base_url() -> str:
    return current_app.config.get("CERTIFICATE_VERIFY_BASE_URL") or request.host_url


def _pdf(data: bytes, name: str, *, inline: bool = False):
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=not inline,
                     download_name=name)


# --- the class's certificates page -------------------------------------------------------------

@bp.get("/classes/<int:class_id>/certificates")
@roles_required(*STAFF)
def index(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    issued = certificates.class_certificates(db.session, training_class)
    query = (request.args.get("q") or "").strip()
    shown = [c for c in issued if not query or query in c.values["name"] or query in c.serial]
    entitled = {kind: certificates.recipients(db.session, training_class, kind)
                for kind in KIND_LABELS}
    counts = {kind: {"entitled": len(entitled[kind]),
                     "valid": sum(1 for c in issued if c.kind == kind and c.is_valid),
                     "revoked": sum(1 for c in issued if c.kind == kind and not c.is_valid)}
              for kind in KIND_LABELS}
    people = choices([(0, _("示例姓名"))] + [(r.user.id, r.name) for r in entitled["completion"]])
    return render_template(
        "certificates/index.html", training_class=training_class, counts=counts,
        certificates=shown[:LIST_LIMIT], total_shown=len(shown), limit=LIST_LIMIT, query=query,
        batches=certificate_batches.batches_of_class(db.session, training_class),
        batch_form=BatchForm(), reason_form=ReasonForm(), people=people,
        kind_labels=KIND_LABELS, state_labels=STATE_LABELS, order_labels=ORDER_LABELS,
        mode_labels=MODE_LABELS, batch_status_labels=BATCH_STATUS_LABELS,
        phase_labels=PHASE_LABELS, status_of=certificate_batches.status)


@bp.route("/classes/<int:class_id>/certificates/settings", methods=["GET", "POST"])
@roles_required(*STAFF)
def settings(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    current = certificates.settings_for(db.session, training_class)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "serial_pattern", "completion_design", "outstanding_design", "issuers", "issue_date",
            "custom_html", "custom_css")}
        if apply(lambda: certificates.update_settings(
                db.session, training_class=training_class, values=values, actor=current_user,
                now=utcnow()), _("证书设置已保存。")):
            return redirect(url_for("certificates.settings", class_id=class_id))
    else:
        flash_form_errors(form)
    layout = stock_layout(current.stock_layout)
    stock_form = StockForm(obj=current)
    for name in STOCK_FIELD_NAMES:
        for key in ("x", "y", "size", "show"):
            getattr(stock_form, f"{name}_{key}").data = layout[name][key]
    images = certificates.class_images(db.session, training_class)
    position_forms = {i.id: ImagePositionForm(obj=i, prefix=f"image{i.id}") for i in images}
    return render_template(
        "certificates/settings.html", training_class=training_class, form=form,
        stock_form=stock_form, image_form=ImageForm(), images=images,
        position_forms=position_forms, stock_fields=STOCK_FIELD_NAMES,
        stock_labels=STOCK_LABELS, image_kind_labels=IMAGE_KIND_LABELS,
        design_labels=DESIGN_LABELS,
        default_issuers=certificates.default_issuers(training_class))


@bp.post("/classes/<int:class_id>/certificates/stock")
@roles_required(*STAFF)
def stock(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = StockForm()
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "stock_width_mm", "stock_height_mm", "stock_offset_x_mm", "stock_offset_y_mm")}
        values["stock_layout"] = {name: {key: getattr(form, f"{name}_{key}").data
                                         for key in ("x", "y", "size", "show")}
                                  for name in STOCK_FIELD_NAMES}
        apply(lambda: certificates.update_settings(
            db.session, training_class=training_class, values=values, actor=current_user,
            now=utcnow()), _("套打设置已保存。"))
    else:
        flash_form_errors(form)
    return redirect(url_for("certificates.settings", class_id=class_id) + "#stock")


@bp.post("/classes/<int:class_id>/certificates/images")
@roles_required(*STAFF)
def add_image(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = ImageForm()
    if form.validate_on_submit():
        apply(lambda: certificates.add_image(
            db.session, training_class=training_class, kind=form.kind.data,
            label=form.label.data, data=form.file.data.read(), x_mm=form.x_mm.data,
            y_mm=form.y_mm.data, width_mm=form.width_mm.data,
            on_completion=form.on_completion.data, on_outstanding=form.on_outstanding.data,
            images_dir=certificate_images_dir(current_app), actor=current_user, now=utcnow()),
            _("图片已上传。"))
    else:
        flash_form_errors(form)
    return redirect(url_for("certificates.settings", class_id=class_id) + "#images")


@bp.post("/certificates/images/<int:image_id>")
@roles_required(*STAFF)
def update_image(image_id: int):
    image = db.get_or_404(CertificateImage, image_id)
    form = ImagePositionForm(prefix=f"image{image.id}")
    if form.validate_on_submit():
        apply(lambda: certificates.update_image(
            db.session, image=image, x_mm=form.x_mm.data, y_mm=form.y_mm.data,
            width_mm=form.width_mm.data, on_completion=form.on_completion.data,
            on_outstanding=form.on_outstanding.data, active=form.active.data,
            actor=current_user, now=utcnow()), _("图片位置已保存。"))
    else:
        flash_form_errors(form)
    return redirect(url_for("certificates.settings", class_id=image.class_id) + "#images")


@bp.get("/certificates/images/<int:image_id>.png")
@roles_required(*STAFF)
def image(image_id: int):
    image = db.get_or_404(CertificateImage, image_id)
    path = certificate_images_dir(current_app) / image.stored_name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/png")


@bp.get("/classes/<int:class_id>/certificates/preview.pdf")
@roles_required(*STAFF)
def preview(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    kind = request.args.get("kind", "completion")
    if kind not in KIND_LABELS:
        abort(404)
    user_id = request.args.get("user_id", type=int)
    person = next((r for r in certificates.recipients(db.session, training_class, kind)
                   if r.user.id == user_id), None)
    data = certificates.preview_pdf(
        db.session, training_class=training_class, kind=kind, person=person,
        verify_base_url=_base_url(), images_dir=certificate_images_dir(current_app),
        stock=request.args.get("stock") == "1")
    return _pdf(data, "preview.pdf", inline=True)


@bp.get("/classes/<int:class_id>/certificates/calibration.pdf")
@roles_required(*STAFF)
def calibration(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    return _pdf(certificates.calibration_pdf(db.session, training_class=training_class),
                "calibration.pdf", inline=True)


# --- batches -----------------------------------------------------------------------------------

@bp.post("/classes/<int:class_id>/certificates/batches")
@roles_required(*STAFF)
def start_batch(class_id: int):
    training_class = db.get_or_404(TrainingClass, class_id)
    form = BatchForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("certificates.index", class_id=class_id))
    outcome = apply(lambda: certificate_batches.create_batch(
        db.session, training_class=training_class, kind=form.kind.data, order=form.order.data,
        mode=form.mode.data, actor=current_user, now=utcnow(), verify_base_url=_base_url()),
        None)
    if not outcome:
        return redirect(url_for("certificates.index", class_id=class_id))
    batch = outcome.result
    # The job reads the committed batch row: queue it after apply's commit, then say so.
    enqueue_certificate_batch(batch)
    flash(_("已开始生成证书PDF，完成后可下载。"), "success")
    return redirect(url_for("certificates.index", class_id=class_id) + f"#batch-{batch.id}")


@bp.get("/certificates/batches/<int:batch_id>/status")
@roles_required(*STAFF)
def batch_status(batch_id: int):
    batch = db.get_or_404(CertificateBatch, batch_id)
    data = certificate_batches.status(batch)
    data["label"] = str(BATCH_STATUS_LABELS[batch.status])
    data["phase_label"] = str(PHASE_LABELS.get(batch.phase, ""))
    data["download_url"] = (url_for("certificates.batch_pdf", batch_id=batch.id)
                            if batch.status == "done" else None)
    return jsonify(data)


@bp.get("/certificates/batches/<int:batch_id>.pdf")
@roles_required(*STAFF)
def batch_pdf(batch_id: int):
    batch = db.get_or_404(CertificateBatch, batch_id)
    path = certificate_batches.file_of(batch, certificate_storage(current_app))
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"certificates-{batch.class_id}-{batch.kind}-{batch.id}.pdf")


# --- one certificate ---------------------------------------------------------------------------

@bp.get("/certificates/<int:certificate_id>.pdf")
@roles_required(*STAFF)
def certificate_pdf(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    data = certificates.certificate_pdf(certificate,
                                        images_dir=certificate_images_dir(current_app))
    return _pdf(data, f"{certificate.serial}.pdf")


@bp.post("/certificates/<int:certificate_id>/revoke")
@roles_required(*STAFF)
def revoke(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if form.validate_on_submit():
        apply(lambda: certificates.revoke(db.session, certificate=certificate,
                                          reason=form.reason.data, actor=current_user,
                                          now=utcnow()),
              _("证书 %(serial)s 已撤销。", serial=certificate.serial))
    else:
        flash(_("撤销证书须填写原因。"), "danger")
    return redirect(url_for("certificates.index", class_id=certificate.class_id))


@bp.post("/certificates/<int:certificate_id>/reissue")
@roles_required(*STAFF)
def reissue(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if form.validate_on_submit():
        apply(lambda: certificates.reissue(
            db.session, certificate=certificate, reason=form.reason.data, actor=current_user,
            now=utcnow(), verify_base_url=_base_url()), _("已重新颁发证书（新编号）。"))
    else:
        flash(_("重新颁发须填写原因。"), "danger")
    return redirect(url_for("certificates.index", class_id=certificate.class_id))


# --- trainees ----------------------------------------------------------------------------------

@bp.get("/my/certificates")
@roles_required(Role.TRAINEE)
def mine():
    return render_template("certificates/mine.html",
                           certificates=certificates.certificates_of_user(db.session, current_user),
                           kind_labels=KIND_LABELS)


@bp.get("/my/certificates/<int:certificate_id>.pdf")
@roles_required(Role.TRAINEE)
def my_pdf(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    if certificate.user_id != current_user.id or not certificate.is_valid:
        abort(404)
    data = certificates.certificate_pdf(certificate,
                                        images_dir=certificate_images_dir(current_app))
    return _pdf(data, f"{certificate.serial}.pdf")


# --- public verification -----------------------------------------------------------------------

@bp.get("/verify")
def verify_lookup():
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("certificates.verify", code=code))
    return render_template("certificates/verify.html", result=None, searched=False)


@bp.get("/verify/<code>")
def verify(code: str):
    certificate = certificates.by_code(db.session, code)
    result = certificates.verification(certificate) if certificate else None
    return render_template("certificates/verify.html", result=result, searched=True,
                           kind_labels=KIND_LABELS), (200 if result else 404)
