"""Registration materials (报名材料): PDF, JPG or PNG files attached to an entry.

The type is decided by the file's first bytes, never by its name or the browser's claim; files
are stored under the instance folder with random names and served only to the organizer and the
entry's owners (the trainee and their unit contact), see ``enrollment.can_view_entry``.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from training_app.models import Enrollment, EnrollmentMaterial, EnrollmentStatus, User
from training_app.services import audit
from training_app.services.enrollment import FROZEN_STATUSES, can_view_entry
from training_app.services.errors import N_, DomainError, PermissionDenied

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_ENTRY = 20
# (signature, content type, extension)
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) by the magic bytes, or None for anything else."""
    for signature, content_type, extension in SIGNATURES:
        if data.startswith(signature):
            return content_type, extension
    return None


def _display_name(filename: str) -> str:
    """The file's own name without any directory a browser sent along, for display only."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    return (name or "file")[-200:]


def path_of(material: EnrollmentMaterial, storage_dir: Path) -> Path:
    return storage_dir / material.stored_name


def add_material(session: Session, *, enrollment: Enrollment, label: str, filename: str,
                 data: bytes, storage_dir: Path, actor: User, now: datetime
                 ) -> EnrollmentMaterial:
    if not can_view_entry(actor, enrollment):
        raise PermissionDenied(N_("没有权限进行此操作。"))
    if enrollment.training_class.status in FROZEN_STATUSES:
        raise DomainError(N_("已结业或已归档的培训班不能再修改报名。"))
    if enrollment.status == EnrollmentStatus.WITHDRAWN.value:
        raise DomainError(N_("已退出的报名不能再上传材料。"))
    label = (label or "").strip()
    if not label:
        raise DomainError(N_("请选择材料类别。"))
    if not data:
        raise DomainError(N_("请选择要上传的文件。"))
    if len(data) > MAX_BYTES:
        raise DomainError(N_("文件不能超过%(mb)sMB。"), mb=MAX_BYTES // (1024 * 1024))
    kind = sniff(data)
    if kind is None:
        raise DomainError(N_("只能上传PDF、JPG或PNG文件（按文件内容识别）。"))
    count = session.scalar(select(func.count()).select_from(EnrollmentMaterial).where(
        EnrollmentMaterial.enrollment_id == enrollment.id))
    if count >= MAX_PER_ENTRY:
        raise DomainError(N_("每条报名最多上传%(n)s个文件。"), n=MAX_PER_ENTRY)
    content_type, extension = kind
    stored_name = secrets.token_hex(16) + extension
    storage_dir.mkdir(parents=True, exist_ok=True)
    (storage_dir / stored_name).write_bytes(data)
    material = EnrollmentMaterial(
        enrollment=enrollment, label=label[:100], original_filename=_display_name(filename),
        stored_name=stored_name, content_type=content_type, size=len(data), uploaded_at=now,
        uploaded_by_id=actor.id)
    session.add(material)
    session.flush()
    audit.record(session, actor=actor, action="material.upload", target=material, now=now,
                 changes={"enrollment_id": enrollment.id, "label": material.label,
                          "filename": material.original_filename, "size": len(data)},
                 summary=f"{enrollment.trainee.name} 上传报名材料 {material.label}")
    return material


def delete_material(session: Session, *, material: EnrollmentMaterial, storage_dir: Path,
                    actor: User, now: datetime) -> None:
    enrollment = material.enrollment
    if not can_view_entry(actor, enrollment):
        raise PermissionDenied(N_("没有权限进行此操作。"))
    if enrollment.training_class.status in FROZEN_STATUSES:
        raise DomainError(N_("已结业或已归档的培训班不能再修改报名。"))
    audit.record(session, actor=actor, action="material.delete", target=material, now=now,
                 changes={"enrollment_id": enrollment.id, "label": material.label,
                          "filename": material.original_filename},
                 summary=f"删除 {enrollment.trainee.name} 的报名材料 {material.label}")
    session.delete(material)
    session.flush()
    path_of(material, storage_dir).unlink(missing_ok=True)
