from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from training_app.extensions import db
from training_app.forms.auth import ChangePasswordForm, EmptyForm, LoginForm
from training_app.models import utcnow
from training_app.permissions import any_user, home_endpoint
from training_app.services import accounts
from training_app.services.errors import DomainError, LoginThrottled
from flask import render_template

from training_app.views.helpers import flash_error

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an open redirect after login is a phishing aid.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        config = current_app.config
        try:
            user = accounts.authenticate(
                db.session, identifier=form.identifier.data, password=form.password.data,
                remote_addr=request.remote_addr or "", now=utcnow(),
                max_failures=config["LOGIN_MAX_FAILURES"],
                window=timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
                max_failures_per_ip=config["LOGIN_MAX_FAILURES_PER_IP"],
            )
        except DomainError as error:
            db.session.commit()  # the failed attempt is recorded: that is what throttles
            flash_error(error)
            status = 429 if isinstance(error, LoginThrottled) else 200
        else:
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@any_user
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@any_user
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, user=current_user, current_password=form.current_password.data,
                new_password=form.new_password.data, now=utcnow(),
            )
        except DomainError as error:
            flash_error(error)
        else:
            db.session.commit()
            flash(_("密码已修改。"), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    return render_template("auth/change_password.html", form=form)
