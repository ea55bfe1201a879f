"""Browser tests: the app served on a real port, driven in Debian's headless Chromium.

Nothing downloads a browser: Playwright launches /usr/bin/chromium (or $CHROMIUM_PATH).
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 375, "height": 740}


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    app.config["SERVER_NAME"] = None  # answer on whatever host:port the browser uses
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def servers(app_config, tmp_path):
    """Start real gunicorn instances of the app on the test's database; stopped at teardown."""
    from tests.e2e.servers import Gunicorn

    started: list[Gunicorn] = []

    def start(**kwargs) -> Gunicorn:
        server = Gunicorn(app_config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", **kwargs)
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A fresh phone-sized browser context (its own cookies and localStorage)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(15000)
    yield context
    context.close()


def log_in(page, base_url: str, identifier: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#identifier", identifier)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_load_state()
