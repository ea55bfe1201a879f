"""The demo trainee's earlier class, so the demo's 学时档案 and certificates are not empty.

刘学员 (the ``trainee`` account) and five classmates of the current class completed the
association's October 2015 class 社会工作管理人才综合素质培训班 (2 days, 16 学时, a hotel, closed;
seeds 001): nominated by their units, approved, the class held and graduated, a completion
certificate issued to each. Her credit-hour
record then shows 2015: 16 of the 40-hour target, and the certificate can be downloaded and
verified. Every step goes through the services at story time (September-October 2015), so the
class carries its audit trail like any other.

Only these six take part: the class exists as their history, not as a second demo class to
run (its other 81 trainees are not reproduced). It keeps its 2015 dates: a refreshed demo
leaves it as it is.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import (
    CertificateKind,
    NoticeIssuers,
    NoticeKind,
    TraineeProfile,
    TrainingClass,
    TrainingMode,
    Unit,
)
from training_app.services import (
    accounts,
    certificates,
    classes,
    enrollment,
    groups,
    lifecycle,
    notices,
    quotas,
)
from training_app.services.trainee_data import TraineeData

HISTORY_CLASS_TITLE = "社会工作管理人才综合素质培训班"
DOCUMENT_NUMBER = "潍民字〔2015〕36号"
# 2015-09-21 09:00 in Weifang; later steps follow day by day.
STORY_START = datetime(2015, 9, 21, 1, 0, tzinfo=timezone.utc)


def _story(day: int, hours: int = 0) -> datetime:
    return STORY_START + timedelta(days=day, hours=hours)


CLASSMATES = 5  # graduated with her: the first approved trainees of other units


def _people(session: Session, trainee, current_class: TrainingClass | None
            ) -> list[TraineeProfile]:
    """The demo trainee's profile first, then classmates from the current class's roster."""
    profile = trainee and session.scalar(
        select(TraineeProfile).where(TraineeProfile.user_id == trainee.id))
    if profile is None:
        return []
    found = [profile]
    if current_class is not None:
        for entry in groups.approved_enrollments(session, current_class):
            if len(found) > CLASSMATES:
                break
            if entry.trainee.unit_id != profile.unit_id and entry.trainee.user is not None \
                    and all(p.unit_id != entry.trainee.unit_id for p in found[1:]):
                found.append(entry.trainee)
    return found


def seed_history(session: Session, *, sponsor: Unit, organizer_unit: Unit,
                 verify_base_url: str, current_class: TrainingClass | None = None
                 ) -> TrainingClass | None:
    """Run the 2015 class for the demo trainee and her classmates, up to their certificates.

    Needs the demo trainee's profile (made when she is enrolled in the current class); returns
    None without it. Idempotent: an existing class of that title is returned unchanged.
    """
    existing = session.scalar(select(TrainingClass).where(TrainingClass.title == HISTORY_CLASS_TITLE))
    if existing is not None:
        return existing
    organizer = accounts.find_by_identifier(session, "organizer")
    sponsor_user = accounts.find_by_identifier(session, "sponsor")
    trainee = accounts.find_by_identifier(session, "trainee")
    people = _people(session, trainee, current_class)
    if organizer is None or sponsor_user is None or not people or trainee.unit is None:
        return None

    training_class = classes.create_class(
        session, title=HISTORY_CLASS_TITLE, sponsor=sponsor, organizer=organizer_unit,
        start_date=date(2015, 10, 20), end_date=date(2015, 10, 21), venue="潍坊宾馆",
        capacity=87, credit_hours=16,
        description="提升全市社会工作管理人才的综合素质和专业管理能力。",
        actor=organizer, now=_story(0))
    classes.update_class(session, training_class=training_class, actor=organizer, now=_story(0),
                         mode=TrainingMode.CLOSED.value,
                         registration_deadline=date(2015, 10, 12))
    for unit_id in dict.fromkeys(p.unit_id for p in people):
        quotas.set_quota(session, training_class=training_class,
                         unit=session.get(Unit, unit_id), seats=10, actor=organizer,
                         now=_story(1))
    notice = notices.draft_notice(
        session, training_class=training_class, kind=NoticeKind.FORMAL,
        issuers=NoticeIssuers.JOINT, document_number=DOCUMENT_NUMBER, actor=organizer,
        now=_story(1, 2))
    notices.submit_notice(session, notice=notice, actor=organizer, now=_story(2))
    notices.approve_notice(session, notice=notice, actor=sponsor_user, now=_story(3),
                           comment="同意发文。")
    lifecycle.open_registration(session, training_class=training_class, actor=organizer,
                                now=_story(4))

    for profile in people:
        data = TraineeData(name=profile.name, id_number=profile.id_number, mobile=profile.mobile,
                           qualification=profile.qualification,
                           years_experience=profile.years_experience,
                           certificate_number=profile.certificate_number or "")
        entry = enrollment.nominate(session, training_class=training_class, unit=profile.unit,
                                    profile_data=data, actor=organizer, now=_story(8))
        enrollment.approve(session, enrollment=entry, actor=organizer, now=_story(10))
    lifecycle.close_registration(session, training_class=training_class, actor=organizer,
                                 now=_story(22))
    lifecycle.start_session(session, training_class=training_class, actor=organizer,
                            now=_story(29))
    lifecycle.graduate(session, training_class=training_class, actor=organizer,
                       now=_story(30, 7))
    certificates.issue_to(
        session, training_class=training_class, kind=CertificateKind.COMPLETION.value,
        people=[certificates.Recipient(user=p.user, name=p.name, unit=p.unit.name)
                for p in people],
        actor=organizer, now=_story(30, 7), verify_base_url=verify_base_url)
    return training_class
