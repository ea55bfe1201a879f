from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.factories import (
    NOW,
    make_open_class,
    make_unit,
    make_user,
    trainee_data,
    use_fast_password_hashing,
)
from training_app.models import AuditEntry, EnrollmentStatus, Quota, Role
from training_app.services import enrollment, quotas
from training_app.services.errors import DomainError

AFTER_DEADLINE = datetime(2026, 5, 11, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai, 5-11


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch):
    use_fast_password_hashing(monkeypatch)


@pytest.fixture
def setup(db_session):
    training_class = make_open_class(db_session, capacity=10)
    units = [make_unit(db_session) for _ in range(3)]
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    return training_class, units, organizer


def test_quotas_may_not_exceed_capacity(db_session, setup):
    training_class, (a, b, c), organizer = setup
    quotas.set_quotas(db_session, training_class=training_class, seats={a: 4, b: 3},
                      actor=organizer, now=NOW)
    assert quotas.total_allocated(db_session, training_class) == 7
    assert quotas.pool_seats(db_session, training_class) == 3
    with pytest.raises(DomainError, match="合计11人，超过了计划人数10人"):
        quotas.set_quota(db_session, training_class=training_class, unit=c, seats=4,
                         actor=organizer, now=NOW)
    # Lowering one and raising another in one go is judged on the result.
    quotas.set_quotas(db_session, training_class=training_class, seats={a: 1, c: 6},
                      actor=organizer, now=NOW)
    assert quotas.total_allocated(db_session, training_class) == 10
    with pytest.raises(DomainError, match="负数"):
        quotas.set_quota(db_session, training_class=training_class, unit=a, seats=-1,
                         actor=organizer, now=NOW)
    changes = [e.changes["seats"] for e in db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "quota.set").order_by(AuditEntry.id))]
    assert changes == [[0, 4], [0, 3], [4, 1], [0, 6]]


def test_database_refuses_negative_seats_and_duplicate_rows(db_session, setup):
    training_class, (a, _b, _c), _ = setup
    db_session.commit()
    db_session.add(Quota(class_id=training_class.id, unit_id=a.id, seats=-1))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()
    db_session.add_all([Quota(class_id=training_class.id, unit_id=a.id, seats=1),
                        Quota(class_id=training_class.id, unit_id=a.id, seats=2)])
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def _nominate(session, training_class, unit, actor, n=1):
    return [enrollment.nominate(session, training_class=training_class, unit=unit,
                                profile_data=trainee_data(), actor=actor, now=NOW)
            for _ in range(n)]


def test_summary_counts_per_unit(db_session, setup):
    training_class, (a, b, c), organizer = setup
    quotas.set_quotas(db_session, training_class=training_class, seats={a: 2, b: 6},
                      actor=organizer, now=NOW)
    entries = _nominate(db_session, training_class, a, organizer, n=5)
    enrollment.approve(db_session, enrollment=entries[0], actor=organizer, now=NOW)
    summary = quotas.quota_summary(db_session, training_class)
    row = summary.row_for(a.id)
    # 2 quota seats + the 2 pool seats, then the waitlist.
    assert (row.quota, row.approved, row.pending, row.waitlisted) == (2, 1, 3, 1)
    assert row.on_pool == 2 and summary.pool == 2 and summary.pool_free == 0
    assert summary.row_for(c.id) is None  # no quota, no entries
    assert len(quotas.quota_summary(db_session, training_class, all_units=True).rows) >= 3


def test_release_after_deadline_and_reassign(db_session, setup):
    training_class, (a, b, _c), organizer = setup
    quotas.set_quotas(db_session, training_class=training_class, seats={a: 5, b: 5},
                      actor=organizer, now=NOW)
    _nominate(db_session, training_class, a, organizer, n=2)
    b_entries = _nominate(db_session, training_class, b, organizer, n=7)
    assert [e.status for e in b_entries].count("waitlisted") == 2
    with pytest.raises(DomainError, match="报名截止后"):
        quotas.release_unused(db_session, training_class=training_class, unit=a,
                              actor=organizer, now=NOW)
    released = quotas.release_unused(db_session, training_class=training_class, unit=a,
                                     actor=organizer, now=AFTER_DEADLINE)
    assert released == 3
    assert quotas.pool_seats(db_session, training_class) == 3
    with pytest.raises(DomainError, match="没有未使用的名额"):
        quotas.release_unused(db_session, training_class=training_class, unit=a,
                              actor=organizer, now=AFTER_DEADLINE)
    with pytest.raises(DomainError, match="最多还能给.*分配3个"):
        quotas.reassign(db_session, training_class=training_class, unit=b, seats=4,
                        actor=organizer, now=AFTER_DEADLINE)
    promoted = quotas.reassign(db_session, training_class=training_class, unit=b, seats=2,
                               actor=organizer, now=AFTER_DEADLINE)
    assert promoted == b_entries[5:7]  # the two waiting, first come first
    assert all(e.status == EnrollmentStatus.PENDING for e in promoted)
    summary = quotas.quota_summary(db_session, training_class)
    assert summary.row_for(a.id).quota == 2 and summary.row_for(b.id).quota == 7
    assert summary.pool == 1 and summary.seats_left == 1
    actions = list(db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.in_(["quota.release", "quota.reassign", "enrollment.promote"]))))
    assert sorted(actions) == ["enrollment.promote", "enrollment.promote", "quota.reassign",
                               "quota.release"]


def test_lowering_quotas_cannot_strand_pool_entries(db_session, setup):
    training_class, (a, b, _c), organizer = setup
    quotas.set_quotas(db_session, training_class=training_class, seats={a: 4},
                      actor=organizer, now=NOW)
    _nominate(db_session, training_class, a, organizer, n=8)  # 4 on quota, 4 on the pool
    with pytest.raises(DomainError, match="公共名额不足"):
        quotas.set_quota(db_session, training_class=training_class, unit=b, seats=3,
                         actor=organizer, now=NOW)
    # Raising a's quota over its own pool entries is fine: the seats are already a's.
    assert quotas.set_quota(db_session, training_class=training_class, unit=a, seats=8,
                            actor=organizer, now=NOW) == []
    quotas.set_quota(db_session, training_class=training_class, unit=b, seats=2,
                     actor=organizer, now=NOW)
    assert quotas.total_allocated(db_session, training_class) == 10


def test_release_refused_for_a_graduated_class(db_session, setup):
    training_class, (a, _b, _c), organizer = setup
    quotas.set_quota(db_session, training_class=training_class, unit=a, seats=3,
                     actor=organizer, now=NOW)
    training_class.status = "graduated"
    with pytest.raises(DomainError, match="已结业"):
        quotas.release_unused(db_session, training_class=training_class, unit=a,
                              actor=organizer, now=AFTER_DEADLINE)
    with pytest.raises(DomainError, match="已结业"):
        quotas.set_quota(db_session, training_class=training_class, unit=a, seats=1,
                         actor=organizer, now=AFTER_DEADLINE)


def test_release_allowed_once_registration_is_closed(db_session, setup):
    training_class, (a, _b, _c), organizer = setup
    quotas.set_quota(db_session, training_class=training_class, unit=a, seats=3,
                     actor=organizer, now=NOW)
    training_class.status = "registration_closed"  # closed early, before the deadline date
    assert quotas.release_unused(db_session, training_class=training_class, unit=a,
                                 actor=organizer, now=NOW) == 3
    assert training_class.registration_deadline == date(2026, 5, 10)
