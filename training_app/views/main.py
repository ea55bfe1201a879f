from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from training_app.extensions import db
from training_app.forms.auth import EmptyForm
from training_app.services import classes as class_service

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    classes = class_service.list_classes(db.session) if current_user.is_authenticated else []
    return render_template("main/index.html", classes=classes)


@bp.post("/language/<lang>")
def set_language(lang: str):
    form = EmptyForm()
    if form.validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return redirect(target or url_for("main.index"))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure to reach the database is the answer
        db.session.rollback()
        database = "unreachable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database), status
