"""No overbooking, ever: 200 nominations at once from many threads at a class of 80 seats."""
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import DATABASES
from tests.factories import (
    NOW,
    make_open_class,
    make_unit,
    make_unit_contact,
    make_user,
    trainee_data,
    use_fast_password_hashing,
)
from training_app.db_setup import write_transactions
from training_app.models import Enrollment, Role, TrainingClass, Unit, User
from training_app.services import enrollment, quotas

NOMINATIONS = 200
CAPACITY = 80
UNITS = 8
QUOTA = 8  # 8 units × 8 = 64 allocated, a pool of 16


# Explicit: a module that overrides app_config must state the databases itself.
pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


@pytest.fixture
def app_config(app_config):
    # On SQLite the 200 nominations queue for one write lock; on a busy CI machine the last of
    # them waited past the default 15-s busy timeout. This test is about seats, not lock waits.
    return {**app_config, "SQLITE_BUSY_TIMEOUT_MS": 120000}


def test_200_concurrent_nominations_never_overbook(app, db_session, monkeypatch, database_url):
    use_fast_password_hashing(monkeypatch)
    training_class = make_open_class(db_session, capacity=CAPACITY)
    units = [make_unit(db_session) for _ in range(UNITS)]
    contacts = [make_unit_contact(db_session, unit) for unit in units]
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    quotas.set_quotas(db_session, training_class=training_class,
                      seats={unit: QUOTA for unit in units}, actor=organizer, now=NOW)
    db_session.commit()
    engine = db_session.get_bind()
    people = [trainee_data() for _ in range(NOMINATIONS)]
    barrier = threading.Barrier(NOMINATIONS, timeout=120)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def nominate(i: int) -> None:
        try:
            # as a POST request would: the transaction takes SQLite's write lock first
            with Session(bind=engine, expire_on_commit=False) as session, write_transactions():
                c = session.get(TrainingClass, training_class.id)
                unit = session.get(Unit, units[i % UNITS].id)
                contact = session.get(User, contacts[i % UNITS].id)
                session.commit()  # a fresh transaction for the nomination itself
                barrier.wait()
                entry = enrollment.nominate(session, training_class=c, unit=unit,
                                            profile_data=people[i], actor=contact, now=NOW)
                session.commit()
                with lock:
                    outcomes.append(entry.status)
        except BaseException as error:  # reported below: a thread must not fail silently
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=nominate, args=(i,)) for i in range(NOMINATIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors[:3]
    assert Counter(outcomes) == {"pending": CAPACITY, "waitlisted": NOMINATIONS - CAPACITY}
    db_session.expire_all()
    stored = Counter(dict(db_session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.class_id == training_class.id)
        .group_by(Enrollment.status)).all()))
    assert stored == {"pending": CAPACITY, "waitlisted": NOMINATIONS - CAPACITY}
    summary = quotas.quota_summary(db_session, training_class)
    assert summary.pending == CAPACITY and summary.seats_left == 0
    assert summary.pool_used == CAPACITY - UNITS * QUOTA  # the pool is full, not more
    assert all(row.active >= QUOTA for row in summary.rows)  # every unit's quota is filled
