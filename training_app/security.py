"""Login manager, security headers, and the must-change-password gate."""
from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from training_app.extensions import db
from training_app.models import User

# No inline script or style anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# Every request loads its user: one query with the roles joined, not two; prebuilt, because it
# runs on every request (an exam's saves included) and building it cost as much as running it.
USER_WITH_ROLES = (select(User).options(joinedload(User.role_links))
                   .where(User.id == bindparam("user_id")))

# Endpoints a user who must change their password may still reach.
PASSWORD_GATE_EXEMPT = {"auth.change_password", "auth.logout", "static", "main.healthz",
                        "main.set_language", "bootstrap.static"}


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.execute(USER_WITH_ROLES, {"user_id": int(user_id)}
                                  ).unique().scalar_one_or_none()

    @app.before_request
    def require_password_change():
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in PASSWORD_GATE_EXEMPT):
            flash(_l("请先修改初始密码。"), "warning")
            # Keep where the user was going (e.g. a scanned check-in link) for after the change.
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.change_password", next=target))
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
