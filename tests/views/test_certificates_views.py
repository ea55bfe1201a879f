"""Certificates over HTTP: batch PDFs (thread and RQ worker), verification, trainees' downloads."""
import io
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from training_app.models import Certificate, Role
from tests.factories import make_certificate_class, make_transparent_png

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_url(tmp_path):
    """The machine's Redis (127.0.0.1:6379) or, when none answers there, a private
    ``redis-server`` on a free port for this test."""
    import socket

    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        yield REDIS_URL
        return
    except RedisDown:
        pass
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                Redis.from_url(url).ping()
                break
            except RedisDown:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for_batch(client, batch_id: int, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(f"/certificates/batches/{batch_id}/status").get_json()
        if data["finished"]:
            return data
        time.sleep(0.3)
    raise AssertionError(f"batch {batch_id} did not finish: {data}")


def download(client, url: str) -> bytes:
    response = client.get(url)
    try:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        return response.data
    finally:
        response.close()  # a file sent from disk: close it


def latest_batch_id(html: str) -> int:
    return int(re.search(r'id="batch-(\d+)"', html).group(1))


def check_batch_pdf(data: bytes, tmp_path: Path, expected: list[Certificate]) -> None:
    """One page per certificate, in order: its holder's name and serial on it, the CJK font
    embedded, a link annotation to its verification URL, and a QR code that decodes to it."""
    path = tmp_path / "batch.pdf"
    path.write_bytes(data)
    reader = PdfReader(path)
    assert len(reader.pages) == len(expected)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    for page, annotated, certificate in zip(pages, reader.pages, expected):
        assert certificate.values["name"] in page and certificate.serial in page
        uris = [a.get_object()["/A"]["/URI"] for a in annotated["/Annots"]]
        assert uris and set(uris) == {certificate.values["verify_url"]}
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    serif = [line for line in fonts.splitlines() if "Noto-Serif-CJK-SC" in line]
    assert serif and all(" yes " in line for line in serif)  # embedded (and subset)
    import zxingcpp
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    decoded = [b.text for b in zxingcpp.read_barcodes(Image.open(png))]
    assert decoded == [expected[0].values["verify_url"]]


def class_certificates(db_session, training_class):
    db_session.expire_all()
    return {c.user_id: c for c in db_session.scalars(
        select(Certificate).where(Certificate.class_id == training_class.id))}


def test_batch_pdf_in_a_background_thread(client, login, db_session, tmp_path, app):
    app.config["CERTIFICATE_CHUNK_SIZE"] = 2  # 5 certificates: 3 renders joined by pypdf
    training_class, _, users = make_certificate_class(
        db_session, names=("张晓民", "李红", "欧阳晓明", "王芳", "赵堃"))
    login(Role.ORGANIZER)
    response = client.post(f"/classes/{training_class.id}/certificates/batches",
                           data={"kind": "completion", "order": "roster", "mode": "design"})
    assert response.status_code == 302
    page = client.get(f"/classes/{training_class.id}/certificates").get_data(as_text=True)
    batch_id = latest_batch_id(page)
    assert "<progress" in page and "js/certificates.js" in page and "<script>" not in page
    status = wait_for_batch(client, batch_id)
    assert status["status"] == "done", status
    assert status["percent"] == 100 and status["pages"] == 5 and status["done"] == 5
    pdf = download(client, status["download_url"])
    issued = class_certificates(db_session, training_class)
    check_batch_pdf(pdf, tmp_path, [issued[u.id] for u in users])  # roster order
    assert sorted(c.serial for c in issued.values()) == [f"WFSG-2016-{n:04d}" for n in
                                                         range(1, 6)]


def test_batch_through_redis_queue_and_a_real_rq_worker(app, client, login, db_session,
                                                        tmp_path, redis_url):
    from redis import Redis
    from rq import Queue

    queue_name = f"test-certificates-{uuid.uuid4().hex}"
    app.config.update(RQ_REDIS_URL=redis_url, RQ_QUEUE=queue_name)
    training_class, _, users = make_certificate_class(db_session,
                                                      names=("张晓民", "李红", "欧阳晓明"))
    login(Role.ORGANIZER)
    client.post(f"/classes/{training_class.id}/certificates/batches",
                data={"kind": "completion", "order": "roster", "mode": "design"})
    batch_id = latest_batch_id(client.get(
        f"/classes/{training_class.id}/certificates").get_data(as_text=True))
    queue = Queue(queue_name, connection=Redis.from_url(redis_url))
    try:
        assert queue.count == 1  # enqueued, not run by the web process
        time.sleep(0.5)
        assert client.get(f"/certificates/batches/{batch_id}/status").get_json()["status"] \
            == "queued"
        env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                   SECRET_KEY="a-worker-secret-key-for-tests-only",
                   TRAINING_APP_RQ_REDIS_URL=redis_url, TRAINING_APP_CERTIFICATE_CHUNK_SIZE="2")
        rq = Path(sys.executable).with_name("rq")
        worker = subprocess.run([str(rq), "worker", "--burst", "--url", redis_url, queue_name],
                                env=env, capture_output=True, text=True, timeout=300)
        assert worker.returncode == 0, worker.stderr[-3000:]
        status = client.get(f"/certificates/batches/{batch_id}/status").get_json()
        assert status["status"] == "done", (status, worker.stderr[-3000:])
        assert status["pages"] == 3
        issued = class_certificates(db_session, training_class)
        check_batch_pdf(download(client, status["download_url"]), tmp_path,
                        [issued[u.id] for u in users])
    finally:
        queue.delete(delete_jobs=True)


def test_group_order_and_outstanding_and_stock_batches(client, login, db_session, tmp_path):
    from training_app.services import completion, groups
    from tests.factories import NOW

    names = [f"学员{i:02d}" for i in range(12)]
    training_class, organizer, users = make_certificate_class(db_session, names=names)
    groups.auto_group(db_session, training_class=training_class, seed=3, actor=organizer,
                      now=NOW)
    completion.confirm_outstanding(db_session, training_class=training_class,
                                   user_ids=[users[5].id], actor=organizer, now=NOW)
    login(Role.ORGANIZER)
    client.post(f"/classes/{training_class.id}/certificates/batches",
                data={"kind": "completion", "order": "group", "mode": "design"})
    page = client.get(f"/classes/{training_class.id}/certificates").get_data(as_text=True)
    status = wait_for_batch(client, latest_batch_id(page))
    assert status["status"] == "done" and status["pages"] == 12
    text = subprocess.run(["pdftotext", "-", "-"], input=download(client, status["download_url"]),
                          capture_output=True, check=True).stdout.decode()
    printed = [next(n for n in names if n in page) for page in text.split("\f") if page.strip()]
    expected = [db_session.get(type(users[0]), m.user_id).display_name
                for g in groups.list_groups(db_session, training_class) for m in g.members]
    assert printed == expected
    for kind, mode, pages in (("outstanding", "design", 1), ("completion", "stock", 12)):
        client.post(f"/classes/{training_class.id}/certificates/batches",
                    data={"kind": kind, "order": "roster", "mode": mode})
        page = client.get(f"/classes/{training_class.id}/certificates").get_data(as_text=True)
        status = wait_for_batch(client, latest_batch_id(page))
        assert status["status"] == "done" and status["pages"] == pages, status
    reader = PdfReader(io.BytesIO(download(client, status["download_url"])))
    assert "结业证书" not in reader.pages[0].extract_text()  # stock: variable fields only


def test_verification_page_shows_valid_then_revoked(client, login, db_session):
    from training_app.services import certificates
    from tests.factories import CERT_BASE_URL, NOW

    training_class, organizer, users = make_certificate_class(db_session, names=("张晓民",))
    (certificate,) = certificates.issue(db_session, training_class=training_class,
                                        kind="completion", actor=organizer, now=NOW,
                                        verify_base_url=CERT_BASE_URL)
    db_session.commit()
    html = client.get(f"/verify/{certificate.code}").get_data(as_text=True)  # anonymous
    assert 'data-state="valid"' in html and "张*民" in html and "张晓民" not in html
    assert "WFSG-2016-0001" in html and training_class.title in html and "24" in html
    assert client.get("/verify/no-such-code").status_code == 404
    assert client.get(f"/verify?code={certificate.code}").location.endswith(
        f"/verify/{certificate.code}")

    login(Role.ORGANIZER)
    client.post(f"/certificates/{certificate.id}/revoke", data={"reason": ""})
    assert 'data-state="valid"' in client.get(f"/verify/{certificate.code}").get_data(
        as_text=True)
    client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "证书信息有误"})
    html = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert 'data-state="revoked"' in html and "证书信息有误" not in html  # reason not public
    client.post(f"/certificates/{certificate.id}/reissue", data={"reason": "更正后重新颁发"})
    issued = class_certificates(db_session, training_class)
    (new,) = [c for c in issued.values() if c.id != certificate.id]
    assert new.serial == "WFSG-2016-0002" and new.is_valid
    assert 'data-state="valid"' in client.get(f"/verify/{new.code}").get_data(as_text=True)


def test_trainee_downloads_only_their_own_certificate(client, login, db_session, tmp_path):
    from training_app.services import certificates
    from tests.factories import CERT_BASE_URL, NOW, PASSWORD

    training_class, organizer, users = make_certificate_class(db_session,
                                                              names=("张晓民", "李红"))
    issued = certificates.issue(db_session, training_class=training_class, kind="completion",
                                actor=organizer, now=NOW, verify_base_url=CERT_BASE_URL)
    db_session.commit()
    mine = next(c for c in issued if c.user_id == users[0].id)
    other = next(c for c in issued if c.user_id == users[1].id)
    client.post("/login", data={"identifier": users[0].username, "password": PASSWORD})
    html = client.get("/my/certificates").get_data(as_text=True)
    assert mine.serial in html and other.serial not in html
    response = client.get(f"/my/certificates/{mine.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    assert "张晓民" in text and mine.serial in text
    assert client.get(f"/my/certificates/{other.id}.pdf").status_code == 404
    assert client.get(f"/certificates/{mine.id}.pdf").status_code == 403  # staff reprint


def test_settings_upload_seal_and_preview(client, login, db_session, tmp_path):
    training_class, _, users = make_certificate_class(db_session, names=("张晓民",))
    login(Role.ORGANIZER)
    base = f"/classes/{training_class.id}/certificates"
    assert client.get(f"{base}/settings").status_code == 200
    response = client.post(f"{base}/settings", data={
        "serial_pattern": "BAD", "completion_design": "classic",
        "outstanding_design": "modern"}, follow_redirects=True)
    assert "{seq}" in response.get_data(as_text=True)  # the pattern's error is shown
    client.post(f"{base}/settings", data={
        "serial_pattern": "WFSG-{year}-{seq:05d}", "completion_design": "modern",
        "outstanding_design": "classic", "issuers": "潍坊市社会工作协会"})
    response = client.post(f"{base}/images", data={
        "kind": "seal", "label": "协会公章", "x_mm": "210", "y_mm": "140", "width_mm": "40",
        "on_completion": "y", "file": (io.BytesIO(make_transparent_png()), "seal.png")},
        content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "协会公章" in html and "certificate-image-thumb" in html
    preview = client.get(f"{base}/preview.pdf?kind=completion&user_id={users[0].id}")
    assert preview.status_code == 200
    text = subprocess.run(["pdftotext", "-", "-"], input=preview.data, capture_output=True,
                          check=True).stdout.decode()
    assert "张晓民" in text and "WFSG-2016-00000" in text
    assert "样" in text  # the rotated 样张 mark (no design prints 样 otherwise)
    assert "CERTIFICATE OF COMPLETION" in text.upper()  # the modern design
    reader = PdfReader(io.BytesIO(preview.data))
    assert any(x.get_object().get("/SMask") for x in
               reader.pages[0]["/Resources"]["/XObject"].values())  # the transparent seal
    calibration = client.get(f"{base}/calibration.pdf")
    assert calibration.status_code == 200 and calibration.data.startswith(b"%PDF")


@pytest.mark.parametrize("rare", ["䶮", "堃", "喆"])
def test_rare_characters_in_names_print(db_session, tmp_path, rare):
    from training_app.services import certificates
    from tests.factories import CERT_BASE_URL, NOW

    training_class, organizer, _ = make_certificate_class(db_session, names=(f"刘{rare}",))
    (certificate,) = certificates.issue(db_session, training_class=training_class,
                                        kind="completion", actor=organizer, now=NOW,
                                        verify_base_url=CERT_BASE_URL)
    data = certificates.certificate_pdf(certificate, images_dir=tmp_path)
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    assert f"刘{rare}" in text


def test_pages_have_no_inline_script_or_style(client, login, db_session):
    from training_app.services import certificates
    from tests.factories import CERT_BASE_URL, NOW

    training_class, organizer, users = make_certificate_class(db_session, names=("张晓民",))
    (certificate,) = certificates.issue(db_session, training_class=training_class,
                                        kind="completion", actor=organizer, now=NOW,
                                        verify_base_url=CERT_BASE_URL)
    db_session.commit()
    pages = [f"/verify/{certificate.code}", "/verify"]
    for url in pages:  # anonymous
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, url
    login(Role.ORGANIZER)
    for url in [f"/classes/{training_class.id}/certificates",
                f"/classes/{training_class.id}/certificates/settings"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url  # no onclick= and the like
