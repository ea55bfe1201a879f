"""Credit-hour records (学时档案): every class a trainee completed, with its hours, and the
yearly total against the continuing-education target (config CONTINUING_EDUCATION_HOURS).

A class counts as completed when the trainee holds a valid completion certificate (结业证书)
of it: the certificate is the association's record of completion. The year is the year of
the class's last day.
"""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import (
    Certificate,
    CertificateKind,
    CertificateState,
    TraineeProfile,
    TrainingClass,
    Unit,
    User,
)

DEFAULT_TARGET_HOURS = 40


@dataclass(frozen=True)
class CreditRecord:
    training_class: TrainingClass
    hours: int
    serial: str

    @property
    def year(self) -> int:
        return self.training_class.end_date.year


@dataclass(frozen=True)
class YearTotal:
    year: int
    hours: int
    target: int

    @property
    def met(self) -> bool:
        return self.hours >= self.target

    @property
    def short_by(self) -> int:
        return max(self.target - self.hours, 0)


def records_of(session: Session, user: User) -> list[CreditRecord]:
    rows = session.execute(
        select(Certificate, TrainingClass).join(TrainingClass, Certificate.class_id == TrainingClass.id)
        .where(Certificate.user_id == user.id,
               Certificate.kind == CertificateKind.COMPLETION.value,
               Certificate.state == CertificateState.VALID.value)
        .order_by(TrainingClass.end_date, TrainingClass.id)).all()
    return [CreditRecord(training_class=c, hours=c.credit_hours, serial=cert.serial)
            for cert, c in rows]


def yearly_totals(records: list[CreditRecord], *, target: int) -> list[YearTotal]:
    years: dict[int, int] = {}
    for r in records:
        years[r.year] = years.get(r.year, 0) + r.hours
    return [YearTotal(year=y, hours=h, target=target) for y, h in sorted(years.items(), reverse=True)]


@dataclass(frozen=True)
class UnitRow:
    profile: TraineeProfile
    records: list[CreditRecord]
    total: YearTotal


def unit_rows(session: Session, unit: Unit, *, year: int, target: int) -> list[UnitRow]:
    """Every trainee of ``unit`` with their classes completed in ``year`` and the total."""
    rows = []
    for profile in session.scalars(select(TraineeProfile).where(TraineeProfile.unit_id == unit.id)
                                   .order_by(TraineeProfile.name, TraineeProfile.id)):
        records = [r for r in records_of(session, profile.user) if r.year == year]
        rows.append(UnitRow(profile=profile, records=records,
                            total=YearTotal(year=year, hours=sum(r.hours for r in records),
                                            target=target)))
    return rows


def unit_workbook(rows: list[UnitRow], *, unit: Unit, year: int, labels: dict[str, str]) -> bytes:
    """One sheet: a row per trainee and class, then the trainee's total and whether it meets
    the target. ``labels`` are the translated column headings."""
    wb = Workbook()
    ws = wb.active
    ws.title = str(year)
    ws.append([f"{unit.name} {year}"])
    ws.append([labels[k] for k in ("name", "mobile", "class", "dates", "hours", "total",
                                   "target", "met")])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        base = [row.profile.name, row.profile.mobile]
        if not row.records:
            ws.append([*base, "", "", 0, row.total.hours, row.total.target,
                       labels["yes"] if row.total.met else labels["no"]])
        for i, r in enumerate(row.records):
            last = i == len(row.records) - 1
            ws.append([*base, r.training_class.title,
                       f"{r.training_class.start_date} – {r.training_class.end_date}", r.hours,
                       row.total.hours if last else None, row.total.target if last else None,
                       (labels["yes"] if row.total.met else labels["no"]) if last else None])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
