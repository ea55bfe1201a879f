"""Certificates: serial numbers, issuing with snapshots, revocation, the sandbox, images, stock."""
import io
import subprocess
import threading
from datetime import date

import pytest
from jinja2 import UndefinedError
from jinja2.sandbox import SecurityError
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from training_app.models import (
    AuditEntry,
    Certificate,
    CertificateSerialCounter,
    TrainingClass,
    User,
)
from training_app.services import certificate_render as render
from training_app.services import certificates, completion
from training_app.services.errors import DomainError
from tests.factories import (
    CERT_BASE_URL,
    NOW,
    make_certificate_class,
    make_transparent_png,
)


def pdf_text(data: bytes, tmp_path, name="c.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def issue(session, training_class, kind="completion", actor=None):
    return certificates.issue(session, training_class=training_class, kind=kind, actor=actor,
                              now=NOW, verify_base_url=CERT_BASE_URL)


# --- pure rules --------------------------------------------------------------------------------

def test_serial_patterns():
    pattern = certificates.check_pattern(" WFSG-{year}-{seq:04d} ")
    assert pattern == "WFSG-{year}-{seq:04d}"
    assert certificates.format_serial(pattern, seq=1, year=2016, kind="completion",
                                      class_id=7) == "WFSG-2016-0001"
    assert certificates.format_serial("{kind}{class}-{seq}", seq=12, year=2016,
                                      kind="outstanding", class_id=7) == "YX7-12"
    # padding does not make a new series: A-{seq} and A-{seq:04d} draw from one counter
    assert (certificates.series_of("A-{seq}", year=2016, kind="completion", class_id=1)
            == certificates.series_of("A-{seq:04d}", year=2016, kind="completion", class_id=1))
    for bad in ("", "WFSG-{year}", "A-{seq}-{seq}", "A {seq}", "A-{seq}-{name}",
                "{0.__class__}{seq}", "A-{seq:12d}"):
        with pytest.raises(DomainError):
            certificates.check_pattern(bad)


def test_masking_and_chinese_dates():
    assert certificates.mask_name("张晓民") == "张*民"
    assert certificates.mask_name("欧阳晓明") == "欧**明"
    assert certificates.mask_name("张三") == "张*"
    assert certificates.mask_name("张") == "张"
    assert render.cn_numeral_date(date(2016, 5, 19)) == "二〇一六年五月十九日"
    assert render.cn_numeral_date(date(2020, 10, 30)) == "二〇二〇年十月三十日"
    assert render.date_range_cn(date(2016, 5, 17), date(2016, 5, 19)) == "2016年5月17日至19日"
    assert render.date_range_cn(date(2016, 5, 31), date(2016, 6, 1)) == "2016年5月31日至6月1日"
    assert render.quoted_title("“四社联动”培训班") == "“‘四社联动’培训班”"


# --- the sandbox -------------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "{{ name.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ issuers.append('x') }}",
    "{{ name.format.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
])
def test_sandbox_refuses_unsafe_access(source):
    context = render.template_context(render.sample_values())
    with pytest.raises(SecurityError):
        render.render_fragment(source, context)


def test_sandbox_sees_plain_values_only():
    context = render.template_context(render.sample_values())
    assert all(isinstance(v, (str, int, bool, list)) for v in context.values())
    assert render.render_fragment("{{ name }}|{{ hours }}|{{ issuers|join('/') }}", context) == \
        "张晓民|24|潍坊市民政局/潍坊市社会工作协会"
    for name in ("cycler", "range", "lipsum", "namespace", "config", "request"):  # no globals
        with pytest.raises(UndefinedError):
            render.render_fragment(f"{{{{ {name} }}}}", context)
    assert "<b>" not in render.render_fragment("{{ x }}", {"x": "<b>"})  # autoescaped


def test_organizer_design_is_checked_in_the_sandbox(db_session):
    training_class, organizer, _users = make_certificate_class(db_session, names=())
    with pytest.raises(DomainError) as error:
        certificates.update_settings(
            db_session, training_class=training_class, actor=organizer, now=NOW,
            values={"custom_html": "{{ name.__class__.__mro__ }}", "completion_design": "custom"})
    assert "不允许" in str(error.value)
    with pytest.raises(DomainError):
        certificates.update_settings(db_session, training_class=training_class, actor=organizer,
                                     now=NOW, values={"custom_html": "{% if %}"})
    with pytest.raises(DomainError):  # CSS may not close its <style> element
        certificates.update_settings(
            db_session, training_class=training_class, actor=organizer, now=NOW,
            values={"custom_html": "<p>{{ name }}</p>", "custom_css": "</style><img src=x>"})
    settings = certificates.update_settings(
        db_session, training_class=training_class, actor=organizer, now=NOW,
        values={"custom_html": "<h1>{{ kind_title }}</h1><p>{{ name }}</p>",
                "custom_css": "h1 { color: red; }", "completion_design": "custom"})
    assert settings.completion_design == "custom"


# --- issuing -----------------------------------------------------------------------------------

def test_issue_numbers_and_snapshots(db_session, tmp_path):
    training_class, organizer, users = make_certificate_class(db_session)
    issued = issue(db_session, training_class, actor=organizer)
    assert sorted(c.serial for c in issued) == ["WFSG-2016-0001", "WFSG-2016-0002",
                                                "WFSG-2016-0003"]
    assert {c.user_id for c in issued} == {u.id for u in users}
    assert len({c.code for c in issued}) == 3 and all(len(c.code) >= 20 for c in issued)
    first = issued[0]
    assert first.values["class_title"] == training_class.title
    assert first.values["hours"] == 24 and first.values["issue_date"] == "2016-05-19"
    assert first.values["verify_url"] == f"{CERT_BASE_URL}/verify/{first.code}"
    assert first.values["issuers"] == certificates.default_issuers(training_class)
    assert "共计24学时" in first.values["statement"]
    # issuing again gives nobody a second certificate
    assert issue(db_session, training_class, actor=organizer) == []
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.issue"))
    assert entry.actor_id == organizer.id and "WFSG-2016-0001" in entry.summary

    before = pdf_text(certificates.certificate_pdf(first, images_dir=tmp_path), tmp_path)
    # later edits change nothing already issued: a reprint is identical
    training_class.title = "改过名字的培训班"
    certificates.update_settings(db_session, training_class=training_class, actor=organizer,
                                 now=NOW, values={"completion_design": "modern",
                                                  "issuers": "别的单位"})
    db_session.flush()
    after = pdf_text(certificates.certificate_pdf(first, images_dir=tmp_path), tmp_path)
    assert before == after
    assert first.values["name"] in after and "四社联动" in after and "改过名字" not in after


def test_outstanding_certificates_follow_the_confirmed_list(db_session):
    names = [f"学员{i:02d}" for i in range(10)]  # 10 trainees: the 10% cap allows one
    training_class, organizer, users = make_certificate_class(db_session, names=names)
    assert issue(db_session, training_class, kind="outstanding", actor=organizer) == []
    completion.confirm_outstanding(db_session, training_class=training_class,
                                   user_ids=[users[3].id], actor=organizer, now=NOW)
    (certificate,) = issue(db_session, training_class, kind="outstanding", actor=organizer)
    assert certificate.user_id == users[3].id and certificate.values["name"] == "学员03"
    assert "优秀学员" in certificate.values["statement"]


def test_revoke_needs_a_reason_and_reissue_gets_a_new_serial(db_session):
    training_class, organizer, users = make_certificate_class(db_session, names=("张晓民",))
    (certificate,) = issue(db_session, training_class, actor=organizer)
    assert certificates.verification(certificate).valid
    with pytest.raises(DomainError):
        certificates.revoke(db_session, certificate=certificate, reason="  ", actor=organizer,
                            now=NOW)
    certificates.revoke(db_session, certificate=certificate, reason="姓名有误", actor=organizer,
                        now=NOW)
    shown = certificates.verification(certificate)
    assert not shown.valid and shown.masked_name == "张*民" and shown.revoked_at == NOW
    audit_entry = db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "certificate.revoke"))
    assert audit_entry.changes == {"reason": "姓名有误"} and audit_entry.target_id == certificate.id
    with pytest.raises(DomainError):  # twice
        certificates.revoke(db_session, certificate=certificate, reason="again", actor=organizer,
                            now=NOW)
    # a revoked holder is not silently given a new one by "issue"...
    assert issue(db_session, training_class, actor=organizer) == []
    # ...but an explicit re-issue is: new serial, new code, the old one stays revoked
    new = certificates.reissue(db_session, certificate=certificate, reason="更正姓名",
                               actor=organizer, now=NOW, verify_base_url=CERT_BASE_URL)
    assert new.serial == "WFSG-2016-0002" and new.code != certificate.code
    assert new.reissue_of_id == certificate.id and new.is_valid and not certificate.is_valid
    with pytest.raises(DomainError):  # the holder already has a valid one
        certificates.reissue(db_session, certificate=certificate, reason="x", actor=organizer,
                             now=NOW, verify_base_url=CERT_BASE_URL)
    # reissuing a valid certificate revokes it on the way
    newer = certificates.reissue(db_session, certificate=new, reason="重新打印", actor=organizer,
                                 now=NOW, verify_base_url=CERT_BASE_URL)
    assert new.state == "revoked" and new.revoke_reason == "重新打印"
    assert newer.serial == "WFSG-2016-0003"


def test_database_keeps_one_valid_certificate_per_kind(db_session):
    training_class, organizer, users = make_certificate_class(db_session, names=("甲乙",))
    (certificate,) = issue(db_session, training_class, actor=organizer)
    assert certificate.user_id == users[0].id
    db_session.commit()
    duplicate = Certificate(class_id=training_class.id, user_id=users[0].id, kind="completion",
                            serial="X-1", code="dup", values={}, design_id=certificate.design_id)
    db_session.add(duplicate)
    with pytest.raises(Exception) as error:
        db_session.flush()
    assert "unique" in str(error.value).lower()
    db_session.rollback()


def test_serials_are_unique_under_concurrency(app, db_session):
    """Twelve organizers issue at once in three classes that share one serial series."""
    classes, people = [], []
    for c in range(3):
        training_class, organizer, users = make_certificate_class(
            db_session, names=[f"并发{c}-{i}" for i in range(4)])
        classes.append(training_class)
        people.extend((training_class.id, organizer.id, u.id) for u in users)
    db_session.commit()
    engine = db_session.get_bind()
    barrier = threading.Barrier(len(people), timeout=60)
    serials, errors = [], []
    lock = threading.Lock()

    def work(class_id, organizer_id, user_id):
        try:
            with Session(bind=engine, expire_on_commit=False) as session:
                training_class = session.get(TrainingClass, class_id)
                actor = session.get(User, organizer_id)
                person = certificates.Recipient(user=session.get(User, user_id), name="并发",
                                                unit="")
                session.commit()
                barrier.wait()
                (certificate,) = certificates.issue_to(
                    session, training_class=training_class, kind="completion", people=[person],
                    actor=actor, now=NOW, verify_base_url=CERT_BASE_URL)
                session.commit()
                with lock:
                    serials.append(certificate.serial)
        except BaseException as error:  # reported below
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=work, args=p) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert sorted(serials) == [f"WFSG-2016-{n:04d}" for n in range(1, 13)]
    db_session.expire_all()
    assert db_session.scalar(select(func.count(func.distinct(Certificate.serial)))) == 12
    counter = db_session.scalar(select(CertificateSerialCounter))
    assert counter.series == "WFSG-2016-{seq}" and counter.last_value == 12


def test_a_serial_printed_by_another_series_is_skipped(db_session):
    a, organizer, _ = make_certificate_class(db_session, names=[f"A{i}" for i in range(11)],
                                             pattern="Q{seq}")
    issue(db_session, a, actor=organizer)  # Q1 .. Q11
    b, organizer_b, _ = make_certificate_class(db_session, names=["B0"], pattern="Q1{seq}")
    (certificate,) = issue(db_session, b, actor=organizer_b)
    assert certificate.serial == "Q12"  # Q1 + 1 = "Q11" is taken by the other series


# --- images ------------------------------------------------------------------------------------

def test_seal_must_be_a_transparent_png(db_session, tmp_path):
    from PIL import Image

    training_class, organizer, _ = make_certificate_class(db_session, names=())
    opaque = io.BytesIO()
    Image.new("RGB", (50, 50), (255, 255, 255)).save(opaque, "PNG")
    for data in (b"%PDF-1.4 not an image", opaque.getvalue()):
        with pytest.raises(DomainError):
            certificates.add_image(db_session, training_class=training_class, kind="seal",
                                   label="公章", data=data, x_mm=200, y_mm=140, width_mm=40,
                                   images_dir=tmp_path, actor=organizer, now=NOW)
    image = certificates.add_image(
        db_session, training_class=training_class, kind="seal", label="公章",
        data=make_transparent_png(), x_mm=200, y_mm=140, width_mm=40, images_dir=tmp_path,
        actor=organizer, now=NOW)
    assert (tmp_path / image.stored_name).read_bytes() == make_transparent_png()


def test_placed_seal_is_printed_with_its_transparency(db_session, tmp_path):
    training_class, organizer, _ = make_certificate_class(db_session, names=("张晓民",))
    certificates.add_image(db_session, training_class=training_class, kind="seal", label="公章",
                           data=make_transparent_png(), x_mm=205, y_mm=130, width_mm=40,
                           images_dir=tmp_path, actor=organizer, now=NOW)
    (certificate,) = issue(db_session, training_class, actor=organizer)
    assert certificate.values["images"][0]["x"] == 205.0
    reader = PdfReader(io.BytesIO(certificates.certificate_pdf(certificate,
                                                               images_dir=tmp_path)))
    images = [x.get_object() for x in reader.pages[0]["/Resources"]["/XObject"].values()]
    seal = [i for i in images if i["/Width"] == 120]
    assert seal and "/SMask" in seal[0]  # the alpha channel became a soft mask


# --- pre-printed stock and calibration ----------------------------------------------------------

def _word_x(data: bytes, tmp_path, word: str) -> float:
    import re

    path = tmp_path / "stock.pdf"
    path.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    match = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="[\d.]+">'
                      + re.escape(word) + "<", html)
    assert match, html[:2000]
    return float(match.group(1))


def test_stock_mode_prints_fields_at_their_millimetres_plus_the_offset(db_session, tmp_path):
    training_class, organizer, _ = make_certificate_class(db_session, names=("张晓民",))
    certificates.update_settings(
        db_session, training_class=training_class, actor=organizer, now=NOW,
        values={"stock_layout": {"name": {"x": 100, "y": 80, "size": 20, "show": True}}})
    values = certificates.preview_values(
        db_session, training_class=training_class, kind="completion",
        person=certificates.recipients(db_session, training_class, "completion")[0],
        verify_base_url=CERT_BASE_URL)
    settings = certificates.settings_for(db_session, training_class)
    plain = render.render_html(certificates.stock_html(settings, [values]), images_dir=None)
    text = pdf_text(plain, tmp_path)
    assert "张晓民" in text and "结业证书" not in text  # only the variable fields
    x0 = _word_x(plain, tmp_path, "张晓民")
    assert abs(x0 - 100 * 72 / 25.4) < 1.5  # 100 mm from the left edge
    certificates.update_settings(db_session, training_class=training_class, actor=organizer,
                                 now=NOW, values={"stock_offset_x_mm": "-3.5"})
    shifted = render.render_html(certificates.stock_html(settings, [values]), images_dir=None)
    assert abs(_word_x(shifted, tmp_path, "张晓民") - (x0 - 3.5 * 72 / 25.4)) < 0.5
    calibration = certificates.calibration_pdf(db_session, training_class=training_class)
    text = pdf_text(calibration, tmp_path)
    assert "校准页" in text and "-3.5" in text and "姓名" in text
