"""The demo data set, taken from the seeds: the Weifang association's 2016 class on
standardization and "four-society linkage" (社会工作服务标准化与“四社联动”培训班)."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import Role, TrainingClass, Unit, UnitKind, User
from training_app.services import accounts, classes, demo_class, demo_enrollment, units

DEMO_PASSWORD = "training2016"
DEMO_CLASS_TITLE = "社会工作服务标准化与“四社联动”培训班"
# Printed in the QR code of the demo's certificate: where `make run` serves the app.
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


def demo_seeded(session: Session) -> bool:
    return session.scalar(select(TrainingClass).where(TrainingClass.title == DEMO_CLASS_TITLE)) is not None


def seed_demo(session: Session, *, now: datetime, demo_dir: Path | None = None,
              upload_dir: Path | None = None,
              verify_base_url: str = DEMO_VERIFY_BASE_URL) -> TrainingClass:
    """Create the demo units, one account per role and the demo class. Idempotent."""
    existing = session.scalar(select(TrainingClass).where(TrainingClass.title == DEMO_CLASS_TITLE))
    if existing is not None:
        return existing
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
    training_class = classes.create_class(
        session, title=DEMO_CLASS_TITLE, sponsor=by_name[SPONSOR[0]],
        organizer=by_name[ORGANIZER[0]], start_date=date(2016, 5, 17), end_date=date(2016, 5, 19),
        venue="中共潍坊市委党校", capacity=86, credit_hours=24,
        description="围绕社会工作服务标准化建设和社区、社会组织、社会工作者、社区志愿者"
                    "“四社联动”，提升全市社会工作管理和服务人才的专业能力。",
        actor=None, now=now)
    # Settings, and the manual from shared/demo/manual.md approved by the sponsor.
    demo_class.prepare_class(session, training_class=training_class, demo_dir=demo_dir,
                             upload_dir=upload_dir)
    # Quotas first: the formal notice below carries the quota table.
    demo_enrollment.allocate_quotas(session, training_class=training_class)
    demo_class.open_registration(session, training_class=training_class)
    demo_enrollment.enroll_trainees(session, training_class=training_class,
                                    password=DEMO_PASSWORD)
    # The question bank and the open-book exam (issue 4), open from now for 30 days.
    from training_app.services import demo_exam, demo_room

    demo_exam.prepare_exam(session, training_class=training_class, demo_dir=demo_dir, now=now)
    # Keep last: groups and the standard agenda, once trainees are approved (issue 6).
    demo_room.prepare_room(session, training_class=training_class)
    # The demo trainee's completed 2015 class: her credit-hour record and certificate.
    from training_app.services import demo_history

    demo_history.seed_history(session, sponsor=by_name[SPONSOR[0]],
                              organizer_unit=by_name[ORGANIZER[0]],
                              verify_base_url=verify_base_url)
    return training_class


def demo_user(session: Session, username: str) -> User | None:
    return accounts.find_by_identifier(session, username)
