"""The demo class's question bank and open-book exam (from ``shared/demo/questions.json``).

The exam was held yesterday in the agenda's exam slot: most of the class sat it and their
papers wait for the lecturer's grading of the short answers. Its window stays open until the
end of the last day (a make-up sitting), so the demo ``trainee``, who has not taken it, can
take it right away.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

import question_bank as qb
from training_app.demo.calendar import DemoCalendar
from training_app.models import Exam, ScheduleKind, TrainingClass
from training_app.services import accounts, exams, grading, groups, schedule
from training_app.services.manuals import approved_manual_version

BANK_NAME = "社会工作服务标准化与“四社联动”题库"
SAT_YESTERDAY = 20  # trainees who submitted in the slot (the demo trainee is not one of them)


def _exam_slot(session: Session, training_class: TrainingClass, calendar: DemoCalendar):
    for item in schedule.list_items(session, training_class):
        if item.kind == ScheduleKind.EXAM.value:
            return item.starts_at, item.ends_at
    start = calendar.local(calendar.first_day, 14, 30)
    return start, start + timedelta(hours=1)


def prepare_exam(session: Session, *, training_class: TrainingClass, calendar: DemoCalendar,
                 demo_dir: Path | None) -> Exam | None:
    source = Path(demo_dir) / "questions.json" if demo_dir else None
    if source is None or not source.is_file():
        return None
    organizer = accounts.find_by_identifier(session, "organizer")
    prepared_at = calendar.before_start(5, 15)
    bank = exams.find_bank(session, BANK_NAME) or exams.create_bank(
        session, name=BANK_NAME, training_class=training_class, actor=organizer, now=prepared_at)
    if not bank.questions:
        exams.import_questions(session, bank=bank, questions=qb.load_demo_json(source),
                               actor=organizer, now=prepared_at)
    slot_start, slot_end = _exam_slot(session, training_class, calendar)
    exam = exams.create_exam(
        session, training_class=training_class, bank=bank, title="结业考试（开卷）",
        window_start=slot_start - timedelta(minutes=10),
        window_end=calendar.local(calendar.last_day, 23, 59),
        duration_minutes=60, multiple_policy="half_if_subset", seed=2016,
        actor=organizer, now=prepared_at)
    if approved_manual_version(session, training_class) is None:
        return exam  # no approved manual (no demo PDF rendered): the exam stays a draft
    exams.publish_exam(session, exam=exam, actor=organizer, now=prepared_at)
    exams.set_open(session, exam=exam, is_open=True, actor=organizer,
                   now=slot_start - timedelta(minutes=10))
    lecturer = accounts.find_by_identifier(session, "lecturer")
    if lecturer is not None and organizer is not None:
        grading.assign_grader(session, exam=exam, user=lecturer, actor=organizer,
                              now=prepared_at)
    _sit_yesterday(session, exam=exam, training_class=training_class, slot_start=slot_start,
                   calendar=calendar)
    return exam


def _response(question, index: int) -> dict | None:
    """Right on most objective questions, now and then a wrong choice; short answers drawn
    from the reference answer (some trainees leave the last one blank)."""
    data = question.data
    if question.type == "short":
        if index % 6 == 5:
            return None
        return {"text": data.get("reference_answer", "")[: 40 + 7 * index]}
    key = data["answer"]
    if (index + question.number) % 5 == 0:
        wrong = next(i for i in range(len(data["options"])) if i not in key)
        return {"choices": [wrong]}
    return {"choices": list(key)}


def _sit_yesterday(session: Session, *, exam: Exam, training_class: TrainingClass, slot_start,
                   calendar: DemoCalendar) -> None:
    demo_trainee = accounts.find_by_identifier(session, "trainee")
    sitters = [e.trainee.user for e in groups.approved_enrollments(session, training_class)
               if e.trainee.user is not None and e.trainee.user != demo_trainee][:SAT_YESTERDAY]
    for index, user in enumerate(sitters):
        started = calendar.past(slot_start + timedelta(minutes=index % 5))
        attempt = exams.start_attempt(session, exam=exam, trainee=user, now=started)
        for question in exam.questions:
            response = _response(question, index)
            if response is not None:
                exams.save_answer(session, attempt=attempt, question_id=question.id,
                                  response=response, seq=1, now=started)
        exams.submit_attempt(session, attempt=attempt,
                             now=calendar.past(started + timedelta(minutes=42 + index % 15)))
