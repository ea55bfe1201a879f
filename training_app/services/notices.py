"""Notices (预备通知 / 培训通知): generated from the class, approved by a sponsor, published.

The organizer drafts a notice (``draft_notice``) and edits its purpose text; everything else
(time and place, participants and eligibility, the quota table 名额分配表, deadline, materials,
rules, contacts, issuers) is generated from the class. Submitting freezes the generated text in
``notice.content``; a sponsor approves exactly that text. Publishing (done by the lifecycle
transition, see ``services/lifecycle.py``) refuses when the class or its quotas changed after
approval, and stamps the issue date; the published content is a snapshot that later edits of
the class or the quotas never change.

The notice itself is an official Chinese document (公文): its text is Chinese whatever the UI
language, so it is plain text here, not ``N_()`` messages.
"""
from __future__ import annotations

import html
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import (
    ClassStatus,
    Notice,
    NoticeIssuers,
    NoticeKind,
    NoticeStatus,
    TrainingClass,
    TrainingFormat,
    TrainingMode,
    Unit,
    User,
)
from training_app.services import audit
from training_app.services.classes import (
    FORMAT_NAMES,
    MODE_NAMES,
    can_manage,
    eligibility_summary,
    is_class_sponsor,
)
from training_app.services.errors import N_, DomainError, PermissionDenied
from training_app.services.pdf import CJK_A4_CSS, render_pdf

CLASS_TIMEZONE = ZoneInfo("Asia/Shanghai")
KIND_NAMES = {NoticeKind.PRELIMINARY: "预备通知", NoticeKind.FORMAL: "培训通知"}
CHINESE_ORDINALS = "一二三四五六七八九十"
EDITABLE_STATUSES = {NoticeStatus.DRAFT.value, NoticeStatus.RETURNED.value,
                     NoticeStatus.APPROVED.value}
# The class states in which each kind of notice may still be drafted.
DRAFTABLE_IN = {
    NoticeKind.PRELIMINARY: {ClassStatus.DRAFT.value},
    NoticeKind.FORMAL: {ClassStatus.DRAFT.value, ClassStatus.PRELIMINARY.value},
}


# ---------------------------------------------------------------- reading

def get_notice(session: Session, training_class: TrainingClass, kind: NoticeKind | str
               ) -> Notice | None:
    return session.scalar(select(Notice).where(Notice.class_id == training_class.id,
                                               Notice.kind == NoticeKind(kind).value))


def list_notices(session: Session, training_class: TrainingClass) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.class_id == training_class.id)
                                .order_by(Notice.kind.desc())))


def can_read(user: User, notice: Notice) -> bool:
    """Published notices are for everyone logged in (units must read them); drafts only for the
    organizers and the class's sponsors."""
    if notice.status == NoticeStatus.PUBLISHED.value:
        return True
    return can_manage(user) or is_class_sponsor(user, notice.training_class)


# ---------------------------------------------------------------- the text

def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_range(start: date, end: date) -> str:
    if start == end:
        return chinese_date(start)
    if start.year != end.year:
        return f"{chinese_date(start)}至{chinese_date(end)}"
    if start.month != end.month:
        return f"{chinese_date(start)}至{end.month}月{end.day}日"
    return f"{chinese_date(start)}至{end.day}日"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def quota_rows(session: Session, training_class: TrainingClass) -> list[dict[str, Any]]:
    """The quota table (名额分配表): units with seats, in unit order."""
    from training_app.models import Quota  # the enrollment area's model

    rows = session.execute(
        select(Unit.name, Quota.seats).join(Unit, Unit.id == Quota.unit_id)
        .where(Quota.class_id == training_class.id, Quota.seats > 0)
        .order_by(Unit.kind, Unit.name))
    return [{"unit": name, "seats": seats} for name, seats in rows]


def issuer_names(notice: Notice) -> list[str]:
    training_class = notice.training_class
    names = [unit.name for unit in training_class.sponsor_units]
    if notice.issuers == NoticeIssuers.JOINT.value:
        names.append(training_class.organizer_unit.name)
    return names


def generate_content(session: Session, notice: Notice) -> dict[str, Any]:
    """The notice's full text from the class as it is now (without the issue date)."""
    c: TrainingClass = notice.training_class
    kind = NoticeKind(notice.kind)
    rows = quota_rows(session, c)
    allocated = sum(r["seats"] for r in rows)
    sections: list[tuple[str, list[str]]] = []

    sections.append(("培训目的", _lines(notice.purpose)))

    where = [f"培训时间：{date_range(c.start_date, c.end_date)}，共{c.days}天，计{c.credit_hours}学时。"]
    if c.venue:
        where.append(f"培训地点：{c.venue}" + ("（主会场）。" if c.sub_venues else "。"))
    if c.sub_venues:
        where.append("分会场：" + "、".join(c.sub_venues) + "。")
    mode = MODE_NAMES.get(TrainingMode(c.mode), "") if c.mode else ""
    formats = "、".join(FORMAT_NAMES[TrainingFormat(f)] for f in c.formats or [])
    if mode or formats:
        where.append(f"培训方式：{mode}培训" + (f"，采用{formats}等形式。" if formats else "。"))
    sections.append(("培训时间和地点", where))

    eligibility = c.eligibility_text or eligibility_summary(c.eligibility_rules or [])
    sections.append(("参训对象和条件", [
        f"本期培训班计划招收学员{c.capacity}名。",
        f"报名条件：{eligibility}。" if eligibility else "报名条件：不限。",
        "请各单位严格按照条件选派学员，宁缺毋滥。",
    ]))

    quota_text = [f"本期培训班共{c.capacity}个名额，已分配各单位{allocated}个"
                  + (f"，其余{c.capacity - allocated}个名额由承办方统筹安排" if c.capacity > allocated else "")
                  + "。具体见名额分配表。"]
    sections.append(("名额分配", quota_text))

    materials = _lines(c.required_materials)
    if kind == NoticeKind.FORMAL:
        deadline = (f"请各单位于{chinese_date(c.registration_deadline)}前完成报名，逾期不再受理。"
                    if c.registration_deadline else "报名截止日期另行通知。")
        sections.append(("报名要求", [deadline] + (["报名材料："] + materials if materials else [])))
    else:
        sections.append(("有关要求", [
            "正式培训通知将另行下发。请各单位提前研究确定参训人员，做好报名材料准备。",
        ] + (["报名材料："] + materials if materials else [])))

    if rules := _lines(c.rules_text):
        sections.append(("培训纪律", rules))
    if contacts := _lines(c.contacts):
        sections.append(("联系方式", contacts))

    suffix = "的预备通知" if kind == NoticeKind.PRELIMINARY else "的通知"
    return {
        "kind": kind.value,
        "title": f"关于举办{c.title}{suffix}",
        "document_number": notice.document_number,
        "addressee": "各有关单位：",
        "sections": [{"heading": f"{CHINESE_ORDINALS[i]}、{heading}", "paragraphs": paragraphs}
                     for i, (heading, paragraphs) in enumerate(s for s in sections if s[1])],
        "quota_table": {"rows": rows, "allocated": allocated, "capacity": c.capacity,
                        "unallocated": max(c.capacity - allocated, 0)},
        "issuers": issuer_names(notice),
        "issue_date": "",
    }


def current_content(session: Session, notice: Notice, *, now: datetime | None = None
                    ) -> dict[str, Any]:
    """What the notice says: the frozen text once submitted, else a live preview."""
    if notice.content is not None and notice.status not in (NoticeStatus.DRAFT.value,
                                                             NoticeStatus.RETURNED.value):
        return notice.content
    content = generate_content(session, notice)
    if now is not None:
        content["issue_date"] = chinese_date(now.astimezone(CLASS_TIMEZONE).date())
    return content


def _body(content: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in content.items() if k != "issue_date"}


# ---------------------------------------------------------------- writing

def draft_notice(session: Session, *, training_class: TrainingClass, kind: NoticeKind | str,
                 issuers: NoticeIssuers | str, actor: User | None, now: datetime,
                 purpose: str | None = None, document_number: str = "") -> Notice:
    """Start a notice of ``kind`` for the class; the purpose defaults to the class description."""
    kind = NoticeKind(kind)
    issuers = NoticeIssuers(issuers)
    if get_notice(session, training_class, kind) is not None:
        raise DomainError(N_("本班已有这一类通知，请直接修改。"))
    if training_class.status not in DRAFTABLE_IN[kind]:
        if kind == NoticeKind.PRELIMINARY:
            raise DomainError(N_("只有草稿状态的培训班才能起草预备通知。"))
        raise DomainError(N_("报名开始后不能再起草培训通知。"))
    notice = Notice(
        training_class=training_class, kind=kind.value, issuers=issuers.value,
        document_number=(document_number or "").strip(), status=NoticeStatus.DRAFT.value,
        purpose=(purpose if purpose is not None else training_class.description or "").strip(),
        created_at=now, created_by_id=actor.id if actor else None)
    session.add(notice)
    session.flush()
    audit.record(session, actor=actor, action="notice.create", target=notice, now=now,
                 summary=f"起草{KIND_NAMES[kind]}（{training_class.title}）",
                 changes={"class_id": training_class.id, "kind": kind.value,
                          "issuers": issuers.value})
    return notice


def update_notice(session: Session, *, notice: Notice, purpose: str, issuers: NoticeIssuers | str,
                  document_number: str, actor: User, now: datetime) -> Notice:
    """Edit the purpose text, issuers and document number. Editing an approved notice sends it
    back to draft: the sponsor approves the text that is published."""
    if notice.status not in EDITABLE_STATUSES:
        if notice.status == NoticeStatus.SUBMITTED.value:
            raise DomainError(N_("通知正在等待主办方审批，不能修改。"))
        raise DomainError(N_("已发布的通知不能修改。"))
    values = {"purpose": (purpose or "").strip(), "issuers": NoticeIssuers(issuers).value,
              "document_number": (document_number or "").strip()}
    changes = audit.diff(notice, values)
    if not changes:
        return notice
    for name, value in values.items():
        setattr(notice, name, value)
    if notice.status == NoticeStatus.APPROVED.value:
        changes["status"] = [notice.status, NoticeStatus.DRAFT.value]
        notice.status = NoticeStatus.DRAFT.value
        notice.content = None
    audit.record(session, actor=actor, action="notice.update", target=notice, now=now,
                 changes=changes, summary=f"修改{KIND_NAMES[NoticeKind(notice.kind)]}")
    return notice


def submit_notice(session: Session, *, notice: Notice, actor: User, now: datetime) -> Notice:
    """Freeze the generated text and send it to the sponsor."""
    if notice.status not in (NoticeStatus.DRAFT.value, NoticeStatus.RETURNED.value):
        raise DomainError(N_("只有草稿或被退回的通知才能提交审批。"))
    if not notice.purpose.strip():
        raise DomainError(N_("请填写培训目的。"))
    if notice.kind == NoticeKind.FORMAL.value and notice.training_class.registration_deadline is None:
        raise DomainError(N_("请先为培训班设置报名截止日期。"))
    old = notice.status
    notice.content = generate_content(session, notice)
    notice.status = NoticeStatus.SUBMITTED.value
    notice.submitted_at = now
    notice.submitted_by_id = actor.id
    audit.record(session, actor=actor, action="notice.submit", target=notice, now=now,
                 summary=f"提交{KIND_NAMES[NoticeKind(notice.kind)]}审批",
                 changes={"status": [old, notice.status]})
    return notice


def _review(session: Session, *, notice: Notice, actor: User, now: datetime,
            status: NoticeStatus, comment: str) -> Notice:
    if not is_class_sponsor(actor, notice.training_class):
        raise PermissionDenied(N_("只有本培训班的主办方可以审批通知。"))
    if notice.status != NoticeStatus.SUBMITTED.value:
        raise DomainError(N_("该通知不在待审批状态。"))
    notice.status = status.value
    notice.reviewed_at = now
    notice.reviewed_by_id = actor.id
    notice.review_comment = comment
    action = "approve" if status == NoticeStatus.APPROVED else "return"
    audit.record(session, actor=actor, action=f"notice.{action}", target=notice, now=now,
                 summary=f"{'批准' if action == 'approve' else '退回'}"
                         f"{KIND_NAMES[NoticeKind(notice.kind)]}",
                 changes={"status": [NoticeStatus.SUBMITTED.value, status.value],
                          "comment": comment})
    return notice


def approve_notice(session: Session, *, notice: Notice, actor: User, now: datetime,
                   comment: str = "") -> Notice:
    return _review(session, notice=notice, actor=actor, now=now, status=NoticeStatus.APPROVED,
                   comment=(comment or "").strip())


def return_notice(session: Session, *, notice: Notice, comment: str, actor: User,
                  now: datetime) -> Notice:
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(N_("退回时请填写修改意见。"))
    return _review(session, notice=notice, actor=actor, now=now, status=NoticeStatus.RETURNED,
                   comment=comment)


def check_publishable(session: Session, notice: Notice | None, kind: NoticeKind) -> Notice:
    """The approved notice of ``kind``, unchanged since approval; else the reason it is not."""
    if notice is None:
        if kind == NoticeKind.PRELIMINARY:
            raise DomainError(N_("尚未起草预备通知。"))
        raise DomainError(N_("尚未起草培训通知。"))
    if notice.status == NoticeStatus.PUBLISHED.value:
        raise DomainError(N_("该通知已经发布。"))
    if notice.status != NoticeStatus.APPROVED.value:
        if kind == NoticeKind.PRELIMINARY:
            raise DomainError(N_("预备通知尚未经主办方审批，不能发布。"))
        raise DomainError(N_("培训通知尚未经主办方审批，不能发布。"))
    fresh = _body(generate_content(session, notice))
    approved = _body(notice.content or {})
    if fresh["quota_table"] != approved.get("quota_table"):
        raise DomainError(N_("名额分配在通知审批后发生了变化，请重新提交主办方审批。"))
    if fresh != approved:
        raise DomainError(N_("培训班信息在通知审批后发生了变化，请重新提交主办方审批。"))
    return notice


def published_formal_text(session: Session, training_class: TrainingClass
                          ) -> dict[str, Any] | None:
    """What the published formal notice would say with the class as it is now; None if none."""
    notice = get_notice(session, training_class, NoticeKind.FORMAL)
    if notice is None or notice.status != NoticeStatus.PUBLISHED.value:
        return None
    return _body(generate_content(session, notice))


def check_class_edit(session: Session, training_class: TrainingClass,
                     text_before: dict[str, Any] | None) -> None:
    """Refuse a class edit that would contradict the published formal notice.

    Units act on the published notice (dates, venue, places, deadline), so once it is out those
    facts stay as published; an edit the notice does not mention (the description) still goes
    through. Comparing the notice's text before and after the edit, not against the published
    copy, keeps changes made since by other rules (quotas released after the deadline) out of it.
    """
    if text_before is None:
        return
    if published_formal_text(session, training_class) != text_before:
        raise DomainError(N_("培训通知已发布，通知中载明的培训时间、地点、名额、报名条件和截止日期等"
                             "不能再修改。"))


def mark_published(session: Session, *, notice: Notice, actor: User | None, now: datetime
                   ) -> Notice:
    """Stamp the issue date and publish (called by the lifecycle transition, after its checks)."""
    notice.content = {**(notice.content or {}),
                      "issue_date": chinese_date(now.astimezone(CLASS_TIMEZONE).date())}
    notice.status = NoticeStatus.PUBLISHED.value
    notice.published_at = now
    notice.published_by_id = actor.id if actor else None
    audit.record(session, actor=actor, action="notice.publish", target=notice, now=now,
                 summary=f"发布{KIND_NAMES[NoticeKind(notice.kind)]}",
                 changes={"status": [NoticeStatus.APPROVED.value, NoticeStatus.PUBLISHED.value],
                          "quota_table": notice.content["quota_table"]})
    return notice


# ---------------------------------------------------------------- the printed notice

NOTICE_CSS = CJK_A4_CSS + """
.masthead { color: #c00; text-align: center; font-family: "Noto Serif CJK SC", serif;
            font-weight: bold; font-size: 26pt; letter-spacing: 2pt; line-height: 1.3;
            margin-top: 6mm; }
.masthead .issuer { display: block; }
.docno { text-align: center; font-size: 12pt; margin: 4mm 0 0; }
.redline { border: 0; border-top: 2pt solid #c00; margin: 3mm 0 8mm; }
h1 { text-align: center; font-size: 18pt; margin: 0 0 6mm; line-height: 1.4; }
.addressee { margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 4mm 0 1mm; }
p { text-indent: 2em; margin: 1mm 0; }
.signoff { margin-top: 12mm; text-align: right; }
.signoff p { text-indent: 0; margin: 0; }
.attachment { break-before: page; }
.attachment h2 { text-align: center; font-size: 15pt; }
table.quota { width: 100%; margin-top: 4mm; }
table.quota th, table.quota td { border: .6pt solid #000; padding: 2mm 3mm; font-size: 11pt; }
table.quota td.seats, table.quota th.seats { text-align: center; width: 25%; }
"""


def notice_html(content: dict[str, Any]) -> str:
    """The notice as a print-ready A4 HTML page in the 红头文件 style."""
    e = html.escape
    issuers = content.get("issuers") or []
    masthead = "".join(f'<span class="issuer">{e(name)}</span>' for name in issuers)
    parts = [f'<div class="masthead">{masthead}<span class="issuer">文件</span></div>']
    if content.get("document_number"):
        parts.append(f'<p class="docno">{e(content["document_number"])}</p>')
    parts.append('<hr class="redline">')
    parts.append(f"<h1>{e(content['title'])}</h1>")
    parts.append(f'<p class="addressee">{e(content["addressee"])}</p>')
    for section in content["sections"]:
        parts.append(f"<h2>{e(section['heading'])}</h2>")
        parts.extend(f"<p>{e(p)}</p>" for p in section["paragraphs"])
    parts.append("<p>附件：名额分配表</p>")
    signoff = "".join(f"<p>{e(name)}</p>" for name in issuers)
    parts.append(f'<div class="signoff">{signoff}<p>{e(content.get("issue_date") or "")}</p></div>')
    table = content["quota_table"]
    rows = "".join(f'<tr><td>{e(r["unit"])}</td><td class="seats">{r["seats"]}</td></tr>'
                   for r in table["rows"])
    rows += f'<tr><th>合计</th><th class="seats">{table["allocated"]}</th></tr>'
    if table["unallocated"]:
        rows += f'<tr><td>未分配（承办方统筹）</td><td class="seats">{table["unallocated"]}</td></tr>'
    parts.append(f'<div class="attachment"><p>附件</p><h2>名额分配表</h2>'
                 f'<table class="quota"><thead><tr><th>单位</th><th class="seats">名额</th></tr>'
                 f"</thead><tbody>{rows}</tbody></table></div>")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>'
            f"{e(content['title'])}</title><style>{NOTICE_CSS}</style></head><body>"
            + "".join(parts) + "</body></html>")


def notice_pdf(content: dict[str, Any]) -> bytes:
    return render_pdf(notice_html(content))
