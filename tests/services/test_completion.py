"""Completion (结业) and outstanding trainees (优秀学员)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import (
    NOW,
    make_approved_trainee,
    make_class,
    make_published_exam,
    make_user,
    submit_papers,
)
from training_app.models import (
    Attendance,
    AuditEntry,
    Group,
    GroupMember,
    Role,
    ScheduleItem,
)
from training_app.services import completion
from training_app.services.errors import DomainError

# Totals the ten trainees are graded to (full marks 100).
TOTALS = [Decimal(t) for t in (95, 55, 90, 88, 70, 60, "59.5", 82, 91, 75)]


def _class_with_scores(db_session):
    exam, users = make_published_exam(db_session, trainees=10)
    attempts = submit_papers(db_session, exam, users)
    for attempt, total in zip(attempts, TOTALS):
        attempt.total_score = total  # as if every short answer had been graded
    db_session.flush()
    return exam.training_class, exam, users


def _attendance_items(db_session, training_class, count=2):
    items = []
    for n in range(count):
        start = NOW + timedelta(days=1, hours=n)
        item = ScheduleItem(class_id=training_class.id, kind="lecture", title=f"讲座{n}",
                            starts_at=start, ends_at=start + timedelta(hours=1),
                            takes_attendance=True)
        db_session.add(item)
        items.append(item)
    db_session.flush()
    return items


def _attend(db_session, items, users, skip=()):
    for item in items:
        for user in users:
            if (item, user) in skip:
                continue
            db_session.add(Attendance(item_id=item.id, user_id=user.id, status="present",
                                      method="roster", marked_at=NOW))
    db_session.flush()


def test_completion_needs_attendance_and_the_exam_score(db_session):
    training_class, exam, users = _class_with_scores(db_session)
    items = _attendance_items(db_session, training_class)
    _attend(db_session, items, users, skip={(items[1], users[0])})  # users[0]: 50%
    by_user = {s.user.id: s for s in completion.standings(db_session, training_class)}
    assert by_user[users[0].id].attendance_rate == Decimal("0.5")
    assert not by_user[users[0].id].meets_attendance and by_user[users[0].id].meets_exam
    assert not by_user[users[1].id].meets_exam  # 55 < 60
    assert by_user[users[5].id].meets_exam  # exactly 60
    assert not by_user[users[6].id].meets_exam  # 59.5
    completing = completion.completing_trainees(db_session, training_class)
    assert {s.user.id for s in completing} == {u.id for i, u in enumerate(users)
                                               if i not in (0, 1, 6)}
    # The organizer relaxes the rule: 50% attendance, 55 points.
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    completion.update_rule(
        db_session, training_class=training_class, min_attendance_rate=Decimal("0.5"),
        min_exam_score=Decimal(55), exam_id=exam.id, weight_exam=60, weight_attendance=20,
        weight_organizer=10, weight_group=10, outstanding_share=Decimal("0.1"),
        actor=organizer, now=NOW)
    assert len(completion.completing_trainees(db_session, training_class)) == 10
    entry = db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "completion.rule_update"))
    assert entry.changes["min_exam_score"] == ["60", "55"]
    assert entry.changes["min_attendance_rate"] == ["0.80", "0.5"]


def test_without_attendance_records_or_exam_everyone_completes(db_session):
    training_class = make_class(db_session)
    trainees = [make_approved_trainee(db_session, training_class) for _ in range(3)]
    standings = completion.standings(db_session, training_class)
    assert all(s.attendance_rate == 1 and s.completes and s.exam_score is None
               for s in standings)
    assert {s.user.id for s in completion.completing_trainees(db_session, training_class)} == {
        t.id for t in trainees}
    # Without an exam the composite is attendance and nominations only: 20*100/40 = 50.
    assert {s.composite for s in standings} == {Decimal("50.00")}


def test_composite_ranking_nominations_and_the_cap(db_session):
    training_class, _exam, users = _class_with_scores(db_session)
    standings = completion.standings(db_session, training_class)
    top = standings[0]
    # 95 of 100 and full attendance: (60 * 95 + 20 * 100) / 100 = 77.00
    assert top.user.id == users[0].id and top.composite == Decimal("77.00")
    assert completion.outstanding_cap(db_session, training_class) == 1  # 10% of 10
    assert [s.user.id for s in completion.proposed_outstanding(db_session, training_class)] == [
        users[0].id]
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    # The organizer's nomination lifts users[2] (90 -> 74 + 10 = 84) above users[0] (77).
    completion.set_organizer_nomination(db_session, training_class=training_class,
                                        user=users[2], nominated=True, actor=organizer, now=NOW)
    # A group nominates users[8] (91: 74.6 + 10 = 84.60): the best of all.
    group = Group(class_id=training_class.id, number=1, leader_id=users[3].id)
    db_session.add(group)
    db_session.flush()
    for user in (users[3], users[8]):
        db_session.add(GroupMember(group_id=group.id, class_id=training_class.id, user_id=user.id))
    db_session.flush()
    with pytest.raises(DomainError, match="组长"):
        completion.nominate_for_group(db_session, group=group, user=users[8], actor=users[8],
                                      now=NOW)
    with pytest.raises(DomainError, match="本组"):
        completion.nominate_for_group(db_session, group=group, user=users[2], actor=users[3],
                                      now=NOW)
    completion.nominate_for_group(db_session, group=group, user=users[8], actor=users[3], now=NOW)
    ranking = completion.standings(db_session, training_class)
    assert [(s.user.id, s.composite) for s in ranking[:3]] == [
        (users[8].id, Decimal("84.60")), (users[2].id, Decimal("84.00")),
        (users[0].id, Decimal("77.00"))]
    assert ranking[0].group_nominated and ranking[1].organizer_nominated
    # Changing the group's nominee replaces the previous one.
    completion.nominate_for_group(db_session, group=group, user=users[3], actor=users[3], now=NOW)
    assert completion.group_nomination(db_session, group).user_id == users[3].id
    assert not next(s for s in completion.standings(db_session, training_class)
                    if s.user.id == users[8].id).group_nominated


def test_the_organizer_confirms_a_capped_list_of_completing_trainees(db_session):
    training_class, _exam, users = _class_with_scores(db_session)
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    with pytest.raises(DomainError, match="最多1名"):
        completion.confirm_outstanding(db_session, training_class=training_class,
                                       user_ids=[users[0].id, users[2].id], actor=organizer,
                                       now=NOW)
    with pytest.raises(DomainError, match="结业条件"):  # 55 points: does not complete
        completion.confirm_outstanding(db_session, training_class=training_class,
                                       user_ids=[users[1].id], actor=organizer, now=NOW)
    completion.update_rule(
        db_session, training_class=training_class, min_attendance_rate=Decimal("0.8"),
        min_exam_score=Decimal(60), exam_id=None, weight_exam=60, weight_attendance=20,
        weight_organizer=10, weight_group=10, outstanding_share=Decimal("0.2"),
        actor=organizer, now=NOW)
    completion.confirm_outstanding(db_session, training_class=training_class,
                                   user_ids=[users[2].id, users[0].id], actor=organizer, now=NOW)
    confirmed = completion.confirmed_outstanding(db_session, training_class)
    assert [(o.rank, o.user_id, o.exam_score) for o in confirmed] == [
        (1, users[0].id, Decimal(95)), (2, users[2].id, Decimal(90))]
    # Confirming again replaces the list.
    completion.confirm_outstanding(db_session, training_class=training_class,
                                   user_ids=[users[8].id], actor=organizer, now=NOW)
    assert [o.user_id for o in completion.confirmed_outstanding(db_session, training_class)] == [
        users[8].id]
    last = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "completion.confirm_outstanding").order_by(AuditEntry.id)).all()[-1]
    assert last.changes["outstanding"][1] == [users[8].display_name]


@pytest.mark.parametrize("field,value", [("min_attendance_rate", Decimal("1.1")),
                                         ("min_exam_score", Decimal(-1)),
                                         ("outstanding_share", Decimal(0)),
                                         ("weight_exam", -1)])
def test_rule_values_are_checked(db_session, field, value):
    training_class = make_class(db_session)
    values = {"min_attendance_rate": Decimal("0.8"), "min_exam_score": Decimal(60),
              "exam_id": None, "weight_exam": 60, "weight_attendance": 20,
              "weight_organizer": 10, "weight_group": 10, "outstanding_share": Decimal("0.1")}
    values[field] = value
    with pytest.raises(DomainError):
        completion.update_rule(db_session, training_class=training_class, actor=None, now=NOW,
                               **values)
