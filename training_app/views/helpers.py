"""Small helpers shared by views."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash

from training_app.extensions import db
from training_app.i18n import translate_error
from training_app.services.errors import DomainError

T = TypeVar("T")


def flash_error(error: DomainError) -> None:
    flash(translate_error(error), "danger")


def flash_form_errors(form) -> None:
    for field, messages in form.errors.items():
        label = getattr(getattr(form, field, None), "label", None)
        for message in messages:
            flash(f"{label.text}：{message}" if label else str(message), "danger")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What ``apply`` did: whether the call succeeded and, if it did, what it returned.

    True when it succeeded, so ``if apply(...):`` reads as before.
    """

    ok: bool
    result: T | None = None

    def __bool__(self) -> bool:
        return self.ok


def apply(action: Callable[[], T],
          success: str | Callable[[T], str | None] | None) -> Outcome[T]:
    """Run one service call: commit and flash ``success``, or roll back and flash its error.

    The shape every state-changing view shares. ``success`` is the message; or a function of the
    call's result that makes it, for messages that tell what the call returned (a count, a name)
    and must read it after the commit; or None to flash nothing.
    """
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return Outcome(ok=False)
    db.session.commit()
    message = success(result) if callable(success) else success
    if message is not None:
        flash(message, "success")
    return Outcome(ok=True, result=result)
