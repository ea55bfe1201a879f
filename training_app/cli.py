"""Command-line tasks: ``flask --app training_app <command>``."""
from __future__ import annotations

import click
from flask import Flask
from flask_migrate import upgrade

from training_app.extensions import db
from training_app.models import Role, utcnow
from training_app.services import accounts, demo
from training_app.services.errors import DomainError


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema to the latest migration."""
        upgrade()
        click.echo("数据库已升级到最新版本。")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the demo class, units and one account per role (idempotent)."""
        if demo.demo_seeded(db.session):
            click.echo("演示数据已存在，未做改动。")
            return
        demo.seed_demo(db.session, now=utcnow())
        db.session.commit()
        click.echo(f"演示数据已创建。演示账户密码：{demo.DEMO_PASSWORD}")

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
