"""Certificate rendering benchmark: the app's batch against raw WeasyPrint on the same pages.

Run by hand (never in the test suite):

    python -m benchmarks.certificates            # 80 and 1,000 certificates
    python -m benchmarks.certificates --sizes 80 # quick

For each size it seeds a class of that many completing trainees in a fresh SQLite database,
issues their completion certificates (default design: classic), then measures

- app: the batch job exactly as the queue runs it (``training_app.jobs.run_batch``: load the
  snapshots, sandboxed Jinja, chunks of ``CERTIFICATE_CHUNK_SIZE`` rendered and joined with pypdf,
  the PDF written to disk);
- raw: the same HTML (built before the clock starts) straight through WeasyPrint in one
  ``HTML(...).write_pdf()`` with the same FontConfiguration;
- single (80 only): each certificate as its own document, as a trainee's download does.

It prints seconds per certificate (this process's CPU seconds, robust on a shared machine; wall
seconds beside them; the best of two runs for 80), their ratio and the peak resident memory.
The last line is
``RESULT app_s_per_cert=… raw_s_per_cert=… ratio=… single_s_per_cert=… batch_gain=…
peak_rss_mb=…`` for the 80-certificate case (peak_rss_mb is the process's peak after that case).
Targets: ratio <= 1.25, batch_gain >= 5.
"""
from __future__ import annotations

import argparse
import resource
import secrets
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from weasyprint import HTML

from training_app import create_app
from training_app.extensions import db
from training_app.models import (
    Base,
    Certificate,
    CertificateBatch,
    Enrollment,
    Role,
    TraineeProfile,
    User,
    UserRole,
    utcnow,
)
from training_app.services import certificate_render as render
from training_app.services import certificates, classes, id_numbers, pdf, units
from training_app.jobs import certificate_images_dir, certificate_storage, run_batch

BASE_URL = "https://training.example.org"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑"
            "梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程")
GIVEN = "晓明红伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛超霞平刚桂兰建华志国文玉珍海燕春梅新"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_class(size: int, serial: int):
    """A 2016 class of ``size`` approved trainees (all complete: no exam, no attendance)."""
    session = db.session
    now = utcnow()
    sponsor = units.create_unit(session, name=f"潍坊市民政局{serial}", kind="civil_affairs",
                                contact_person="", phone="", actor=None, now=now)
    organizer = units.create_unit(session, name=f"潍坊市社会工作协会{serial}", kind="association",
                                  contact_person="", phone="", actor=None, now=now)
    unit = units.create_unit(session, name=f"奎文区社会工作服务中心{serial}",
                             kind="social_work_agency", contact_person="", phone="", actor=None,
                             now=now)
    training_class = classes.create_class(
        session, title="社会工作服务标准化与“四社联动”培训班", sponsor=sponsor,
        organizer=organizer, start_date=date(2016, 5, 17), end_date=date(2016, 5, 19),
        capacity=max(size, 1), actor=None, now=now)
    training_class.credit_hours = 24
    for i in range(size):
        n = serial * 100_000 + i
        name = (SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
                + GIVEN[(i * 13) % len(GIVEN)])
        mobile = f"13{n:09d}"
        user = User(username=mobile, display_name=name, mobile=mobile, password_hash="x",
                    role_links=[UserRole(role=Role.TRAINEE.value)])
        profile = TraineeProfile(
            user=user, name=name, gender="female", mobile=mobile, unit_id=unit.id,
            id_number=id_numbers.make("370702", date(1980, 1, 1) + timedelta(days=n // 1000),
                                      n % 1000),
            qualification=2, years_experience=3)
        session.add_all([user, profile])
        session.flush()
        session.add(Enrollment(class_id=training_class.id, trainee_id=profile.id,
                               unit_id=unit.id, status="approved"))
    certificates.update_settings(session, training_class=training_class,
                                 values={"serial_pattern": f"B{serial}-{{year}}-{{seq:05d}}"},
                                 actor=None, now=now)
    session.commit()
    return training_class


class Clock:
    """Wall time and this process's CPU time. The machine may be shared (tests running beside
    the benchmark): CPU time is what the comparison uses, wall time is printed with it."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def new_batch(class_id: int, size: int) -> int:
    batch = CertificateBatch(class_id=class_id, kind="completion", order="roster",
                             mode="design", status="queued", total=size,
                             job_id=f"certificate-batch-{secrets.token_hex(8)}",
                             verify_base_url=BASE_URL)
    db.session.add(batch)
    db.session.commit()
    return batch.id


def measure(app, size: int, serial: int, *, singles: bool, repeats: int) -> dict:
    with app.app_context():
        training_class = seed_class(size, serial)
        with Clock() as issuing:
            certificates.issue(db.session, training_class=training_class, kind="completion",
                               actor=None, now=utcnow(), verify_base_url=BASE_URL)
            db.session.commit()
        class_id = training_class.id
        ids = certificates.ordered_ids(db.session, training_class, "completion", "roster")
        items = [db.session.get(Certificate, i) for i in ids]
        design = render.Design(name=items[0].design.name, html=items[0].design.html,
                               css=items[0].design.css)
        raw_html = render.design_document([c.values for c in items], design)
        images = certificate_images_dir(app)
        batches = [new_batch(class_id, size) for _ in range(repeats)]
        db.session.remove()

    app_runs, raw_runs = [], []
    rss_after_app = None
    for batch_id in batches:  # app and raw interleaved, the best of each kept
        with Clock() as clock:
            run_batch(app, batch_id)  # the job, as a worker runs it
        app_runs.append(clock)
        rss_after_app = rss_after_app or peak_rss_mb()  # before any raw render of this size
        with app.app_context():
            batch = db.session.get(CertificateBatch, batch_id)
            assert batch.status == "done" and batch.pages == size, (batch.status, batch.error)
            output = certificate_storage(app) / "batches" / batch.stored_name
            size_mb = output.stat().st_size / 1e6
            db.session.remove()
        with Clock() as clock:
            HTML(string=raw_html, base_url=render.base_url_for(images)).write_pdf(
                font_config=pdf.font_configuration())
        raw_runs.append(clock)

    single = None
    if singles:
        with app.app_context():
            certs = list(db.session.scalars(
                db.select(Certificate).where(Certificate.class_id == class_id)))
            with Clock() as single:
                for certificate in certs:
                    certificates.certificate_pdf(certificate, images_dir=images)
            db.session.remove()
    best_app = min(app_runs, key=lambda c: c.cpu)
    best_raw = min(raw_runs, key=lambda c: c.cpu)
    return {"size": size, "issue": issuing.cpu / size,
            "app": best_app.cpu / size, "raw": best_raw.cpu / size,
            "app_wall": best_app.wall / size, "raw_wall": best_raw.wall / size,
            "single": single.cpu / size if single else None,
            "single_wall": single.wall / size if single else None,
            "pdf_mb": size_mb, "rss": peak_rss_mb(), "rss_app": rss_after_app}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="80,1000")
    parser.add_argument("--chunk", type=int, default=None, help="CERTIFICATE_CHUNK_SIZE")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    directory = Path(tempfile.mkdtemp(prefix="certificates-bench-"))
    config = {"TESTING": True, "SECRET_KEY": "benchmark-secret-key-0123456789",
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.sqlite3'}",
              "CERTIFICATE_STORAGE_DIR": str(directory / "certificates")}
    if args.chunk:
        config["CERTIFICATE_CHUNK_SIZE"] = args.chunk
    app = create_app(config)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        # warm up: fonts loaded and the design compiled before any clock starts
        values = render.sample_values()
        render.render_html(render.design_document([values], render.builtin_design("classic")),
                           images_dir=None)
    print(f"chunk size {app.config['CERTIFICATE_CHUNK_SIZE']}; database {directory}")
    results = {}
    for serial, size in enumerate(sizes, start=1):
        r = measure(app, size, serial, singles=(size == 80), repeats=2 if size <= 200 else 1)
        results[size] = r
        line = (f"{size:>5} certificates (CPU s/cert; wall in brackets): app {r['app']:.4f} "
                f"({r['app_wall']:.4f}), raw WeasyPrint {r['raw']:.4f} ({r['raw_wall']:.4f}), "
                f"ratio {r['app'] / r['raw']:.2f}; issuing {r['issue']:.4f}; "
                f"PDF {r['pdf_mb']:.1f} MB; peak RSS {r['rss_app']:.0f} MB after the app's "
                f"batch, {r['rss']:.0f} MB after raw")
        if r["single"] is not None:
            line += (f"; single documents {r['single']:.4f} ({r['single_wall']:.4f}), "
                     f"batch gain {r['single'] / r['app']:.1f}x")
        print(line, flush=True)
    r = results.get(80) or results[sizes[0]]
    single = r["single"] if r["single"] is not None else float("nan")
    print(f"RESULT app_s_per_cert={r['app']:.4f} raw_s_per_cert={r['raw']:.4f} "
          f"ratio={r['app'] / r['raw']:.2f} single_s_per_cert={single:.4f} "
          f"batch_gain={single / r['app']:.1f} peak_rss_mb={r['rss']:.0f}")


if __name__ == "__main__":
    main()
