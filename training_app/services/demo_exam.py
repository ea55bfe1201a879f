"""The demo class's question bank and open-book exam (from ``shared/demo/questions.json``).

The class itself keeps its 2016 dates, but the exam window opens when the demo is seeded and
stays open for 30 days, so someone trying the demo can take the exam as the trainee account.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

import question_bank as qb
from training_app.models import Exam, TrainingClass
from training_app.services import accounts, exams, grading
from training_app.services.manuals import approved_manual_version

BANK_NAME = "社会工作服务标准化与“四社联动”题库"


def prepare_exam(session: Session, *, training_class: TrainingClass, demo_dir: Path | None,
                 now: datetime) -> Exam | None:
    source = Path(demo_dir) / "questions.json" if demo_dir else None
    if source is None or not source.is_file():
        return None
    organizer = accounts.find_by_identifier(session, "organizer")
    bank = exams.find_bank(session, BANK_NAME) or exams.create_bank(
        session, name=BANK_NAME, training_class=training_class, actor=organizer, now=now)
    if not bank.questions:
        exams.import_questions(session, bank=bank, questions=qb.load_demo_json(source),
                               actor=organizer, now=now)
    exam = exams.create_exam(
        session, training_class=training_class, bank=bank, title="结业考试（开卷）",
        window_start=now - timedelta(hours=1), window_end=now + timedelta(days=30),
        duration_minutes=60, multiple_policy="half_if_subset", seed=2016,
        actor=organizer, now=now)
    if approved_manual_version(session, training_class) is None:
        return exam  # no approved manual (no demo PDF rendered): the exam stays a draft
    exams.publish_exam(session, exam=exam, actor=organizer, now=now)
    exams.set_open(session, exam=exam, is_open=True, actor=organizer, now=now)
    lecturer = accounts.find_by_identifier(session, "lecturer")
    if lecturer is not None and organizer is not None:
        grading.assign_grader(session, exam=exam, user=lecturer, actor=organizer, now=now)
    return exam
