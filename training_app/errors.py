"""Error pages in the user's language; no stack trace ever reaches a user.

Unhandled exceptions outside debug/testing reach the 500 handler as InternalServerError
(Flask logs the original), so the HTTPException handler covers them too.
"""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from training_app.db_setup import is_lock_timeout, write_transactions
from training_app.extensions import db

FALLBACK_PAGE = (
    "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>%(code)s</title>"
    "<h1>%(code)s</h1><p>系统暂时无法处理您的请求，请稍后再试。</p><p><a href=\"/\">返回首页</a></p></html>"
)
PAGES = {400, 403, 404, 405, 413, 429, 500, 503}
# Seconds a client should wait before retrying a request the database was too busy for.
BUSY_RETRY_AFTER_SECONDS = 2


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _render(code: int, description: str | None = None):
    if _wants_json():
        return jsonify(ok=False, error=code, message=description or ""), code
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    try:
        return render_template(template, code=code, description=description), code
    except Exception:  # the page itself failed (e.g. database down): a plain page, never a trace
        return FALLBACK_PAGE % {"code": code}, code, {"Content-Type": "text/html; charset=utf-8"}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            db.session.rollback()
        return _render(error.code or 500)

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        """SQLite's write lock not granted within the busy timeout: a retryable 503 (the exam
        page retries it by itself), never a 500. Any other database failure is a 500."""
        db.session.rollback()
        if not is_lock_timeout(error):
            app.logger.error("database error", exc_info=error)
            if app.propagate_exceptions:
                raise error
            return http_error(InternalServerError(original_exception=error))
        app.logger.warning("database busy, answered 503: %s %s", request.method, request.path)
        with write_transactions(False):  # the page itself only reads: no waiting for the lock
            response = make_response(_render(503, _("系统正忙，请稍后重试。")))
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return response
