"""Quotas (名额分配) and the seats of a class.

How seats are counted (nothing is stored per seat; it follows from the counts):

- The class has ``capacity`` seats. Each unit may have a quota; quotas add up to at most the
  capacity, and the rest is the unallocated **pool** (公共名额).
- A pending or approved entry holds a seat. A unit's entries fill its quota first; entries
  beyond the quota sit on pool seats. So ``pool_used = Σ max(0, active(unit) − quota(unit))``,
  and the invariant is ``pool_used ≤ pool``, which implies at most ``capacity`` seats taken.
- A new entry gets a quota seat of its unit if one is free, else a free pool seat (first come,
  first served across units), else it is **waitlisted** (候补).
- A freed seat (withdrawal, rejection) promotes one waiting entry: the earliest of the same unit
  that fits, else the earliest of any unit that fits (the pool). Raising a unit's quota (editing
  or reassigning pool seats to it) promotes that unit's waiting entries into the new seats.
- After the registration deadline the organizer releases a unit's unused quota to the pool; the
  released seats stay free until the organizer reassigns them to a unit (or a later freed seat
  promotes someone onto them).

Every seat decision happens under ``lock_class``: ``SELECT … FOR UPDATE`` on the class row on
PostgreSQL, the database write lock on SQLite. Two requests can therefore never both take the
last seat.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from training_app.models import (
    ClassStatus,
    Enrollment,
    EnrollmentStatus,
    Quota,
    TrainingClass,
    Unit,
    User,
)
from training_app.models.enrollment import SEAT_HOLDING
from training_app.services import audit
from training_app.services.errors import N_, DomainError

CLASS_TIMEZONE = ZoneInfo("Asia/Shanghai")  # the class's local time (config TIMEZONE)
FROZEN_STATUSES = {ClassStatus.GRADUATED.value, ClassStatus.ARCHIVED.value}
RELEASE_STATUSES = {ClassStatus.REGISTRATION_CLOSED.value, ClassStatus.IN_SESSION.value}


# --- the lock --------------------------------------------------------------------------------

def lock_class(session: Session, training_class: TrainingClass, *,
               before_reads: bool = False) -> None:
    """Serialize every seat decision of one class until the transaction ends.

    PostgreSQL: a row lock on the class (``SELECT … FOR UPDATE``), which also re-reads it.
    SQLite: the database write lock, taken by a no-op ``UPDATE`` of the class row. In WAL mode
    a transaction that has already read cannot reliably upgrade to writing (another writer may
    have committed since its snapshot), so on SQLite call this with ``before_reads=True`` as the
    transaction's first statement; on PostgreSQL that call does nothing, so expensive work
    (hashing a new account's password) can run before the row lock is taken by a second call.
    """
    class_id = inspect(training_class).identity[0]  # no SQL, even when the object is expired
    session.flush()  # the re-read below must not drop changes made in this transaction
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE training_class SET id = id WHERE id = :id"), {"id": class_id})
        if not before_reads:
            session.refresh(training_class)
    elif not before_reads:
        session.refresh(training_class, with_for_update=True)


# --- counting --------------------------------------------------------------------------------

@dataclass
class SeatState:
    """Quotas and seat-holding entries of one class, per unit id (read under the lock)."""

    capacity: int
    quotas: dict[int, int]
    active: Counter = field(default_factory=Counter)

    @property
    def allocated(self) -> int:
        return sum(self.quotas.values())

    @property
    def pool(self) -> int:
        return max(0, self.capacity - self.allocated)

    @property
    def pool_used(self) -> int:
        return sum(max(0, n - self.quotas.get(unit_id, 0)) for unit_id, n in self.active.items())

    @property
    def taken(self) -> int:
        return sum(self.active.values())

    def has_quota_seat(self, unit_id: int) -> bool:
        return self.active[unit_id] < self.quotas.get(unit_id, 0)

    def can_seat(self, unit_id: int) -> bool:
        """A new entry of this unit would get a seat (its quota first, else the pool)."""
        if self.taken >= self.capacity:
            return False
        return self.has_quota_seat(unit_id) or self.pool_used < self.pool


def seat_state(session: Session, training_class: TrainingClass) -> SeatState:
    quotas = dict(session.execute(
        select(Quota.unit_id, Quota.seats).where(Quota.class_id == training_class.id)).all())
    active = Counter(dict(session.execute(
        select(Enrollment.unit_id, func.count()).where(
            Enrollment.class_id == training_class.id, Enrollment.status.in_(SEAT_HOLDING))
        .group_by(Enrollment.unit_id)).all()))
    return SeatState(capacity=training_class.capacity, quotas=quotas, active=active)


def total_allocated(session: Session, training_class: TrainingClass) -> int:
    """Seats allocated to units (Σ quotas)."""
    return session.scalar(select(func.coalesce(func.sum(Quota.seats), 0)).where(
        Quota.class_id == training_class.id)) or 0


def pool_seats(session: Session, training_class: TrainingClass) -> int:
    """The unallocated pool: capacity − allocated."""
    return max(0, training_class.capacity - total_allocated(session, training_class))


def over_quota_admission(session: Session, training_class: TrainingClass, unit_id: int
                         ) -> tuple[int, int] | None:
    """(quota, approved) when approving one more entry of this unit would admit it beyond its
    quota, else None. A class without a quota table has only pool seats: nobody is over.
    Read under the lock when deciding; ``QuotaSummary.over_quota_rows`` flags the same rule."""
    if not total_allocated(session, training_class):
        return None
    quota = session.scalar(select(Quota.seats).where(
        Quota.class_id == training_class.id, Quota.unit_id == unit_id)) or 0
    approved = session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.class_id == training_class.id, Enrollment.unit_id == unit_id,
        Enrollment.status == EnrollmentStatus.APPROVED.value)) or 0
    return (quota, approved) if approved >= quota else None


def get_quota(session: Session, training_class: TrainingClass, unit: Unit) -> Quota | None:
    return session.scalar(select(Quota).where(
        Quota.class_id == training_class.id, Quota.unit_id == unit.id))


# --- the summary shown on pages and exported -------------------------------------------------

@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    quota: int
    approved: int
    pending: int
    waitlisted: int
    overridden: int = 0  # approved entries carrying an organizer's over-quota reason

    @property
    def active(self) -> int:
        return self.approved + self.pending

    @property
    def over_quota(self) -> int:
        """Seat-holding entries beyond the unit's quota (approved or still pending)."""
        return max(0, self.active - self.quota)

    @property
    def approved_over(self) -> int:
        """Approved entries beyond the quota: each needs an over-quota reason."""
        return max(0, self.approved - self.quota)

    @property
    def unexplained(self) -> int:
        """Approved beyond the quota without the organizer's recorded reason."""
        return max(0, self.approved_over - self.overridden)

    @property
    def unused(self) -> int:
        """Quota seats no entry holds (what ``release_unused`` would move to the pool)."""
        return max(0, self.quota - self.active)

    @property
    def on_pool(self) -> int:
        """Entries beyond the quota, sitting on pool seats."""
        return max(0, self.active - self.quota)


@dataclass(frozen=True)
class QuotaSummary:
    capacity: int
    rows: list[UnitRow]

    @property
    def allocated(self) -> int:
        return sum(r.quota for r in self.rows)

    @property
    def pool(self) -> int:
        return max(0, self.capacity - self.allocated)

    @property
    def pool_used(self) -> int:
        return sum(r.on_pool for r in self.rows)

    @property
    def pool_free(self) -> int:
        return max(0, self.pool - self.pool_used)

    @property
    def approved(self) -> int:
        return sum(r.approved for r in self.rows)

    @property
    def pending(self) -> int:
        return sum(r.pending for r in self.rows)

    @property
    def waitlisted(self) -> int:
        return sum(r.waitlisted for r in self.rows)

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.approved - self.pending)

    def row_for(self, unit_id: int) -> UnitRow | None:
        return next((r for r in self.rows if r.unit.id == unit_id), None)

    @property
    def over_quota_rows(self) -> list[UnitRow]:
        """Every unit holding more seats than its quota: flagged on every quota view. Without
        a quota table every seat is a pool seat and no unit is over (as in
        ``over_quota_admission``)."""
        return [r for r in self.rows if r.over_quota] if self.allocated else []

    def is_over_quota(self, row: UnitRow) -> bool:
        return bool(self.allocated and row.over_quota)

    def next_approval_over_quota(self, row: UnitRow) -> bool:
        """Approving one more of this unit needs a reason (``over_quota_admission``'s rule)."""
        return bool(self.allocated and row.approved >= row.quota)


def quota_summary(session: Session, training_class: TrainingClass, *,
                  all_units: bool = False) -> QuotaSummary:
    """Per unit: quota / approved / pending / waitlisted. Units with a quota or an entry, or
    every unit when ``all_units`` (the quota editing page)."""
    quotas = dict(session.execute(
        select(Quota.unit_id, Quota.seats).where(Quota.class_id == training_class.id)).all())
    counts: dict[tuple[int, str], int] = {
        (unit_id, status): n for unit_id, status, n in session.execute(
            select(Enrollment.unit_id, Enrollment.status, func.count())
            .where(Enrollment.class_id == training_class.id)
            .group_by(Enrollment.unit_id, Enrollment.status))}
    overridden = dict(session.execute(
        select(Enrollment.unit_id, func.count())
        .where(Enrollment.class_id == training_class.id,
               Enrollment.status == EnrollmentStatus.APPROVED.value,
               Enrollment.over_quota_reason != "")
        .group_by(Enrollment.unit_id)).all())
    unit_ids = set(quotas) | {u for (u, s) in counts if s in (*SEAT_HOLDING, "waitlisted")}
    query = select(Unit).order_by(Unit.kind, Unit.name)
    if not all_units:
        query = query.where(Unit.id.in_(unit_ids or {-1}))
    rows = [
        UnitRow(unit=unit, quota=quotas.get(unit.id, 0),
                approved=counts.get((unit.id, EnrollmentStatus.APPROVED.value), 0),
                pending=counts.get((unit.id, EnrollmentStatus.PENDING.value), 0),
                waitlisted=counts.get((unit.id, EnrollmentStatus.WAITLISTED.value), 0),
                overridden=overridden.get(unit.id, 0))
        for unit in session.scalars(query)
    ]
    return QuotaSummary(capacity=training_class.capacity, rows=rows)


# --- promotion from the waitlist -------------------------------------------------------------

def promote_waitlisted(
    session: Session, *, training_class: TrainingClass, state: SeatState, actor: User | None,
    now: datetime, unit_id: int | None = None, quota_seats_only: bool = False,
    limit: int | None = None,
) -> list[Enrollment]:
    """Move waiting entries that now fit to pending, earliest first (call under the lock).

    ``unit_id`` limits the candidates to one unit; ``quota_seats_only`` admits an entry only
    into a free quota seat of its unit (not onto the pool).
    """
    query = (select(Enrollment)
             .where(Enrollment.class_id == training_class.id,
                    Enrollment.status == EnrollmentStatus.WAITLISTED.value)
             .order_by(Enrollment.created_at, Enrollment.id))
    if unit_id is not None:
        query = query.where(Enrollment.unit_id == unit_id)
    promoted: list[Enrollment] = []
    for entry in session.scalars(query):
        if limit is not None and len(promoted) >= limit:
            break
        fits = (state.has_quota_seat(entry.unit_id) and state.taken < state.capacity
                if quota_seats_only else state.can_seat(entry.unit_id))
        if not fits:
            continue
        entry.status = EnrollmentStatus.PENDING.value
        state.active[entry.unit_id] += 1
        promoted.append(entry)
        audit.record(session, actor=actor, action="enrollment.promote", target=entry, now=now,
                     changes={"status": ["waitlisted", "pending"]},
                     summary=f"{training_class.title}：候补学员 {entry.trainee.name} 递补为待审核")
    return promoted


def promote_after_freed_seat(session: Session, *, training_class: TrainingClass,
                             state: SeatState, unit_id: int, actor: User | None,
                             now: datetime) -> Enrollment | None:
    """One seat was freed by an entry of ``unit_id``: the earliest waiting entry of that unit
    takes it, or else the earliest waiting entry of any unit that fits (the pool)."""
    promoted = (promote_waitlisted(session, training_class=training_class, state=state,
                                   actor=actor, now=now, unit_id=unit_id, limit=1)
                or promote_waitlisted(session, training_class=training_class, state=state,
                                      actor=actor, now=now, limit=1))
    return promoted[0] if promoted else None


# --- changing quotas -------------------------------------------------------------------------

def _require_not_frozen(training_class: TrainingClass) -> None:
    if training_class.status in FROZEN_STATUSES:
        raise DomainError(N_("已结业或已归档的培训班不能再调整名额。"))


def _check_new_quotas(state: SeatState, new_quotas: dict[int, int]) -> None:
    total = sum(new_quotas.values())
    if total > state.capacity:
        raise DomainError(N_("各单位名额合计%(total)s人，超过了计划人数%(capacity)s人。"),
                          total=total, capacity=state.capacity)
    trial = SeatState(capacity=state.capacity, quotas=new_quotas, active=state.active)
    if trial.pool_used > trial.pool:
        raise DomainError(
            N_("公共名额不足：已有%(used)s人超出本单位名额占用公共名额，调整后公共名额只有%(pool)s个。"),
            used=trial.pool_used, pool=trial.pool)


def set_quotas(session: Session, *, training_class: TrainingClass, seats: dict[Unit, int],
               actor: User | None, now: datetime) -> list[Enrollment]:
    """Set several units' quotas at once (the quota table); returns entries promoted from the
    waitlist into raised quotas."""
    lock_class(session, training_class, before_reads=True)
    lock_class(session, training_class)
    _require_not_frozen(training_class)
    for unit, n in seats.items():
        if n is None or int(n) < 0:
            raise DomainError(N_("名额不能为负数：%(unit)s"), unit=unit.name)
    state = seat_state(session, training_class)
    new_quotas = dict(state.quotas)
    for unit, n in seats.items():
        if int(n) or unit.id in new_quotas:
            new_quotas[unit.id] = int(n)
    _check_new_quotas(state, new_quotas)
    raised: list[int] = []
    for unit, n in seats.items():
        old = state.quotas.get(unit.id)
        if old == int(n) or (old is None and int(n) == 0):
            continue
        quota = get_quota(session, training_class, unit)
        if quota is None:
            quota = Quota(class_id=training_class.id, unit_id=unit.id, seats=0)
            session.add(quota)
        quota.seats = int(n)
        quota.updated_at = now
        session.flush()
        audit.record(session, actor=actor, action="quota.set", target=quota, now=now,
                     changes={"class_id": training_class.id, "unit_id": unit.id,
                              "seats": [old or 0, int(n)]},
                     summary=f"{training_class.title}：{unit.name} 名额 {old or 0} → {n}")
        if int(n) > (old or 0):
            raised.append(unit.id)
    state.quotas = new_quotas
    promoted: list[Enrollment] = []
    for unit_id in raised:
        promoted += promote_waitlisted(session, training_class=training_class, state=state,
                                       actor=actor, now=now, unit_id=unit_id,
                                       quota_seats_only=True)
    return promoted


def set_quota(session: Session, *, training_class: TrainingClass, unit: Unit, seats: int,
              actor: User | None, now: datetime) -> list[Enrollment]:
    """Set one unit's quota; the quotas may not add up to more than the capacity."""
    return set_quotas(session, training_class=training_class, seats={unit: seats},
                      actor=actor, now=now)


def registration_deadline_passed(training_class: TrainingClass, now: datetime,
                                 tz: ZoneInfo = CLASS_TIMEZONE) -> bool:
    deadline = training_class.registration_deadline
    return deadline is not None and now.astimezone(tz).date() > deadline


def release_unused(session: Session, *, training_class: TrainingClass, unit: Unit,
                   actor: User | None, now: datetime, tz: ZoneInfo = CLASS_TIMEZONE) -> int:
    """After the registration deadline, move a unit's unused seats (quota − approved − pending)
    to the pool; returns how many. They stay free until reassigned."""
    lock_class(session, training_class, before_reads=True)
    lock_class(session, training_class)
    _require_not_frozen(training_class)
    if not (training_class.status in RELEASE_STATUSES
            or registration_deadline_passed(training_class, now, tz)):
        raise DomainError(N_("报名截止后才能释放未使用的名额。"))
    state = seat_state(session, training_class)
    quota = get_quota(session, training_class, unit)
    unused = max(0, (quota.seats if quota else 0) - state.active[unit.id])
    if quota is None or unused == 0:
        raise DomainError(N_("%(unit)s没有未使用的名额。"), unit=unit.name)
    old = quota.seats
    quota.seats = old - unused
    quota.updated_at = now
    audit.record(session, actor=actor, action="quota.release", target=quota, now=now,
                 changes={"class_id": training_class.id, "unit_id": unit.id,
                          "seats": [old, quota.seats], "to_pool": unused},
                 summary=f"{training_class.title}：{unit.name} 未使用的{unused}个名额"
                         "释放到公共名额")
    return unused


def reassign(session: Session, *, training_class: TrainingClass, unit: Unit, seats: int,
             actor: User | None, now: datetime) -> list[Enrollment]:
    """Give ``seats`` free pool seats to ``unit`` (its quota grows); the unit's waiting entries
    are promoted into them, earliest first, and returned."""
    lock_class(session, training_class, before_reads=True)
    lock_class(session, training_class)
    _require_not_frozen(training_class)
    if seats is None or seats <= 0:
        raise DomainError(N_("请填写要分配的名额数（大于0）。"))
    state = seat_state(session, training_class)
    # Seats free in the pool, plus the pool seats this unit's own entries already occupy.
    available = state.pool - state.pool_used + max(
        0, state.active[unit.id] - state.quotas.get(unit.id, 0))
    if seats > available:
        raise DomainError(N_("公共名额不足：最多还能给%(unit)s分配%(n)s个名额。"),
                          unit=unit.name, n=available)
    quota = get_quota(session, training_class, unit)
    if quota is None:
        quota = Quota(class_id=training_class.id, unit_id=unit.id, seats=0)
        session.add(quota)
    old = quota.seats
    quota.seats = old + seats
    quota.updated_at = now
    session.flush()
    audit.record(session, actor=actor, action="quota.reassign", target=quota, now=now,
                 changes={"class_id": training_class.id, "unit_id": unit.id,
                          "seats": [old, quota.seats], "from_pool": seats},
                 summary=f"{training_class.title}：从公共名额分配{seats}个给 {unit.name}")
    state.quotas[unit.id] = quota.seats
    return promote_waitlisted(session, training_class=training_class, state=state, actor=actor,
                              now=now, unit_id=unit.id, quota_seats_only=True)


def units_with_quota(session: Session, training_class: TrainingClass) -> Iterable[Unit]:
    return session.scalars(
        select(Unit).join(Quota, Quota.unit_id == Unit.id)
        .where(Quota.class_id == training_class.id, Quota.seats > 0)
        .order_by(Unit.kind, Unit.name))
