"""Groups, committee, exchange bulletin and cultural programme, on a real session."""
import math
from collections import Counter
from datetime import datetime, timezone
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import make_approved_trainee, make_class, make_unit, make_user
from training_app.models import AuditEntry, CommitteeRole, Role
from training_app.services import activities, exchange, groups
from training_app.services.errors import DomainError, PermissionDenied

NOW = datetime(2026, 5, 17, 1, 0, tzinfo=timezone.utc)
TZ = ZoneInfo("Asia/Shanghai")
UNIT_SIZES = [15, 12, 11, 10, 9, 8, 7, 6, 5, 3]  # 86 trainees


@pytest.fixture
def organizer(db_session):
    return make_user(db_session, roles=[Role.ORGANIZER], display_name="承办方")


def class_with(db_session, sizes):
    training_class = make_class(db_session, capacity=max(sum(sizes), 1))
    trainees = []
    for size in sizes:
        unit = make_unit(db_session)
        trainees += [make_approved_trainee(db_session, training_class, unit=unit)
                     for _ in range(size)]
    return training_class, trainees


def test_auto_grouping_the_86_trainee_class(db_session, organizer):
    training_class, trainees = class_with(db_session, UNIT_SIZES)
    made = groups.auto_group(db_session, training_class=training_class, seed=2016,
                             actor=organizer, now=NOW)
    db_session.commit()
    assert [g.number for g in made] == list(range(1, 10))
    sizes = sorted(len(g.members) for g in groups.list_groups(db_session, training_class))
    assert sizes == [9] * 4 + [10] * 5
    details = groups.member_details(db_session, training_class)
    unit_totals = Counter(e.unit_id for e in details.values())
    for group in groups.list_groups(db_session, training_class):
        per_unit = Counter(details[m.user_id].unit_id for m in group.members)
        assert max(c - math.ceil(unit_totals[u] / 9) for u, c in per_unit.items()) <= 0
    assert not groups.ungrouped(db_session, training_class)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "groups.auto"))
    assert entry.changes["groups"] == 9 and entry.changes["unit_excess"] == 0


def test_rerun_replaces_groups_but_not_after_acts_are_registered(db_session, organizer):
    training_class, trainees = class_with(db_session, [6, 6])
    first = groups.auto_group(db_session, training_class=training_class, seed=1, actor=organizer,
                              now=NOW)
    assert len(first) == 2
    again = groups.auto_group(db_session, training_class=training_class, seed=2, actor=organizer,
                              now=NOW)
    assert len(again) == 2 and len(groups.list_groups(db_session, training_class)) == 2
    activities.add_act(db_session, group=again[0], title="合唱", kind="song", performers="全组",
                       minutes=5, actor=organizer, now=NOW)
    with pytest.raises(DomainError, match="不能重新自动分组"):
        groups.auto_group(db_session, training_class=training_class, seed=3, actor=organizer,
                          now=NOW)


def test_no_approved_trainees_cannot_be_grouped(db_session, organizer):
    training_class = make_class(db_session)
    with pytest.raises(DomainError, match="还没有已录取的学员"):
        groups.auto_group(db_session, training_class=training_class, seed=1, actor=organizer,
                          now=NOW)


def test_move_members_within_the_size_limit(db_session, organizer):
    training_class, trainees = class_with(db_session, [11, 9])  # 20 -> 2 groups of 10
    g1, g2 = groups.auto_group(db_session, training_class=training_class, seed=1,
                               actor=organizer, now=NOW)
    mover = db_session.get(type(trainees[0]), g1.members[0].user_id)
    with pytest.raises(DomainError, match="每组不超过10人"):
        groups.move_member(db_session, training_class=training_class, user=mover, group=g2,
                           actor=organizer, now=NOW)
    g3 = groups.add_group(db_session, training_class=training_class, actor=organizer, now=NOW)
    groups.set_leader(db_session, group=g1, user=mover, actor=organizer, now=NOW)
    groups.move_member(db_session, training_class=training_class, user=mover, group=g3,
                       actor=organizer, now=NOW)
    db_session.commit()
    assert groups.group_of(db_session, training_class, mover).id == g3.id
    assert g1.leader_id is None and len(g1.members) == 9
    stranger = make_user(db_session)
    with pytest.raises(DomainError, match="不是本班已录取的学员"):
        groups.move_member(db_session, training_class=training_class, user=stranger, group=g3,
                           actor=organizer, now=NOW)
    with pytest.raises(PermissionDenied):
        groups.move_member(db_session, training_class=training_class, user=mover, group=g1,
                           actor=mover, now=NOW)
    with pytest.raises(DomainError, match="只能删除没有成员的小组"):
        groups.remove_group(db_session, group=g1, actor=organizer, now=NOW)


def test_only_the_leader_names_the_group_and_submits_the_outline(db_session, organizer):
    training_class, trainees = class_with(db_session, [5, 4])
    (group,) = groups.auto_group(db_session, training_class=training_class, seed=1,
                                 actor=organizer, now=NOW)
    leader = db_session.get(type(trainees[0]), group.members[0].user_id)
    other = db_session.get(type(trainees[0]), group.members[1].user_id)
    groups.set_leader(db_session, group=group, user=leader, actor=organizer, now=NOW)
    with pytest.raises(PermissionDenied, match="只有本组组长"):
        groups.update_identity(db_session, group=group, name="x", song="", slogan="",
                               actor=other, now=NOW)
    groups.update_identity(db_session, group=group, name="春风组", song="《团结就是力量》",
                           slogan="四社联动，服务为民", actor=leader, now=NOW)
    assert group.label == "第1组（春风组）"
    with pytest.raises(DomainError, match="1-2名交流代表"):
        groups.set_report(db_session, group=group, representative_ids=[], outline="提纲",
                          actor=leader, now=NOW)
    with pytest.raises(DomainError, match="必须是本组成员"):
        groups.set_report(db_session, group=group, representative_ids=[organizer.id],
                          outline="提纲", actor=leader, now=NOW)
    groups.set_report(db_session, group=group, representative_ids=[leader.id, other.id],
                      outline="一、社区服务标准化实践\n二、四社联动经验", actor=leader, now=NOW)
    assert {m.user_id for m in group.representatives} == {leader.id, other.id}


def test_committee_and_bulletin_publish_a_snapshot_pdf(db_session, organizer):
    training_class, trainees = class_with(db_session, [4])
    (group,) = groups.auto_group(db_session, training_class=training_class, seed=1,
                                 actor=organizer, now=NOW)
    monitor = trainees[0]
    groups.assign_committee(db_session, training_class=training_class,
                            role=CommitteeRole.MONITOR.value, user=monitor, actor=organizer,
                            now=NOW)
    with pytest.raises(DomainError, match="不是本班已录取的学员"):
        groups.assign_committee(db_session, training_class=training_class, role="study",
                                user=organizer, actor=organizer, now=NOW)
    assert groups.committee_roles_of(db_session, training_class, monitor) == {"monitor"}
    with pytest.raises(PermissionDenied):
        exchange.save_draft(db_session, training_class=training_class, title="简报",
                            body="正文", actor=trainees[1], now=NOW)
    groups.set_leader(db_session, group=group, user=trainees[1], actor=organizer, now=NOW)
    groups.set_report(db_session, group=group, representative_ids=[trainees[1].id],
                      outline="服务标准化的三点体会", actor=trainees[1], now=NOW)
    exchange.save_draft(db_session, training_class=training_class, title="交流简报第1期",
                        body="5月19日上午，全班举行学员交流。", actor=monitor, now=NOW)
    bulletin = exchange.publish(db_session, training_class=training_class, actor=monitor,
                                now=NOW, tz=TZ)
    exchange.save_draft(db_session, training_class=training_class, title="交流简报第1期",
                        body="改过的草稿", actor=monitor, now=NOW)
    assert bulletin.published["body"] == "5月19日上午，全班举行学员交流。"
    assert bulletin.published["groups"][0]["outline"] == "服务标准化的三点体会"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(
        exchange.bulletin_pdf(bulletin.published))).pages)
    assert "交流简报第1期" in text and "服务标准化的三点体会" in text
    assert "改过的草稿" not in text


def test_programme_total_against_the_standard(db_session, organizer):
    training_class, trainees = class_with(db_session, [10, 10])
    g1, g2 = groups.auto_group(db_session, training_class=training_class, seed=1,
                               actor=organizer, now=NOW)
    with pytest.raises(PermissionDenied):
        activities.add_act(db_session, group=g1, title="歌", kind="song", performers="",
                           minutes=5, actor=trainees[0], now=NOW)
    with pytest.raises(DomainError, match="节目时长"):
        activities.add_act(db_session, group=g1, title="歌", kind="song", performers="",
                           minutes=0, actor=organizer, now=NOW)
    acts = [activities.add_act(db_session, group=g, title=f"节目{i}", kind="song",
                               performers="", minutes=15, actor=organizer, now=NOW)
            for i, g in enumerate([g1, g1, g2], start=1)]
    summary = activities.programme(db_session, training_class)
    assert summary.total_minutes == 45 and not summary.within_standard
    assert summary.acts_per_group == {1: 2, 2: 1}
    acts.append(activities.add_act(db_session, group=g2, title="节目4", kind="skit",
                                   performers="", minutes=20, actor=organizer, now=NOW))
    culture = make_approved_trainee(db_session, training_class)
    groups.assign_committee(db_session, training_class=training_class, role="culture",
                            user=culture, actor=organizer, now=NOW)
    activities.arrange(db_session, training_class=training_class,
                       positions={acts[3].id: 1, acts[0].id: 2}, prizes={acts[3].id: "一等奖"},
                       actor=culture, now=NOW)
    summary = activities.programme(db_session, training_class)
    assert summary.total_minutes == 65 and summary.within_standard
    assert [a.title for a in summary.acts][:2] == ["节目4", "节目1"]
    assert summary.acts[0].prize == "一等奖"
