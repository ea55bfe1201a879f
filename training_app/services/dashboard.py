"""Figures for the organizer's and the sponsor's dashboards, one row per class."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from training_app.models import (
    Attempt,
    Certificate,
    CertificateState,
    Exam,
    ExamStatus,
    Manual,
    ManualVersion,
    Notice,
    NoticeStatus,
    ReviewStatus,
    TrainingClass,
    User,
)
from training_app.services import attendance, classes, compliance, feedback, quotas, statistics


@dataclass(frozen=True)
class ClassFigures:
    training_class: TrainingClass
    quota: quotas.QuotaSummary
    attendance_rate: Decimal | None  # mean of the trainees' rates, 0-1
    exams_published: int
    papers_submitted: int
    trainees: int
    mean_score: float | None
    feedback_overall: Decimal | None
    feedback_dimensions: list[tuple[str, Decimal | None]]
    feedback_responses: int
    certificates: int
    compliance_total: int
    compliance_maximum: int

    @property
    def approved(self) -> int:
        return sum(r.approved for r in self.quota.rows)


def class_figures(session: Session, training_class: TrainingClass, now: datetime) -> ClassFigures:
    c = training_class
    summary = quotas.quota_summary(session, c)
    _items, rows = attendance.class_summary(session, c)
    rate = (sum((r.rate for r in rows), Decimal(0)) / len(rows)).quantize(Decimal("0.0001")) \
        if rows and _items else None
    exam_ids = list(session.scalars(select(Exam.id).where(
        Exam.class_id == c.id, Exam.status == ExamStatus.PUBLISHED.value)))
    scores = list(session.scalars(select(Attempt.total_score).where(
        Attempt.exam_id.in_(exam_ids or [-1]), Attempt.submitted_at.is_not(None))))
    report = feedback.report(session, c)
    certs = session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.class_id == c.id, Certificate.state == CertificateState.VALID.value))
    score = compliance.evaluate(session, c, now)
    return ClassFigures(
        training_class=c, quota=summary, attendance_rate=rate, exams_published=len(exam_ids),
        papers_submitted=len(scores), trainees=report.trainees,
        mean_score=statistics.mean([s for s in scores if s is not None]),
        feedback_overall=report.overall,
        feedback_dimensions=[(d.label, d.average) for d in report.dimensions],
        feedback_responses=report.responses, certificates=certs or 0,
        compliance_total=score.total, compliance_maximum=score.maximum)


def sponsored_classes(session: Session, user: User) -> list[TrainingClass]:
    return [c for c in classes.list_classes(session) if classes.is_class_sponsor(user, c)]


def pending_approvals(session: Session, user: User
                      ) -> tuple[list[ManualVersion], list[Notice]]:
    """Manual versions and notices submitted for the sponsor's approval (待审批)."""
    class_ids = [c.id for c in sponsored_classes(session, user)] or [-1]
    versions = list(session.scalars(select(ManualVersion).join(Manual).where(
        Manual.class_id.in_(class_ids), ManualVersion.status == ReviewStatus.SUBMITTED.value)
        .order_by(ManualVersion.submitted_at)))
    notices = list(session.scalars(select(Notice).where(
        Notice.class_id.in_(class_ids), Notice.status == NoticeStatus.SUBMITTED.value)
        .order_by(Notice.submitted_at)))
    return versions, notices
