"""Training classes (培训班)."""
from flask import Blueprint

from training_app.extensions import db
from training_app.models import TrainingClass
from training_app.permissions import any_user
from training_app.services import classes
from flask import render_template

bp = Blueprint("classes", __name__, url_prefix="/classes")


@bp.get("/")
@any_user
def index():
    return render_template("classes/list.html", classes=classes.list_classes(db.session))


@bp.get("/<int:class_id>")
@any_user
def detail(class_id: int):
    return render_template("classes/detail.html", training_class=db.get_or_404(TrainingClass, class_id))
