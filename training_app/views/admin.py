"""Accounts management (系统管理): admins create users, reset passwords, deactivate."""
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.admin import ROLE_LABELS, ResetPasswordForm, UserForm
from training_app.forms.auth import EmptyForm
from training_app.models import Role, Unit, User, utcnow
from training_app.permissions import roles_required
from training_app.services import accounts, units
from training_app.services.errors import N_, DomainError
from training_app.views.helpers import apply, flash_form_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.unit_id.choices = choices(
        [(0, _("（无）"))] + [(u.id, u.name) for u in units.list_units(db.session)])
    return form


def _unit(unit_id: int) -> Unit | None:
    return db.session.get(Unit, unit_id) if unit_id else None


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    return render_template("admin/users.html", users=accounts.list_users(db.session),
                  role_labels=ROLE_LABELS, action_form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_user():
    form = _user_form()
    if form.validate_on_submit():
        def create():
            # The form's password is optional (the edit page drops it); a new user needs one.
            if not form.password.data:
                raise DomainError(N_("请设置初始密码。"))
            accounts.create_user(
                db.session, username=form.username.data, display_name=form.display_name.data,
                password=form.password.data, roles=form.roles.data, mobile=form.mobile.data,
                unit=_unit(form.unit_id.data), must_change_password=True,
                actor=current_user, now=utcnow(),
            )

        if apply(create, _("用户已创建。")):
            return redirect(url_for("admin.users"))
    flash_form_errors(form)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _user_form(obj=user)
    if not form.is_submitted():
        form.roles.data = sorted(r.value for r in user.roles)
        form.unit_id.data = user.unit_id or 0
    del form.password
    if form.validate_on_submit() and apply(lambda: accounts.update_user(
            db.session, user=user, display_name=form.display_name.data,
            mobile=form.mobile.data, unit=_unit(form.unit_id.data), roles=form.roles.data,
            actor=current_user, now=utcnow()), _("用户已保存。")):
        return redirect(url_for("admin.users"))
    flash_form_errors(form)
    return render_template("admin/user_form.html", form=form, user=user,
                  reset_form=ResetPasswordForm(), action_form=EmptyForm())


@bp.post("/users/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        apply(lambda: accounts.reset_password(
            db.session, user=user, new_password=form.new_password.data, actor=current_user,
            now=utcnow()), _("密码已重置，用户下次登录时须修改密码。"))
    flash_form_errors(form)
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/active/<int:active>")
@roles_required(Role.ADMIN)
def set_active(user_id: int, active: int):
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        apply(lambda: accounts.set_active(db.session, user=user, active=bool(active),
                                          actor=current_user, now=utcnow()),
              _("账户已启用。") if active else _("账户已停用。"))
    return redirect(url_for("admin.users"))
