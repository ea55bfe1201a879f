"""Units (单位): admins and organizers manage them."""
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training_app.extensions import db
from training_app.forms.units import UNIT_KIND_LABELS, UnitForm
from training_app.models import Unit, utcnow
from training_app.permissions import STAFF, roles_required
from training_app.services import units
from training_app.views.helpers import apply

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.get("/")
@roles_required(*STAFF)
def index():
    return render_template("units/list.html", units=units.list_units(db.session),
                  kind_labels=UNIT_KIND_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def create():
    form = UnitForm()
    if form.validate_on_submit() and apply(lambda: units.create_unit(
            db.session, name=form.name.data, kind=form.kind.data,
            contact_person=form.contact_person.data, phone=form.phone.data, actor=current_user,
            now=utcnow()), _("单位已创建。")):
        return redirect(url_for("units.index"))
    return render_template("units/form.html", form=form, unit=None)


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    form = UnitForm(obj=unit)
    if form.validate_on_submit() and apply(lambda: units.update_unit(
            db.session, unit=unit, name=form.name.data, kind=form.kind.data,
            contact_person=form.contact_person.data, phone=form.phone.data, actor=current_user,
            now=utcnow()), _("单位已保存。")):
        return redirect(url_for("units.index"))
    return render_template("units/form.html", form=form, unit=unit)
