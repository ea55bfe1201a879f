"""Role checks for views. Every view names the roles it admits; anonymous users go to login."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from training_app.models import Role

# Roles that manage accounts, units and the audit log.
STAFF = (Role.ADMIN, Role.ORGANIZER)


def roles_required(*roles: Role):
    """Admit a logged-in user holding any of ``roles``; others get 403."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        wrapped.allowed_roles = frozenset(roles)
        return wrapped
    return decorator


def any_user(view):
    """Any logged-in user, whatever their roles."""
    return login_required(view)


# Where each role's work is, in order of precedence: after login a user lands on the first
# page whose role they hold (a trainee on 我的培训, never the public page).
HOME_PAGES = (
    ((Role.ADMIN, Role.ORGANIZER), "reports.organizer_dashboard"),
    ((Role.SPONSOR,), "reports.sponsor_dashboard"),
    ((Role.UNIT_CONTACT,), "enrollment.index"),
    ((Role.LECTURER,), "grading.index"),
    ((Role.TRAINEE,), "my.index"),
)


def home_endpoint(user) -> str:
    """The endpoint of ``user``'s own start page (``main.index`` for a user with no role)."""
    for roles, endpoint in HOME_PAGES:
        if user.has_role(*roles):
            return endpoint
    return "main.index"
