"""Command-line tasks: ``flask --app training_app <command>``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade

from training_app.extensions import db
from training_app.models import Role, utcnow
import question_bank as qb
from training_app import demo
from training_app.db_setup import write_transactions
from training_app.services import accounts, exams
from training_app.services.errors import DomainError


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema to the latest migration."""
        upgrade()
        click.echo("数据库已升级到最新版本。")

    @app.cli.command("seed-demo")
    @click.option("--refresh", is_flag=True,
                  help="把已有的演示班移到今天（重建演示班的数据，账户、单位和2015年的班保留）")
    @click.option("--refresh-stale", is_flag=True,
                  help="仅当演示班的日期已不包含今天时才移到今天（make run 使用）")
    def seed_demo(refresh: bool, refresh_stale: bool) -> None:
        """Load the demo: units, one account per role, the demo class around today (day 1 =
        yesterday, day 2 = today, day 3 = tomorrow) and an earlier graduated class.
        Idempotent; ``--refresh`` moves an existing demo class to the present."""
        from zoneinfo import ZoneInfo

        now = utcnow()
        tz = ZoneInfo(app.config["TIMEZONE"])
        with write_transactions():  # a server may be running on the same SQLite file
            _seed_demo(now, tz, refresh, refresh_stale)

    def _seed_demo(now, tz, refresh: bool, refresh_stale: bool) -> None:
        from training_app import PROJECT_ROOT
        from training_app.services import manuals

        seeded = demo.demo_seeded(db.session)
        if seeded and not refresh:
            if demo.demo_is_current(db.session, now=now, tz=tz):
                click.echo("演示数据已存在，日期包含今天，未做改动。")
                return
            if not refresh_stale:
                found = demo.demo_class(db.session)
                click.echo(f"演示数据已存在，但演示班日期（{found.start_date}至{found.end_date}）"
                           "已不包含今天。运行 flask --app training_app seed-demo --refresh "
                           "把它移到今天。")
                return
        # DEMO_DATA_DIR: the demo texts (manual.md); default <repo>/../shared/demo. Missing: skipped.
        demo_dir = Path(app.config.get("DEMO_DATA_DIR") or PROJECT_ROOT.parent / "shared" / "demo")
        options = dict(now=now, tz=tz, demo_dir=demo_dir,
                       upload_dir=manuals.upload_directory(app.instance_path),
                       verify_base_url=app.config.get("CERTIFICATE_VERIFY_BASE_URL")
                       or demo.DEMO_VERIFY_BASE_URL)
        training_class = (demo.refresh_demo if seeded else demo.seed_demo)(db.session, **options)
        db.session.commit()
        click.echo(f"演示数据已{'移到今天' if seeded else '创建'}：{training_class.title}，"
                   f"{training_class.start_date}至{training_class.end_date}。"
                   f"演示账户密码：{demo.DEMO_PASSWORD}")

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--name", "display_name", default="", help="姓名")
    @click.option("--mobile", default=None, help="手机号")
    @click.option("--role", "roles", multiple=True, required=True,
                  type=click.Choice([r.value for r in Role]), help="角色，可多次指定")
    @click.password_option()
    def create_user(username, display_name, mobile, roles, password) -> None:
        """Create an account, e.g. the first admin."""
        try:
            accounts.create_user(db.session, username=username, display_name=display_name,
                                 password=password, roles=[Role(r) for r in roles], mobile=mobile,
                                 actor=None, now=utcnow())
        except DomainError as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"用户 {username} 已创建。")

    questions = AppGroup("questions", help="题库：导入和导出（.xlsx / .gift / .txt / .xml）。")

    @questions.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--bank", "bank_name", required=True, help="题库名称（不存在则新建）")
    def import_questions(path: Path, bank_name: str) -> None:
        """Import every question of PATH into a bank, or nothing if any is wrong."""
        try:
            parsed = qb.import_file(path)
        except qb.ImportFailed as failure:
            for issue in failure.issues:
                click.echo(f"{path.name} 第{issue.line}行：{issue.message}", err=True)
            raise click.ClickException(f"导入失败：共{len(failure.issues)}处错误，未导入任何题目。")
        except qb.UnsupportedFormat as error:
            raise click.ClickException(str(error)) from error
        now = utcnow()
        try:
            bank = exams.find_bank(db.session, bank_name) or exams.create_bank(
                db.session, name=bank_name, training_class=None, actor=None, now=now)
            counts = exams.import_questions(db.session, bank=bank, questions=parsed,
                                            actor=None, now=now)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(f"导入失败：{error}") from error
        db.session.commit()
        click.echo(f"已导入题库“{bank_name}”：单选 {counts.get('single', 0)} 题，"
                   f"多选 {counts.get('multiple', 0)} 题，简答 {counts.get('short', 0)} 题。")

    @questions.command("export")
    @click.option("--bank", "bank_name", required=True, help="题库名称")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def export_questions(bank_name: str, path: Path) -> None:
        """Write a bank to PATH; the format follows the extension."""
        bank = exams.find_bank(db.session, bank_name)
        if bank is None:
            raise click.ClickException(f"题库不存在：{bank_name}")
        try:
            qb.export_file(exams.bank_questions(bank), path)
        except qb.UnsupportedFormat as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"已导出 {len(bank.questions)} 题到 {path}")

    app.cli.add_command(questions)
