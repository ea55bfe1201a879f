"""Certificate batches: the job's steps, failures and abandoned jobs (run in-process here; the
HTTP tests run them in a thread and on a real RQ worker)."""
from datetime import timedelta

import pytest
from pypdf import PdfReader

from training_app.jobs import certificate_storage, run_batch
from training_app.models import CertificateBatch
from training_app.services import certificate_batches, certificates
from training_app.services.errors import DomainError
from tests.factories import CERT_BASE_URL, NOW, make_certificate_class


def new_batch(session, training_class, organizer, *, now=NOW, kind="completion"):
    batch = certificate_batches.create_batch(
        session, training_class=training_class, kind=kind, order="roster", mode="design",
        actor=organizer, now=now, verify_base_url=CERT_BASE_URL)
    session.commit()
    return batch


def test_one_unfinished_batch_per_class_until_it_is_abandoned(db_session):
    training_class, organizer, _ = make_certificate_class(db_session)
    first = new_batch(db_session, training_class, organizer)
    with pytest.raises(DomainError):
        new_batch(db_session, training_class, organizer, now=NOW + timedelta(minutes=5))
    db_session.rollback()
    second = new_batch(db_session, training_class, organizer, now=NOW + timedelta(hours=1))
    db_session.refresh(first)
    assert first.status == "failed" and "abandoned" in first.error
    assert second.status == "queued" and second.total == 3


def test_nobody_entitled_is_refused(db_session):
    training_class, organizer, _ = make_certificate_class(db_session)
    with pytest.raises(DomainError):  # nobody on the confirmed outstanding list
        new_batch(db_session, training_class, organizer, kind="outstanding")


def test_job_issues_renders_in_chunks_and_joins(app, db_session):
    app.config["CERTIFICATE_CHUNK_SIZE"] = 2
    training_class, organizer, users = make_certificate_class(
        db_session, names=("甲一", "乙二", "丙三", "丁四", "戊五"))
    batch = new_batch(db_session, training_class, organizer)
    run_batch(app, batch.id)
    db_session.expire_all()
    batch = db_session.get(CertificateBatch, batch.id)
    assert (batch.status, batch.done, batch.total, batch.pages) == ("done", 5, 5, 5)
    assert batch.started_at is not None and batch.finished_at is not None
    path = certificate_storage(app) / "batches" / batch.stored_name
    assert len(PdfReader(path).pages) == 5
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # the parts are gone
    issued = certificates.class_certificates(db_session, training_class)
    assert {c.issued_by_id for c in issued} == {organizer.id}
    run_batch(app, batch.id)  # a job delivered twice does nothing the second time
    assert len(certificates.class_certificates(db_session, training_class)) == 5


def test_a_failing_job_is_recorded(app, db_session):
    training_class, organizer, _ = make_certificate_class(db_session, names=("甲一",))
    (certificate,) = certificates.issue(db_session, training_class=training_class,
                                        kind="completion", actor=organizer, now=NOW,
                                        verify_base_url=CERT_BASE_URL)
    batch = new_batch(db_session, training_class, organizer)
    certificates.revoke(db_session, certificate=certificate, reason="作废", actor=organizer,
                        now=NOW)
    db_session.commit()
    run_batch(app, batch.id)  # nothing valid to print
    db_session.expire_all()
    batch = db_session.get(CertificateBatch, batch.id)
    assert batch.status == "failed" and "no valid certificate" in batch.error
    assert certificate_batches.status(batch)["finished"]
