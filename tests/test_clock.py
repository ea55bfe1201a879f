"""The app's clock: every rule reads the time through ``models.utcnow()``; a testing app may
move it (the lifecycle browser test walks a class through two weeks), no other app can."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from training_app.clock import clock_of, travel_to
from training_app.models import utcnow


@pytest.fixture
def clock_app(make_app, tmp_path):
    def _build(testing=True):
        return make_app({"SECRET_KEY": "x" * 40, "TESTING": testing, "DEBUG": not testing,
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'clock.sqlite3'}"})
    return _build


def test_utcnow_follows_the_app_clock_inside_the_app_and_the_system_clock_outside(clock_app):
    app = clock_app()
    target = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    travel_to(app, target)
    with app.app_context():
        inside = utcnow()
    outside = utcnow()
    assert timedelta(0) <= inside - target < timedelta(seconds=5)  # time flows on from there
    assert abs(outside - datetime.now(UTC)) < timedelta(seconds=5)
    assert inside.tzinfo is not None


def test_a_new_app_runs_on_the_system_clock(clock_app):
    app = clock_app()
    assert clock_of(app).offset == timedelta(0)
    with app.app_context():
        assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


def test_only_a_testing_app_can_move_its_clock(clock_app):
    app = clock_app(testing=False)
    with pytest.raises(RuntimeError):
        travel_to(app, datetime(2031, 1, 1, tzinfo=UTC))
    assert clock_of(app).offset == timedelta(0)


def test_travel_needs_an_aware_moment(clock_app):
    with pytest.raises(ValueError):
        travel_to(clock_app(), datetime(2031, 1, 1))
