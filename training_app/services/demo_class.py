"""The demo class's settings, manual and notice, as the organizer and sponsor did them in 2016.

``seed_demo`` calls ``prepare_class`` right after creating the class (settings, the manual from
``shared/demo/manual.md``, approved by the sponsor), then — after the quotas are in place, since
the notice carries the quota table — ``open_registration`` (the formal notice drafted,
approved and published: the class is 报名中). The steps run at story time (April 2016), before
the class's registration deadline of 10 May 2016.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from training_app.models import (
    ClassStatus,
    NoticeIssuers,
    NoticeKind,
    Qualification,
    TrainingClass,
    TrainingFormat,
    TrainingMode,
    User,
)
from training_app.services import accounts, classes, lifecycle, manuals, notices

# 2016-04-11 09:00 in Weifang; later steps follow day by day.
STORY_START = datetime(2016, 4, 11, 1, 0, tzinfo=timezone.utc)

SETTINGS = dict(
    mode=TrainingMode.CLOSED.value,
    formats=[TrainingFormat.LECTURE.value, TrainingFormat.DISCUSSION.value,
             TrainingFormat.CASE_STUDY.value, TrainingFormat.SELF_STUDY.value,
             TrainingFormat.INTERACTIVE_GROUP.value],
    eligibility_rules=[{"qualification": int(Qualification.INTERMEDIATE), "min_years": 2},
                       {"qualification": int(Qualification.ASSISTANT), "min_years": 5}],
    required_materials="学员报名表（加盖单位公章）\n社会工作者职业水平证书复印件\n近期免冠一寸照片2张",
    rules_text="本次培训为封闭式培训，学员须全程住宿，原则上不准请假。\n"
               "学员须按时参加开班仪式、开卷考试和结业仪式，考试合格者颁发结业证书。",
    contacts="潍坊市社会工作协会 李秘书长 0536-8230002\n潍坊市民政局 王科长 0536-8230001",
    registration_deadline=date(2016, 5, 10),
)
DOCUMENT_NUMBER = "潍民字〔2016〕18号"


def _story(day: int) -> datetime:
    return STORY_START + timedelta(days=day)


def _actors(session: Session) -> tuple[User, User]:
    return (accounts.find_by_identifier(session, "organizer"),
            accounts.find_by_identifier(session, "sponsor"))


def prepare_class(session: Session, *, training_class: TrainingClass, demo_dir: Path | None,
                  upload_dir: Path | None) -> None:
    """Fill in the class settings and put the demo manual through approval.

    Without ``demo_dir/manual.md`` the manual is skipped; without ``upload_dir`` its chapters
    are imported but no PDF is rendered, so it stays a draft (a version needs a PDF to be
    submitted)."""
    organizer, sponsor = _actors(session)
    classes.update_class(session, training_class=training_class, actor=organizer,
                         now=_story(0), **SETTINGS)
    source = Path(demo_dir) / "manual.md" if demo_dir else None
    if source is None or not source.is_file():
        return
    version = manuals.import_markdown(
        session, training_class=training_class, text=source.read_text(encoding="utf-8"),
        directory=upload_dir, filename=source.name, actor=organizer, now=_story(1))
    if upload_dir is None:
        return
    manuals.submit_version(session, version=version, actor=organizer, now=_story(2))
    manuals.approve_version(session, version=version, actor=sponsor, now=_story(3),
                            comment="同意印制。")


def open_registration(session: Session, *, training_class: TrainingClass) -> None:
    """Draft the formal notice (jointly issued), have the sponsor approve it and publish it:
    the class opens for registration with the quota table as it stands."""
    if training_class.status != ClassStatus.DRAFT.value:
        return
    organizer, sponsor = _actors(session)
    notice = notices.draft_notice(
        session, training_class=training_class, kind=NoticeKind.FORMAL,
        issuers=NoticeIssuers.JOINT, document_number=DOCUMENT_NUMBER, actor=organizer,
        now=_story(4))
    notices.submit_notice(session, notice=notice, actor=organizer, now=_story(5))
    notices.approve_notice(session, notice=notice, actor=sponsor, now=_story(6), comment="同意发文。")
    lifecycle.open_registration(session, training_class=training_class, actor=organizer,
                                now=_story(7))
