"""Units (单位): employers of trainees, sponsors and organizers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from training_app.models import Unit, UnitKind, User
from training_app.services import audit
from training_app.services.errors import N_, DomainError

UNIT_FIELDS = ("name", "kind", "contact_person", "phone")


def _check(session: Session, *, name: str, kind: str, unit_id: int | None) -> None:
    if not name:
        raise DomainError(N_("请填写单位名称。"))
    if kind not in {k.value for k in UnitKind}:
        raise DomainError(N_("未知的单位类型：%(kind)s"), kind=kind)
    clash = session.scalar(select(Unit).where(func.lower(Unit.name) == name.lower()))
    if clash is not None and clash.id != unit_id:
        raise DomainError(N_("单位名称已存在：%(name)s"), name=name)


def create_unit(
    session: Session, *, name: str, kind: str, contact_person: str = "", phone: str = "",
    actor: User | None, now: datetime | None = None,
) -> Unit:
    name = name.strip()
    _check(session, name=name, kind=kind, unit_id=None)
    unit = Unit(name=name, kind=kind, contact_person=contact_person.strip(), phone=phone.strip())
    session.add(unit)
    session.flush()
    audit.record(session, actor=actor, action="unit.create", target=unit, now=now,
                 summary=f"新建单位 {name}",
                 changes={f: getattr(unit, f) for f in UNIT_FIELDS})
    return unit


def update_unit(
    session: Session, *, unit: Unit, name: str, kind: str, contact_person: str, phone: str,
    actor: User, now: datetime,
) -> Unit:
    name = name.strip()
    _check(session, name=name, kind=kind, unit_id=unit.id)
    values = {"name": name, "kind": kind, "contact_person": contact_person.strip(),
              "phone": phone.strip()}
    changes = audit.diff(unit, values)
    for field, value in values.items():
        setattr(unit, field, value)
    if changes:
        audit.record(session, actor=actor, action="unit.update", target=unit, now=now,
                     changes=changes, summary=f"修改单位 {name}")
    return unit


def list_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.kind, Unit.name)))
