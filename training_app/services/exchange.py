"""The trainee exchange bulletin (交流简报): written by the class committee, published as a
page and a PDF. Publishing takes a snapshot (text and each group's representatives and outline)."""
from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import ExchangeBulletin, TrainingClass, User
from training_app.services import audit, groups
from training_app.services.classes import can_manage
from training_app.services.errors import N_, DomainError, PermissionDenied
from training_app.services.pdf import CJK_A4_CSS, render_pdf


def get_bulletin(session: Session, training_class: TrainingClass) -> ExchangeBulletin | None:
    return session.scalar(select(ExchangeBulletin).where(
        ExchangeBulletin.class_id == training_class.id))


def can_edit_bulletin(session: Session, user: User, training_class: TrainingClass) -> bool:
    """The class committee (班委) writes the bulletin; organizers may too."""
    return can_manage(user) or groups.is_committee_member(session, training_class, user)


def save_draft(session: Session, *, training_class: TrainingClass, title: str, body: str,
               actor: User, now: datetime) -> ExchangeBulletin:
    if not can_edit_bulletin(session, actor, training_class):
        raise PermissionDenied(N_("只有班委成员可以编写交流简报。"))
    title, body = title.strip(), body.strip()
    if not title:
        raise DomainError(N_("请填写简报标题。"))
    bulletin = get_bulletin(session, training_class)
    if bulletin is None:
        bulletin = ExchangeBulletin(class_id=training_class.id, title="", body="")
        session.add(bulletin)
    changes = {k: [getattr(bulletin, k), v] for k, v in (("title", title), ("body", body))
               if getattr(bulletin, k) != v}
    bulletin.title, bulletin.body = title, body
    bulletin.updated_at, bulletin.updated_by_id = now, actor.id
    session.flush()
    if changes:
        audit.record(session, actor=actor, action="bulletin.save", target=bulletin, now=now,
                     changes=changes, summary="编写交流简报")
    return bulletin


def publish(session: Session, *, training_class: TrainingClass, actor: User, now: datetime,
            tz: ZoneInfo) -> ExchangeBulletin:
    if not can_edit_bulletin(session, actor, training_class):
        raise PermissionDenied(N_("只有班委成员可以发布交流简报。"))
    bulletin = get_bulletin(session, training_class)
    if bulletin is None or not bulletin.body.strip():
        raise DomainError(N_("请先编写简报正文再发布。"))
    details = groups.member_details(session, training_class)
    snapshot_groups = []
    for group in groups.list_groups(session, training_class):
        reps = [details[m.user_id].trainee.name if m.user_id in details else m.user.display_name
                for m in group.representatives]
        if reps or group.outline:
            snapshot_groups.append({"number": group.number, "name": group.name,
                                    "representatives": reps, "outline": group.outline})
    bulletin.published = {
        "class_title": training_class.title, "title": bulletin.title, "body": bulletin.body,
        "issue_date": now.astimezone(tz).date().isoformat(), "groups": snapshot_groups,
    }
    bulletin.published_at, bulletin.published_by_id = now, actor.id
    session.flush()
    audit.record(session, actor=actor, action="bulletin.publish", target=bulletin, now=now,
                 summary=f"发布交流简报：{bulletin.title}")
    return bulletin


def bulletin_html(published: dict[str, Any]) -> str:
    e = html.escape
    year, month, day = (int(x) for x in published["issue_date"].split("-"))
    parts = [f'<h1 class="title">{e(published["title"])}</h1>',
             f'<p class="meta">{e(published["class_title"])} · 班委会 · '
             f'{year}年{month}月{day}日</p>']
    for paragraph in published["body"].split("\n"):
        if paragraph.strip():
            parts.append(f"<p>{e(paragraph.strip())}</p>")
    if published["groups"]:
        parts.append("<h2>各组交流代表与汇报提纲</h2>")
        for g in published["groups"]:
            name = f"第{g['number']}组" + (f"（{g['name']}）" if g["name"] else "")
            reps = "、".join(g["representatives"]) or "（未推选）"
            parts.append(f"<h3>{e(name)}　交流代表：{e(reps)}</h3>")
            for line in g["outline"].split("\n"):
                if line.strip():
                    parts.append(f'<p class="outline">{e(line.strip())}</p>')
    style = (CJK_A4_CSS + ".title { text-align: center; font-size: 20pt; color: #b00; "
             "border-bottom: 2px solid #b00; padding-bottom: 4mm; } .meta { text-align: center; }"
             " p { text-indent: 2em; margin: 0 0 2mm; } p.outline { text-indent: 0; "
             "margin-left: 2em; } h2 { font-size: 14pt; } h3 { font-size: 12pt; }")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>'
            f'{e(published["title"])}</title><style>{style}</style></head><body>'
            + "".join(parts) + "</body></html>")


def bulletin_pdf(published: dict[str, Any]) -> bytes:
    return render_pdf(bulletin_html(published))
