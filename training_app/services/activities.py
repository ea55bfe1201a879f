"""The cultural and sports activity (文体活动): acts registered by the groups (e.g. 2 each), the
running order against the 60-80 minute standard, and the prizes given at graduation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import ActivityAct, ActKind, CommitteeRole, Group, TrainingClass, User
from training_app.services import audit, groups
from training_app.services.classes import can_manage
from training_app.services.errors import N_, DomainError, PermissionDenied

ACTIVITY_MIN_MINUTES = 60  # 文体活动 60-80 分钟
ACTIVITY_MAX_MINUTES = 80
ACTS_PER_GROUP = 2  # the standard's example: 8 groups x 2 = 16 acts
MAX_ACT_MINUTES = 60


def can_arrange(session: Session, user: User, training_class: TrainingClass) -> bool:
    """The organizer and the culture committee member (文体委员) arrange the programme."""
    return can_manage(user) or CommitteeRole.CULTURE.value in groups.committee_roles_of(
        session, training_class, user)


def can_register(session: Session, user: User, group: Group) -> bool:
    return groups.can_edit_group(user, group) or can_arrange(session, user, group.training_class)


def list_acts(session: Session, training_class: TrainingClass) -> list[ActivityAct]:
    """The programme in running order (unplaced acts last, by group)."""
    acts = session.scalars(select(ActivityAct).where(ActivityAct.class_id == training_class.id))
    return sorted(acts, key=lambda a: (a.position == 0, a.position, a.group.number, a.id))


def add_act(session: Session, *, group: Group, title: str, kind: str, performers: str,
            minutes: int, actor: User, now: datetime) -> ActivityAct:
    if not can_register(session, actor, group):
        raise PermissionDenied(N_("只有本组组长或文体委员可以登记节目。"))
    title = title.strip()
    if not title:
        raise DomainError(N_("请填写节目名称。"))
    if kind not in {k.value for k in ActKind}:
        raise DomainError(N_("未知的节目类型。"))
    if not 1 <= minutes <= MAX_ACT_MINUTES:
        raise DomainError(N_("节目时长应在1到%(max)s分钟之间。"), max=MAX_ACT_MINUTES)
    act = ActivityAct(class_id=group.class_id, group_id=group.id, title=title[:120], kind=kind,
                      performers=performers.strip()[:200], minutes=minutes, created_at=now)
    session.add(act)
    session.flush()
    audit.record(session, actor=actor, action="activity.add_act", target=act, now=now,
                 summary=f"第{group.number}组登记节目：{title}",
                 changes={"title": title, "kind": kind, "minutes": minutes})
    return act


def remove_act(session: Session, *, act: ActivityAct, actor: User, now: datetime) -> None:
    if not can_register(session, actor, act.group):
        raise PermissionDenied(N_("只有本组组长或文体委员可以删除节目。"))
    audit.record(session, actor=actor, action="activity.remove_act", target=act, now=now,
                 summary=f"删除节目：{act.title}")
    session.delete(act)
    session.flush()


def arrange(session: Session, *, training_class: TrainingClass,
            positions: dict[int, int], prizes: dict[int, str], actor: User,
            now: datetime) -> None:
    """Set the running order (1, 2, ...; 0 = not placed) and prizes of the class's acts."""
    if not can_arrange(session, actor, training_class):
        raise PermissionDenied(N_("只有承办方或文体委员可以安排节目单和奖项。"))
    changes = {}
    for act in list_acts(session, training_class):
        position = positions.get(act.id, act.position)
        prize = (prizes.get(act.id, act.prize) or "").strip()[:60]
        if position < 0:
            raise DomainError(N_("节目顺序不能为负数。"))
        if (position, prize) != (act.position, act.prize):
            changes[str(act.id)] = [[act.position, act.prize], [position, prize]]
            act.position, act.prize = position, prize
    session.flush()
    if changes:
        audit.record(session, actor=actor, action="activity.arrange", target=training_class,
                     now=now, changes=changes, summary="安排文体活动节目单和奖项")


@dataclass(frozen=True)
class Programme:
    acts: list[ActivityAct]
    total_minutes: int
    within_standard: bool
    acts_per_group: dict[int, int]  # group number -> acts registered


def programme(session: Session, training_class: TrainingClass) -> Programme:
    acts = list_acts(session, training_class)
    total = sum(a.minutes for a in acts)
    per_group = {g.number: 0 for g in groups.list_groups(session, training_class)}
    for act in acts:
        per_group[act.group.number] = per_group.get(act.group.number, 0) + 1
    return Programme(acts=acts, total_minutes=total,
                     within_standard=ACTIVITY_MIN_MINUTES <= total <= ACTIVITY_MAX_MINUTES,
                     acts_per_group=per_group)
