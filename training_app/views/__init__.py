"""One blueprint per area; views parse input, call one service, render or redirect."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from training_app.views import admin, audit, auth, classes, main, units

    for module in (main, auth, admin, units, audit, classes):
        app.register_blueprint(module.bp)

    from training_app.views import exams, manuals, notices

    app.register_blueprint(exams.bp)

    for module in (manuals, notices):
        app.register_blueprint(module.bp)
