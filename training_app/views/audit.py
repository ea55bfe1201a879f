"""The audit log (操作记录): organizers and admins list and filter it."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, request

from training_app.extensions import db
from training_app.forms import choices
from training_app.forms.audit import AuditFilterForm
from training_app.permissions import STAFF, roles_required
from training_app.services import audit
from flask import render_template

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _day_start(day, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(timezone.utc)


@bp.get("/")
@roles_required(*STAFF)
def index():
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", "—")] + [(a, a) for a in audit.known_actions(db.session)])
    filters = audit.AuditFilter()
    if form.validate():
        tz = ZoneInfo(current_app.config["TIMEZONE"])
        filters = audit.AuditFilter(
            action=form.action.data or "",
            target_type=(form.target_type.data or "").strip(),
            since=_day_start(form.since.data, tz) if form.since.data else None,
            until=_day_start(form.until.data + timedelta(days=1), tz) if form.until.data else None,
        )
    return render_template("audit/list.html", form=form, entries=audit.list_entries(db.session, filters))
