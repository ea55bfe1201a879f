"""Chinese first, English second: locale choice and date formatting."""
from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import gettext

from training_app.extensions import babel
from training_app.services.errors import DomainError

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    chosen = session.get("lang") if request else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translate_error(error: DomainError) -> str:
    """A domain error's message in the user's language, parameters filled in."""
    return gettext(error.message, **error.params)


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/../translations"),
    )

    @app.context_processor
    def inject_languages():
        return {"language_names": LANGUAGE_NAMES, "current_locale": select_locale()}
