"""Background jobs: certificate batches on a real queue when one is configured.

With ``RQ_REDIS_URL`` set (env ``TRAINING_APP_RQ_REDIS_URL``), a batch is enqueued on RQ: any
app instance can enqueue, an ``rq worker`` on any machine with the same configuration
(``DATABASE_URL``, ``SECRET_KEY``, the shared ``CERTIFICATE_STORAGE_DIR``) runs it, and the job
lives in Redis, not in the web process that asked for it::

    rq worker --url "$TRAINING_APP_RQ_REDIS_URL" training_app

Without a queue (the embedded default of ``make run``) the same function runs in a background
thread of the app. Like a view, a job owns its transactions: the services flush, the job commits.
"""
from __future__ import annotations

import threading
import traceback
from pathlib import Path

from flask import Flask, current_app

from training_app.extensions import db
from training_app.models import BatchStatus, CertificateBatch, TrainingClass, User, utcnow
from training_app.services import certificate_batches, certificates

_WORKER_APP: Flask | None = None


def certificate_storage(app: Flask) -> Path:
    """Where certificate images and batch PDFs live: shared by every instance and worker."""
    configured = app.config.get("CERTIFICATE_STORAGE_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "certificates"


def certificate_images_dir(app: Flask) -> Path:
    return certificate_storage(app) / "images"


def enqueue_certificate_batch(batch: CertificateBatch, app: Flask | None = None) -> str:
    """Start the batch's job (after the batch row is committed). Returns how it runs."""
    app = app or current_app._get_current_object()
    url = app.config.get("RQ_REDIS_URL")
    if url:
        from redis import Redis
        from rq import Queue

        queue = Queue(app.config.get("RQ_QUEUE") or "training_app",
                      connection=Redis.from_url(url))
        queue.enqueue("training_app.jobs.run_certificate_batch", batch.id, job_id=batch.job_id,
                      job_timeout=app.config.get("CERTIFICATE_JOB_TIMEOUT", 3 * 3600),
                      result_ttl=86400, failure_ttl=7 * 86400)
        return "rq"
    thread = threading.Thread(target=run_batch, args=(app, batch.id),
                              name=f"certificate-batch-{batch.id}", daemon=True)
    thread.start()
    return "thread"


def run_certificate_batch(batch_id: int) -> None:
    """The RQ entry point: the worker builds the app from its own environment."""
    global _WORKER_APP
    if _WORKER_APP is None:
        from training_app import create_app

        _WORKER_APP = create_app()
    run_batch(_WORKER_APP, batch_id)


def run_batch(app: Flask, batch_id: int) -> None:
    with app.app_context():
        try:
            _run(app, batch_id)
        except Exception as error:
            db.session.rollback()
            certificate_batches.mark(
                db.session, batch_id, now=utcnow(), status=BatchStatus.FAILED.value,
                finished_at=utcnow(),
                error=f"{type(error).__name__}: {error}"[:2000])
            db.session.commit()
            app.logger.error("certificate batch %s failed:\n%s", batch_id, traceback.format_exc())
            if app.config.get("RQ_REDIS_URL"):
                raise  # RQ records the failure too
        finally:
            db.session.remove()


def _run(app: Flask, batch_id: int) -> None:
    session = db.session
    storage = certificate_storage(app)
    images_dir = certificate_images_dir(app)
    chunk_size = int(app.config.get("CERTIFICATE_CHUNK_SIZE") or 200)

    def progress(**values) -> None:  # a transaction of its own, the UPDATE first
        certificate_batches.mark(session, batch_id, now=utcnow(), **values)
        session.commit()

    batch = session.get(CertificateBatch, batch_id)
    if batch is None or batch.status != BatchStatus.QUEUED.value:
        return
    kind, order, mode = batch.kind, batch.order, batch.mode
    class_id, base_url, actor_id = batch.class_id, batch.verify_base_url, batch.created_by_id
    token = batch.job_id.rsplit("-", 1)[-1]
    session.commit()
    progress(status=BatchStatus.RUNNING.value, phase="issue", started_at=utcnow())

    # 1. issue what is still owed, a chunk per transaction
    training_class = session.get(TrainingClass, class_id)
    actor = session.get(User, actor_id) if actor_id else None
    people = certificates.pending_recipients(session, training_class, kind)
    session.commit()
    for part in certificate_batches.chunks(people, chunk_size):
        certificates.issue_to(session, training_class=training_class, kind=kind, people=part,
                              actor=actor, now=utcnow(), verify_base_url=base_url)
        session.commit()
        progress()

    # 2. render in chunks, each to its own file, then join
    ids = certificates.ordered_ids(session, training_class, kind, order)
    session.commit()
    if not ids:
        raise RuntimeError("no valid certificate to print")
    progress(phase="render", total=len(ids), done=0)
    out_dir = certificate_batches.batch_dir(storage)
    out_dir.mkdir(parents=True, exist_ok=True)
    stored_name = f"batch-{batch_id}-{token}.pdf"
    target = out_dir / stored_name
    parts: list[Path] = []
    pages = done = 0
    try:
        for part_ids in certificate_batches.chunks(ids, chunk_size):
            outputs = certificate_batches.render_part(
                session, certificate_ids=part_ids, mode=mode, images_dir=images_dir,
                training_class=training_class, joinable=len(ids) > chunk_size)
            session.commit()
            for data, count in outputs:
                path = out_dir / f"part-{batch_id}-{token}-{len(parts):04d}.pdf"
                path.write_bytes(data)
                parts.append(path)
                pages += count
            del outputs
            session.expunge_all()  # forget the chunk's certificates: memory stays bounded
            done += len(part_ids)
            progress(done=done)
            training_class = session.get(TrainingClass, class_id)
        progress(phase="join")
        certificate_batches.join(parts, target)
    finally:
        for path in parts:
            path.unlink(missing_ok=True)
    progress(status=BatchStatus.DONE.value, phase="", stored_name=stored_name,
             size=target.stat().st_size, pages=pages, finished_at=utcnow())
