"""社会工作短期培训管理与考试平台 — the Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from training_app import config as app_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, CLI. Nothing else."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("TRAINING_APP_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(app_config.Defaults)
    app.config.update(app_config.from_environment(os.environ))
    app.config.from_prefixed_env("TRAINING_APP")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'training_app.sqlite3'}"
        )
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    app_config.check_production_safety(app.config)

    from training_app import cli, clock, errors, i18n, security
    from training_app.extensions import bootstrap, csrf, db, login_manager, migrate

    clock.init_app(app)
    db.init_app(app)
    with app.app_context():
        from training_app.db_setup import SQLITE_BUSY_TIMEOUT_MS, configure_sqlite

        configure_sqlite(db.engine, busy_timeout_ms=app.config.get("SQLITE_BUSY_TIMEOUT_MS")
                         or SQLITE_BUSY_TIMEOUT_MS)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    i18n.init_app(app)
    security.init_app(app, login_manager)

    from training_app.views import register_blueprints

    register_blueprints(app)
    errors.register(app)
    cli.register(app)
    return app
