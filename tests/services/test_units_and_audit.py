from datetime import timedelta

import pytest
from sqlalchemy import select

from training_app.models import AuditEntry, Role, UnitKind
from training_app.services import audit, units
from training_app.services.errors import DomainError
from tests.factories import NOW, make_user


def test_unit_create_update_and_audit(db_session):
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    unit = units.create_unit(db_session, name="奎文区民政局", kind=UnitKind.CIVIL_AFFAIRS.value,
                             contact_person="张", phone="1", actor=organizer, now=NOW)
    units.update_unit(db_session, unit=unit, name="奎文区民政局", kind=unit.kind,
                      contact_person="李", phone="1", actor=organizer, now=NOW)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.update"))
    assert entry.changes == {"contact_person": ["张", "李"]}
    assert entry.actor_id == organizer.id


def test_unit_name_unique_and_kind_known(db_session):
    units.create_unit(db_session, name="寿光市民政局", kind="civil_affairs", actor=None, now=NOW)
    with pytest.raises(DomainError, match="单位名称已存在"):
        units.create_unit(db_session, name="寿光市民政局", kind="civil_affairs", actor=None, now=NOW)
    with pytest.raises(DomainError, match="未知的单位类型"):
        units.create_unit(db_session, name="x", kind="bank", actor=None, now=NOW)
    with pytest.raises(DomainError, match="请填写单位名称"):
        units.create_unit(db_session, name="  ", kind="other", actor=None, now=NOW)


def test_audit_filter_by_action_type_and_time(db_session):
    make_user(db_session)
    units.create_unit(db_session, name="甲", kind="other", actor=None, now=NOW + timedelta(days=2))
    everything = audit.list_entries(db_session, audit.AuditFilter())
    assert {e.action for e in everything} == {"user.create", "unit.create"}
    only_units = audit.list_entries(db_session, audit.AuditFilter(target_type="unit"))
    assert [e.action for e in only_units] == ["unit.create"]
    later = audit.list_entries(db_session, audit.AuditFilter(since=NOW + timedelta(days=1)))
    assert [e.action for e in later] == ["unit.create"]
    assert audit.known_actions(db_session) == ["unit.create", "user.create"]
    assert all(e.at.tzinfo is not None for e in everything)
