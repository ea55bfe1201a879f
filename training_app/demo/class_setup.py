"""The demo class's settings, manual and notice, as the organizer and sponsor do them six
weeks before the class (dates from ``calendar``).

``seed_demo`` calls ``prepare_class`` right after creating the class (settings, the manual from
``shared/demo/manual.md``, approved by the sponsor), then, once the quotas are in place (the
notice carries the quota table), ``open_registration``: the formal notice drafted, approved
and published five weeks before the class, with a registration deadline eight days before it.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from training_app.demo.calendar import DemoCalendar
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
)


def document_number(year: int) -> str:
    return f"潍民字〔{year}〕18号"


def _actors(session: Session) -> tuple[User, User]:
    return (accounts.find_by_identifier(session, "organizer"),
            accounts.find_by_identifier(session, "sponsor"))


def prepare_class(session: Session, *, training_class: TrainingClass, calendar: DemoCalendar,
                  demo_dir: Path | None, upload_dir: Path | None) -> None:
    """Fill in the class settings and put the demo manual through approval.

    Without ``demo_dir/manual.md`` the manual is skipped; without ``upload_dir`` its chapters
    are imported but no PDF is rendered, so it stays a draft (a version needs a PDF to be
    submitted)."""
    organizer, sponsor = _actors(session)
    classes.update_class(session, training_class=training_class, actor=organizer,
                         now=calendar.before_start(42, 10),
                         registration_deadline=calendar.registration_deadline, **SETTINGS)
    source = Path(demo_dir) / "manual.md" if demo_dir else None
    if source is None or not source.is_file():
        return
    version = manuals.import_markdown(
        session, training_class=training_class, text=source.read_text(encoding="utf-8"),
        directory=upload_dir, filename=source.name, actor=organizer,
        now=calendar.before_start(41))
    if upload_dir is None:
        return
    manuals.submit_version(session, version=version, actor=organizer,
                           now=calendar.before_start(40))
    manuals.approve_version(session, version=version, actor=sponsor,
                            now=calendar.before_start(39), comment="同意印制。")


def open_registration(session: Session, *, training_class: TrainingClass,
                      calendar: DemoCalendar) -> None:
    """Draft the formal notice (jointly issued), have the sponsor approve it and publish it:
    the class opens for registration with the quota table as it stands."""
    if training_class.status != ClassStatus.DRAFT.value:
        return
    organizer, sponsor = _actors(session)
    drafted = calendar.before_start(37)
    notice = notices.draft_notice(
        session, training_class=training_class, kind=NoticeKind.FORMAL,
        issuers=NoticeIssuers.JOINT, document_number=document_number(drafted.year),
        actor=organizer, now=drafted)
    notices.submit_notice(session, notice=notice, actor=organizer, now=calendar.before_start(36))
    notices.approve_notice(session, notice=notice, actor=sponsor, now=calendar.before_start(35),
                           comment="同意发文。")
    lifecycle.open_registration(session, training_class=training_class, actor=organizer,
                                now=calendar.before_start(35, 14), tz=calendar.tz)
