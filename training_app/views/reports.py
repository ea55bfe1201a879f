"""Issue 9: the compliance score (标准化量化赋分), credit-hour records (学时档案), dashboards."""
from __future__ import annotations

from io import BytesIO

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from training_app.db_setup import takes_write_lock
from training_app.extensions import db
from training_app.forms.auth import EmptyForm
from training_app.models import Role, TrainingClass, Unit, utcnow
from training_app.permissions import STAFF, roles_required
from training_app.services import classes, compliance, credit_hours, dashboard
from training_app.services.pdf import CJK_A4_CSS, render_pdf
from training_app.forms.classes import STATUS_LABELS

bp = Blueprint("reports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _target() -> int:
    return int(current_app.config.get("CONTINUING_EDUCATION_HOURS",
                                      credit_hours.DEFAULT_TARGET_HOURS))


# --- compliance ----------------------------------------------------------------------------

@bp.get("/classes/<int:class_id>/compliance")
@takes_write_lock  # it writes (see db_setup): the write lock first on SQLite
@roles_required(*STAFF, Role.SPONSOR)
def compliance_page(class_id: int):
    c = db.get_or_404(TrainingClass, class_id)
    staff = classes.can_manage(current_user)
    if not staff and not classes.is_class_sponsor(current_user, c):
        abort(404)
    now = utcnow()
    score = compliance.evaluate(db.session, c, now)
    if staff:  # a staff visit keeps the score in the history when it changed
        compliance.record_snapshot(db.session, training_class=c, score=score, now=now)
        db.session.commit()
    return render_template("reports/compliance.html", training_class=c, score=score,
                           history=compliance.history(db.session, c), can_manage=staff,
                           form=EmptyForm())


@bp.post("/classes/<int:class_id>/compliance/snapshot")
@roles_required(*STAFF)
def compliance_snapshot(class_id: int):
    c = db.get_or_404(TrainingClass, class_id)
    now = utcnow()
    if EmptyForm().validate_on_submit():
        compliance.record_snapshot(db.session, training_class=c, now=now, force=True,
                                   score=compliance.evaluate(db.session, c, now))
        db.session.commit()
        flash(_("已记录当前得分。"), "success")
    return redirect(url_for("reports.compliance_page", class_id=c.id))


# --- credit hours -----------------------------------------------------------------------------

def _my_records():
    records = credit_hours.records_of(db.session, current_user)
    return records, credit_hours.yearly_totals(records, target=_target())


@bp.get("/my/credit-hours")
@roles_required(Role.TRAINEE)
def my_hours():
    records, totals = _my_records()
    return render_template("reports/my_hours.html", records=records, totals=totals,
                           target=_target())


@bp.get("/my/credit-hours.pdf")
@roles_required(Role.TRAINEE)
def my_hours_pdf():
    records, totals = _my_records()
    html = render_template("reports/my_hours_pdf.html", records=records, totals=totals,
                           target=_target(), css=CJK_A4_CSS, user=current_user)
    return send_file(BytesIO(render_pdf(html)), mimetype="application/pdf",
                     as_attachment=True, download_name="学时档案.pdf")


@bp.get("/units/<int:unit_id>/credit-hours.xlsx")
@roles_required(*STAFF)
def unit_hours_xlsx(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    year = request.args.get("year", type=int) or utcnow().year
    rows = credit_hours.unit_rows(db.session, unit, year=year, target=_target())
    labels = {"name": _("姓名"), "mobile": _("手机号"), "class": _("培训班"), "dates": _("日期"),
              "hours": _("学时"), "total": _("年度合计"), "target": _("年度目标"),
              "met": _("是否达标"), "yes": _("是"), "no": _("否")}
    data = credit_hours.unit_workbook(rows, unit=unit, year=year, labels=labels)
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"学时档案-{unit.name}-{year}.xlsx")


# --- dashboards --------------------------------------------------------------------------------

@bp.get("/dashboard/")
@roles_required(*STAFF)
def organizer_dashboard():
    now = utcnow()
    figures = [dashboard.class_figures(db.session, c, now)
               for c in classes.list_classes(db.session)]
    return render_template("reports/dashboard.html", figures=figures, status_labels=STATUS_LABELS,
                           units=db.session.scalars(db.select(Unit).order_by(Unit.name)).all(),
                           sponsor=False, versions=[], notices=[])


@bp.get("/dashboard/sponsor")
@roles_required(Role.SPONSOR)
def sponsor_dashboard():
    now = utcnow()
    figures = [dashboard.class_figures(db.session, c, now)
               for c in dashboard.sponsored_classes(db.session, current_user)]
    versions, notices = dashboard.pending_approvals(db.session, current_user)
    return render_template("reports/dashboard.html", figures=figures, status_labels=STATUS_LABELS,
                           units=[], sponsor=True, versions=versions, notices=notices)
