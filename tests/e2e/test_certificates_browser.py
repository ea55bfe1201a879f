"""The certificates page in a phone browser: a batch's progress bar is driven by static JS
polling the JSON status, and the download link appears when the PDF is ready."""
import pytest

from training_app.models import Role
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, make_certificate_class, make_user

pytestmark = pytest.mark.e2e


def test_batch_progress_and_download_on_a_phone(live_server, phone, db_session, tmp_path,
                                               monkeypatch):
    import threading

    from training_app.services import certificate_batches

    release = threading.Event()
    render_part = certificate_batches.render_part

    def held_render_part(*args, **kwargs):  # the job waits until the page has loaded
        assert release.wait(60)
        return render_part(*args, **kwargs)

    monkeypatch.setattr(certificate_batches, "render_part", held_render_part)
    training_class, _, _ = make_certificate_class(db_session, names=("张晓民", "李红", "王芳"))
    organizer = make_user(db_session, roles=[Role.ORGANIZER], display_name="承办方")
    db_session.commit()
    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, organizer.username, PASSWORD)
    page.goto(f"{live_server.url}/classes/{training_class.id}/certificates")
    page.select_option("#kind", "completion")
    page.click("#submit")
    item = page.locator("#batches li").first
    download = item.locator("[data-role='download']")
    assert download.is_hidden() and item.get_attribute("data-finished") == "false"
    release.set()
    download.wait_for(state="visible", timeout=60000)  # revealed by the polling script
    assert item.locator("progress").get_attribute("value") == "100"
    assert "3/3" in item.locator("[data-role='count']").inner_text()
    page.wait_for_selector("#certificates tr[data-serial='WFSG-2016-0003']")  # page reloaded
    with page.expect_download() as info:
        download.click()
    path = tmp_path / "batch.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1  # fits the phone
    assert not errors, errors  # no CSP violation, no script error
