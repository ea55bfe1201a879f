"""Batch printing: one print-ready PDF of a class's certificates of one kind.

A batch first issues the certificates still owed (new serials, snapshots), then renders every
valid certificate of the kind, in roster or group order, one page each. Up to ``chunk_size``
certificates are ONE WeasyPrint render; a larger class is rendered chunk by chunk, each chunk
written to a file and forgotten, and the files joined with pypdf, so memory stays bounded by the
chunk size, not the class size. The job itself (``training_app.jobs``) runs on the configured
queue (RQ on Redis) or in a background thread and commits the progress this module records.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfWriter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from training_app.models import (
    BatchOrder,
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateKind,
    PrintMode,
    TrainingClass,
    User,
)
from training_app.services import audit, certificates
from training_app.services import certificate_render as render
from training_app.services.errors import N_, DomainError

UNFINISHED = (BatchStatus.QUEUED.value, BatchStatus.RUNNING.value)
# An unfinished batch without progress for this long is taken as abandoned.
STALE_AFTER = timedelta(minutes=30)


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), max(1, size)):
        yield items[start:start + size]


def create_batch(session: Session, *, training_class: TrainingClass, kind: str, order: str,
                 mode: str, actor: User, now: datetime, verify_base_url: str) -> CertificateBatch:
    """Record a print job (queued); the caller commits, then hands its id to the job queue."""
    if kind not in {k.value for k in CertificateKind}:
        raise DomainError(N_("未知的证书类别。"))
    if order not in {o.value for o in BatchOrder} or mode not in {m.value for m in PrintMode}:
        raise DomainError(N_("未知的排序或打印方式。"))
    for unfinished in session.scalars(select(CertificateBatch).where(
            CertificateBatch.class_id == training_class.id,
            CertificateBatch.status.in_(UNFINISHED))):
        if (unfinished.updated_at or unfinished.created_at) > now - STALE_AFTER:
            raise DomainError(N_("本班已有证书正在生成，请等待完成后再试。"))
        # No sign of life for a long time: its worker or thread is gone (e.g. a restart).
        unfinished.status = BatchStatus.FAILED.value
        unfinished.error = f"abandoned: no progress for {STALE_AFTER.total_seconds() // 60:.0f} min"
        unfinished.finished_at = now
    people = certificates.recipients(session, training_class, kind)
    if not people:
        raise DomainError(N_("本班还没有符合条件的学员（结业名单或已确认的优秀学员名单为空）。"))
    batch = CertificateBatch(
        class_id=training_class.id, kind=kind, order=order, mode=mode,
        status=BatchStatus.QUEUED.value, phase="", total=len(people), done=0,
        job_id=f"certificate-batch-{secrets.token_hex(8)}", verify_base_url=verify_base_url,
        created_by_id=actor.id, created_at=now)
    session.add(batch)
    session.flush()
    audit.record(session, actor=actor, action="certificate.batch", target=training_class, now=now,
                 summary=f"生成{certificates.KIND_LABELS[kind]}PDF",
                 changes={"batch_id": batch.id, "order": order, "mode": mode})
    return batch


def batches_of_class(session: Session, training_class: TrainingClass,
                     limit: int = 10) -> list[CertificateBatch]:
    return list(session.scalars(
        select(CertificateBatch).where(CertificateBatch.class_id == training_class.id)
        .order_by(CertificateBatch.created_at.desc(), CertificateBatch.id.desc()).limit(limit)))


# --- the job's steps (each leaves the commit to the job) --------------------------------------

def mark(session: Session, batch_id: int, *, now: datetime, **values: Any) -> None:
    """Record progress with a single UPDATE (the first statement of the job's transaction, so
    SQLite takes its write lock at once rather than upgrading a read), and the heartbeat."""
    session.execute(update(CertificateBatch).where(CertificateBatch.id == batch_id)
                    .values(updated_at=now, **values))


def render_part(session: Session, *, certificate_ids: Sequence[int], mode: str,
                images_dir: Path, training_class: TrainingClass,
                joinable: bool = False) -> list[tuple[bytes, int]]:
    """Render these certificates (in this order); one WeasyPrint render per run of certificates
    sharing a design (normally the whole part is one run). Returns (PDF, page count) per render."""
    loaded = {c.id: c for c in session.scalars(
        select(Certificate).where(Certificate.id.in_(certificate_ids)))}
    items = [loaded[i] for i in certificate_ids]
    if mode == PrintMode.STOCK.value:
        settings = certificates.settings_for(session, training_class)
        html = certificates.stock_html(settings, [c.values for c in items])
        return [render.render_html_counted(html, images_dir=None, joinable=joinable)]
    outputs = []
    run: list[Certificate] = []
    for certificate in [*items, None]:
        if run and (certificate is None or certificate.design_id != run[0].design_id):
            design = render.Design(name=run[0].design.name, html=run[0].design.html,
                                   css=run[0].design.css)
            html = render.design_document([c.values for c in run], design)
            outputs.append(render.render_html_counted(html, images_dir=images_dir,
                                                      joinable=joinable))
            run = []
        if certificate is not None:
            run.append(certificate)
    return outputs


def join(parts: Sequence[Path], target: Path) -> None:
    """Join PDF files into ``target`` (one part is simply moved)."""
    if len(parts) == 1:
        parts[0].replace(target)
        return
    writer = PdfWriter()
    for part in parts:
        writer.append(str(part), import_outline=False)
    with target.open("wb") as out:
        writer.write(out)
    writer.close()


def batch_dir(storage_dir: Path) -> Path:
    return storage_dir / "batches"


def file_of(batch: CertificateBatch, storage_dir: Path) -> Path | None:
    if batch.status != BatchStatus.DONE.value or not batch.stored_name:
        return None
    return batch_dir(storage_dir) / batch.stored_name


def status(batch: CertificateBatch) -> dict[str, Any]:
    """The JSON the page polls."""
    percent = 100 if batch.status == BatchStatus.DONE.value else (
        int(batch.done * 100 / batch.total) if batch.total else 0)
    return {"id": batch.id, "status": batch.status, "phase": batch.phase, "done": batch.done,
            "total": batch.total, "percent": percent, "pages": batch.pages,
            "error": batch.error, "finished": batch.status not in UNFINISHED}
