"""Enrollment pages on a 375px-wide phone: nothing overflows sideways, and a unit contact
nominates a trainee with the phone's form."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.e2e.conftest import log_in
from tests.factories import (
    NOW,
    PASSWORD,
    make_open_class,
    make_unit,
    make_unit_contact,
    make_user,
    trainee_data,
)
from training_app.models import Enrollment, Role
from training_app.services import enrollment, quotas

pytestmark = pytest.mark.e2e
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_unit_contact_and_organizer_pages_fit_a_phone(live_server, phone, db_session):
    training_class = make_open_class(db_session, capacity=10)
    training_class.registration_deadline = date(2099, 12, 31)
    training_class.start_date, training_class.end_date = date(2100, 1, 1), date(2100, 1, 2)
    unit = make_unit(db_session, name="潍城区北关街道东关社区居委会")
    contact = make_unit_contact(db_session, unit, mobile="13600000001")
    organizer = make_user(db_session, roles=[Role.ORGANIZER], mobile="13600000002")
    quotas.set_quota(db_session, training_class=training_class, unit=unit, seats=4,
                     actor=organizer, now=NOW)
    enrollment.nominate(db_session, training_class=training_class, unit=unit,
                        profile_data=trainee_data(name="欧阳晓梅"), actor=contact, now=NOW)
    db_session.commit()
    page = phone.new_page()
    log_in(page, live_server.url, contact.mobile, PASSWORD)
    page.goto(f"{live_server.url}/enrollment/classes/{training_class.id}/unit")
    assert page.evaluate(FITS)
    person = trainee_data(name="司马强")
    page.fill("#name", person.name)
    page.fill("#id_number", person.id_number)
    page.fill("#mobile", person.mobile)
    page.fill("#certificate_number", person.certificate_number)
    page.fill("#years_experience", "3")
    page.click("#submit")
    page.wait_for_load_state()
    assert "已推荐司马强" in page.content()
    assert page.evaluate(FITS)
    db_session.expire_all()
    assert len(list(db_session.scalars(select(Enrollment)))) == 2

    phone.clear_cookies()  # log out: the organizer next
    page = phone.new_page()
    log_in(page, live_server.url, organizer.mobile, PASSWORD)
    for path in (f"/enrollment/classes/{training_class.id}/review",
                 f"/enrollment/classes/{training_class.id}/quotas", "/enrollment/"):
        page.goto(live_server.url + path)
        assert page.evaluate(FITS), path
