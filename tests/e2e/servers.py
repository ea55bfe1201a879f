"""Real gunicorn servers for fault tests: started, killed and restarted like in production."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def http_log_in(base: str, identifier: str, password: str) -> tuple[requests.Session, str]:
    """Log in over plain HTTP as a browser would; returns the session and its CSRF token."""
    http = requests.Session()
    token = CSRF_FIELD.search(http.get(f"{base}/login").text).group(1)
    reply = http.post(f"{base}/login", allow_redirects=False,
                      data={"identifier": identifier, "password": password, "csrf_token": token})
    assert reply.status_code == 302, reply.text[:500]
    return http, token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browserless:
    """A trainee's HTTP client, retrying like the exam page does when a request fails."""

    def __init__(self, base: str, mobile: str):
        self.base = base
        self.http, self.csrf = http_log_in(base, mobile, PASSWORD)

    def open(self, exam_id: int) -> tuple[int, list[tuple[int, str]]]:
        page = self.http.get(f"{self.base}/exams/{exam_id}/take").text
        if "exam-form" not in page:
            page = self.http.post(f"{self.base}/exams/{exam_id}/start",
                                  data={"csrf_token": self.csrf}).text
        attempt_id = int(re.search(r'data-attempt-id="(\d+)"', page).group(1))
        self.csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
        questions = [(int(q), t) for q, t in re.findall(r'id="q-(\d+)" data-qid="\d+" data-type="(\w+)"', page)]
        return attempt_id, questions

    def save(self, attempt_id: int, qid: int, response: dict, seq: int, *, retries: int = 20):
        for _ in range(retries):
            try:
                reply = self.http.post(f"{self.base}/attempts/{attempt_id}/answers", timeout=10,
                                       json={"question_id": qid, "response": response, "seq": seq},
                                       headers={"X-CSRFToken": self.csrf})
                if reply.status_code == 200:
                    return reply.json()
                if reply.status_code < 500:
                    return reply.json()
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError("save never acknowledged")


class Gunicorn:
    """``gunicorn 'training_app:create_app()'`` on a port, against a given database."""

    def __init__(self, database_url: str, instance_path: Path, *, port: int | None = None,
                 workers: int = 2, threads: int = 2, secret_key: str = "fault-test-secret-key-0123456789"):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret_key,
                        TRAINING_APP_INSTANCE_PATH=str(instance_path),
                        TRAINING_APP_SESSION_COOKIE_SECURE="false")
        self.threads = threads
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--threads",
             str(self.threads), "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
             # as the benchmark: gunicorn's 2-s default closes idle connections a test's client
             # may be about to reuse, and the request it sends then is reset
             "--keep-alive", "30",
             "--graceful-timeout", "5", "training_app:create_app()"],
            cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                             capture_output=True, text=True, check=False).stdout
        return [int(p) for p in out.split()]

    def kill_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
