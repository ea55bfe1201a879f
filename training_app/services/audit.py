"""Writing and reading the audit log (操作记录)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import AuditEntry, User, utcnow


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target: Any,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add one audit entry for ``target`` (a model instance), flushing it first for its id."""
    if getattr(target, "id", None) is None:
        session.flush()
    entry = AuditEntry(
        at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target.__tablename__,
        target_id=target.id,
        summary=summary,
        changes=_jsonable(changes or {}),
    )
    session.add(entry)
    session.flush()
    return entry


def diff(obj: Any, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields of ``obj`` that ``new_values`` would change, as {field: [before, after]}."""
    return {
        name: [getattr(obj, name), value]
        for name, value in new_values.items()
        if getattr(obj, name) != value
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    target_type: str = ""
    actor_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_entries(session: Session, filters: AuditFilter, *, limit: int = 200) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.since is not None:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.at < filters.until)
    return list(session.scalars(query))


def known_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
