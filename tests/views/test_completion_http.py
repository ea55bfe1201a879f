"""Completion and outstanding trainees over HTTP: the organizer's page, the group leader's."""
from decimal import Decimal

from tests.factories import PASSWORD, make_published_exam, make_user, submit_papers
from training_app.models import Group, GroupMember, Role
from training_app.services import completion

TOTALS = [Decimal(t) for t in (95, 55, 90, 88, 70, 60, 59, 82, 91, 75)]


def _login_as(client, user):
    client.post("/logout")
    response = client.post("/login", data={"identifier": user.username, "password": PASSWORD})
    assert response.status_code == 302


def _graded_class(db_session):
    exam, users = make_published_exam(db_session, trainees=10)
    for attempt, total in zip(submit_papers(db_session, exam, users), TOTALS):
        attempt.total_score = total
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    db_session.commit()
    return exam.training_class, users, organizer


def test_organizer_sets_the_rule_nominates_and_confirms(client, db_session):
    training_class, users, organizer = _graded_class(db_session)
    _login_as(client, organizer)
    url = f"/classes/{training_class.id}/completion"
    page = client.get(url).get_data(as_text=True)
    assert "达到结业条件：8 / 10人" in page
    assert page.count('data-completes="no"') == 2
    client.post(f"{url}/rule", data={
        "min_attendance_percent": "80", "min_exam_score": "56", "exam_id": "0",
        "weight_exam": "60", "weight_attendance": "20", "weight_organizer": "10",
        "weight_group": "10", "outstanding_percent": "20"})
    page = client.get(url).get_data(as_text=True)
    assert "达到结业条件：9 / 10人" in page and "本班最多2名" in page
    client.post(f"{url}/nominations/{users[2].id}", data={"nominated": "1"})
    ranking = completion.standings(db_session, training_class)
    assert ranking[0].user.id == users[2].id and ranking[0].organizer_nominated
    # Three is over the cap of two: refused, nothing confirmed.
    page = client.post(f"{url}/confirm", data={"user_ids": [users[0].id, users[2].id,
                                                            users[8].id]},
                       follow_redirects=True).get_data(as_text=True)
    assert "优秀学员最多2名" in page
    assert completion.confirmed_outstanding(db_session, training_class) == []
    client.post(f"{url}/confirm", data={"user_ids": [users[0].id, users[2].id]})
    confirmed = completion.confirmed_outstanding(db_session, training_class)
    assert [o.user_id for o in confirmed] == [users[2].id, users[0].id]
    assert 'id="confirmed-outstanding"' in client.get(url).get_data(as_text=True)


def test_group_leader_nominates_a_member(client, db_session):
    training_class, users, _ = _graded_class(db_session)
    leader, member, outsider = users[3], users[8], users[1]
    group = Group(class_id=training_class.id, number=1, leader_id=leader.id)
    db_session.add(group)
    db_session.flush()
    for user in (leader, member):
        db_session.add(GroupMember(group_id=group.id, class_id=training_class.id, user_id=user.id))
    db_session.commit()
    url = f"/classes/{training_class.id}/group-nomination"
    _login_as(client, outsider)
    assert client.get(url).status_code == 404  # not a leader
    _login_as(client, leader)
    assert url in client.get("/my/").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert member.display_name in page and outsider.display_name not in page
    client.post(url, data={"user_id": member.id})
    assert completion.group_nomination(db_session, group).user_id == member.id
    client.post(url, data={"user_id": outsider.id})  # not a choice: refused
    assert completion.group_nomination(db_session, group).user_id == member.id
    client.post(url, data={"user_id": 0})  # withdraw
    db_session.expire_all()
    assert completion.group_nomination(db_session, group) is None
