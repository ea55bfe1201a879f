"""The enrollment quota holds across two app instances sharing one PostgreSQL (issue 8).

Two gunicorn processes (two workers each) on different ports, as behind a load balancer. Two
unit contacts fire 24 nominations at once, alternating between the instances, at a class of 10
seats (4 + 4 allocated, a pool of 2). No process-local state can keep the count: only the
database's lock on the class can, so exactly 10 entries may be pending and the rest waitlisted.
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import DATABASES
from tests.e2e.servers import CSRF_FIELD, http_log_in
from tests.factories import (
    NOW,
    PASSWORD,
    make_class,
    make_unit,
    make_unit_contact,
    make_user,
    nomination_form,
    open_for_registration,
    trainee_data,
)
from training_app.models import Enrollment, Role, TraineeProfile
from training_app.services import quotas

pytestmark = [pytest.mark.e2e,
              pytest.mark.parametrize("database_url", [d for d in DATABASES if d == "postgresql"],
                                      indirect=True)]

CAPACITY = 10
QUOTA = 4
PER_CONTACT = 12


def _form(http: requests.Session, base: str, class_id: int, person) -> dict:
    page = http.get(f"{base}/enrollment/classes/{class_id}/unit").text
    return {"csrf_token": CSRF_FIELD.search(page).group(1), **nomination_form(person)}


def test_quota_holds_across_two_instances(servers, db_session):
    today = date.today()
    training_class = make_class(db_session, capacity=CAPACITY, start=today + timedelta(days=20),
                                end=today + timedelta(days=22))
    open_for_registration(db_session, training_class, deadline=today + timedelta(days=10))
    unit_a, unit_b = make_unit(db_session), make_unit(db_session)
    make_unit_contact(db_session, unit_a, username="quota_a")
    make_unit_contact(db_session, unit_b, username="quota_b")
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    quotas.set_quotas(db_session, training_class=training_class,
                      seats={unit_a: QUOTA, unit_b: QUOTA}, actor=organizer, now=NOW)
    db_session.commit()
    class_id = training_class.id
    first, second = servers(), servers()

    # Each request is prepared (logged in, form token read) before the barrier, so the 24
    # nominations reach the two instances together.
    jobs = []
    for username in ("quota_a", "quota_b"):
        for i in range(PER_CONTACT):
            base = (first if i % 2 else second).url
            http, _ = http_log_in(base, username, PASSWORD)
            person = trainee_data()
            form = _form(http, base, class_id, person)
            # Drop the idle keep-alive connection: preparing all 24 takes seconds, and a server
            # closing an idle connection just as the burst reuses it resets that request (a race
            # of the client's pool, not of the quota). Each nomination opens a fresh connection.
            http.close()
            jobs.append((http, base, person, form))
    barrier = threading.Barrier(len(jobs), timeout=60)
    replies: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def nominate(http, base, person, form):
        barrier.wait()
        reply = http.post(f"{base}/enrollment/classes/{class_id}/unit/nominate", data=form,
                          allow_redirects=False, timeout=60)
        with lock:
            replies.append((person.name, reply.status_code, reply.headers.get("Location", "")))

    threads = [threading.Thread(target=nominate, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # every nomination was accepted (pending or waitlisted): a redirect back to the unit page
    assert len(replies) == len(jobs)
    assert all(status == 302 and location.endswith(f"/enrollment/classes/{class_id}/unit")
               for _, status, location in replies), replies
    db_session.commit()
    db_session.expire_all()
    stored = Counter(dict(db_session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.class_id == class_id)
        .group_by(Enrollment.status)).all()))
    assert stored == {"pending": CAPACITY, "waitlisted": len(jobs) - CAPACITY}
    names = set(db_session.scalars(select(TraineeProfile.name).join(Enrollment).where(
        Enrollment.class_id == class_id)))
    assert names == {person.name for _, _, person, _ in jobs}  # nobody lost, nobody twice
    summary = quotas.quota_summary(db_session, training_class)
    assert summary.pending == CAPACITY and summary.seats_left == 0
    assert summary.pool_used == CAPACITY - 2 * QUOTA
    assert all(row.active >= QUOTA for row in summary.rows)  # each unit's own seats are filled
