"""Groups (分组) and the class committee (班委).

The organizer groups the approved trainees automatically (``grouping.assign_groups``), moves
people between groups and may re-run; the group leader (组长) names the group and picks its song
and slogan from a phone; the organizer assigns the class monitor (班长) and committee posts.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from training_app.models import (
    ActivityAct,
    CommitteeMember,
    CommitteeRole,
    Enrollment,
    EnrollmentStatus,
    Group,
    GroupMember,
    Role,
    TraineeProfile,
    TrainingClass,
    User,
)
from training_app.services import audit, enrollment, grouping
from training_app.services.classes import can_manage, is_class_sponsor
from training_app.services.errors import N_, DomainError, PermissionDenied

MAX_GROUP_SIZE = grouping.MAX_GROUP_SIZE
MAX_REPRESENTATIVES = 2


# --- who is in the class ---------------------------------------------------------------------

def approved_enrollments(session: Session, training_class: TrainingClass) -> list[Enrollment]:
    """The class's approved enrollments (已录取学员), profile and unit loaded, by name."""
    return list(session.scalars(
        select(Enrollment).join(TraineeProfile, Enrollment.trainee_id == TraineeProfile.id)
        .where(Enrollment.class_id == training_class.id,
               Enrollment.status == EnrollmentStatus.APPROVED.value)
        .order_by(TraineeProfile.name, Enrollment.id)))


def approved_enrollment_of(session: Session, training_class: TrainingClass, user: User
                           ) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).join(TraineeProfile, Enrollment.trainee_id == TraineeProfile.id)
        .where(Enrollment.class_id == training_class.id, TraineeProfile.user_id == user.id,
               Enrollment.status == EnrollmentStatus.APPROVED.value))


def is_approved_trainee(session: Session, training_class: TrainingClass, user: User) -> bool:
    return enrollment.is_approved_trainee(session, training_class=training_class, user=user)


def can_view_class_room(session: Session, user: User, training_class: TrainingClass) -> bool:
    """Who may see the groups, committee and programme of a class: organizers and admins, the
    class's sponsors, lecturers, and its approved trainees."""
    return (can_manage(user) or is_class_sponsor(user, training_class)
            or user.has_role(Role.LECTURER)
            or is_approved_trainee(session, training_class, user))


# --- reading ---------------------------------------------------------------------------------

def list_groups(session: Session, training_class: TrainingClass) -> list[Group]:
    return list(session.scalars(
        select(Group).where(Group.class_id == training_class.id).order_by(Group.number)))


def group_of(session: Session, training_class: TrainingClass, user: User) -> Group | None:
    return session.scalar(
        select(Group).join(GroupMember).where(GroupMember.class_id == training_class.id,
                                              GroupMember.user_id == user.id))


def ungrouped(session: Session, training_class: TrainingClass) -> list[Enrollment]:
    """Approved trainees not in any group (e.g. approved after the grouping)."""
    grouped = set(session.scalars(
        select(GroupMember.user_id).where(GroupMember.class_id == training_class.id)))
    return [e for e in approved_enrollments(session, training_class)
            if e.trainee.user_id not in grouped]


def member_details(session: Session, training_class: TrainingClass) -> dict[int, Enrollment]:
    """The approved enrollment of each trainee user of the class, by user id."""
    return {e.trainee.user_id: e for e in approved_enrollments(session, training_class)}


# --- grouping --------------------------------------------------------------------------------

def auto_group(session: Session, *, training_class: TrainingClass, seed: int, actor: User,
               now: datetime, max_size: int = MAX_GROUP_SIZE) -> list[Group]:
    """(Re)build the groups from the approved trainees. Leaders, names, songs and slogans of the
    previous groups are dropped, so re-running is refused once a group has registered acts or
    an exchange outline: move people by hand then."""
    _require_manager(actor)
    enrollments = approved_enrollments(session, training_class)
    if not enrollments:
        raise DomainError(N_("还没有已录取的学员，无法分组。"))
    existing = list_groups(session, training_class)
    if existing:
        has_acts = session.scalar(select(func.count()).select_from(ActivityAct).where(
            ActivityAct.class_id == training_class.id))
        if has_acts or any(g.outline.strip() for g in existing):
            raise DomainError(N_("已有小组登记了文体节目或交流提纲，不能重新自动分组；"
                                 "请手动调整各组成员。"))
        for group in existing:
            session.delete(group)
        session.flush()
    members = [(e.trainee.user_id, e.unit_id, e.trainee.gender) for e in enrollments]
    assignment = grouping.assign_groups(members, seed=seed, max_size=max_size)
    groups = []
    for number, user_ids in enumerate(assignment, start=1):
        group = Group(class_id=training_class.id, number=number, created_at=now,
                      members=[GroupMember(class_id=training_class.id, user_id=uid)
                               for uid in user_ids])
        session.add(group)
        groups.append(group)
    session.flush()
    report = grouping.spread_report(assignment, members)
    audit.record(session, actor=actor, action="groups.auto", target=training_class, now=now,
                 summary=f"自动分组：{len(enrollments)}名学员分为{len(groups)}组",
                 changes={"seed": seed, "groups": len(groups), "trainees": len(enrollments),
                          **report})
    return groups


def add_group(session: Session, *, training_class: TrainingClass, actor: User,
              now: datetime) -> Group:
    _require_manager(actor)
    number = (session.scalar(select(func.max(Group.number)).where(
        Group.class_id == training_class.id)) or 0) + 1
    group = Group(class_id=training_class.id, number=number, created_at=now)
    session.add(group)
    session.flush()
    audit.record(session, actor=actor, action="groups.add", target=group, now=now,
                 summary=f"新增第{number}组")
    return group


def remove_group(session: Session, *, group: Group, actor: User, now: datetime) -> None:
    _require_manager(actor)
    if group.members:
        raise DomainError(N_("只能删除没有成员的小组。"))
    audit.record(session, actor=actor, action="groups.remove", target=group, now=now,
                 summary=f"删除第{group.number}组")
    session.delete(group)
    session.flush()


def move_member(session: Session, *, training_class: TrainingClass, user: User,
                group: Group | None, actor: User, now: datetime) -> None:
    """Put an approved trainee into ``group`` (None: take them out of their group)."""
    _require_manager(actor)
    if not is_approved_trainee(session, training_class, user):
        raise DomainError(N_("%(name)s不是本班已录取的学员。"), name=user.display_name)
    if group is not None and group.class_id != training_class.id:
        raise DomainError(N_("该小组不属于本培训班。"))
    membership = session.scalar(select(GroupMember).where(
        GroupMember.class_id == training_class.id, GroupMember.user_id == user.id))
    before = membership.group.number if membership else None
    if membership is not None and group is not None and membership.group_id == group.id:
        return
    if group is not None and len(group.members) >= MAX_GROUP_SIZE:
        raise DomainError(N_("第%(number)s组已有%(max)s人，每组不超过%(max)s人。"),
                          number=group.number, max=MAX_GROUP_SIZE)
    if membership is not None:
        old_group = membership.group
        if old_group.leader_id == user.id:
            old_group.leader_id = None
        old_group.members.remove(membership)
        session.flush()
    if group is not None:
        group.members.append(GroupMember(class_id=training_class.id, user_id=user.id))
    try:
        session.flush()
    except IntegrityError as exc:
        raise DomainError(N_("分组已被他人同时修改，请刷新后重试。")) from exc
    audit.record(session, actor=actor, action="groups.move", target=training_class, now=now,
                 summary=f"调整分组：{user.display_name}",
                 changes={"user_id": user.id,
                          "group": [before, group.number if group is not None else None]})


def set_leader(session: Session, *, group: Group, user: User | None, actor: User,
               now: datetime) -> None:
    _require_manager(actor)
    if user is not None and user.id not in {m.user_id for m in group.members}:
        raise DomainError(N_("组长必须是本组成员。"))
    new = user.id if user is not None else None
    if group.leader_id == new:
        return
    audit.record(session, actor=actor, action="groups.leader", target=group, now=now,
                 changes={"leader_id": [group.leader_id, new]},
                 summary=f"设置第{group.number}组组长")
    group.leader_id = new
    session.flush()


def can_edit_group(user: User, group: Group) -> bool:
    """The group leader (组长) edits the group's name, song, slogan and exchange report."""
    return can_manage(user) or (group.leader_id is not None and group.leader_id == user.id)


def update_identity(session: Session, *, group: Group, name: str, song: str, slogan: str,
                    actor: User, now: datetime) -> None:
    if not can_edit_group(actor, group):
        raise PermissionDenied(N_("只有本组组长可以修改组名、组歌和口号。"))
    values = {"name": name.strip()[:60], "song": song.strip()[:120],
              "slogan": slogan.strip()[:200]}
    changes = audit.diff(group, values)
    if not changes:
        return
    for key, value in values.items():
        setattr(group, key, value)
    audit.record(session, actor=actor, action="groups.identity", target=group, now=now,
                 changes=changes, summary=f"修改第{group.number}组组名、组歌和口号")


# --- class committee -------------------------------------------------------------------------

COMMITTEE_ORDER = list(CommitteeRole)


def committee(session: Session, training_class: TrainingClass) -> dict[str, CommitteeMember]:
    return {m.role: m for m in session.scalars(
        select(CommitteeMember).where(CommitteeMember.class_id == training_class.id))}


def committee_roles_of(session: Session, training_class: TrainingClass, user: User) -> set[str]:
    return set(session.scalars(select(CommitteeMember.role).where(
        CommitteeMember.class_id == training_class.id, CommitteeMember.user_id == user.id)))


def is_committee_member(session: Session, training_class: TrainingClass, user: User) -> bool:
    return bool(committee_roles_of(session, training_class, user))


def assign_committee(session: Session, *, training_class: TrainingClass, role: str,
                     user: User | None, actor: User, now: datetime) -> None:
    """Give committee post ``role`` to an approved trainee (None: leave the post empty)."""
    _require_manager(actor)
    if role not in {r.value for r in CommitteeRole}:
        raise DomainError(N_("未知的班委职务。"))
    if user is not None and not is_approved_trainee(session, training_class, user):
        raise DomainError(N_("%(name)s不是本班已录取的学员。"), name=user.display_name)
    current = committee(session, training_class).get(role)
    before = current.user_id if current else None
    after = user.id if user is not None else None
    if before == after:
        return
    if current is not None:
        session.delete(current)
        session.flush()
    if user is not None:
        session.add(CommitteeMember(class_id=training_class.id, role=role, user_id=user.id,
                                    assigned_at=now))
    session.flush()
    audit.record(session, actor=actor, action="committee.assign", target=training_class,
                 now=now, changes={"role": role, "user_id": [before, after]},
                 summary=f"班委任命：{role}")


# --- trainee exchange: representatives and outline ------------------------------------------

def set_report(session: Session, *, group: Group, representative_ids: list[int], outline: str,
               actor: User, now: datetime) -> None:
    """The group names 1-2 representatives (交流代表) and writes its outline (汇报提纲)."""
    if not can_edit_group(actor, group):
        raise PermissionDenied(N_("只有本组组长可以提交交流代表和汇报提纲。"))
    chosen = list(dict.fromkeys(representative_ids))
    member_ids = {m.user_id for m in group.members}
    if not 1 <= len(chosen) <= MAX_REPRESENTATIVES:
        raise DomainError(N_("每组推选1-2名交流代表。"))
    if not set(chosen) <= member_ids:
        raise DomainError(N_("交流代表必须是本组成员。"))
    outline = outline.strip()
    before = {"representatives": sorted(m.user_id for m in group.representatives),
              "outline": group.outline}
    for member in group.members:
        member.is_representative = member.user_id in chosen
    if outline != group.outline:
        group.outline = outline
        group.outline_updated_at = now
    after = {"representatives": sorted(chosen), "outline": outline}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    session.flush()
    if changes:
        audit.record(session, actor=actor, action="groups.report", target=group, now=now,
                     changes=changes, summary=f"第{group.number}组提交交流代表和汇报提纲")


def _require_manager(actor: User) -> None:
    if not can_manage(actor):
        raise PermissionDenied(N_("只有承办方可以执行此操作。"))
