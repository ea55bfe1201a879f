import pytest
from sqlalchemy import select

from tests.factories import (
    NOW,
    make_open_class,
    make_unit,
    make_unit_contact,
    make_user,
    trainee_data,
    use_fast_password_hashing,
)
from training_app.models import AuditEntry, Role
from training_app.services import enrollment, materials
from training_app.services.errors import DomainError, PermissionDenied

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def store(tmp_path):
    return tmp_path / "uploads" / "materials"


@pytest.fixture
def entry(db_session, monkeypatch):
    use_fast_password_hashing(monkeypatch)
    training_class = make_open_class(db_session)
    unit = make_unit(db_session)
    contact = make_unit_contact(db_session, unit)
    return enrollment.nominate(db_session, training_class=training_class, unit=unit,
                               profile_data=trainee_data(), actor=contact, now=NOW), contact


@pytest.mark.parametrize("data, content_type", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPG, "image/jpeg")])
def test_type_is_decided_by_content(db_session, entry, store, data, content_type):
    entry, contact = entry
    material = materials.add_material(
        db_session, enrollment=entry, label="资格证书复印件", filename="C:\\docs\\证书.exe",
        data=data, storage_dir=store, actor=contact, now=NOW)
    assert material.content_type == content_type
    assert material.original_filename == "证书.exe"  # shown as given, never used as a path
    stored = materials.path_of(material, store)
    assert stored.read_bytes() == data and stored.parent == store
    assert len(material.stored_name) == 32 + len(stored.suffix)
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "material.upload"))


@pytest.mark.parametrize("data", [b"MZ\x90\x00 an executable", b"<html><script>", b""])
def test_other_content_is_refused_whatever_the_name(db_session, entry, store, data):
    entry, contact = entry
    with pytest.raises(DomainError):
        materials.add_material(db_session, enrollment=entry, label="身份证", filename="a.pdf",
                               data=data, storage_dir=store, actor=contact, now=NOW)
    assert not store.exists() or list(store.iterdir()) == []


def test_size_limit(db_session, entry, store):
    entry, contact = entry
    with pytest.raises(DomainError, match="10MB"):
        materials.add_material(db_session, enrollment=entry, label="身份证", filename="a.pdf",
                               data=PDF + b"0" * materials.MAX_BYTES, storage_dir=store,
                               actor=contact, now=NOW)


def test_only_owners_and_organizers(db_session, entry, store):
    entry, _contact = entry
    stranger = make_unit_contact(db_session, make_unit(db_session))
    with pytest.raises(PermissionDenied):
        materials.add_material(db_session, enrollment=entry, label="身份证", filename="a.pdf",
                               data=PDF, storage_dir=store, actor=stranger, now=NOW)
    trainee = entry.trainee.user
    material = materials.add_material(db_session, enrollment=entry, label="身份证",
                                      filename="a.pdf", data=PDF, storage_dir=store,
                                      actor=trainee, now=NOW)
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    materials.delete_material(db_session, material=material, storage_dir=store,
                              actor=organizer, now=NOW)
    assert list(store.iterdir()) == [] and entry.materials == []
