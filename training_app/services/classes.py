"""Training classes (培训班): create, edit and copy; who is related to a class.

The lifecycle (draft → … → archived) is in ``services/lifecycle.py``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import (
    ClassSponsor,
    ClassStatus,
    Qualification,
    Role,
    TrainingClass,
    TrainingFormat,
    TrainingMode,
    Unit,
    User,
)
from training_app.services import audit
from training_app.services.errors import N_, DomainError

HOURS_PER_DAY = 8  # 学时: 2 days = 16, 3 days = 24, 4 days = 32
MAX_YEARS = 60

# Chinese names used in generated documents (notices); the UI labels are in forms/classes.py.
QUALIFICATION_NAMES = {
    Qualification.NONE: "无资格证书",
    Qualification.ASSISTANT: "助理社会工作师",
    Qualification.INTERMEDIATE: "社会工作师",
    Qualification.SENIOR: "高级社会工作师",
}
MODE_NAMES = {
    TrainingMode.CLOSED: "封闭式",
    TrainingMode.DISTANCE: "远程教育式",
    TrainingMode.MEETING: "以会代训式",
    TrainingMode.STUDY_TOUR: "组团考察式",
}
FORMAT_NAMES = {
    TrainingFormat.LECTURE: "讲授法",
    TrainingFormat.REMOTE_AV: "远程视听",
    TrainingFormat.DISCUSSION: "讨论法",
    TrainingFormat.CASE_STUDY: "案例研讨法",
    TrainingFormat.ROLE_PLAY: "角色扮演法",
    TrainingFormat.SELF_STUDY: "自学法",
    TrainingFormat.INTERACTIVE_GROUP: "互动小组法",
    TrainingFormat.ONLINE: "网络培训法",
}

# Fields ``update_class`` accepts; ``copy_class`` copies all but title and dates.
EDITABLE_FIELDS = (
    "title", "sponsor", "organizer", "co_sponsors", "start_date", "end_date", "venue",
    "sub_venues", "mode", "formats", "capacity", "credit_hours", "description",
    "eligibility_rules", "eligibility_text", "required_materials", "rules_text", "contacts",
    "registration_deadline",
)
# Classes past these states are history: their settings no longer change.
FROZEN_STATUSES = {ClassStatus.GRADUATED.value, ClassStatus.ARCHIVED.value}


def default_credit_hours(start: date, end: date) -> int:
    return ((end - start).days + 1) * HOURS_PER_DAY


def normalize_eligibility(rules: Iterable[dict[str, Any]]) -> list[dict[str, int]]:
    """Alternatives as [{"qualification": int, "min_years": int}], validated, duplicates dropped."""
    result: list[dict[str, int]] = []
    for rule in rules:
        try:
            qualification = Qualification(int(rule["qualification"]))
            min_years = int(rule.get("min_years") or 0)
        except (KeyError, TypeError, ValueError):
            raise DomainError(N_("报名条件格式不正确。")) from None
        if not 0 <= min_years <= MAX_YEARS:
            raise DomainError(N_("工作年限应在0到%(max)s年之间。"), max=MAX_YEARS)
        item = {"qualification": int(qualification), "min_years": min_years}
        if item not in result:
            result.append(item)
    return result


def eligibility_summary(rules: Sequence[dict[str, Any]]) -> str:
    """The rules in words, e.g. 社会工作师满2年或助理社会工作师满5年 ('' when anyone may come)."""
    parts = []
    for rule in rules:
        name = QUALIFICATION_NAMES[Qualification(rule["qualification"])]
        years = int(rule.get("min_years") or 0)
        if rule["qualification"] == Qualification.NONE:
            parts.append(f"从事社会工作满{years}年" if years else "不限资格")
        else:
            parts.append(f"{name}满{years}年" if years else f"{name}及以上")
    return "或".join(parts)


def _normalize(values: dict[str, Any]) -> dict[str, Any]:
    """Check the whole set of class settings; return them cleaned."""
    title = (values["title"] or "").strip()
    if not title:
        raise DomainError(N_("请填写培训班名称。"))
    if values["sponsor"] is None or values["organizer"] is None:
        raise DomainError(N_("请选择主办方和承办方。"))
    start, end = values["start_date"], values["end_date"]
    if end < start:
        raise DomainError(N_("结束日期不能早于开始日期。"))
    if values["capacity"] is None or values["capacity"] <= 0:
        raise DomainError(N_("计划人数必须大于0。"))
    if values["credit_hours"] is not None and values["credit_hours"] < 0:
        raise DomainError(N_("学时不能为负数。"))
    mode = values["mode"]
    if mode not in {m.value for m in TrainingMode}:
        raise DomainError(N_("未知的培训方式：%(mode)s"), mode=mode)
    formats = list(values["formats"] or [])
    unknown = [f for f in formats if f not in {x.value for x in TrainingFormat}]
    if unknown:
        raise DomainError(N_("未知的培训形式：%(format)s"), format=unknown[0])
    deadline = values["registration_deadline"]
    if deadline is not None and deadline > start:
        raise DomainError(N_("报名截止日期不能晚于开班日期。"))
    lead = values["sponsor"]
    co_sponsors: list[Unit] = []
    for unit in values["co_sponsors"] or []:
        if unit.id != lead.id and unit.id not in {u.id for u in co_sponsors}:
            co_sponsors.append(unit)
    sub_venues: list[str] = []
    for venue in values["sub_venues"] or []:
        venue = venue.strip()
        if venue and venue not in sub_venues:
            sub_venues.append(venue)
    return {
        "title": title, "sponsor": lead, "organizer": values["organizer"],
        "co_sponsors": co_sponsors, "start_date": start, "end_date": end,
        "venue": (values["venue"] or "").strip(), "sub_venues": sub_venues, "mode": mode,
        "formats": [f.value for f in TrainingFormat if f.value in formats],
        "capacity": values["capacity"],
        "credit_hours": values["credit_hours"] if values["credit_hours"] is not None
        else default_credit_hours(start, end),
        "description": (values["description"] or "").strip(),
        "eligibility_rules": normalize_eligibility(values["eligibility_rules"] or []),
        "eligibility_text": (values["eligibility_text"] or "").strip(),
        "required_materials": (values["required_materials"] or "").strip(),
        "rules_text": (values["rules_text"] or "").strip(),
        "contacts": (values["contacts"] or "").strip(),
        "registration_deadline": deadline,
    }


def _column_values(clean: dict[str, Any]) -> dict[str, Any]:
    """Cleaned settings as comparable column values (units as ids), for the audit diff."""
    values = {k: v for k, v in clean.items() if k not in ("sponsor", "organizer", "co_sponsors")}
    values["sponsor_unit_id"] = clean["sponsor"].id
    values["organizer_unit_id"] = clean["organizer"].id
    return values


def _assign(training_class: TrainingClass, clean: dict[str, Any]) -> None:
    for name, value in clean.items():
        if name == "sponsor":
            training_class.sponsor_unit = value
        elif name == "organizer":
            training_class.organizer_unit = value
        elif name == "co_sponsors":
            wanted = [u.id for u in value]
            if [link.unit_id for link in training_class.co_sponsor_links] != wanted:
                training_class.co_sponsor_links = [ClassSponsor(unit_id=i) for i in wanted]
        else:
            setattr(training_class, name, value)


def _current_values(training_class: TrainingClass) -> dict[str, Any]:
    values = {name: getattr(training_class, name) for name in EDITABLE_FIELDS
              if name not in ("sponsor", "organizer", "co_sponsors")}
    values["sponsor"] = training_class.sponsor_unit
    values["organizer"] = training_class.organizer_unit
    values["co_sponsors"] = [link.unit for link in training_class.co_sponsor_links]
    return values


def create_class(
    session: Session,
    *,
    title: str,
    sponsor: Unit,
    organizer: Unit,
    start_date: date,
    end_date: date,
    venue: str = "",
    capacity: int = 80,
    credit_hours: int | None = None,
    description: str = "",
    actor: User | None,
    now: datetime | None = None,
    co_sponsors: Sequence[Unit] = (),
    sub_venues: Sequence[str] = (),
    mode: str = TrainingMode.CLOSED.value,
    formats: Sequence[str] = (),
    eligibility_rules: Sequence[dict[str, Any]] = (),
    eligibility_text: str = "",
    required_materials: str = "",
    rules_text: str = "",
    contacts: str = "",
    registration_deadline: date | None = None,
) -> TrainingClass:
    """A new class in draft (草稿). Credit hours default to 8 per day (学时)."""
    clean = _normalize({
        "title": title, "sponsor": sponsor, "organizer": organizer, "co_sponsors": co_sponsors,
        "start_date": start_date, "end_date": end_date, "venue": venue, "sub_venues": sub_venues,
        "mode": mode, "formats": formats, "capacity": capacity, "credit_hours": credit_hours,
        "description": description, "eligibility_rules": eligibility_rules,
        "eligibility_text": eligibility_text, "required_materials": required_materials,
        "rules_text": rules_text, "contacts": contacts,
        "registration_deadline": registration_deadline,
    })
    training_class = TrainingClass(status=ClassStatus.DRAFT.value)
    _assign(training_class, clean)
    session.add(training_class)
    session.flush()
    audit.record(session, actor=actor, action="class.create", target=training_class, now=now,
                 summary=f"创建培训班 {clean['title']}",
                 changes={"title": clean["title"], "capacity": clean["capacity"],
                          "credit_hours": training_class.credit_hours})
    return training_class


def update_class(
    session: Session, *, training_class: TrainingClass, actor: User, now: datetime,
    **changes: Any,
) -> TrainingClass:
    """Change any of EDITABLE_FIELDS (the others keep their values); audited with the diff."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_class() got unknown fields: {sorted(unknown)}")
    if training_class.status in FROZEN_STATUSES:
        raise DomainError(N_("已结业或已归档的培训班不能再修改。"))
    clean = _normalize({**_current_values(training_class), **changes})
    if clean["capacity"] != training_class.capacity:
        _check_capacity_covers_quotas(session, training_class, clean["capacity"])
    before = {name: getattr(training_class, name) for name in EDITABLE_FIELDS
              if name not in ("sponsor", "organizer", "co_sponsors")}
    before["sponsor_unit_id"] = training_class.sponsor_unit_id
    before["organizer_unit_id"] = training_class.organizer_unit_id
    before["co_sponsor_ids"] = [link.unit_id for link in training_class.co_sponsor_links]
    after = _column_values(clean)
    after["co_sponsor_ids"] = [u.id for u in clean["co_sponsors"]]
    diff = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    # Imported here: notices builds its text from this module's names (an import cycle otherwise).
    from training_app.services import notices

    published_text = notices.published_formal_text(session, training_class) if diff else None
    _assign(training_class, clean)
    notices.check_class_edit(session, training_class, published_text)
    if diff:
        session.flush()
        audit.record(session, actor=actor, action="class.update", target=training_class,
                     now=now, changes=diff, summary=f"修改培训班 {training_class.title}")
    return training_class


def _check_capacity_covers_quotas(session: Session, training_class: TrainingClass,
                                  capacity: int) -> None:
    """Under the class lock, so a quota set at the same moment cannot slip past the check."""
    from training_app.services import quotas  # the enrollment area's module

    quotas.lock_class(session, training_class)
    allocated = quotas.total_allocated(session, training_class)
    if capacity < allocated:
        raise DomainError(N_("计划人数不能少于已分配给各单位的名额合计（%(allocated)s人）。"),
                          allocated=allocated)


def copy_class(
    session: Session, *, source: TrainingClass, title: str, start_date: date, end_date: date,
    actor: User, now: datetime, credit_hours: int | None = None,
) -> TrainingClass:
    """A new draft class with ``source``'s settings ("copy last year's class").

    The registration deadline keeps its distance from the start date; credit hours are kept
    when the class is as long as the source, otherwise 8 per day unless given. Manuals,
    notices, quotas and enrollments are not copied: each class is approved afresh.
    """
    values = _current_values(source)
    deadline = None
    if source.registration_deadline is not None:
        deadline = start_date - (source.start_date - source.registration_deadline)
    if credit_hours is None and end_date >= start_date:
        same_length = (end_date - start_date) == (source.end_date - source.start_date)
        credit_hours = source.credit_hours if same_length else default_credit_hours(
            start_date, end_date)
    values.update(title=title, start_date=start_date, end_date=end_date,
                  credit_hours=credit_hours, registration_deadline=deadline)
    clean = _normalize(values)
    training_class = TrainingClass(status=ClassStatus.DRAFT.value)
    _assign(training_class, clean)
    session.add(training_class)
    session.flush()
    audit.record(session, actor=actor, action="class.copy", target=training_class, now=now,
                 summary=f"复制培训班 {source.title} 为 {clean['title']}",
                 changes={"source_id": source.id, "title": clean["title"],
                          "start_date": start_date, "end_date": end_date})
    return training_class


def list_classes(session: Session) -> list[TrainingClass]:
    return list(session.scalars(select(TrainingClass).order_by(TrainingClass.start_date.desc())))


def is_class_sponsor(user: User, training_class: TrainingClass) -> bool:
    """A sponsor account of one of the class's sponsor units (lead or co-sponsor)."""
    return (user.has_role(Role.SPONSOR) and user.unit_id is not None
            and user.unit_id in training_class.sponsor_unit_ids)


def can_manage(user: User) -> bool:
    """Organizers (承办方) and admins build and run classes."""
    return user.has_role(Role.ADMIN, Role.ORGANIZER)


def is_related(user: User, training_class: TrainingClass) -> bool:
    """Whether ``user`` may read the class's internal documents (the manual PDF, draft notices):
    organizers and admins, the class's sponsors, and lecturers. Enrolled trainees join this
    list with the enrollment work."""
    return (can_manage(user) or is_class_sponsor(user, training_class)
            or user.has_role(Role.LECTURER))
