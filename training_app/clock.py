"""The app's clock: what "now" means to every rule that reads the time.

A class lives for weeks (notice, registration at least 7 days, sessions, exam, graduation), so a
test that walks one through its lifecycle needs to move the app forward in time, the way
freezegun would, but for a live server in another thread and without patching the standard
library. ``models.utcnow()`` asks the current app's clock; by default it is the system clock
with no offset, and only a testing app may move it.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

EXTENSION_KEY = "training_app.clock"


class Clock:
    """The system clock shifted by an offset; time keeps flowing after a jump."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def init_app(app) -> None:
    app.extensions[EXTENSION_KEY] = Clock()


def clock_of(app) -> Clock:
    return app.extensions[EXTENSION_KEY]


def travel_to(app, moment: datetime) -> None:
    """Make ``moment`` the app's present (time flows on from there). Tests only."""
    if not app.testing:
        raise RuntimeError("the app's clock can only be moved in a testing app")
    if moment.tzinfo is None:
        raise ValueError("travel_to needs an aware datetime")
    clock_of(app).offset = moment - datetime.now(UTC)
