"""The demo class's quotas and trainees: ten units, 84 of 86 seats allocated, 87 people.

``allocate_quotas`` runs before the formal notice (which carries the quota table);
``enroll_trainees`` after registration opened: each unit's people are nominated (the demo unit
contact for 奎文区民政局, the organizer on the other units' behalf), one person registers
herself and waits for her unit's confirmation, and ten days before the class the organizer
approves the entries within their units' quotas. Two units nominated more than their quota:
寿光's extra nominee is admitted as an explicit over-quota decision with its reason (the
county asked for one more seat and the sponsor agreed), 阳光's waits on a pool seat for the
organizer's decision, and its last one is on the waitlist. A few entries are left pending.

Trainee accounts are built directly with one shared hash of the demo password rather than one
slow password hash each: they must change it at first login, and the login slips print
it as their initial password. Seeded names, 身份证号 (valid GB 11643 check characters) and mobile
numbers are generated from a fixed seed, so every demo database is the same, and a refreshed
demo finds the same accounts again.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from training_app.models import (
    ClassStatus,
    Enrollment,
    EnrollmentStatus,
    Role,
    TrainingClass,
    Unit,
    User,
    UserRole,
)
from training_app.demo.calendar import DemoCalendar
from training_app.services import accounts, enrollment, id_numbers, quotas
from training_app.services.trainee_data import TraineeData

SEED = 2016
# 寿光's request for one more seat, granted: the over-quota admission's recorded reason.
OVER_QUOTA_UNIT = "寿光市民政局"
OVER_QUOTA_REASON = "寿光市民政局来函申请增加1个名额（新设镇街社工站负责人），经主办方同意使用公共名额。"

# unit, quota, people nominated (region code of their 身份证号)
PLAN = [
    ("奎文区民政局", 12, 11, "370705"),
    ("潍城区民政局", 10, 10, "370702"),
    ("寿光市民政局", 10, 11, "370783"),
    ("青州市民政局", 9, 9, "370781"),
    ("奎文区广文街道办事处", 8, 8, "370705"),
    ("潍城区北关街道东关社区居委会", 6, 5, "370702"),
    ("潍坊市阳光社会工作服务中心", 10, 12, "370703"),
    ("潍坊市社会福利院", 7, 7, "370704"),
    ("潍坊市青年志愿者协会", 6, 6, "370786"),
    ("高新区社会组织服务中心", 6, 6, "370705"),
]
LEFT_PENDING = 3  # entries within quota the organizer has not yet approved

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢"
            "蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟")
GIVEN_FEMALE = tuple("丽 静 敏 燕 艳 娟 霞 芳 婷 雪 琳 颖 玲 慧 洁 晓梅 海燕 秀英 文静 佳怡 雅琴 "
                     "春燕 晓红 丽娜 思雨 欣然 美玲 雪梅 淑华 玉兰".split())
GIVEN_MALE = tuple("伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 健 建国 志强 海涛 文博 俊杰 晓东 "
                   "国庆 永刚 振华 立新 宏伟 德明 家豪 子轩 浩然".split())
MOBILE_PREFIXES = ("135", "136", "137", "139", "150", "151", "152", "158", "159", "187", "188")


def allocate_quotas(session: Session, *, training_class: TrainingClass,
                    calendar: DemoCalendar) -> None:
    """The quota table (名额分配表): 84 of 86 seats to the ten units, 2 left in the pool."""
    if quotas.total_allocated(session, training_class):
        return
    organizer = accounts.find_by_identifier(session, "organizer")
    seats = {}
    for name, quota, _people, _region in PLAN:
        unit = session.scalar(select(Unit).where(Unit.name == name))
        if unit is not None:
            seats[unit] = quota
    quotas.set_quotas(session, training_class=training_class, seats=seats, actor=organizer,
                      now=calendar.before_start(38, 11))


class _People:
    """Plausible, unique, valid personal data from a fixed seed."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.names: set[str] = set()
        self.numbers: set[str] = set()
        self.mobiles: set[str] = set()

    def person(self, region: str, n: int) -> TraineeData:
        rng = self.rng
        female = rng.random() < 0.62  # social work is a mostly female profession
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
            if name not in self.names:
                break
        while True:
            born = date(1968, 1, 1) + timedelta(days=rng.randrange(25 * 365))  # to 1992
            sequence = rng.randrange(0, 999, 2) + (0 if female else 1)
            number = id_numbers.make(region, born, sequence)
            if number not in self.numbers:
                break
        while True:
            mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if mobile not in self.mobiles:
                break
        # Years of social work since about 21, as of 2016; every one meets the class's rule
        # (社会工作师满2年或助理社会工作师满5年).
        most = 2016 - born.year - 21
        roll = rng.random()
        if roll >= 0.9 and most >= 8:
            qualification, years = 3, rng.randint(8, min(20, most))
        elif roll >= 0.7 and most >= 5:
            qualification, years = 1, rng.randint(5, min(15, most))
        else:
            qualification, years = 2, rng.randint(2, min(12, most))
        self.names.add(name)
        self.numbers.add(number)
        self.mobiles.add(mobile)
        return TraineeData(name=name, id_number=number, mobile=mobile,
                           qualification=qualification, years_experience=years,
                           certificate_number=f"{2008 + rng.randrange(8)}0353{n:06d}")


def _account(session: Session, data: TraineeData, unit: Unit, password_hash: str, *,
             must_change: bool, now: datetime) -> User:
    """The person's trainee account: the one a previous demo made, or a new one."""
    existing = accounts.find_by_identifier(session, data.mobile)
    if existing is not None:
        return existing
    user = User(username=data.mobile, display_name=data.name, mobile=data.mobile,
                password_hash=password_hash, must_change_password=must_change, unit=unit,
                role_links=[UserRole(role=Role.TRAINEE.value)], created_at=now)
    session.add(user)
    session.flush()
    return user


def enroll_trainees(session: Session, *, training_class: TrainingClass, calendar: DemoCalendar,
                    password: str) -> None:
    """Nominations, one self-registration and the organizer's approvals (see module doc)."""
    if training_class.status != ClassStatus.REGISTRATION_OPEN.value or session.scalar(
            select(func.count()).select_from(Enrollment).where(
                Enrollment.class_id == training_class.id)):
        return
    organizer = accounts.find_by_identifier(session, "organizer")
    contact = accounts.find_by_identifier(session, "unit_contact")
    demo_trainee = accounts.find_by_identifier(session, "trainee")
    shared_hash = accounts.hash_password(password)
    people = _People()
    now = calendar.before_start(33, 9, 30)
    nominated: list[Enrollment] = []
    n = 0
    for name, _quota, count, region in PLAN:
        unit = session.scalar(select(Unit).where(Unit.name == name))
        if unit is None:
            continue
        actor = contact if contact is not None and contact.unit_id == unit.id else organizer
        for i in range(count):
            n += 1
            now += timedelta(minutes=97)
            if i == 0 and demo_trainee is not None and demo_trainee.unit_id == unit.id:
                # The demo trainee account (刘学员) is the unit's first nominee.
                data = people.person(region, n)
                data = TraineeData(**{**data.__dict__, "name": demo_trainee.display_name,
                                      "mobile": demo_trainee.mobile})
            else:
                data = people.person(region, n)
                _account(session, data, unit, shared_hash, must_change=True, now=now)
            entry = enrollment.nominate(session, training_class=training_class, unit=unit,
                                        profile_data=data, actor=actor, now=now,
                                        tz=calendar.tz)
            user = entry.trainee.user
            if user is not None and user.must_change_password:
                entry.trainee.initial_password = password  # printed on the login slips
            nominated.append(entry)
    # One person registers herself with 奎文区民政局 and waits for the unit's confirmation.
    first_unit = session.scalar(select(Unit).where(Unit.name == PLAN[0][0]))
    if first_unit is not None:
        n += 1
        data = people.person(PLAN[0][3], n)
        at = now + timedelta(hours=5)
        user = _account(session, data, first_unit, shared_hash, must_change=False, now=at)
        enrollment.self_register(session, training_class=training_class, unit=first_unit,
                                 user=user, profile_data=data, now=at, tz=calendar.tz)
    _approve(session, training_class=training_class, entries=nominated, actor=organizer,
             now=calendar.before_start(10, 10))


def _approve(session: Session, *, training_class: TrainingClass, entries: list[Enrollment],
             actor: User, now: datetime) -> None:
    """Approve every pending entry within its unit's quota except the last few; admit 寿光's
    extra nominee over its quota with the reason; leave the other over-quota entry pending."""
    quota_of = {row.unit.id: row.quota for row in quotas.quota_summary(
        session, training_class).rows}
    within: list[Enrollment] = []
    over: list[Enrollment] = []
    seen: dict[int, int] = {}
    for entry in entries:
        if entry.status != EnrollmentStatus.PENDING.value:
            continue
        seen[entry.unit_id] = seen.get(entry.unit_id, 0) + 1
        (within if seen[entry.unit_id] <= quota_of.get(entry.unit_id, 0) else over).append(entry)
    enrollment.approve_many(session, entries=within[:len(within) - LEFT_PENDING], actor=actor,
                            now=now)
    for entry in over:
        if entry.unit.name == OVER_QUOTA_UNIT:
            enrollment.approve(session, enrollment=entry, actor=actor,
                               now=now + timedelta(hours=2), over_quota_reason=OVER_QUOTA_REASON)
