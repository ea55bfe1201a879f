"""Standard-compliance score (标准化量化赋分) of one class.

The checklist is data: ``training_app/compliance/checklist_<version>.json`` lists 7 items and
their clauses (id, item, title, points, rule key, params, fix endpoint). Each rule key names a
small function in ``RULES`` that reads the class's own records and answers met / not met with a
detail sentence. ``evaluate`` scores a class; ``record_snapshot`` keeps the score history.
Documented in docs/compliance.md.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from training_app.models import (
    Attempt,
    Attendance,
    AuditEntry,
    Certificate,
    CertificateKind,
    CertificateState,
    ClassStatus,
    CommitteeMember,
    CommitteeRole,
    ComplianceSnapshot,
    Enrollment,
    EnrollmentStatus,
    Exam,
    ExamStatus,
    FeedbackResponse,
    Notice,
    NoticeKind,
    NoticeStatus,
    ScheduleItem,
    TrainingClass,
)
from training_app.services import (
    completion,
    eligibility,
    feedback,
    grading,
    groups,
    manuals,
    quotas,
    schedule,
)
from training_app.services.errors import N_

CHECKLIST_DIR = Path(__file__).resolve().parent.parent / "compliance"
DEFAULT_VERSION = "v1"
CLASS_TIMEZONE = ZoneInfo("Asia/Shanghai")  # the class's local time (config TIMEZONE)


# --- the checklist (data) ---------------------------------------------------------------------

@dataclass(frozen=True)
class Clause:
    id: str
    item: str
    title: str
    points: int
    rule: str
    params: dict[str, Any]
    fix: str  # endpoint taking class_id (extra args become a query string)


@dataclass(frozen=True)
class Checklist:
    version: str
    title: str
    items: list[tuple[str, str]]  # (id, title)
    clauses: list[Clause]

    @property
    def maximum(self) -> int:
        return sum(c.points for c in self.clauses)


@cache
def load_checklist(version: str = DEFAULT_VERSION, directory: Path = CHECKLIST_DIR) -> Checklist:
    data = json.loads((directory / f"checklist_{version}.json").read_text(encoding="utf-8"))
    return parse_checklist(data)


def parse_checklist(data: dict[str, Any]) -> Checklist:
    items = [(str(i["id"]), i["title"]) for i in data["items"]]
    item_ids = {i for i, _ in items}
    clauses = [Clause(id=str(c["id"]), item=str(c["item"]), title=c["title"],
                      points=int(c["points"]), rule=c["rule"], params=dict(c.get("params") or {}),
                      fix=c.get("fix", "classes.detail")) for c in data["clauses"]]
    unknown = [c.rule for c in clauses if c.rule not in RULES]
    if unknown:
        raise ValueError(f"unknown compliance rules: {unknown}")
    if any(c.item not in item_ids for c in clauses):
        raise ValueError("a clause names an item the checklist does not list")
    if len({c.id for c in clauses}) != len(clauses):
        raise ValueError("duplicate clause ids")
    return Checklist(version=str(data["version"]), title=data.get("title", ""), items=items,
                     clauses=clauses)


# --- rules --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleResult:
    met: bool
    detail: str = ""  # N_() message id
    args: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[Session, TrainingClass, dict[str, Any], datetime], RuleResult]
RULES: dict[str, Rule] = {}


def rule(key: str):
    def register(fn: Rule) -> Rule:
        RULES[key] = fn
        return fn
    return register


def _ok(detail: str = "", **args: Any) -> RuleResult:
    return RuleResult(True, detail, args)


def _missing(detail: str, **args: Any) -> RuleResult:
    return RuleResult(False, detail, args)


def _formal_notice(session: Session, c: TrainingClass) -> Notice | None:
    return session.scalar(select(Notice).where(Notice.class_id == c.id,
                                               Notice.kind == NoticeKind.FORMAL.value))


def _published_exams(session: Session, c: TrainingClass) -> list[Exam]:
    return list(session.scalars(select(Exam).where(
        Exam.class_id == c.id, Exam.status == ExamStatus.PUBLISHED.value).order_by(Exam.id)))


def _approved(session: Session, c: TrainingClass) -> list[Enrollment]:
    return list(session.scalars(select(Enrollment).where(
        Enrollment.class_id == c.id, Enrollment.status == EnrollmentStatus.APPROVED.value)))


@rule("manual_approved")
def manual_approved(session, c, params, now):
    version = manuals.approved_manual_version(session, c)
    if version is None or version.reviewed_by_id is None:
        return _missing(N_("尚无经主办方批准的教材版本。"))
    return _ok(N_("第%(n)s版已由主办方批准。"), n=version.number)


@rule("manual_before_exam")
def manual_before_exam(session, c, params, now):
    version = manuals.approved_manual_version(session, c)
    exams_ = _published_exams(session, c)
    if not exams_:
        return _missing(N_("尚未发布考试。"))
    if version is None or version.reviewed_at is None:
        return _missing(N_("尚无经主办方批准的教材版本。"))
    early = [e for e in exams_ if e.published_at is not None and e.published_at < version.reviewed_at]
    if early:
        return _missing(N_("考试“%(title)s”在教材获批之前发布。"), title=early[0].title)
    return _ok(N_("考试在教材获批之后发布。"))


@rule("manual_chapters")
def manual_chapters(session, c, params, now):
    version = manuals.approved_manual_version(session, c)
    if version is None or not version.chapters:
        return _missing(N_("已批准的教材没有章节目录。"))
    return _ok(N_("共%(n)s章。"), n=len(version.chapters))


@rule("notice_approved")
def notice_approved(session, c, params, now):
    notice = _formal_notice(session, c)
    if notice is None or notice.status not in (NoticeStatus.APPROVED.value,
                                               NoticeStatus.PUBLISHED.value):
        return _missing(N_("培训通知尚未经主办方批准。"))
    return _ok()


@rule("notice_published")
def notice_published(session, c, params, now):
    notice = _formal_notice(session, c)
    if notice is None or notice.status != NoticeStatus.PUBLISHED.value:
        return _missing(N_("培训通知尚未发布。"))
    return _ok()


@rule("notice_quota_table")
def notice_quota_table(session, c, params, now):
    notice = _formal_notice(session, c)
    rows = ((notice.content or {}).get("quota_table") or {}).get("rows") if notice else None
    if not notice or notice.status != NoticeStatus.PUBLISHED.value or not rows:
        return _missing(N_("已发布的培训通知没有名额分配表。"))
    return _ok(N_("名额分配表列出%(n)s个单位。"), n=len(rows))


@rule("registration_lead_time")
def registration_lead_time(session, c, params, now):
    min_days = int(params.get("min_days", 7))
    notice = _formal_notice(session, c)
    if notice is None or notice.published_at is None:
        return _missing(N_("培训通知尚未发布。"))
    if c.registration_deadline is None:
        return _missing(N_("未设置报名截止日期。"))
    days = (c.registration_deadline - notice.published_at.astimezone(CLASS_TIMEZONE).date()).days
    if days < min_days:
        return _missing(N_("报名截止日期距通知发布只有%(days)s天，标准为不少于%(min)s天。"),
                        days=days, min=min_days)
    return _ok(N_("报名期%(days)s天。"), days=days)


@rule("trainees_eligible")
def trainees_eligible(session, c, params, now):
    entries = _approved(session, c)
    if not entries:
        return _missing(N_("尚无录取学员。"))
    rules = c.eligibility_rules or []
    bad = [e.trainee.name for e in entries if not eligibility.is_eligible(
        rules, qualification=e.trainee.qualification, years=e.trainee.years_experience)]
    if bad:
        return _missing(N_("不符合报名条件：%(names)s。"), names="、".join(bad[:5]))
    return _ok(N_("%(n)s名学员均符合条件。"), n=len(entries))


@rule("within_quota")
def within_quota(session, c, params, now):
    """The class total within its capacity, and every unit within its quota unless the
    organizer recorded why (an audited over-quota admission). Every unit over is named."""
    approved = len(_approved(session, c))
    if approved > c.capacity:
        return _missing(N_("录取%(n)s人，超过计划人数%(cap)s人。"), n=approved, cap=c.capacity)
    summary = quotas.quota_summary(session, c)
    over = [r for r in summary.over_quota_rows if r.approved_over]
    units = "、".join(f"{r.unit.name} {r.approved}/{r.quota}" for r in over)
    if any(r.unexplained for r in over):
        return _missing(N_("超出单位名额录取且未说明理由：%(units)s。"), units=units)
    if over:
        return _ok(N_("录取%(n)s人，计划%(cap)s人；超出单位名额录取（已说明理由）：%(units)s。"),
                   n=approved, cap=c.capacity, units=units)
    return _ok(N_("录取%(n)s人，计划%(cap)s人，各单位均未超出名额。"), n=approved, cap=c.capacity)


@rule("enrollment_decided")
def enrollment_decided(session, c, params, now):
    pending = session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.class_id == c.id, Enrollment.status == EnrollmentStatus.PENDING.value))
    if pending:
        return _missing(N_("还有%(n)s条报名待审核。"), n=pending)
    return _ok()


@rule("group_size")
def group_size(session, c, params, now):
    max_size = int(params.get("max_size", 10))
    class_groups = groups.list_groups(session, c)
    if not class_groups:
        return _missing(N_("尚未分组。"))
    big = [g.number for g in class_groups if len(g.members) > max_size]
    if big:
        return _missing(N_("第%(n)s组超过%(max)s人。"), n=big[0], max=max_size)
    left = groups.ungrouped(session, c)
    if left:
        return _missing(N_("还有%(n)s名学员未分组。"), n=len(left))
    return _ok(N_("共%(n)s组。"), n=len(class_groups))


@rule("group_leader_name")
def group_leader_name(session, c, params, now):
    class_groups = groups.list_groups(session, c)
    if not class_groups:
        return _missing(N_("尚未分组。"))
    lacking = [g.number for g in class_groups if g.leader_id is None or not g.name.strip()]
    if lacking:
        return _missing(N_("第%(n)s组缺少组长或组名。"), n=lacking[0])
    return _ok()


@rule("class_monitor")
def class_monitor(session, c, params, now):
    found = session.scalar(select(CommitteeMember.id).where(
        CommitteeMember.class_id == c.id, CommitteeMember.role == CommitteeRole.MONITOR.value))
    return _ok() if found else _missing(N_("尚未选出班长。"))


def _items(session, c) -> list[ScheduleItem]:
    return schedule.list_items(session, c)


@rule("standard_steps")
def standard_steps(session, c, params, now):
    present = {i.kind for i in _items(session, c)}
    missing = [schedule.KIND_NAMES[k] for k in schedule.STANDARD_STEPS if k.value not in present]
    if missing:
        return _missing(N_("缺少标准环节：%(steps)s。"), steps="、".join(missing))
    return _ok()


@rule("opening_short")
def opening_short(session, c, params, now):
    limit = int(params.get("max_minutes", 60))
    openings = [i for i in _items(session, c) if i.kind == "opening"]
    if not openings:
        return _missing(N_("日程中没有开班仪式。"))
    long_ = [i for i in openings if i.minutes > limit]
    if long_:
        return _missing(N_("开班仪式为%(minutes)s分钟，标准为不超过%(max)s分钟。"),
                        minutes=long_[0].minutes, max=limit)
    return _ok()


@rule("schedule_responsible")
def schedule_responsible(session, c, params, now):
    items = _items(session, c)
    if not items:
        return _missing(N_("尚未安排日程。"))
    lacking = [i.title for i in items if i.responsible_id is None]
    if lacking:
        return _missing(N_("%(n)s项日程未指定负责人，如“%(title)s”。"), n=len(lacking),
                        title=lacking[0])
    return _ok()


@rule("credit_hours_scheduled")
def credit_hours_scheduled(session, c, params, now):
    if not _items(session, c):
        return _missing(N_("尚未安排日程。"))
    check = schedule.check_schedule(session, c, CLASS_TIMEZONE)
    if check.scheduled_hours < c.credit_hours:
        return _missing(N_("日程合计%(hours)s学时，少于%(required)s学时。"),
                        hours=str(check.scheduled_hours), required=c.credit_hours)
    return _ok(N_("日程合计%(hours)s学时。"), hours=str(check.scheduled_hours))


@rule("attendance_taken")
def attendance_taken(session, c, params, now):
    items = [i for i in _items(session, c) if i.takes_attendance]
    if not items:
        return _missing(N_("日程中没有签到环节。"))
    ended = [i for i in items if i.ends_at <= now]
    if not ended:
        return _missing(N_("签到环节尚未结束。"))
    recorded = set(session.scalars(select(Attendance.item_id).where(
        Attendance.item_id.in_([i.id for i in ended])).distinct()))
    lacking = [i.title for i in ended if i.id not in recorded]
    if lacking:
        return _missing(N_("“%(title)s”没有考勤记录。"), title=lacking[0])
    return _ok(N_("%(n)s个签到环节有考勤记录。"), n=len(ended))


def _blueprint_counts(exam: Exam) -> dict[str, tuple[int, Decimal]]:
    counts: Counter = Counter()
    points: dict[str, Decimal] = {}
    for q in exam.questions:
        counts[q.type] += 1
        points[q.type] = points.get(q.type, Decimal(0)) + Decimal(q.points)
    return {t: (counts[t], points[t]) for t in counts}


@rule("exam_blueprint")
def exam_blueprint(session, c, params, now):
    exams_ = _published_exams(session, c)
    if not exams_:
        return _missing(N_("尚未发布考试。"))
    wanted = {t: (int(n), Decimal(p)) for t, n, p in params.get("sections", [])}
    for exam in exams_:
        if _blueprint_counts(exam) == wanted:
            return _ok(N_("“%(title)s”符合标准试卷结构。"), title=exam.title)
    got = _blueprint_counts(exams_[0])
    shape = "/".join(f"{n}" for n, _ in got.values()) + " = " + "/".join(
        f"{p.normalize():f}" for _, p in got.values())
    return _missing(N_("试卷结构为%(shape)s，不符合标准。"), shape=shape)


@rule("tied_short_answer")
def tied_short_answer(session, c, params, now):
    for exam in _published_exams(session, c):
        if any(q.type == "short" and q.data.get("tied_to_class") for q in exam.questions):
            return _ok()
    return _missing(N_("已发布的试卷中没有紧扣本期培训的简答题。"))


@rule("exam_graded")
def exam_graded(session, c, params, now):
    exams_ = _published_exams(session, c)
    if not exams_:
        return _missing(N_("尚未发布考试。"))
    submitted = session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.exam_id.in_([e.id for e in exams_]), Attempt.submitted_at.is_not(None)))
    if not submitted:
        return _missing(N_("尚无交卷。"))
    ungraded = sum(grading.ungraded_count(session, e) for e in exams_)
    if ungraded:
        return _missing(N_("还有%(n)s道简答题答卷未评分。"), n=ungraded)
    return _ok(N_("%(n)s份试卷已阅完。"), n=submitted)


@rule("results_released")
def results_released(session, c, params, now):
    exams_ = _published_exams(session, c)
    if exams_ and all(e.results_released_at is not None for e in exams_):
        return _ok()
    return _missing(N_("考试成绩尚未发布。"))


@rule("feedback_collected")
def feedback_collected(session, c, params, now):
    share = Decimal(str(params.get("min_share", "0.8")))
    trainees = len(_approved(session, c))
    form = feedback.form_for(session, c)
    if not trainees or form is None:
        return _missing(N_("尚未收集评估表。"))
    responses = session.scalar(select(func.count()).select_from(FeedbackResponse).where(
        FeedbackResponse.form_id == form.id))
    if Decimal(responses) < share * trainees:
        return _missing(N_("收回评估表%(n)s份，学员%(total)s人，不足%(pct)s%%。"),
                        n=responses, total=trainees, pct=int(share * 100))
    return _ok(N_("收回评估表%(n)s份，学员%(total)s人。"), n=responses, total=trainees)


@rule("certificates_issued")
def certificates_issued(session, c, params, now):
    completing = {s.user.id for s in completion.completing_trainees(session, c)}
    if not completing:
        return _missing(N_("尚无结业学员。"))
    certified = set(session.scalars(select(Certificate.user_id).where(
        Certificate.class_id == c.id, Certificate.kind == CertificateKind.COMPLETION.value,
        Certificate.state == CertificateState.VALID.value)))
    lacking = completing - certified
    if lacking:
        return _missing(N_("还有%(n)s名结业学员未颁发结业证书。"), n=len(lacking))
    return _ok(N_("%(n)s名结业学员均已颁发证书。"), n=len(completing))


def _audited(session, action: str, target_type: str, target_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.target_type == target_type,
        AuditEntry.target_id == target_id)))


@rule("state_changes_audited")
def state_changes_audited(session, c, params, now):
    gaps: list[str] = []
    if c.status != ClassStatus.DRAFT.value:
        reached = {(e.changes.get("status") or [None, None])[-1]
                   for e in _audited(session, "class.transition", "training_class", c.id)}
        if c.status not in reached:
            gaps.append("class")
    version = manuals.approved_manual_version(session, c)
    if version is not None and not _audited(session, "manual.approve", "manual_version", version.id):
        gaps.append("manual")
    for notice in session.scalars(select(Notice).where(Notice.class_id == c.id)):
        if notice.status in (NoticeStatus.APPROVED.value, NoticeStatus.PUBLISHED.value) and \
                notice.reviewed_by_id is not None and not _audited(
                    session, "notice.approve", "notice", notice.id):
            gaps.append("notice")
        if notice.status == NoticeStatus.PUBLISHED.value and not _audited(
                session, "notice.publish", "notice", notice.id):
            gaps.append("notice")
    for exam in _published_exams(session, c):
        if not _audited(session, "exam.publish", "exam", exam.id):
            gaps.append("exam")
        if exam.results_released_at and not _audited(session, "exam.release_results", "exam",
                                                     exam.id):
            gaps.append("exam")
    if gaps:
        return _missing(N_("以下状态变更缺少操作记录：%(what)s。"), what="、".join(sorted(set(gaps))))
    return _ok()


# --- evaluation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClauseResult:
    clause: Clause
    met: bool
    detail: str
    args: dict[str, Any]

    @property
    def earned(self) -> int:
        return self.clause.points if self.met else 0


@dataclass(frozen=True)
class Score:
    checklist: Checklist
    results: list[ClauseResult]

    @property
    def total(self) -> int:
        return sum(r.earned for r in self.results)

    @property
    def maximum(self) -> int:
        return self.checklist.maximum

    @property
    def missing(self) -> list[str]:
        return [r.clause.id for r in self.results if not r.met]

    def by_item(self) -> list[tuple[str, str, list[ClauseResult]]]:
        return [(item_id, title, [r for r in self.results if r.clause.item == item_id])
                for item_id, title in self.checklist.items]


def evaluate(session: Session, training_class: TrainingClass, now: datetime, *,
             checklist: Checklist | None = None) -> Score:
    checklist = checklist or load_checklist()
    session.flush()
    results = []
    for clause in checklist.clauses:
        outcome = RULES[clause.rule](session, training_class, clause.params, now)
        results.append(ClauseResult(clause, outcome.met, outcome.detail, outcome.args))
    return Score(checklist=checklist, results=results)


def history(session: Session, training_class: TrainingClass, *, limit: int = 50
            ) -> list[ComplianceSnapshot]:
    return list(session.scalars(select(ComplianceSnapshot).where(
        ComplianceSnapshot.class_id == training_class.id)
        .order_by(ComplianceSnapshot.at.desc(), ComplianceSnapshot.id.desc()).limit(limit)))


def record_snapshot(session: Session, *, training_class: TrainingClass, score: Score,
                    now: datetime, force: bool = False) -> ComplianceSnapshot | None:
    """Keep the score in the history when it differs from the last one kept (or ``force``).
    A snapshot is an observation, not a state change of the class: no audit entry."""
    last = next(iter(history(session, training_class, limit=1)), None)
    if not force and last is not None and last.total == score.total \
            and last.missing == score.missing and last.checklist_version == score.checklist.version:
        return None
    snapshot = ComplianceSnapshot(class_id=training_class.id, at=now, total=score.total,
                                  maximum=score.maximum, missing=score.missing,
                                  checklist_version=score.checklist.version)
    session.add(snapshot)
    session.flush()
    return snapshot
