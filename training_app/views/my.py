"""A trainee's own pages (我的培训)."""
from flask import Blueprint, render_template
from flask_login import current_user

from training_app.extensions import db
from training_app.models import Role, utcnow
from training_app.permissions import roles_required
from training_app.services import completion, exams, feedback  # issue 5: completion, feedback

bp = Blueprint("my", __name__, url_prefix="/my")


@bp.get("/")
@roles_required(Role.TRAINEE)
def index():
    return render_template("my/index.html", exams=exams.exams_for_trainee(db.session, current_user),
                           now=utcnow(),
                           feedback_forms=feedback.open_forms_for_trainee(db.session, current_user),
                           led_groups=completion.led_groups(db.session, current_user))
