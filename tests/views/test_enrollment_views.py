"""HTTP flows of enrollment: the unit contact, the organizer, self-registration, materials,
and the object checks (a contact acts only for their own unit, a trainee only for themselves)."""
import re
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import (
    NOW,
    PASSWORD,
    make_class,
    make_open_class,
    make_unit,
    make_unit_contact,
    make_user,
    nomination_form,
    trainee_data,
    use_fast_password_hashing,
)
from tests.services.test_roster_excel import roster_file, row
from training_app.models import Enrollment, Role, TraineeProfile, Unit
from training_app.services import accounts, enrollment, quotas

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch):
    use_fast_password_hashing(monkeypatch)


@pytest.fixture
def world(db_session):
    # The deadline is far ahead: these requests run at the real "now".
    from datetime import date

    training_class = make_open_class(db_session, capacity=5,
                                     rules=[{"qualification": 2, "min_years": 2}])
    training_class.registration_deadline = date(2099, 12, 31)
    training_class.end_date = date(2100, 1, 2)
    training_class.start_date = date(2100, 1, 1)
    a, b = make_unit(db_session, name="甲街道"), make_unit(db_session, name="乙社区")
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    quotas.set_quotas(db_session, training_class=training_class, seats={a: 2, b: 2},
                      actor=organizer, now=NOW)
    db_session.commit()
    return training_class, a, b


def entries(db_session):
    db_session.expire_all()
    return list(db_session.scalars(select(Enrollment).order_by(Enrollment.id)))


def test_unit_contact_nominates_and_sees_masked_numbers(client, login, db_session, world):
    training_class, a, _b = world
    login(Role.UNIT_CONTACT, unit=a)
    page = client.get(f"/enrollment/classes/{training_class.id}/unit")
    assert page.status_code == 200 and "本单位名额" in page.get_data(as_text=True)
    data = trainee_data(name="周丽")
    response = client.post(f"/enrollment/classes/{training_class.id}/unit/nominate",
                           data=nomination_form(data))
    assert response.status_code == 302
    (entry,) = entries(db_session)
    assert entry.unit_id == a.id and entry.status == "pending"
    html = client.get(f"/enrollment/classes/{training_class.id}/unit").get_data(as_text=True)
    assert "周丽" in html and data.id_number not in html
    assert data.id_number[:4] + "**********" + data.id_number[-4:] in html
    assert re.search(r'data-quota="pending">1<', html)


def test_nomination_refusal_is_shown_and_form_kept(client, login, db_session, world):
    training_class, a, _b = world
    login(Role.UNIT_CONTACT, unit=a)
    data = trainee_data(qualification=1, years_experience=3)
    response = client.post(f"/enrollment/classes/{training_class.id}/unit/nominate",
                           data=nomination_form(data))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "不符合报名条件（社会工作师满2年）" in html
    assert f'value="{data.name}"' in html and entries(db_session) == []


def test_roster_upload_all_or_nothing_over_http(client, login, db_session, world):
    training_class, a, _b = world
    login(Role.UNIT_CONTACT, unit=a)
    template = client.get("/enrollment/roster-template.xlsx")
    assert template.status_code == 200
    headers = [c.value for c in load_workbook(BytesIO(template.data)).active[1]]
    assert headers == ["姓名", "性别", "身份证号", "手机号", "资格等级", "资格证书编号",
                       "社会工作年限"]
    good = [trainee_data() for _ in range(3)]
    bad = [row(good[0]), row(trainee_data(), name=""), row(trainee_data(), mobile="123"),
           row(good[1]), row(trainee_data(), qualification="硕士"),
           row(trainee_data(), id_number=good[0].id_number), row(good[2], years=1),
           ]
    response = client.post(f"/enrollment/classes/{training_class.id}/unit/roster",
                           data={"roster": (BytesIO(roster_file(bad)), "名单.xlsx")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-roster-errors="5"' in html
    assert re.findall(r'data-row="(\d+)"', html) == ["3", "4", "6", "7", "8"]
    assert "第8行：不符合报名条件" in html
    assert entries(db_session) == []
    fixed = [row(g) for g in good]
    response = client.post(f"/enrollment/classes/{training_class.id}/unit/roster",
                           data={"roster": (BytesIO(roster_file(fixed)), "名单.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    # 2 quota seats + the 1 pool seat of a class of 5 with 4 allocated.
    assert [e.status for e in entries(db_session)] == ["pending"] * 3


def test_another_units_contact_gets_403(client, login, db_session, world):
    training_class, a, b = world
    contact_a = make_unit_contact(db_session, a)
    entry = enrollment.nominate(db_session, training_class=training_class, unit=a,
                                profile_data=trainee_data(), actor=contact_a, now=NOW)
    material_id = None
    login(Role.UNIT_CONTACT, unit=b)
    assert client.get(f"/enrollment/entries/{entry.id}").status_code == 403
    assert client.post(f"/enrollment/entries/{entry.id}/withdraw").status_code == 403
    assert client.post(f"/enrollment/entries/{entry.id}/confirm").status_code == 403
    assert client.post(f"/enrollment/entries/{entry.id}/materials",
                       data={"label": "身份证", "file": (BytesIO(PNG), "a.png")},
                       content_type="multipart/form-data").status_code == 403
    assert entries(db_session)[0].status == "pending" and material_id is None
    # b's contact sees only b's entries on their page.
    html = client.get(f"/enrollment/classes/{training_class.id}/unit").get_data(as_text=True)
    assert entry.trainee.name not in html


def test_organizer_reviews_with_full_numbers_and_bulk_decisions(client, login, db_session,
                                                                world):
    training_class, a, _b = world
    contact_a = make_unit_contact(db_session, a)
    made = [enrollment.nominate(db_session, training_class=training_class, unit=a,
                                profile_data=trainee_data(), actor=contact_a, now=NOW)
            for _ in range(4)]  # 2 quota + 1 pool + 1 waiting
    login(Role.ORGANIZER)
    html = client.get(f"/enrollment/classes/{training_class.id}/review").get_data(as_text=True)
    assert made[0].trainee.id_number in html and f'data-unit="{a.id}"' in html
    waiting = client.get(f"/enrollment/classes/{training_class.id}/review?status=waitlisted")
    assert re.findall(r'data-entry="(\d+)"', waiting.get_data(as_text=True)) == [str(made[3].id)]
    # Rejecting without a reason changes nothing.
    response = client.post(f"/enrollment/classes/{training_class.id}/review/decide",
                           data={"entry_ids": [made[0].id], "action": "reject", "reason": ""},
                           follow_redirects=True)
    assert "请填写理由" in response.get_data(as_text=True)
    assert entries(db_session)[0].status == "pending"
    response = client.post(f"/enrollment/classes/{training_class.id}/review/decide",
                           data={"entry_ids": [made[1].id, made[2].id], "action": "approve"})
    assert response.status_code == 302
    response = client.post(f"/enrollment/classes/{training_class.id}/review/decide",
                           data={"entry_ids": [made[0].id], "action": "reject",
                                 "reason": "未提交资格证书"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"候补学员{made[3].trainee.name}" in html and "已递补为待审核" in html
    assert [e.status for e in entries(db_session)] == ["rejected", "approved", "approved",
                                                       "pending"]


def test_withdrawal_tells_the_organizer_who_moved_up(client, login, db_session, world):
    training_class, a, _b = world
    contact_a = make_unit_contact(db_session, a)
    made = [enrollment.nominate(db_session, training_class=training_class, unit=a,
                                profile_data=trainee_data(), actor=contact_a, now=NOW)
            for _ in range(4)]
    login(Role.ORGANIZER)
    response = client.post(f"/enrollment/entries/{made[1].id}/withdraw", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"候补学员{made[3].trainee.name}（甲街道）已递补为待审核" in html
    assert [e.status for e in entries(db_session)] == ["pending", "withdrawn", "pending",
                                                       "pending"]


def test_quota_table_page(client, login, db_session, world):
    training_class, a, b = world
    login(Role.ORGANIZER)
    html = client.get(f"/enrollment/classes/{training_class.id}/quotas").get_data(as_text=True)
    assert f'name="seats_{a.id}"' in html and f'name="seats_{b.id}"' in html
    # Every unit has a row; the form posts them all.
    every = {name: 0 for name in re.findall(r'name="(seats_\d+)"', html)}
    assert len(every) == db_session.scalar(select(func.count()).select_from(Unit))
    too_many = {**every, f"seats_{a.id}": 4, f"seats_{b.id}": 2}
    response = client.post(f"/enrollment/classes/{training_class.id}/quotas", data=too_many)
    assert "合计6人，超过了计划人数5人" in response.get_data(as_text=True)
    response = client.post(f"/enrollment/classes/{training_class.id}/quotas",
                           data={**every, f"seats_{a.id}": 3, f"seats_{b.id}": 2})
    assert response.status_code == 302
    assert quotas.total_allocated(db_session, training_class) == 5


def test_exports_and_login_slips(client, login, db_session, world, tmp_path):
    training_class, a, _b = world
    contact_a = make_unit_contact(db_session, a)
    entry = enrollment.nominate(db_session, training_class=training_class, unit=a,
                                profile_data=trainee_data(name="孙悦"), actor=contact_a, now=NOW)
    password = entry.trainee.initial_password
    login(Role.ORGANIZER)
    roster = client.get(f"/enrollment/classes/{training_class.id}/roster.xlsx")
    cells = [c.value for c in load_workbook(BytesIO(roster.data)).active[2]]
    assert cells[1] == "孙悦" and cells[3] == entry.trainee.id_number
    summary = client.get(f"/enrollment/classes/{training_class.id}/quota-summary.xlsx")
    assert summary.status_code == 200 and summary.mimetype.endswith("spreadsheetml.sheet")
    slips = client.get(f"/enrollment/classes/{training_class.id}/login-slips.pdf")
    assert slips.status_code == 200 and slips.mimetype == "application/pdf"
    (tmp_path / "slips.pdf").write_bytes(slips.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "slips.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "孙悦" in text and "初始密码" in text and password in text
    assert entry.trainee.mobile in text


def test_summary_export_for_the_class_sponsor_only(client, login, db_session, world):
    training_class, _a, _b = world
    login(Role.SPONSOR, unit=training_class.sponsor_unit)
    assert client.get(f"/enrollment/classes/{training_class.id}/quota-summary.xlsx"
                      ).status_code == 200
    client.post("/logout")
    login(Role.SPONSOR, unit=make_unit(db_session))
    assert client.get(f"/enrollment/classes/{training_class.id}/quota-summary.xlsx"
                      ).status_code == 403


def test_self_registration_then_unit_confirmation_then_approval(client, login, db_session,
                                                                world):
    training_class, _a, b = world
    page = client.get(f"/enrollment/classes/{training_class.id}/register")
    assert page.status_code == 200 and "设置登录密码" in page.get_data(as_text=True)
    data = trainee_data(name="吴迪")
    response = client.post(f"/enrollment/classes/{training_class.id}/register", data={
        **nomination_form(data), "unit_id": b.id, "password": "mypass123", "confirm": "mypass123"})
    assert response.status_code == 302 and response.location.endswith("/enrollment/mine")
    html = client.get("/enrollment/mine").get_data(as_text=True)
    assert training_class.title in html and "待单位确认" in html
    assert data.id_number not in html  # masked for the trainee too
    (entry,) = entries(db_session)
    assert entry.source == "self_registered" and not entry.unit_confirmed
    client.post("/logout")
    login(Role.UNIT_CONTACT, unit=b)
    assert client.post(f"/enrollment/entries/{entry.id}/confirm").status_code == 302
    client.post("/logout")
    login(Role.ORGANIZER)
    client.post(f"/enrollment/classes/{training_class.id}/review/decide",
                data={"entry_ids": [entry.id], "action": "approve"})
    assert entries(db_session)[0].status == "approved"
    client.post("/logout")
    response = client.post("/login", data={"identifier": data.mobile, "password": "mypass123"})
    assert response.status_code == 302


def test_staff_cannot_self_register(client, login, world):
    training_class, _a, _b = world
    login(Role.ORGANIZER)
    html = client.get(f"/enrollment/classes/{training_class.id}/register").get_data(as_text=True)
    assert "个人报名须使用学员账户" in html and 'name="password"' not in html


def test_trainee_materials_checked_by_content_and_private(client, login, db_session, world):
    training_class, a, _b = world
    contact_a = make_unit_contact(db_session, a)
    data = trainee_data()
    entry = enrollment.nominate(db_session, training_class=training_class, unit=a,
                                profile_data=data, actor=contact_a, now=NOW)
    user = entry.trainee.user
    accounts.reset_password(db_session, user=user, new_password=PASSWORD, actor=None, now=NOW)
    user.must_change_password = False
    db_session.commit()
    client.post("/login", data={"identifier": data.mobile, "password": PASSWORD})
    url = f"/enrollment/entries/{entry.id}/materials"
    fake = client.post(url, data={"label": "其他材料", "file": (BytesIO(b"MZ fake"), "x.pdf")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "只能上传PDF、JPG或PNG文件" in fake.get_data(as_text=True)
    ok = client.post(url, data={"label": "其他材料", "file": (BytesIO(PNG), "照片.png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    db_session.expire_all()
    (material,) = db_session.get(Enrollment, entry.id).materials
    download = client.get(f"/enrollment/materials/{material.id}")
    assert download.status_code == 200 and download.data == PNG
    assert download.mimetype == "image/png"
    download.close()
    client.post("/logout")
    login(Role.TRAINEE)  # another trainee
    assert client.get(f"/enrollment/materials/{material.id}").status_code == 403
    assert client.get(f"/enrollment/entries/{entry.id}").status_code == 403
    client.post("/logout")
    login(Role.UNIT_CONTACT, unit=a)  # the trainee's own unit contact
    download = client.get(f"/enrollment/materials/{material.id}")
    assert download.status_code == 200
    download.close()
    assert db_session.scalar(select(func.count()).select_from(TraineeProfile)) == 1


def test_overview_hides_drafts_from_units_and_trainees(client, login, db_session, world):
    training_class, a, _b = world
    draft = make_class(db_session, title="尚未发布的草稿班")
    db_session.commit()
    login(Role.UNIT_CONTACT, unit=a)
    html = client.get("/enrollment/").get_data(as_text=True)
    assert training_class.title in html and draft.title not in html
    assert f"/enrollment/classes/{training_class.id}/unit" in html
    client.post("/logout")
    login(Role.ORGANIZER)
    html = client.get("/enrollment/").get_data(as_text=True)
    assert draft.title in html and f"/enrollment/classes/{draft.id}/review" in html
