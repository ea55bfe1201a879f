from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.factories import (
    NOW,
    make_class,
    make_open_class,
    make_unit,
    make_unit_contact,
    make_user,
    trainee_data,
    use_fast_password_hashing,
)
from training_app.models import AuditEntry, Enrollment, Role, TraineeProfile
from training_app.services import accounts, enrollment, quotas
from training_app.services.eligibility import Ineligible
from training_app.services.errors import DomainError, PermissionDenied

LATER = datetime(2026, 3, 2, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch):
    use_fast_password_hashing(monkeypatch)


@pytest.fixture
def world(db_session):
    training_class = make_open_class(
        db_session, capacity=6, rules=[{"qualification": 2, "min_years": 2},
                                       {"qualification": 1, "min_years": 5}])
    a, b = make_unit(db_session, name="甲单位"), make_unit(db_session, name="乙单位")
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    quotas.set_quotas(db_session, training_class=training_class, seats={a: 2, b: 2},
                      actor=organizer, now=NOW)  # pool: 2
    return training_class, a, b, make_unit_contact(db_session, a), \
        make_unit_contact(db_session, b), organizer


def nominate(session, training_class, unit, actor, now=NOW, **data):
    return enrollment.nominate(session, training_class=training_class, unit=unit,
                               profile_data=trainee_data(**data), actor=actor, now=now)


def test_nomination_creates_the_trainee_account(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    entry = nominate(db_session, training_class, a, contact_a, name="张敏", mobile="13711112222")
    assert entry.status == "pending" and entry.source == "nominated" and entry.unit_confirmed
    user = accounts.find_by_identifier(db_session, "13711112222")
    assert user.username == "13711112222" and user.roles == {Role.TRAINEE}
    assert user.must_change_password and user.unit_id == a.id
    profile = entry.trainee
    assert profile.user_id == user.id and len(profile.initial_password) == 10
    assert accounts.verify_password(user.password_hash, profile.initial_password)
    actions = set(db_session.scalars(select(AuditEntry.action)))
    assert {"user.create", "trainee_profile.create", "enrollment.create"} <= actions


def test_initial_password_is_erased_once_changed(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    entry = nominate(db_session, training_class, a, contact_a)
    profile, user = entry.trainee, entry.trainee.user
    accounts.change_password(db_session, user=user, current_password=profile.initial_password,
                             new_password="mine12345", now=LATER)
    db_session.flush()
    assert profile.initial_password is None and not user.must_change_password


def test_contact_only_nominates_for_own_unit(db_session, world):
    training_class, a, _b, _ca, contact_b, _org = world
    with pytest.raises(PermissionDenied):
        nominate(db_session, training_class, a, contact_b)


def test_registration_window(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    after = datetime(2026, 5, 10, 16, 1, tzinfo=timezone.utc)  # 5-11 00:01 in Shanghai
    with pytest.raises(DomainError, match="报名已于2026-05-10截止"):
        nominate(db_session, training_class, a, contact_a, now=after)
    last_minute = datetime(2026, 5, 10, 15, 59, tzinfo=timezone.utc)
    assert nominate(db_session, training_class, a, contact_a, now=last_minute).status == "pending"
    draft = make_class(db_session)
    with pytest.raises(DomainError, match="不在报名期间"):
        nominate(db_session, draft, a, contact_a)


def test_ineligible_entry_is_refused_with_the_rule(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    with pytest.raises(Ineligible, match="社会工作师满2年或助理社会工作师满5年"):
        nominate(db_session, training_class, a, contact_a, qualification=1, years_experience=4)
    assert db_session.scalar(select(Enrollment)) is None


def test_duplicate_entry_and_profile_reuse(db_session, world):
    training_class, a, b, contact_a, contact_b, _org = world
    data = trainee_data()
    enrollment.nominate(db_session, training_class=training_class, unit=a, profile_data=data,
                        actor=contact_a, now=NOW)
    with pytest.raises(DomainError, match="已报名本培训班"):
        enrollment.nominate(db_session, training_class=training_class, unit=a,
                            profile_data=data, actor=contact_a, now=NOW)
    other = make_open_class(db_session, capacity=5)
    # The same person moves to unit b and comes to another class: one profile, updated.
    entry = enrollment.nominate(db_session, training_class=other, unit=b,
                                profile_data=data.__class__(**{**data.__dict__,
                                                               "years_experience": 4}),
                                actor=contact_b, now=NOW)
    profiles = list(db_session.scalars(select(TraineeProfile)))
    assert len(profiles) == 1 and entry.trainee.unit_id == b.id
    assert entry.trainee.years_experience == 4
    with pytest.raises(DomainError, match="手机号与登记的不一致"):
        enrollment.nominate(db_session, training_class=make_open_class(db_session), unit=b,
                            profile_data=data.__class__(**{**data.__dict__,
                                                           "mobile": "13800009999"}),
                            actor=contact_b, now=NOW)


def test_mobile_of_a_staff_account_is_refused(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    make_user(db_session, roles=[Role.LECTURER], mobile="13712340000")
    with pytest.raises(DomainError, match="已被其他账户使用"):
        nominate(db_session, training_class, a, contact_a, mobile="13712340000")


def test_existing_trainee_account_gets_a_profile(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    user = make_user(db_session, roles=[Role.TRAINEE], mobile="13712340001")
    entry = nominate(db_session, training_class, a, contact_a, mobile="13712340001")
    assert entry.trainee.user_id == user.id and entry.trainee.initial_password is None


def test_waitlist_and_promotion_unit_first_then_pool(db_session, world):
    training_class, a, b, contact_a, contact_b, organizer = world
    a1, a2, a3, a4, a5 = (nominate(db_session, training_class, a, contact_a) for _ in range(5))
    b1, b2, b3 = (nominate(db_session, training_class, b, contact_b) for _ in range(3))
    # a: its 2 quota seats, then the 2 pool seats, then a5 waits. b: 2 quota seats, b3 waits.
    assert [e.status for e in (a1, a2, a3, a4, a5, b1, b2, b3)] == \
        ["pending"] * 4 + ["waitlisted"] + ["pending"] * 2 + ["waitlisted"]
    # A seat of unit b frees: b's own waiting entry takes it, though a5 came earlier.
    assert enrollment.withdraw(db_session, enrollment=b1, actor=contact_b, now=LATER) is b3
    assert b3.status == "pending" and b1.status == "withdrawn"
    # A seat of unit a frees: a's own waiting entry takes it.
    assert enrollment.withdraw(db_session, enrollment=a1, actor=organizer, now=LATER) is a5
    b4 = nominate(db_session, training_class, b, contact_b)
    assert b4.status == "waitlisted"
    # a holds 2 pool seats and nobody of a waits: a's withdrawal frees a pool seat, which goes
    # to the earliest waiting entry of any unit (the pool).
    assert enrollment.withdraw(db_session, enrollment=a2, actor=contact_a, now=LATER) is b4
    a6 = nominate(db_session, training_class, a, contact_a)
    assert a6.status == "waitlisted"
    # b2 withdraws while b is over its quota by one (b4 is on a pool seat): again a pool seat.
    assert enrollment.withdraw(db_session, enrollment=b2, actor=contact_b, now=LATER) is a6
    a7 = nominate(db_session, training_class, a, contact_a)
    # b's own quota seat frees and nobody of b waits: the seat stays b's (its quota is b's
    # until the organizer releases it after the deadline), a7 keeps waiting.
    assert enrollment.withdraw(db_session, enrollment=b3, actor=contact_b, now=LATER) is None
    assert a7.status == "waitlisted"
    summary = quotas.quota_summary(db_session, training_class)
    assert summary.row_for(b.id).unused == 1 and summary.row_for(a.id).on_pool == 2
    assert (summary.approved + summary.pending, summary.waitlisted) == (5, 1)
    promote_audits = list(db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "enrollment.promote")))
    assert len(promote_audits) == 4


def test_withdrawing_a_waitlisted_entry_promotes_nobody(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    entries = [nominate(db_session, training_class, a, contact_a) for _ in range(6)]
    assert entries[-1].status == "waitlisted"
    assert enrollment.withdraw(db_session, enrollment=entries[-1], actor=contact_a,
                               now=LATER) is None
    with pytest.raises(DomainError, match="已结束"):
        enrollment.withdraw(db_session, enrollment=entries[-1], actor=contact_a, now=LATER)


def test_self_registration_waits_for_the_unit(db_session, world):
    training_class, a, _b, contact_a, contact_b, organizer = world
    entry = enrollment.self_register(db_session, training_class=training_class, unit=a, now=NOW,
                                     profile_data=trainee_data(mobile="13755556666"),
                                     password="self12345")
    user = accounts.find_by_identifier(db_session, "13755556666")
    assert entry.source == "self_registered" and not entry.unit_confirmed
    assert entry.status == "pending" and not user.must_change_password
    assert entry.trainee.initial_password is None
    with pytest.raises(DomainError, match="须先经单位联系人确认"):
        enrollment.approve(db_session, enrollment=entry, actor=organizer, now=LATER)
    with pytest.raises(PermissionDenied):
        enrollment.confirm_by_unit(db_session, enrollment=entry, actor=contact_b, now=LATER)
    enrollment.confirm_by_unit(db_session, enrollment=entry, actor=contact_a, now=LATER)
    enrollment.approve(db_session, enrollment=entry, actor=organizer, now=LATER)
    assert entry.status == "approved" and entry.decided_by_id == organizer.id
    assert enrollment.is_approved_trainee(db_session, training_class=training_class, user=user)
    assert enrollment.approved_trainee_users(db_session, training_class) == [user]


def test_anonymous_registration_cannot_take_over_a_registered_person(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    data = trainee_data()
    enrollment.nominate(db_session, training_class=training_class, unit=a, profile_data=data,
                        actor=contact_a, now=NOW)
    with pytest.raises(DomainError, match="请登录后报名"):
        enrollment.self_register(db_session, training_class=make_open_class(db_session),
                                 unit=a, now=NOW, profile_data=data, password="self12345")


def test_logged_in_trainee_registers_with_their_profile(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    first = nominate(db_session, training_class, a, contact_a)
    user = first.trainee.user
    other = make_open_class(db_session)
    entry = enrollment.self_register(db_session, training_class=other, unit=a, now=NOW,
                                     user=user)
    assert entry.trainee is first.trainee and not entry.unit_confirmed
    assert {e.id for e in enrollment.entries_of_user(db_session, user)} == {first.id, entry.id}


def test_unit_declines_a_self_registration(db_session, world):
    training_class, a, _b, contact_a, _cb, _org = world
    entry = enrollment.self_register(db_session, training_class=training_class, unit=a, now=NOW,
                                     profile_data=trainee_data(), password="self12345")
    with pytest.raises(DomainError, match="请填写理由"):
        enrollment.decline_by_unit(db_session, enrollment=entry, reason=" ", actor=contact_a,
                                   now=LATER)
    enrollment.decline_by_unit(db_session, enrollment=entry, reason="非本单位人员",
                               actor=contact_a, now=LATER)
    assert entry.status == "rejected" and entry.rejection_reason == "非本单位人员"


def test_reject_needs_a_reason_and_frees_the_seat(db_session, world):
    training_class, a, _b, contact_a, _cb, organizer = world
    entries = [nominate(db_session, training_class, a, contact_a) for _ in range(5)]
    with pytest.raises(DomainError, match="请填写理由"):
        enrollment.reject(db_session, enrollment=entries[0], reason="", actor=organizer, now=LATER)
    promoted = enrollment.reject(db_session, enrollment=entries[0], reason="资格证书未提供",
                                 actor=organizer, now=LATER)
    assert promoted is entries[4]
    assert entries[0].status == "rejected" and entries[0].decided_at == LATER


def test_bulk_decisions_are_all_or_nothing(db_session, world):
    training_class, a, b, contact_a, _cb, organizer = world
    nominated = [nominate(db_session, training_class, a, contact_a) for _ in range(2)]
    selfreg = enrollment.self_register(db_session, training_class=training_class, unit=b,
                                       now=NOW, profile_data=trainee_data(),
                                       password="self12345")
    db_session.commit()
    with pytest.raises(DomainError, match="须先经单位联系人确认"):
        enrollment.approve_many(db_session, entries=[*nominated, selfreg], actor=organizer,
                                now=LATER)
    db_session.rollback()
    db_session.refresh(nominated[0])
    assert nominated[0].status == "pending"
    assert enrollment.approve_many(db_session, entries=nominated, actor=organizer,
                                   now=LATER) == 2
    with pytest.raises(PermissionDenied):
        enrollment.approve_many(db_session, entries=nominated, actor=contact_a, now=LATER)


def test_bulk_reject_returns_the_promoted(db_session, world):
    training_class, a, _b, contact_a, _cb, organizer = world
    entries = [nominate(db_session, training_class, a, contact_a) for _ in range(7)]
    assert [e.status for e in entries[4:]] == ["waitlisted"] * 3
    # Reject two seated entries and one waiting: the two other waiting entries move up.
    promoted = enrollment.reject_many(db_session, entries=[entries[0], entries[1], entries[4]],
                                      reason="名额调整", actor=organizer, now=LATER)
    assert promoted == [entries[5], entries[6]]


def test_login_slips_carry_initial_passwords_and_are_audited(db_session, world):
    training_class, a, _b, contact_a, _cb, organizer = world
    nominated = nominate(db_session, training_class, a, contact_a, name="李华")
    enrollment.self_register(db_session, training_class=training_class, unit=a, now=NOW,
                             profile_data=trainee_data(name="赵强"), password="self12345")
    slips = {s.name: s for s in enrollment.login_slips(
        db_session, training_class=training_class, actor=organizer, now=LATER)}
    assert slips["李华"].initial_password == nominated.trainee.initial_password
    assert slips["李华"].login == nominated.trainee.mobile
    assert slips["赵强"].initial_password is None
    assert db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "enrollment.print_login_slips")).changes["with_password"] == 1
    with pytest.raises(PermissionDenied):
        enrollment.login_slips(db_session, training_class=training_class, actor=contact_a,
                               now=LATER)
