"""Certificates (结业证书, 优秀学员证书): settings, seal and signature images, issued certificates,
their serial counters, the design snapshots they were printed with, and batch print jobs.

An issued ``Certificate`` is a snapshot: ``values`` holds every value printed on it (name, class,
dates, hours, issuers, serial, verification URL, the QR code, the placed images) and ``design``
the exact HTML and CSS, so a reprint years later is identical whatever was edited since.
Serial numbers come from ``CertificateSerialCounter`` rows incremented under a row lock and are
unique across the whole database; they are never reused (a revoked certificate keeps its serial,
a re-issued one gets a new serial).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class CertificateKind(enum.StrEnum):
    COMPLETION = "completion"  # 结业证书
    OUTSTANDING = "outstanding"  # 优秀学员证书


class CertificateState(enum.StrEnum):
    VALID = "valid"  # 有效
    REVOKED = "revoked"  # 已撤销


class CertificateImageKind(enum.StrEnum):
    SEAL = "seal"  # 公章
    SIGNATURE = "signature"  # 签名


class BatchStatus(enum.StrEnum):
    QUEUED = "queued"  # 排队中
    RUNNING = "running"  # 生成中
    DONE = "done"  # 已完成
    FAILED = "failed"  # 失败


class BatchOrder(enum.StrEnum):
    ROSTER = "roster"  # 花名册顺序
    GROUP = "group"  # 按分组


class PrintMode(enum.StrEnum):
    DESIGN = "design"  # 完整证书（白纸打印）
    STOCK = "stock"  # 套打：只打印可变内容


KIND_VALUES = tuple(k.value for k in CertificateKind)
STATE_VALUES = tuple(s.value for s in CertificateState)
IMAGE_KIND_VALUES = tuple(k.value for k in CertificateImageKind)
BATCH_STATUS_VALUES = tuple(s.value for s in BatchStatus)

DEFAULT_SERIAL_PATTERN = "{kind}-{year}-{seq:04d}"


class CertificateSettings(Base):
    """How a class's certificates look and are numbered (one row per class)."""

    __tablename__ = "certificate_settings"
    __table_args__ = (
        CheckConstraint("stock_width_mm > 0 AND stock_height_mm > 0", name="stock_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), unique=True)
    # e.g. "WFSG-{year}-{seq:04d}"; placeholders {year} {kind} {class} {seq} {seq:04d}
    serial_pattern: Mapped[str] = mapped_column(String(60), default=DEFAULT_SERIAL_PATTERN)
    completion_design: Mapped[str] = mapped_column(String(20), default="classic")
    outstanding_design: Mapped[str] = mapped_column(String(20), default="classic")
    # The organizer's own design (used where a kind's design is "custom"), sandboxed Jinja.
    custom_html: Mapped[str] = mapped_column(Text, default="")
    custom_css: Mapped[str] = mapped_column(Text, default="")
    # Issuing organizations, one per line; empty: the class's sponsors and its organizer.
    issuers: Mapped[str] = mapped_column(Text, default="")
    issue_date: Mapped[date | None] = mapped_column(Date)  # None: the class's last day
    # Pre-printed stock (套打): {field: {"x": mm, "y": mm, "size": pt, "show": bool}}
    stock_layout: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stock_width_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal(297))
    stock_height_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal(210))
    # The printer's offsets, measured on the calibration page.
    stock_offset_x_mm: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(0))
    stock_offset_y_mm: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(0))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateImage(Base):
    """A seal (公章, PNG with transparency) or signature image placed on the class's certificates.

    The file is never deleted: certificates issued with it keep printing it."""

    __tablename__ = "certificate_image"
    __table_args__ = (
        CheckConstraint(f"kind IN {IMAGE_KIND_VALUES!r}", name="kind_known"),
        CheckConstraint("width_mm > 0", name="width_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(60), default="")
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    x_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    y_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    width_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    # Which kinds of certificate carry it.
    on_completion: Mapped[bool] = mapped_column(Boolean, default=True)
    on_outstanding: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class CertificateDesign(Base):
    """The HTML and CSS a certificate was printed with, stored once per distinct content."""

    __tablename__ = "certificate_design"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of name, html, css
    name: Mapped[str] = mapped_column(String(20))  # classic, modern, custom
    html: Mapped[str] = mapped_column(Text)
    css: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateSerialCounter(Base):
    """The last number drawn for one serial series: the pattern with everything but the number
    filled in (e.g. ``WFSG-2016-{seq}``), so every class using that series shares it."""

    __tablename__ = "certificate_serial_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(120), unique=True)
    last_value: Mapped[int] = mapped_column(default=0)


class Certificate(Base):
    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint(f"kind IN {KIND_VALUES!r}", name="kind_known"),
        CheckConstraint(f"state IN {STATE_VALUES!r}", name="state_known"),
        CheckConstraint("state = 'valid' OR revoke_reason <> ''", name="revocation_has_reason"),
        # One valid certificate of a kind per trainee and class.
        Index("uq_certificate_one_valid", "class_id", "user_id", "kind", unique=True,
              sqlite_where=text("state = 'valid'"), postgresql_where=text("state = 'valid'")),
        Index("ix_certificate_class_kind", "class_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    serial: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # verification code in the QR
    state: Mapped[str] = mapped_column(String(10), default=CertificateState.VALID.value)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)  # everything printed
    design_id: Mapped[int] = mapped_column(ForeignKey("certificate_design.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    # A re-issued certificate points at the one it replaces.
    reissue_of_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    design: Mapped[CertificateDesign] = relationship(lazy="joined")
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821

    @property
    def is_valid(self) -> bool:
        return self.state == CertificateState.VALID.value


class CertificateBatch(Base):
    """A print job: one PDF of a class's certificates of one kind, made in the background."""

    __tablename__ = "certificate_batch"
    __table_args__ = (
        CheckConstraint(f"status IN {BATCH_STATUS_VALUES!r}", name="status_known"),
        CheckConstraint("done >= 0 AND done <= total", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    order: Mapped[str] = mapped_column(String(10), default=BatchOrder.ROSTER.value)
    mode: Mapped[str] = mapped_column(String(10), default=PrintMode.DESIGN.value)
    status: Mapped[str] = mapped_column(String(10), default=BatchStatus.QUEUED.value)
    phase: Mapped[str] = mapped_column(String(12), default="")  # issue, render, join
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    stored_name: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[str] = mapped_column(String(64), default="")  # the queue's job id
    verify_base_url: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The job's heartbeat: set with every progress step.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped["User | None"] = relationship()  # noqa: F821
