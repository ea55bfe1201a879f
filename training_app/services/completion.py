"""Completion (结业) and outstanding trainees (优秀学员).

A trainee completes the class when their attendance rate (schedule issue's
``attendance.attendance_rate``: 1 while the schedule takes no attendance) reaches the rule's
minimum and their score in the counting exam reaches the minimum score (default 60). With no
published exam in the class, the exam condition does not apply.

Outstanding trainees are ranked among those who complete by a composite on a 0-100 scale:

    composite = (w_exam * exam% + w_attendance * attendance% + w_organizer * 100 * nominated
                 + w_group * 100 * nominated_by_group) / (sum of the weights used)

(exam% = exam score / the paper's full marks; without an exam its weight drops out). Ties go to
the higher exam score, then attendance, then name. The list is capped at a share of the class
(default 10%, rounded down); the organizer confirms it, and the confirmed list is a snapshot.

``completing_trainees`` and ``confirmed_outstanding`` are what the certificates read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from training_app.models import (
    Attempt,
    CompletionRule,
    Exam,
    ExamStatus,
    Group,
    GroupMember,
    NominationSource,
    OutstandingNomination,
    OutstandingTrainee,
    TrainingClass,
    User,
)
from training_app.models.completion import (
    DEFAULT_MIN_ATTENDANCE,
    DEFAULT_MIN_EXAM_SCORE,
    DEFAULT_OUTSTANDING_SHARE,
    DEFAULT_WEIGHTS,
)
from training_app.services import attendance, audit, grading, groups
from training_app.services.errors import N_, DomainError

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


# --- the rule ------------------------------------------------------------------------------------

def rule_for(session: Session, training_class: TrainingClass) -> CompletionRule:
    """The class's rule, or the defaults (not added to the session) if none was saved."""
    rule = session.scalar(select(CompletionRule).where(
        CompletionRule.class_id == training_class.id))
    if rule is not None:
        return rule
    return CompletionRule(
        class_id=training_class.id, min_attendance_rate=DEFAULT_MIN_ATTENDANCE,
        min_exam_score=DEFAULT_MIN_EXAM_SCORE, exam_id=None,
        weight_exam=DEFAULT_WEIGHTS["exam"], weight_attendance=DEFAULT_WEIGHTS["attendance"],
        weight_organizer=DEFAULT_WEIGHTS["organizer"], weight_group=DEFAULT_WEIGHTS["group"],
        outstanding_share=DEFAULT_OUTSTANDING_SHARE)


RULE_FIELDS = ("min_attendance_rate", "min_exam_score", "exam_id", "weight_exam",
               "weight_attendance", "weight_organizer", "weight_group", "outstanding_share")


def update_rule(session: Session, *, training_class: TrainingClass,
                min_attendance_rate: Decimal, min_exam_score: Decimal, exam_id: int | None,
                weight_exam: int, weight_attendance: int, weight_organizer: int,
                weight_group: int, outstanding_share: Decimal, actor: User,
                now: datetime) -> CompletionRule:
    if not Decimal(0) <= min_attendance_rate <= Decimal(1):
        raise DomainError(N_("最低出勤率须在0%至100%之间。"))
    if min_exam_score < 0:
        raise DomainError(N_("最低考试成绩不能为负数。"))
    if not Decimal(0) < outstanding_share <= Decimal(1):
        raise DomainError(N_("优秀学员比例须大于0%且不超过100%。"))
    weights = (weight_exam, weight_attendance, weight_organizer, weight_group)
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise DomainError(N_("各项权重不能为负数，且合计须大于0。"))
    if exam_id is not None:
        exam = session.get(Exam, exam_id)
        if exam is None or exam.class_id != training_class.id:
            raise DomainError(N_("所选考试不属于本班。"))
    rule = rule_for(session, training_class)
    values = dict(zip(RULE_FIELDS, (min_attendance_rate, min_exam_score, exam_id, *weights,
                                    outstanding_share)))
    changes = audit.diff(rule, values)  # against the defaults on the first save
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_at = now
    session.add(rule)
    session.flush()
    audit.record(session, actor=actor, action="completion.rule_update", target=training_class,
                 now=now, summary="修改结业条件与优秀学员评选办法", changes=changes)
    return rule


def counting_exam(session: Session, training_class: TrainingClass,
                  rule: CompletionRule | None = None) -> Exam | None:
    """The exam whose score counts: the rule's, else the class's latest published exam."""
    rule = rule or rule_for(session, training_class)
    if rule.exam_id is not None:
        exam = session.get(Exam, rule.exam_id)
        if exam is not None and exam.status == ExamStatus.PUBLISHED:
            return exam
    return session.scalar(select(Exam).where(
        Exam.class_id == training_class.id, Exam.status == ExamStatus.PUBLISHED.value)
        .order_by(Exam.window_start.desc(), Exam.id.desc()).limit(1))


# --- standings ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    user: User
    name: str
    unit: str
    exam_score: Decimal | None  # None: no submitted paper (or no exam)
    exam_percent: Decimal | None
    attendance_rate: Decimal
    organizer_nominated: bool
    group_nominated: bool
    composite: Decimal
    meets_attendance: bool
    meets_exam: bool

    @property
    def completes(self) -> bool:
        return self.meets_attendance and self.meets_exam


def _composite(rule: CompletionRule, *, exam_percent: Decimal | None, has_exam: bool,
               rate: Decimal, organizer: bool, group: bool) -> Decimal:
    parts = [(rule.weight_attendance, rate * HUNDRED),
             (rule.weight_organizer, HUNDRED if organizer else Decimal(0)),
             (rule.weight_group, HUNDRED if group else Decimal(0))]
    if has_exam:
        parts.append((rule.weight_exam, exam_percent or Decimal(0)))
    weight = sum((Decimal(w) for w, _ in parts), Decimal(0))
    if weight <= 0:
        return Decimal(0)
    value = sum((Decimal(w) * v for w, v in parts), Decimal(0)) / weight
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _ranking_key(s: Standing):
    return (-s.composite, -(s.exam_score or Decimal(0)), -s.attendance_rate, s.name, s.user.id)


def nominations(session: Session, training_class: TrainingClass) -> list[OutstandingNomination]:
    return list(session.scalars(select(OutstandingNomination).where(
        OutstandingNomination.class_id == training_class.id)))


def standings(session: Session, training_class: TrainingClass) -> list[Standing]:
    """Every approved trainee with their completion status and composite, best first."""
    rule = rule_for(session, training_class)
    exam = counting_exam(session, training_class, rule)
    full = sum((Decimal(q.points) for q in exam.questions), Decimal(0)) if exam else Decimal(0)
    scores: dict[int, Decimal] = {}
    if exam is not None:
        scores = {a.trainee_id: grading.attempt_total(a) for a in session.scalars(
            select(Attempt).where(Attempt.exam_id == exam.id, Attempt.submitted_at.is_not(None)))}
    nominated = {(n.user_id, n.source) for n in nominations(session, training_class)}
    result = []
    for enrollment in groups.approved_enrollments(session, training_class):
        profile = enrollment.trainee
        user = profile.user
        rate = attendance.attendance_rate(session, training_class=training_class,
                                          trainee_user=user)
        score = scores.get(user.id)
        percent = ((score or Decimal(0)) * HUNDRED / full).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP) if exam is not None and full else None
        organizer = (user.id, NominationSource.ORGANIZER.value) in nominated
        group = (user.id, NominationSource.GROUP.value) in nominated
        result.append(Standing(
            user=user, name=profile.name, unit=enrollment.unit.name if enrollment.unit else "",
            exam_score=score, exam_percent=percent, attendance_rate=rate,
            organizer_nominated=organizer, group_nominated=group,
            composite=_composite(rule, exam_percent=percent, has_exam=exam is not None,
                                 rate=rate, organizer=organizer, group=group),
            meets_attendance=rate >= rule.min_attendance_rate,
            meets_exam=exam is None or (score is not None and score >= rule.min_exam_score)))
    return sorted(result, key=_ranking_key)


def completing_trainees(session: Session, training_class: TrainingClass) -> list[Standing]:
    """The trainees who meet the completion rule (结业), best first. ``.user`` is the account."""
    return [s for s in standings(session, training_class) if s.completes]


def outstanding_cap(session: Session, training_class: TrainingClass) -> int:
    """How many outstanding trainees the class may have: its share, rounded down."""
    rule = rule_for(session, training_class)
    size = len(groups.approved_enrollments(session, training_class))
    return int((Decimal(size) * Decimal(rule.outstanding_share)).to_integral_value(ROUND_DOWN))


def proposed_outstanding(session: Session, training_class: TrainingClass) -> list[Standing]:
    """The top of the ranking among completing trainees, up to the cap."""
    return completing_trainees(session, training_class)[:outstanding_cap(session, training_class)]


def confirmed_outstanding(session: Session, training_class: TrainingClass
                          ) -> list[OutstandingTrainee]:
    """The organizer's confirmed list (优秀学员), by rank; ``.user`` is the account."""
    return list(session.scalars(select(OutstandingTrainee).where(
        OutstandingTrainee.class_id == training_class.id).order_by(OutstandingTrainee.rank)))


def confirm_outstanding(session: Session, *, training_class: TrainingClass, user_ids: list[int],
                        actor: User, now: datetime) -> list[OutstandingTrainee]:
    """Replace the confirmed list with ``user_ids`` (each must complete; at most the cap)."""
    ranking = completing_trainees(session, training_class)
    chosen = [s for s in ranking if s.user.id in set(user_ids)]
    if len(chosen) != len(set(user_ids)):
        raise DomainError(N_("优秀学员须从达到结业条件的学员中选出。"))
    cap = outstanding_cap(session, training_class)
    if len(chosen) > cap:
        raise DomainError(N_("优秀学员最多%(n)s名（本班人数的%(share)s%%）。"), n=cap,
                          share=(Decimal(rule_for(session, training_class).outstanding_share)
                                 * HUNDRED).normalize())
    before = [o.user.display_name for o in confirmed_outstanding(session, training_class)]
    session.execute(delete(OutstandingTrainee).where(
        OutstandingTrainee.class_id == training_class.id))
    rows = [OutstandingTrainee(class_id=training_class.id, user_id=s.user.id, rank=rank,
                               composite=s.composite, exam_score=s.exam_score,
                               attendance_rate=s.attendance_rate, confirmed_at=now,
                               confirmed_by_id=actor.id)
            for rank, s in enumerate(chosen, start=1)]
    session.add_all(rows)
    session.flush()
    audit.record(session, actor=actor, action="completion.confirm_outstanding",
                 target=training_class, now=now,
                 summary=f"确认优秀学员名单（{len(rows)}名）",
                 changes={"outstanding": [before, [s.name for s in chosen]]})
    return rows


# --- nominations ---------------------------------------------------------------------------------

def set_organizer_nomination(session: Session, *, training_class: TrainingClass, user: User,
                             nominated: bool, actor: User, now: datetime) -> None:
    if not groups.is_approved_trainee(session, training_class, user):
        raise DomainError(N_("只能推荐本班已录取的学员。"))
    existing = session.scalar(select(OutstandingNomination).where(
        OutstandingNomination.class_id == training_class.id,
        OutstandingNomination.user_id == user.id,
        OutstandingNomination.source == NominationSource.ORGANIZER.value))
    if nominated == (existing is not None):
        return
    if nominated:
        session.add(OutstandingNomination(
            class_id=training_class.id, user_id=user.id, source=NominationSource.ORGANIZER.value,
            nominated_by_id=actor.id, created_at=now))
    else:
        session.delete(existing)
    session.flush()
    audit.record(session, actor=actor, action="completion.nominate" if nominated
                 else "completion.unnominate", target=training_class, now=now,
                 summary=("承办方推荐优秀学员 " if nominated else "取消承办方推荐 ")
                 + user.display_name, changes={"user_id": user.id})


def led_group(session: Session, training_class: TrainingClass, user: User) -> Group | None:
    """The group of the class that ``user`` leads (组长), if any."""
    return session.scalar(select(Group).where(Group.class_id == training_class.id,
                                              Group.leader_id == user.id))


def led_groups(session: Session, user: User) -> list[Group]:
    """The groups ``user`` leads, in any class (for the trainee's own page)."""
    return list(session.scalars(select(Group).where(Group.leader_id == user.id)
                                .order_by(Group.class_id.desc())))


def group_nomination(session: Session, group: Group) -> OutstandingNomination | None:
    return session.scalar(select(OutstandingNomination).where(
        OutstandingNomination.group_id == group.id))


def nominate_for_group(session: Session, *, group: Group, user: User | None, actor: User,
                       now: datetime) -> None:
    """The group leader names the group's one nominee (None withdraws the nomination)."""
    if actor.id != group.leader_id:
        raise DomainError(N_("只有组长可以代表小组推荐。"))
    if user is not None and not session.scalar(select(GroupMember.id).where(
            GroupMember.group_id == group.id, GroupMember.user_id == user.id)):
        raise DomainError(N_("只能推荐本组成员。"))
    existing = group_nomination(session, group)
    if existing is not None and user is not None and existing.user_id == user.id:
        return
    if existing is not None:
        session.delete(existing)
        session.flush()
    if user is not None:
        session.add(OutstandingNomination(
            class_id=group.class_id, user_id=user.id, source=NominationSource.GROUP.value,
            group_id=group.id, nominated_by_id=actor.id, created_at=now))
        session.flush()
    audit.record(session, actor=actor, action="completion.group_nominate", target=group, now=now,
                 summary=f"{group.label}推荐优秀学员：{user.display_name if user else '（撤回）'}",
                 changes={"user_id": [existing.user_id if existing else None,
                                      user.id if user else None]})


def exam_warning(session: Session, training_class: TrainingClass) -> int:
    """Short answers still to grade in the counting exam (scores may still rise)."""
    exam = counting_exam(session, training_class)
    return grading.ungraded_count(session, exam) if exam is not None else 0
