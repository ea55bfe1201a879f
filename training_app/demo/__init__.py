"""The demo data set, taken from the seeds: the Weifang association's class on
standardization and "four-society linkage" (社会工作服务标准化与“四社联动”培训班), dated around
the day it is seeded (see ``calendar``), and the demo trainee's graduated October 2015 class.

Every step goes through the services, at story time, so the demo carries the audit trail and
the checks of a real class. ``seed_demo`` is idempotent; ``refresh_demo`` moves an old demo
class to the present by building it again (accounts, units and the 2015 class stay).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from training_app.demo import class_setup, enrollment, exam, history, room
from training_app.demo.calendar import DemoCalendar
from training_app.models import Certificate, Role, TrainingClass, Unit, UnitKind, User
from training_app.services import accounts, audit, classes, units

DEMO_PASSWORD = "training2016"
DEMO_CLASS_TITLE = "社会工作服务标准化与“四社联动”培训班"
DEMO_TIMEZONE = ZoneInfo("Asia/Shanghai")
# Printed in the QR code of the demo's certificates: where `make run` serves the app.
DEMO_VERIFY_BASE_URL = "http://127.0.0.1:5000"

SPONSOR = ("潍坊市民政局", UnitKind.CIVIL_AFFAIRS, "王科长", "0536-8230001")
ORGANIZER = ("潍坊市社会工作协会", UnitKind.ASSOCIATION, "李秘书长", "0536-8230002")
# Units that send trainees, as the seeds name them (县市区民政局, 街道, 社区, 社工机构 ...).
TRAINEE_UNITS = [
    ("奎文区民政局", UnitKind.CIVIL_AFFAIRS, "张主任", "0536-8100001"),
    ("潍城区民政局", UnitKind.CIVIL_AFFAIRS, "刘主任", "0536-8100002"),
    ("寿光市民政局", UnitKind.CIVIL_AFFAIRS, "陈科长", "0536-5200003"),
    ("青州市民政局", UnitKind.CIVIL_AFFAIRS, "杨科长", "0536-3200004"),
    ("奎文区广文街道办事处", UnitKind.STREET_OFFICE, "赵主任", "0536-8100005"),
    ("潍城区北关街道东关社区居委会", UnitKind.COMMUNITY, "孙书记", "0536-8100006"),
    ("潍坊市阳光社会工作服务中心", UnitKind.SOCIAL_WORK_AGENCY, "周主任", "0536-8100007"),
    ("潍坊市社会福利院", UnitKind.WELFARE_HOME, "吴院长", "0536-8100008"),
    ("潍坊市青年志愿者协会", UnitKind.VOLUNTEER_ORGANIZATION, "郑会长", "0536-8100009"),
    ("高新区社会组织服务中心", UnitKind.SOCIAL_ORGANIZATION, "冯主任", "0536-8100010"),
]

# username, display name, mobile, roles, unit name (None: none)
DEMO_USERS = [
    ("admin", "系统管理员", "13800000001", [Role.ADMIN], None),
    ("organizer", "李协会", "13800000002", [Role.ORGANIZER], ORGANIZER[0]),
    ("sponsor", "王民政", "13800000003", [Role.SPONSOR], SPONSOR[0]),
    ("unit_contact", "张联络", "13800000004", [Role.UNIT_CONTACT], TRAINEE_UNITS[0][0]),
    ("lecturer", "高教授", "13800000005", [Role.LECTURER], None),
    ("trainee", "刘学员", "13800000006", [Role.TRAINEE], TRAINEE_UNITS[0][0]),
]


def demo_class(session: Session) -> TrainingClass | None:
    return session.scalar(select(TrainingClass).where(TrainingClass.title == DEMO_CLASS_TITLE))


def demo_seeded(session: Session) -> bool:
    return demo_class(session) is not None


def demo_is_current(session: Session, *, now: datetime, tz: ZoneInfo = DEMO_TIMEZONE) -> bool:
    """Whether the demo class exists and today is one of its days."""
    found = demo_class(session)
    return found is not None and DemoCalendar(now, tz).is_current(found.start_date,
                                                                  found.end_date)


def _units_and_accounts(session: Session, now: datetime) -> dict[str, Unit]:
    by_name: dict[str, Unit] = {}
    for name, kind, contact, phone in [SPONSOR, ORGANIZER, *TRAINEE_UNITS]:
        unit = session.scalar(select(Unit).where(Unit.name == name))
        by_name[name] = unit or units.create_unit(
            session, name=name, kind=kind.value, contact_person=contact, phone=phone,
            actor=None, now=now)
    for username, display_name, mobile, roles, unit_name in DEMO_USERS:
        if accounts.find_by_identifier(session, username) is None:
            accounts.create_user(
                session, username=username, display_name=display_name, password=DEMO_PASSWORD,
                roles=roles, mobile=mobile, unit=by_name.get(unit_name) if unit_name else None,
                actor=None, now=now)
    return by_name


def seed_demo(session: Session, *, now: datetime, demo_dir: Path | None = None,
              upload_dir: Path | None = None, verify_base_url: str = DEMO_VERIFY_BASE_URL,
              tz: ZoneInfo = DEMO_TIMEZONE) -> TrainingClass:
    """Create the demo units, one account per role, the demo class around ``now`` and the
    2015 class. Idempotent: an existing demo class is returned unchanged."""
    existing = demo_class(session)
    if existing is not None:
        return existing
    calendar = DemoCalendar(now, tz)
    by_name = _units_and_accounts(session, calendar.before_start(43))
    training_class = classes.create_class(
        session, title=DEMO_CLASS_TITLE, sponsor=by_name[SPONSOR[0]],
        organizer=by_name[ORGANIZER[0]], start_date=calendar.first_day,
        end_date=calendar.last_day, venue="中共潍坊市委党校", capacity=86, credit_hours=24,
        description="围绕社会工作服务标准化建设和社区、社会组织、社会工作者、社区志愿者"
                    "“四社联动”，提升全市社会工作管理和服务人才的专业能力。",
        actor=None, now=calendar.before_start(42))
    # Settings, and the manual from shared/demo/manual.md approved by the sponsor.
    class_setup.prepare_class(session, training_class=training_class, calendar=calendar,
                              demo_dir=demo_dir, upload_dir=upload_dir)
    # Quotas first: the formal notice carries the quota table.
    enrollment.allocate_quotas(session, training_class=training_class, calendar=calendar)
    class_setup.open_registration(session, training_class=training_class, calendar=calendar)
    enrollment.enroll_trainees(session, training_class=training_class, calendar=calendar,
                               password=DEMO_PASSWORD)
    # The week before: registration closed, the agenda. Yesterday: opening, groups, sessions.
    room.prepare_room(session, training_class=training_class, calendar=calendar)
    # The question bank and the open-book exam, held yesterday and open until the last day.
    exam.prepare_exam(session, training_class=training_class, calendar=calendar,
                      demo_dir=demo_dir)
    room.open_feedback(session, training_class=training_class, calendar=calendar)
    # The demo trainee and a few classmates graduated in October 2015 (stays as it is).
    history.seed_history(session, sponsor=by_name[SPONSOR[0]],
                         organizer_unit=by_name[ORGANIZER[0]], current_class=training_class,
                         verify_base_url=verify_base_url)
    return training_class


def refresh_demo(session: Session, *, now: datetime, demo_dir: Path | None = None,
                 upload_dir: Path | None = None, verify_base_url: str = DEMO_VERIFY_BASE_URL,
                 tz: ZoneInfo = DEMO_TIMEZONE) -> TrainingClass:
    """Move the demo class to the present: delete it with everything that hangs off it (the
    database cascades; certificates are deleted first, they outlive ordinary deletes) and
    seed it again around ``now``. Accounts, units, the 2015 class and the audit log stay; the
    refresh itself is audited."""
    old = demo_class(session)
    old_dates = None
    if old is not None:
        old_dates = f"{old.start_date.isoformat()}..{old.end_date.isoformat()}"
        old_id = old.id
        session.execute(delete(Certificate).where(Certificate.class_id == old_id))
        session.execute(delete(TrainingClass).where(TrainingClass.id == old_id))
        session.expunge_all()  # objects of the deleted class must not be flushed again
    fresh = seed_demo(session, now=now, demo_dir=demo_dir, upload_dir=upload_dir,
                      verify_base_url=verify_base_url, tz=tz)
    if old_dates is not None:
        audit.record(session, actor=None, action="demo.refresh", target=fresh, now=now,
                     summary=f"演示班移到今天（原日期 {old_dates}）",
                     changes={"old_class_id": old_id, "old_dates": old_dates})
    return fresh


def demo_user(session: Session, username: str) -> User | None:
    return accounts.find_by_identifier(session, username)
