"""One blueprint per area; views parse input, call one service, render or redirect."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from training_app.views import admin, audit, auth, classes, main, units

    for module in (main, auth, admin, units, audit, classes):
        app.register_blueprint(module.bp)

    from training_app.views import exams, manuals, notices

    app.register_blueprint(exams.bp)

    from training_app.views import completion, feedback, grading, results  # issue 5

    for module in (grading, results, feedback, completion):
        app.register_blueprint(module.bp)
    from training_app.views import my

    app.register_blueprint(my.bp)

    for module in (manuals, notices):
        app.register_blueprint(module.bp)

    from training_app.views import enrollment

    app.register_blueprint(enrollment.bp)

    from training_app.views import attendance, groups, schedule  # issue 6: the room

    for module in (groups, schedule, attendance):
        app.register_blueprint(module.bp)

    from training_app.views import certificates  # issue 7: certificates and verification

    app.register_blueprint(certificates.bp)

    from training_app.views import reports  # issue 9: compliance, credit hours, dashboards

    app.register_blueprint(reports.bp)
