"""Exam load benchmark: N trainees start, answer and submit a 43-question exam at once.

Run by hand (never in the test suite):

    python -m benchmarks.exam_load --trainees 3000 --db postgresql
    python -m benchmarks.exam_load --trainees 500 --db sqlite --duration 90

It seeds a fresh database, starts the app under gunicorn (``--workers`` processes x ``--threads``
threads, gthread worker class), and drives it over loopback from this process with asyncio +
aiohttp in two phases:

1. capacity: closed loops of ``--connections`` clients for ``--seconds`` each against
   ``/bench/hello`` (a constant), ``/bench/upsert`` (one answer upsert and nothing else) and the
   app's real save endpoint used by logged-in trainees with their CSRF tokens;
2. scenario: N trainees log in and open the exam within ``--ramp`` seconds, answer every question
   over the run (some answers changed), and submit within the last 30 seconds of ``--duration``.

It then compares every trainee's stored answers with what the simulator last saved. The last
line is ``RESULT ...`` with the figures; ratios are against baselines measured in the same run.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DEMO_QUESTIONS = ROOT.parent / "shared" / "demo" / "questions.json"
PASSWORD = "bench-pass-2016"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# --- database and seed -------------------------------------------------------------------------

def prepare_database(kind: str, base_url: str | None) -> tuple[str, callable]:
    """A fresh empty database; returns its URL and a function that drops it."""
    if kind == "sqlite":
        directory = tempfile.mkdtemp(prefix="exam-load-")
        return f"sqlite:///{directory}/bench.sqlite3", lambda: None
    base = make_url(base_url or os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG)
    name = f"training_app_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@dataclass
class Seeded:
    exam_id: int
    mobiles: list[str]


def seed(database_url: str, trainees: int) -> Seeded:
    """A class with an approved manual, a published open 43-question exam and N trainees."""
    os.environ["TRAINING_APP_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="exam-load-instance-")
    from question_bank import load_demo_json
    from training_app import create_app
    from training_app.extensions import db
    from training_app.models import Base, Enrollment, TraineeProfile, UnitKind, User, UserRole, utcnow
    from training_app.models.manual import Manual, ManualVersion
    from training_app.services import accounts, classes, exams, id_numbers, units

    app = create_app({"TESTING": True, "SECRET_KEY": "seed", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        session = db.session
        now = utcnow()
        sponsor = units.create_unit(session, name="潍坊市民政局", kind=UnitKind.CIVIL_AFFAIRS.value,
                                    actor=None, now=now)
        organizer = units.create_unit(session, name="潍坊市社会工作协会",
                                      kind=UnitKind.ASSOCIATION.value, actor=None, now=now)
        sub_venues = [units.create_unit(session, name=f"分会场单位{i:02d}", kind="civil_affairs",
                                        actor=None, now=now) for i in range(16)]
        training_class = classes.create_class(
            session, title="社会工作者职业水平考前培训班（远程）", sponsor=sponsor,
            organizer=organizer, start_date=date.today(), end_date=date.today() + timedelta(days=3),
            capacity=max(trainees, 1), credit_hours=32, actor=None, now=now)
        manual = Manual(class_id=training_class.id, created_at=now)
        session.add_all([manual, ManualVersion(manual=manual, number=1, status="approved",
                                               pdf_name="bench.pdf", reviewed_at=now)])
        bank = exams.create_bank(session, name="考前培训题库", training_class=training_class,
                                 actor=None, now=now)
        exams.import_questions(session, bank=bank, questions=load_demo_json(DEMO_QUESTIONS),
                               actor=None, now=now)
        exam = exams.create_exam(session, training_class=training_class, bank=bank, title="开卷考试",
                                 window_start=now - timedelta(minutes=5),
                                 window_end=now + timedelta(hours=6), duration_minutes=60,
                                 seed=2016, actor=None, now=now)
        session.flush()
        exams.publish_exam(session, exam=exam, actor=None, now=now)
        exams.set_open(session, exam=exam, is_open=True, actor=None, now=now)
        password_hash = accounts.hash_password(PASSWORD)  # one hash shared: seeding speed only
        mobiles = []
        for i in range(trainees):
            mobile = f"15{i:09d}"
            unit = sub_venues[i % len(sub_venues)]
            user = User(username=mobile, mobile=mobile, display_name=f"学员{i}",
                        password_hash=password_hash, created_at=now,
                        role_links=[UserRole(role="trainee")])
            profile = TraineeProfile(
                user=user, name=user.display_name, gender="female" if i % 2 else "male",
                id_number=id_numbers.make("370702", date(1970, 1, 1) + timedelta(days=i // 500),
                                          i % 500 * 2 + 1),
                mobile=mobile, unit_id=unit.id, qualification=2, years_experience=3)
            session.add_all([user, profile])
            if i % 500 == 499:
                session.flush()
            mobiles.append(mobile)
        session.flush()
        profiles = session.execute(select(TraineeProfile.id, TraineeProfile.unit_id)).all()
        session.add_all(Enrollment(class_id=training_class.id, trainee_id=pid, unit_id=uid,
                                   status="approved", created_at=now) for pid, uid in profiles)
        session.commit()
        exam_id = exam.id
        db.engine.dispose()
    return Seeded(exam_id=exam_id, mobiles=mobiles)


# --- the server --------------------------------------------------------------------------------

def start_server(database_url: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secrets.token_hex(32),
               TRAINING_APP_SESSION_COOKIE_SECURE="false",
               TRAINING_APP_LOGIN_MAX_FAILURES_PER_IP="1000000",
               TRAINING_APP_SQLALCHEMY_ENGINE_OPTIONS='{"pool_size": 8, "max_overflow": 4, "pool_pre_ping": false}')
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
               str(threads), "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}",
               "--backlog", "4096", "--keep-alive", "30", "--log-level", "warning",
               "benchmarks.bench_wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    import urllib.request

    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- a simulated trainee -----------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM = re.compile(r'data-attempt-id="(\d+)"')
QUESTION = re.compile(r'id="q-(\d+)" data-qid="\d+" data-type="(\w+)"')
OPTIONS = re.compile(r'name="q-(\d+)" id="q-\d+-\d+" value="(\d+)"')


class Trainee:
    def __init__(self, base: str, mobile: str, connector: aiohttp.BaseConnector):
        self.base = base
        self.mobile = mobile
        self.session = aiohttp.ClientSession(
            connector=connector, connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies for an IP-address host
            timeout=aiohttp.ClientTimeout(total=300))
        self.csrf = ""
        self.attempt_id = 0
        self.questions: list[tuple[int, str, list[int]]] = []
        self.seq: dict[int, int] = {}
        self.last: dict[int, dict] = {}

    async def close(self):
        await self.session.close()

    async def login_and_open(self, exam_id: int) -> None:
        async with self.session.get(f"{self.base}/login") as response:
            token = CSRF.search(await response.text()).group(1)
        async with self.session.post(f"{self.base}/login", allow_redirects=False, data={
                "identifier": self.mobile, "password": PASSWORD, "csrf_token": token}) as response:
            if response.status != 302:
                raise RuntimeError(f"login {response.status}")
        async with self.session.get(f"{self.base}/exams/{exam_id}/take") as response:
            page = await response.text()
        if "exam-form" not in page:
            token = CSRF.search(page).group(1)
            async with self.session.post(f"{self.base}/exams/{exam_id}/start",
                                         data={"csrf_token": token}) as response:
                page = await response.text()
        self.attempt_id = int(FORM.search(page).group(1))
        self.csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
        options: dict[int, list[int]] = {}
        for qid, value in OPTIONS.findall(page):
            options.setdefault(int(qid), []).append(int(value))
        self.questions = [(int(qid), kind, sorted(options.get(int(qid), [])))
                          for qid, kind in QUESTION.findall(page)]
        if len(self.questions) != 43:
            raise RuntimeError(f"expected 43 questions, found {len(self.questions)}")

    def random_response(self, kind: str, options: list[int]) -> dict:
        if kind == "short":
            return {"text": f"标准化管理要求事事有人干、事事有人管、事事有记录。{random.randint(1, 10**6)}"}
        if kind == "single":
            return {"choices": [random.choice(options)]}
        return {"choices": sorted(random.sample(options, random.randint(1, len(options))))}

    async def save(self, qid: int, response: dict) -> int:
        self.seq[qid] = self.seq.get(qid, 0) + 1
        body = {"question_id": qid, "response": response, "seq": self.seq[qid]}
        async with self.session.post(f"{self.base}/attempts/{self.attempt_id}/answers", json=body,
                                     headers={"X-CSRFToken": self.csrf}) as reply:
            await reply.read()
            if reply.status == 200:
                self.last[qid] = response
            return reply.status

    async def submit(self) -> int:
        async with self.session.post(f"{self.base}/attempts/{self.attempt_id}/submit",
                                     data={"csrf_token": self.csrf},
                                     headers={"Accept": "application/json"}) as reply:
            await reply.read()
            return reply.status


# --- phase 1: capacity -------------------------------------------------------------------------

@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def summary(self) -> str:
        return f"n={len(self.latencies)} p50={self.percentile(0.5):.1f}ms p99={self.percentile(0.99):.1f}ms errors={self.errors}"


async def closed_loop(worker, connections: int, seconds: float) -> tuple[float, Stats]:
    stats = Stats()
    stop_at = time.perf_counter() + seconds

    async def loop(index: int):
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                ok = await worker(index)
            except Exception:
                ok = False
            stats.latencies.append(time.perf_counter() - started)
            if not ok:
                stats.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(i) for i in range(connections)))
    return len(stats.latencies) / (time.perf_counter() - started), stats


async def capacity(base: str, exam_id: int, mobiles: list[str], connections: int,
                   seconds: float) -> dict[str, tuple[float, Stats]]:
    connector = aiohttp.TCPConnector(limit=connections)
    http = aiohttp.ClientSession(connector=connector, connector_owner=False)
    trainees = [Trainee(base, m, connector) for m in mobiles[:connections]]
    await asyncio.gather(*(t.login_and_open(exam_id) for t in trainees))
    results = {}

    async def hello(i):
        async with http.get(f"{base}/bench/hello") as r:
            await r.read()
            return r.status == 200

    seqs = [0] * connections

    async def upsert(i):
        trainee = trainees[i]
        seqs[i] += 1
        qid, kind, options = trainee.questions[seqs[i] % 43]
        body = {"attempt_id": trainee.attempt_id, "question_id": qid, "seq": 10**6 + seqs[i],
                "response": trainee.random_response(kind, options)}
        async with http.post(f"{base}/bench/upsert", json=body) as r:
            await r.read()
            return r.status == 200

    async def save(i):
        trainee = trainees[i]
        qid, kind, options = trainee.questions[random.randrange(43)]
        trainee.seq[qid] = max(trainee.seq.get(qid, 0), 2 * 10**6)
        return await trainee.save(qid, trainee.random_response(kind, options)) == 200

    for name, worker in (("hello", hello), ("upsert", upsert), ("save", save)):
        await closed_loop(worker, connections, 1.0)  # warm-up
        results[name] = await closed_loop(worker, connections, seconds)
        rps, stats = results[name]
        print(f"capacity {name:7s} {rps:8.1f} req/s  {stats.summary()}", flush=True)
    await asyncio.gather(*(t.close() for t in trainees))
    await http.close()
    await connector.close()
    return results


# --- phase 2: the exam -------------------------------------------------------------------------

async def scenario(base: str, exam_id: int, mobiles: list[str], duration: float, ramp: float,
                   change_share: float) -> tuple[dict[str, Stats], list[Trainee]]:
    connector = aiohttp.TCPConnector(limit=512, keepalive_timeout=30)
    stats = {"start": Stats(), "save": Stats(), "submit": Stats()}
    trainees = [Trainee(base, m, connector) for m in mobiles]
    began = time.perf_counter()

    async def run(trainee: Trainee):
        await asyncio.sleep(random.uniform(0, ramp))
        t0 = time.perf_counter()
        try:
            await trainee.login_and_open(exam_id)
            stats["start"].latencies.append(time.perf_counter() - t0)
        except Exception as error:  # noqa: BLE001 - every failure counts as an error
            stats["start"].errors += 1
            print(f"start failed for {trainee.mobile}: {error!r}", file=sys.stderr)
            return
        opened = time.perf_counter() - began
        submit_at = duration - random.uniform(0, 30)
        events = []
        for qid, kind, options in trainee.questions:
            events.append((random.uniform(opened, submit_at - 2), qid, kind, options))
            if random.random() < change_share:  # change the answer later
                events.append((random.uniform(opened, submit_at - 2), qid, kind, options))
        events.sort()
        for at, qid, kind, options in events:
            await asyncio.sleep(max(0.0, at - (time.perf_counter() - began)))
            t1 = time.perf_counter()
            try:
                status = await trainee.save(qid, trainee.random_response(kind, options))
                ok = status == 200
            except Exception:
                ok = False
            stats["save"].latencies.append(time.perf_counter() - t1)
            if not ok:
                stats["save"].errors += 1
        await asyncio.sleep(max(0.0, submit_at - (time.perf_counter() - began)))
        t2 = time.perf_counter()
        try:
            ok = await trainee.submit() == 200
        except Exception:
            ok = False
        stats["submit"].latencies.append(time.perf_counter() - t2)
        if not ok:
            stats["submit"].errors += 1

    await asyncio.gather(*(run(t) for t in trainees))
    elapsed = time.perf_counter() - began
    await asyncio.gather(*(t.close() for t in trainees))
    await connector.close()
    print(f"scenario finished in {elapsed:.1f}s (planned {duration:.0f}s)", flush=True)
    return stats, trainees


def count_lost(database_url: str, trainees: list[Trainee]) -> tuple[int, int]:
    """Answers the simulator saved (HTTP 200) not stored as last saved; scenario attempts not submitted."""
    engine = create_engine(database_url)
    lost = 0
    with engine.connect() as conn:
        stored = {}
        for attempt_id, question_id, response in conn.execute(
                text("SELECT attempt_id, question_id, response FROM answer")):
            if isinstance(response, str):
                import json
                response = json.loads(response)
            stored[(attempt_id, question_id)] = response
        submitted = {row[0] for row in conn.execute(
            text("SELECT id FROM attempt WHERE submitted_at IS NOT NULL"))}
    engine.dispose()
    # Only the scenario's trainees: the capacity phase's never submit, by design.
    unsubmitted = sum(1 for t in trainees if t.attempt_id and t.attempt_id not in submitted)
    for trainee in trainees:
        for qid, response in trainee.last.items():
            if stored.get((trainee.attempt_id, qid)) != response:
                lost += 1
    return lost, unsubmitted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=3000)
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--database-url", help="PostgreSQL server to create the database on")
    parser.add_argument("--duration", type=float, default=180)
    parser.add_argument("--ramp", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--changes", type=float, default=0.2, help="share of answers changed later")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--skip-scenario", action="store_true")
    args = parser.parse_args(argv)
    random.seed(2016)

    database_url, drop = prepare_database(args.db, args.database_url)
    server = None
    try:
        t0 = time.perf_counter()
        seeded = seed(database_url, args.trainees + args.connections)
        print(f"seeded {len(seeded.mobiles)} trainees in {time.perf_counter() - t0:.1f}s", flush=True)
        server = start_server(database_url, args.port, args.workers, args.threads)
        base = f"http://127.0.0.1:{args.port}"
        print(f"gunicorn: {args.workers} workers x {args.threads} threads (gthread), db={args.db}", flush=True)
        cap = asyncio.run(capacity(base, seeded.exam_id, seeded.mobiles, args.connections, args.seconds))
        hello_rps, upsert_rps, save_rps = cap["hello"][0], cap["upsert"][0], cap["save"][0]
        cap_errors = sum(s.errors for _, s in cap.values())
        print(f"ratio_upsert = save_rps / upsert_rps = {save_rps / upsert_rps:.2f}; "
              f"save_rps / hello_rps = {save_rps / hello_rps:.2f}", flush=True)
        lost = errors = 0
        scenario_p99 = float("nan")
        if not args.skip_scenario:
            scen, trainees = asyncio.run(scenario(base, seeded.exam_id,
                                                  seeded.mobiles[args.connections:], args.duration,
                                                  args.ramp, args.changes))
            for name, stats in scen.items():
                print(f"scenario {name:7s} {stats.summary()}", flush=True)
            errors = sum(s.errors for s in scen.values())
            scenario_p99 = max(s.percentile(0.99) for s in scen.values())
            lost, unsubmitted = count_lost(database_url, trainees)
            print(f"lost answers: {lost}; attempts not submitted: {unsubmitted}", flush=True)
            errors += unsubmitted
        print(f"RESULT trainees={args.trainees} db={args.db} save_rps={save_rps:.1f} "
              f"save_p99_ms={cap['save'][1].percentile(0.99):.1f} upsert_rps={upsert_rps:.1f} "
              f"hello_rps={hello_rps:.1f} ratio_upsert={save_rps / upsert_rps:.2f} "
              f"scenario_p99_ms={scenario_p99:.1f} lost_answers={lost} "
              f"errors={errors + cap_errors}", flush=True)
    finally:
        if server is not None:
            stop_server(server)
        drop()


if __name__ == "__main__":
    main()
