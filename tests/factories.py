"""Test data builders: each makes a valid object with sensible defaults, overridable."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from training_app.models import Role, TrainingClass, Unit, UnitKind, User
from training_app.services import accounts, classes, units

PASSWORD = "secret1234"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
_seq = itertools.count(1)


def make_unit(session: Session, *, name: str | None = None,
              kind: UnitKind = UnitKind.SOCIAL_WORK_AGENCY) -> Unit:
    return units.create_unit(session, name=name or f"测试单位{next(_seq)}", kind=kind.value,
                             contact_person="联系人", phone="0536-0000000", actor=None, now=NOW)


def make_user(session: Session, *, roles=(Role.TRAINEE,), username: str | None = None,
              mobile: str | None = None, unit: Unit | None = None, password: str = PASSWORD,
              must_change_password: bool = False, display_name: str = "测试用户") -> User:
    n = next(_seq)
    return accounts.create_user(
        session, username=username or f"user{n}", display_name=display_name,
        password=password, roles=[Role(r) for r in roles] or [Role.TRAINEE], mobile=mobile,
        unit=unit, must_change_password=must_change_password, actor=None, now=NOW,
    )


def make_class(session: Session, *, title: str = "测试培训班", capacity: int = 80,
               start: date = date(2026, 5, 17), end: date = date(2026, 5, 19)) -> TrainingClass:
    return classes.create_class(
        session, title=title, sponsor=make_unit(session, kind=UnitKind.CIVIL_AFFAIRS),
        organizer=make_unit(session, kind=UnitKind.ASSOCIATION), start_date=start, end_date=end,
        capacity=capacity, actor=None, now=NOW,
    )


# --- exams (lead) ---------------------------------------------------------------------------
_TRAINEE_HASH: list[str] = []


def make_approved_trainee(session: Session, training_class: TrainingClass, *,
                          name: str | None = None, unit: Unit | None = None) -> User:
    """A trainee account with an approved enrollment, built directly (no scrypt per user)."""
    from training_app.models import Enrollment, TraineeProfile, UserRole
    from training_app.services.accounts import hash_password
    from training_app.services import id_numbers

    if not _TRAINEE_HASH:
        _TRAINEE_HASH.append(hash_password(PASSWORD))
    n = next(_seq)
    unit = unit or make_unit(session)
    mobile = f"139{n:08d}"
    user = User(username=mobile, display_name=name or f"学员{n}", mobile=mobile,
                password_hash=_TRAINEE_HASH[0], role_links=[UserRole(role=Role.TRAINEE.value)])
    profile = TraineeProfile(user=user, name=user.display_name, gender="female" if n % 2 else "male",
                             id_number=id_numbers.make("370702", date(1980, 1, 1) + timedelta(days=n // 1000),
                                                       n % 1000), mobile=mobile, unit_id=unit.id,
                             qualification=2, years_experience=3)
    session.add_all([user, profile])
    session.flush()
    session.add(Enrollment(class_id=training_class.id, trainee_id=profile.id, unit_id=unit.id,
                           status="approved"))
    session.flush()
    return user


def make_approved_manual(session: Session, training_class: TrainingClass):
    """An approved manual version, as if the sponsor had approved it."""
    from training_app.models.manual import Manual, ManualVersion

    manual = Manual(class_id=training_class.id)
    version = ManualVersion(manual=manual, number=1, status="approved", pdf_name="test.pdf",
                            pdf_original_name="教材.pdf", reviewed_at=NOW)
    session.add_all([manual, version])
    session.flush()
    return version


def demo_questions():
    import question_bank as qb
    from pathlib import Path

    return qb.load_demo_json(Path(__file__).resolve().parents[2] / "shared/demo/questions.json")


def make_published_exam(session: Session, *, trainees: int = 1, duration_minutes: int = 60,
                        window_start=None, window_end=None, policy: str = "all_or_nothing"):
    """A class with an approved manual, ``trainees`` approved trainees and an open exam."""
    from datetime import timedelta

    from training_app.services import exams

    training_class = make_class(session)
    make_approved_manual(session, training_class)
    bank = exams.create_bank(session, name=f"题库{next(_seq)}", training_class=training_class,
                             actor=None, now=NOW)
    exams.import_questions(session, bank=bank, questions=demo_questions(), actor=None, now=NOW)
    exam = exams.create_exam(
        session, training_class=training_class, bank=bank, title="结业考试",
        window_start=window_start or NOW - timedelta(hours=1),
        window_end=window_end or NOW + timedelta(hours=3), duration_minutes=duration_minutes,
        multiple_policy=policy, seed=2016, actor=None, now=NOW)
    exams.publish_exam(session, exam=exam, actor=None, now=NOW)
    exams.set_open(session, exam=exam, is_open=True, actor=None, now=NOW)
    users = [make_approved_trainee(session, training_class) for _ in range(trainees)]
    return exam, users


# --- classes, manual, notices (issue 3, first half) -------------------------------------------

def make_pdf_bytes(text: str = "培训教材") -> bytes:
    """A small real PDF (one A4 page) with ``text`` on it."""
    from training_app.services.pdf import CJK_A4_CSS, render_pdf

    return render_pdf(f"<html><head><style>{CJK_A4_CSS}</style></head><body><p>{text}</p></body></html>")


def make_class_team(session: Session, **class_fields):
    """A class with an organizer account and a sponsor account of its sponsor unit.

    Returns (training_class, organizer, sponsor)."""
    training_class = make_class(session, **class_fields)
    organizer = make_user(session, roles=[Role.ORGANIZER], unit=training_class.organizer_unit,
                          display_name="承办方经办人")
    sponsor = make_user(session, roles=[Role.SPONSOR], unit=training_class.sponsor_unit,
                        display_name="主办方审核人")
    return training_class, organizer, sponsor


def make_approved_notice(session: Session, training_class: TrainingClass, *, organizer: User,
                         sponsor: User, kind: str = "formal", issuers: str = "sponsor"):
    """A notice drafted, submitted and approved through the services."""
    from training_app.services import notices

    notice = notices.draft_notice(session, training_class=training_class, kind=kind,
                                  issuers=issuers, purpose="提升社会工作者专业能力。",
                                  actor=organizer, now=NOW)
    notices.submit_notice(session, notice=notice, actor=organizer, now=NOW)
    notices.approve_notice(session, notice=notice, actor=sponsor, now=NOW)
    return notice


# --- quotas and enrollment (issue 3, second half) ---------------------------------------------

def trainee_data(**overrides):
    """Valid personal data of a new trainee (社会工作师, 3 years), each call a new person."""
    from training_app.services import id_numbers
    from training_app.services.trainee_data import TraineeData

    n = next(_seq)
    values = {
        "name": f"学员{n}",
        "id_number": id_numbers.make("370702", date(1985, 1, 1) + timedelta(days=n // 1000),
                                     n % 1000),
        "mobile": f"137{n:08d}",
        "qualification": 2,
        "certificate_number": f"S{n:08d}",
        "years_experience": 3,
    }
    values.update(overrides)
    return TraineeData(**values)


def nomination_form(data) -> dict:
    """The unit contact's nomination form filled in with ``data`` (a TraineeData)."""
    return {"name": data.name, "gender": "", "id_number": data.id_number, "mobile": data.mobile,
            "qualification": data.qualification, "certificate_number": data.certificate_number,
            "years_experience": data.years_experience}


def open_for_registration(session: Session, training_class: TrainingClass, *,
                          deadline: date = date(2026, 5, 10)) -> TrainingClass:
    """Put a class into 报名中 directly (the lifecycle's own guards are tested elsewhere)."""
    training_class.status = "registration_open"
    training_class.registration_deadline = deadline
    session.flush()
    return training_class


def make_open_class(session: Session, *, capacity: int = 80, rules=(), **fields) -> TrainingClass:
    training_class = make_class(session, capacity=capacity, **fields)
    training_class.eligibility_rules = list(rules)
    return open_for_registration(session, training_class)


def make_unit_contact(session: Session, unit: Unit, **fields) -> User:
    return make_user(session, roles=[Role.UNIT_CONTACT], unit=unit, display_name="单位联系人",
                     **fields)


def use_fast_password_hashing(monkeypatch) -> None:
    """Accounts created in the test hash with cheap PBKDF2 instead of the slow production hash:
    for tests that create many trainee accounts, where hashing cost is not what is tested."""
    from werkzeug.security import generate_password_hash

    from training_app.services import accounts

    monkeypatch.setattr(accounts, "hash_password",
                        lambda password: generate_password_hash(password, "pbkdf2:sha256:1000"))


def make_entry_with_material(session: Session, training_class: TrainingClass):
    """An approved entry (someone else's) with one material row; returns (entry, material)."""
    from sqlalchemy import select

    from training_app.models import Enrollment, EnrollmentMaterial, TraineeProfile

    user = make_approved_trainee(session, training_class)
    entry = session.scalar(select(Enrollment).join(TraineeProfile).where(
        TraineeProfile.user_id == user.id, Enrollment.class_id == training_class.id))
    material = EnrollmentMaterial(enrollment=entry, label="身份证", original_filename="id.png",
                                  stored_name=f"missing{next(_seq)}.png",
                                  content_type="image/png", size=10)
    session.add(material)
    session.flush()
    return entry, material


# --- groups, schedule, attendance (issue 6) ---------------------------------------------------

def make_room_sample(session: Session, training_class: TrainingClass) -> dict:
    """One of each issue-6 object in ``training_class``, for URL arguments: a group with an act,
    a schedule item that takes attendance, a leave request and a sub-venue coordinator."""
    from zoneinfo import ZoneInfo

    from training_app.services import activities, attendance, groups, schedule

    tz = ZoneInfo("Asia/Shanghai")
    organizer = make_user(session, roles=[Role.ORGANIZER], display_name="日程负责人")
    training_class.sub_venues = ["分会场一"]
    trainee = make_approved_trainee(session, training_class)
    (group,) = groups.auto_group(session, training_class=training_class, seed=1, actor=organizer,
                                 now=NOW)
    act = activities.add_act(session, group=group, title="合唱", kind="song", performers="",
                             minutes=5, actor=organizer, now=NOW)
    start = datetime.combine(training_class.start_date, datetime.min.time().replace(hour=9),
                             tzinfo=tz).astimezone(timezone.utc)
    item = schedule.create_item(session, training_class=training_class, values=schedule.ItemValues(
        kind="keynote", title="主题授课", starts_at=start, ends_at=start + timedelta(hours=2),
        responsible=organizer, takes_attendance=True), actor=organizer, now=NOW, tz=tz)
    leave = attendance.request_leave(session, training_class=training_class, user=trainee,
                                     starts_at=start, ends_at=start + timedelta(hours=2),
                                     reason="事假", now=NOW)
    coordinator = schedule.assign_coordinator(session, training_class=training_class,
                                              venue="分会场一", user=organizer, actor=organizer,
                                              now=NOW)
    return {"item_id": item.id, "group_id": group.id, "act_id": act.id, "leave_id": leave.id,
            "coordinator_id": coordinator.id, "code": "0000000000"}


# --- grading, results, feedback, completion (issue 5) -------------------------------------------

def default_response(question, index: int):
    """A plausible response of trainee ``index``: right on most objective questions, a short
    text naming some scoring-point keywords; every fifth trainee leaves short answers blank."""
    if question.type == "short":
        if index % 5 == 4:
            return None
        return {"text": f"答卷{index}：" + question.data["reference_answer"][: 45 + index]}
    key = question.data["answer"]
    if (index + question.number) % 4 == 0:  # a wrong choice now and then
        wrong = next(i for i in range(len(question.data["options"])) if i not in key)
        return {"choices": [wrong]}
    return {"choices": list(key)}


def submit_papers(session: Session, exam, users, *, respond=default_response, now=NOW):
    """Each user starts, answers (``respond(question, index)``; None leaves it blank) and
    submits the exam. Returns the attempts in ``users`` order."""
    from training_app.services import exams

    attempts = []
    for index, user in enumerate(users):
        attempt = exams.start_attempt(session, exam=exam, trainee=user, now=now)
        for question in exam.questions:
            response = respond(question, index)
            if response is not None:
                exams.save_answer(session, attempt=attempt, question_id=question.id,
                                  response=response, seq=1, now=now)
        session.expire(attempt)
        exams.submit_attempt(session, attempt=attempt, now=now)
        attempts.append(attempt)
    return attempts


def make_feedback_question(session: Session, training_class: TrainingClass, *,
                           kind: str = "rating", text: str = "您对住宿安排的满意度",
                           options=()):
    from training_app.services import feedback

    form = feedback.ensure_form(session, training_class=training_class, actor=None, now=NOW)
    return feedback.add_question(session, form=form, kind=kind, text=text, options=options,
                                 actor=None, now=NOW)


def make_lecture(session: Session, training_class: TrainingClass, *, title: str,
                 lecturer: User, hours_from_start: int = 0):
    """A schedule item with a lecturer (what trainees rate in the feedback form)."""
    from training_app.models import ScheduleItem

    start = datetime.combine(training_class.start_date, datetime.min.time(),
                             tzinfo=timezone.utc) + timedelta(hours=1 + hours_from_start)
    item = ScheduleItem(class_id=training_class.id, kind="keynote", title=title,
                        starts_at=start, ends_at=start + timedelta(hours=1),
                        lecturer_id=lecturer.id)
    session.add(item)
    session.flush()
    return item


# --- certificates (issue 7) -------------------------------------------------------------------

CERT_BASE_URL = "http://localhost"


def make_certificate_class(session: Session, *, names=("张晓民", "李红", "欧阳晓明"),
                           title: str = "社会工作服务标准化与“四社联动”培训班",
                           pattern: str = "WFSG-{year}-{seq:04d}"):
    """A class (2016, 24 学时) whose approved trainees all complete (no exam, no attendance
    taken), certificate settings saved with ``pattern``. Returns (class, organizer, users)."""
    from training_app.services import certificates

    training_class, organizer, _sponsor = make_class_team(
        session, title=title, start=date(2016, 5, 17), end=date(2016, 5, 19))
    training_class.credit_hours = 24
    users = [make_approved_trainee(session, training_class, name=name) for name in names]
    certificates.update_settings(session, training_class=training_class,
                                 values={"serial_pattern": pattern}, actor=organizer, now=NOW)
    return training_class, organizer, users


def make_transparent_png(width: int = 120, height: int = 120) -> bytes:
    """A red round seal on a transparent background."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, width - 4, height - 4), outline=(200, 0, 0, 255),
                                  width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_certificate_sample(session: Session) -> dict:
    """One issued certificate, one image row and one batch in a class of their own, for URL
    arguments (the image's file is not written: its route answers 404)."""
    from training_app.models import CertificateBatch, CertificateImage
    from training_app.services import certificates

    training_class = make_class(session, title="证书样例班")
    user = make_approved_trainee(session, training_class, name="王证书")
    (certificate,) = certificates.issue(session, training_class=training_class,
                                        kind="completion", actor=None, now=NOW,
                                        verify_base_url=CERT_BASE_URL)
    assert certificate.user_id == user.id
    image = CertificateImage(class_id=training_class.id, kind="seal", label="公章",
                             stored_name=f"seal-missing{next(_seq)}.png", x_mm=200, y_mm=140,
                             width_mm=40)
    batch = CertificateBatch(class_id=training_class.id, kind="completion", status="failed",
                             total=1, done=0, job_id=f"certificate-batch-{next(_seq)}")
    session.add_all([image, batch])
    session.flush()
    return {"certificate_id": certificate.id, "image_id": image.id, "batch_id": batch.id,
            "verify_code": certificate.code}
