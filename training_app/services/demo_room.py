"""The demo class's room (issue 6): groups and the standard agenda, once trainees are approved.

Idempotent: groups are made only when the class has approved trainees and no groups yet, the
agenda only when the class has no schedule yet.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from training_app.models import TrainingClass
from training_app.services import accounts, groups, schedule

DEMO_TZ = ZoneInfo("Asia/Shanghai")
# The agenda is built a week before the class; the groups at ice-breaking on day one.
AGENDA_AT = datetime(2016, 5, 10, 1, 0, tzinfo=timezone.utc)
GROUPED_AT = datetime(2016, 5, 17, 2, 0, tzinfo=timezone.utc)
GROUPING_SEED = 2016


def prepare_room(session: Session, *, training_class: TrainingClass) -> None:
    organizer = accounts.find_by_identifier(session, "organizer")
    lecturer = accounts.find_by_identifier(session, "lecturer")
    if organizer is None:
        return
    if not schedule.list_items(session, training_class):
        items = schedule.build_standard_agenda(
            session, training_class=training_class, actor=organizer, now=AGENDA_AT, tz=DEMO_TZ)
        if lecturer is not None:
            for item in items:
                if item.kind in schedule.TAUGHT:
                    item.lecturer_id = lecturer.id
            session.flush()
    if groups.approved_enrollments(session, training_class) and not groups.list_groups(
            session, training_class):
        groups.auto_group(session, training_class=training_class, seed=GROUPING_SEED,
                          actor=organizer, now=GROUPED_AT)
