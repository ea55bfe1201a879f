"""Small helpers shared by views."""
from __future__ import annotations

from flask import flash

from training_app.extensions import db

from training_app.i18n import translate_error
from training_app.services.errors import DomainError


def flash_error(error: DomainError) -> None:
    flash(translate_error(error), "danger")


def flash_form_errors(form) -> None:
    for field, messages in form.errors.items():
        label = getattr(getattr(form, field, None), "label", None)
        for message in messages:
            flash(f"{label.text}：{message}" if label else str(message), "danger")


def apply(action, success: str) -> bool:
    """Run one service call: commit and flash ``success``, or roll back and flash its error.

    The shape every state-changing view shares; returns whether it succeeded.
    """
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return False
    db.session.commit()
    flash(success, "success")
    return True
