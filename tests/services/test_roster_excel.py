from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import (
    NOW,
    make_open_class,
    make_unit,
    make_unit_contact,
    make_user,
    trainee_data,
    use_fast_password_hashing,
)
from training_app.models import Enrollment, Role, TraineeProfile, User
from training_app.services import enrollment, quotas, roster_excel
from training_app.services.errors import DomainError


def roster_file(rows) -> bytes:
    """The downloadable template, filled in with ``rows`` (lists of cell values)."""
    workbook = load_workbook(BytesIO(roster_excel.build_template()))
    sheet = workbook["报名名单"]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(data, **overrides):
    values = {"name": data.name, "gender": "", "id_number": data.id_number,
              "mobile": data.mobile, "qualification": "社会工作师",
              "certificate_number": data.certificate_number, "years": 3}
    values.update(overrides)
    return list(values.values())


def test_template_has_the_chinese_headers_and_instructions():
    workbook = load_workbook(BytesIO(roster_excel.build_template()))
    assert [c.value for c in workbook["报名名单"][1]] == list(roster_excel.HEADERS)
    assert "填写说明" in workbook.sheetnames


def test_parse_reads_rows_and_skips_blank_lines():
    a, b = trainee_data(), trainee_data()
    data = roster_file([row(a), [], row(b, qualification="助理社工师", years=6.0)])
    rows = roster_excel.parse_roster(data)
    assert [r.row for r in rows] == [2, 4]
    assert rows[1].data.qualification == 1 and rows[1].data.years_experience == 6


def test_numeric_id_numbers_and_foreign_files_are_refused():
    a = trainee_data()
    with pytest.raises(roster_excel.RosterError) as caught:
        roster_excel.parse_roster(roster_file([row(a, id_number=int(a.id_number[:15]))]))
    assert caught.value.errors[0][0] == 2 and "文本格式" in caught.value.errors[0][1]
    with pytest.raises(DomainError, match="无法读取Excel文件"):
        roster_excel.parse_roster(b"%PDF-1.4 not a workbook")
    with pytest.raises(DomainError, match="没有学员数据"):
        roster_excel.parse_roster(roster_excel.build_template())


@pytest.fixture
def world(db_session, monkeypatch):
    use_fast_password_hashing(monkeypatch)
    training_class = make_open_class(db_session, capacity=40,
                                     rules=[{"qualification": 1, "min_years": 2}])
    unit = make_unit(db_session)
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    quotas.set_quota(db_session, training_class=training_class, unit=unit, seats=10,
                     actor=organizer, now=NOW)
    return training_class, unit, make_unit_contact(db_session, unit)


def test_five_bad_rows_are_all_reported_and_nothing_is_saved(db_session, world):
    training_class, unit, contact = world
    enrolled = trainee_data()
    enrollment.nominate(db_session, training_class=training_class, unit=unit,
                        profile_data=enrolled, actor=contact, now=NOW)
    db_session.commit()
    users_before = db_session.scalar(select(func.count()).select_from(User))
    good = [trainee_data() for _ in range(4)]
    bad_checksum = trainee_data()
    broken = bad_checksum.id_number[:17] + ("0" if bad_checksum.id_number[17] != "0" else "1")
    rows = [
        row(good[0]),                                   # 2
        row(trainee_data(), name=""),                   # 3 missing name
        row(bad_checksum, id_number=broken),            # 4 checksum
        row(good[1]),                                   # 5
        row(trainee_data(), id_number=good[0].id_number),  # 6 duplicate of row 2
        row(good[2], qualification="博士"),             # 7 unknown qualification
        row(enrolled),                                  # 8 already enrolled
        row(good[3]),                                   # 9
    ]
    with pytest.raises(roster_excel.RosterError) as caught:
        enrollment.import_roster(db_session, training_class=training_class, unit=unit,
                                 data=roster_file(rows), actor=contact, now=NOW)
    db_session.rollback()
    errors = caught.value.errors
    assert [r for r, _ in errors] == [3, 4, 6, 7, 8]
    messages = dict(errors)
    assert "请填写姓名" in messages[3]
    assert "校验码错误" in messages[4]
    assert "与第2行重复" in messages[6]
    assert "未知的资格等级：博士" in messages[7]
    assert "已报名本培训班" in messages[8]
    assert db_session.scalar(select(func.count()).select_from(Enrollment)) == 1
    assert db_session.scalar(select(func.count()).select_from(User)) == users_before

    # The corrected file (bad rows fixed, the enrolled person left out) imports every row.
    fixed = [row(good[0]), row(trainee_data()), row(trainee_data()), row(good[1]),
             row(trainee_data()), row(good[2]), row(good[3])]
    entries = enrollment.import_roster(db_session, training_class=training_class, unit=unit,
                                       data=roster_file(fixed), actor=contact, now=NOW)
    db_session.commit()
    assert len(entries) == 7 and all(e.status == "pending" for e in entries)
    assert db_session.scalar(select(func.count()).select_from(TraineeProfile)) == 8


def test_ineligible_rows_name_the_rule(db_session, world):
    training_class, unit, contact = world
    data = roster_file([row(trainee_data()), row(trainee_data(), qualification="无",
                                                 certificate_number="", years=10)])
    with pytest.raises(roster_excel.RosterError) as caught:
        enrollment.import_roster(db_session, training_class=training_class, unit=unit,
                                 data=data, actor=contact, now=NOW)
    (number, message), = caught.value.errors
    assert number == 3 and "助理社会工作师满2年" in message


def test_import_fills_the_quota_then_waitlists(db_session, world):
    training_class, unit, contact = world
    training_class.capacity = 12  # quota 10 + pool 2
    entries = enrollment.import_roster(
        db_session, training_class=training_class, unit=unit,
        data=roster_file([row(trainee_data()) for _ in range(14)]), actor=contact, now=NOW)
    assert [e.status for e in entries].count("pending") == 12
    assert [e.status for e in entries[12:]] == ["waitlisted", "waitlisted"]


def test_exports_are_readable_workbooks(db_session, world):
    training_class, unit, contact = world
    entry = enrollment.nominate(db_session, training_class=training_class, unit=unit,
                                profile_data=trainee_data(name="陈静"), actor=contact, now=NOW)
    from zoneinfo import ZoneInfo

    roster = load_workbook(BytesIO(roster_excel.roster_workbook(
        [entry], title=training_class.title, tz=ZoneInfo("Asia/Shanghai"))))
    cells = [c.value for c in roster.active[2]]
    assert cells[1] == "陈静" and cells[3] == entry.trainee.id_number and cells[11] == "待审核"
    summary = load_workbook(BytesIO(roster_excel.summary_workbook(
        quotas.quota_summary(db_session, training_class), title=training_class.title)))
    lines = [[c.value for c in r] for r in summary.active.iter_rows(min_row=4)]
    assert lines[0][:5] == [unit.name, 10, 0, 1, 0]
    assert lines[-1][0] == "合计（计划人数）" and lines[-1][1] == 40
