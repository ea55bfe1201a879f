"""Certificates (结业证书, 优秀学员证书): settings, issuing, serials, revocation, verification.

Who gets one comes from the completion rules (``services.completion``): every trainee who
completes gets a completion certificate, every trainee on the confirmed outstanding list an
outstanding-trainee certificate.

Issuing a certificate draws a serial number from the class's pattern (e.g. ``WFSG-{year}-{seq:04d}``
gives ``WFSG-2016-0001``) under a row lock on the series' counter, creates an unguessable
verification code (``secrets.token_urlsafe``) and records a snapshot of every value printed,
with the design's exact HTML and CSS, so a reprint is identical. A revoked certificate keeps its
serial; re-issuing revokes the old one and issues a new one with a new serial.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SecurityError
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from training_app.models import (
    Certificate,
    CertificateDesign,
    CertificateImage,
    CertificateImageKind,
    CertificateKind,
    CertificateSerialCounter,
    CertificateSettings,
    CertificateState,
    Enrollment,
    EnrollmentStatus,
    Group,
    GroupMember,
    TraineeProfile,
    TrainingClass,
    Unit,
    User,
)
from training_app.models.certificate import DEFAULT_SERIAL_PATTERN
from training_app.services import audit, completion, quotas
from training_app.services import certificate_render as render
from training_app.services.errors import N_, DomainError

KIND_LABELS = {CertificateKind.COMPLETION.value: "结业证书",
               CertificateKind.OUTSTANDING.value: "优秀学员证书"}
KIND_CODES = {CertificateKind.COMPLETION.value: "JY", CertificateKind.OUTSTANDING.value: "YX"}
VERIFY_PATH = "/verify/"


# --- serial numbers ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\{(year|kind|class|seq)(?::0?(\d{1,2})d?)?\}")
_LITERAL = re.compile(r"[^{}\s]*")
MAX_SEQ_WIDTH = 8


def check_pattern(pattern: str) -> str:
    """The pattern, stripped, or DomainError. Placeholders: {year} {kind} {class} and exactly
    one {seq} (optionally zero-padded, e.g. {seq:04d}); no spaces or other braces."""
    pattern = (pattern or "").strip()
    if not pattern or len(pattern) > 60:
        raise DomainError(N_("证书编号格式不能为空，且不超过60个字符。"))
    tokens = list(_TOKEN.finditer(pattern))
    literal = _TOKEN.sub("", pattern)
    if not _LITERAL.fullmatch(literal):
        raise DomainError(
            N_("证书编号格式只能包含 {year}、{kind}、{class}、{seq} 占位符，且不能含空格。"))
    seqs = [t for t in tokens if t.group(1) == "seq"]
    if len(seqs) != 1:
        raise DomainError(N_("证书编号格式须包含且只包含一个 {seq}（流水号）。"))
    if seqs[0].group(2) and not 1 <= int(seqs[0].group(2)) <= MAX_SEQ_WIDTH:
        raise DomainError(N_("流水号位数须在1至8之间。"))
    return pattern


def _fill(pattern: str, *, seq: int | None, year: int, kind: str, class_id: int) -> str:
    def replace(match: re.Match) -> str:
        name, width = match.group(1), match.group(2)
        if name == "seq":
            return "{seq}" if seq is None else str(seq).zfill(int(width or 0))
        return {"year": str(year), "kind": KIND_CODES[kind], "class": str(class_id)}[name]
    return _TOKEN.sub(replace, pattern)


def series_of(pattern: str, *, year: int, kind: str, class_id: int) -> str:
    """The counter a pattern draws from: everything but the number filled in. Padding does not
    matter, so ``A-{seq}`` and ``A-{seq:04d}`` share one counter and never print a number twice."""
    return _fill(pattern, seq=None, year=year, kind=kind, class_id=class_id)


def format_serial(pattern: str, *, seq: int, year: int, kind: str, class_id: int) -> str:
    return _fill(pattern, seq=seq, year=year, kind=kind, class_id=class_id)


def next_serial(session: Session, *, pattern: str, year: int, kind: str, class_id: int) -> str:
    """Draw the next unused serial of the pattern's series.

    ``UPDATE … SET last_value = last_value + 1 … RETURNING`` holds the counter row's lock until the
    transaction ends (PostgreSQL; on SQLite the database write lock), so two transactions never
    draw the same number; a number whose serial some other series already printed is skipped,
    and the unique constraint on ``certificate.serial`` is the last guard."""
    series = series_of(pattern, year=year, kind=kind, class_id=class_id)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(CertificateSerialCounter).values(series=series, last_value=0)
                    .on_conflict_do_nothing(index_elements=["series"]))
    while True:
        value = session.execute(
            update(CertificateSerialCounter).where(CertificateSerialCounter.series == series)
            .values(last_value=CertificateSerialCounter.last_value + 1)
            .returning(CertificateSerialCounter.last_value)).scalar_one()
        serial = format_serial(pattern, seq=value, year=year, kind=kind, class_id=class_id)
        if session.scalar(select(Certificate.id).where(Certificate.serial == serial)) is None:
            return serial


# --- settings ----------------------------------------------------------------------------------

def settings_for(session: Session, training_class: TrainingClass) -> CertificateSettings:
    """The class's settings, or defaults (not added to the session)."""
    settings = session.scalar(select(CertificateSettings).where(
        CertificateSettings.class_id == training_class.id))
    if settings is not None:
        return settings
    return CertificateSettings(
        class_id=training_class.id, serial_pattern=DEFAULT_SERIAL_PATTERN,
        completion_design="classic", outstanding_design="classic", custom_html="",
        custom_css="", issuers="", issue_date=None, stock_layout={},
        stock_width_mm=Decimal(297), stock_height_mm=Decimal(210),
        stock_offset_x_mm=Decimal(0), stock_offset_y_mm=Decimal(0))


def default_issuers(training_class: TrainingClass) -> list[str]:
    return [u.name for u in training_class.sponsor_units] + [training_class.organizer_unit.name]


def issuers_of(settings: CertificateSettings, training_class: TrainingClass) -> list[str]:
    lines = [line.strip() for line in (settings.issuers or "").splitlines() if line.strip()]
    return lines or default_issuers(training_class)


def issue_date_of(settings: CertificateSettings, training_class: TrainingClass) -> date:
    return settings.issue_date or training_class.end_date


def design_for(settings: CertificateSettings, kind: str) -> render.Design:
    name = (settings.completion_design if kind == CertificateKind.COMPLETION.value
            else settings.outstanding_design)
    if name == render.CUSTOM:
        return render.Design(name=render.CUSTOM, html=settings.custom_html,
                             css=settings.custom_css)
    return render.builtin_design(name)


def check_design(html: str, css: str) -> None:
    """Render the organizer's design with sample values in the sandbox, or DomainError."""
    if len(html) > 50_000 or len(css) > 50_000:
        raise DomainError(N_("自定义模板过长。"))
    if "<" in css:  # CSS goes into a <style> element: it must not close it
        raise DomainError(N_("自定义CSS中不能含有“<”。"))
    for kind in (CertificateKind.COMPLETION.value, CertificateKind.OUTSTANDING.value):
        try:
            render.render_fragment(html, render.template_context(render.sample_values(kind)))
        except SecurityError as error:
            raise DomainError(N_("模板访问了不允许的内容：%(error)s"), error=str(error)) from error
        except TemplateError as error:
            raise DomainError(N_("模板有错误：%(error)s"), error=str(error)) from error


DESIGN_CHOICES = (*render.BUILTIN_DESIGN_NAMES, render.CUSTOM)
SETTING_FIELDS = ("serial_pattern", "completion_design", "outstanding_design", "custom_html",
                  "custom_css", "issuers", "issue_date", "stock_width_mm", "stock_height_mm",
                  "stock_offset_x_mm", "stock_offset_y_mm", "stock_layout")


def _decimal(value: Any, *, low: float, high: float) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as error:
        raise DomainError(N_("请填写数字。")) from error
    if not Decimal(str(low)) <= number <= Decimal(str(high)):
        raise DomainError(N_("数值须在%(low)s至%(high)s之间。"), low=low, high=high)
    return number


def _clean_layout(layout: dict[str, Any], width: Decimal, height: Decimal) -> dict[str, Any]:
    clean = {}
    for name, spot in render.stock_layout(layout).items():
        x = _decimal(spot["x"], low=0, high=float(width))
        y = _decimal(spot["y"], low=0, high=float(height))
        size = _decimal(spot["size"], low=4, high=80)
        clean[name] = {"x": float(x), "y": float(y), "size": float(size),
                       "show": bool(spot["show"])}
    return clean


def update_settings(session: Session, *, training_class: TrainingClass, values: dict[str, Any],
                    actor: User, now: datetime) -> CertificateSettings:
    """Save the class's certificate settings (keys of SETTING_FIELDS; missing keys unchanged)."""
    settings = settings_for(session, training_class)
    new = {name: values.get(name, getattr(settings, name)) for name in SETTING_FIELDS}
    new["serial_pattern"] = check_pattern(new["serial_pattern"])
    for key in ("completion_design", "outstanding_design"):
        if new[key] not in DESIGN_CHOICES:
            raise DomainError(N_("未知的证书样式。"))
    new["custom_html"] = (new["custom_html"] or "").replace("\r\n", "\n")
    new["custom_css"] = (new["custom_css"] or "").replace("\r\n", "\n")
    uses_custom = render.CUSTOM in (new["completion_design"], new["outstanding_design"])
    if uses_custom and not new["custom_html"].strip():
        raise DomainError(N_("选择自定义样式时须填写自定义模板。"))
    if new["custom_html"].strip():
        check_design(new["custom_html"], new["custom_css"])
    new["issuers"] = "\n".join(line.strip() for line in (new["issuers"] or "").splitlines()
                               if line.strip())[:500]
    new["stock_width_mm"] = _decimal(new["stock_width_mm"], low=50, high=600)
    new["stock_height_mm"] = _decimal(new["stock_height_mm"], low=50, high=600)
    new["stock_offset_x_mm"] = _decimal(new["stock_offset_x_mm"], low=-50, high=50)
    new["stock_offset_y_mm"] = _decimal(new["stock_offset_y_mm"], low=-50, high=50)
    new["stock_layout"] = _clean_layout(new["stock_layout"] or {}, new["stock_width_mm"],
                                        new["stock_height_mm"])
    changes = audit.diff(settings, new) if settings.id is not None else dict(new)
    for name, value in new.items():
        setattr(settings, name, value)
    settings.updated_at = now
    session.add(settings)
    session.flush()
    for key in ("custom_html", "custom_css"):  # long texts: record that they changed, not them
        if key in changes:
            changes[key] = "changed"
    audit.record(session, actor=actor, action="certificate.settings", target=training_class,
                 now=now, summary="修改证书设置", changes=changes)
    return settings


# --- seal and signature images -----------------------------------------------------------------

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 4000


def _check_png(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError  # WeasyPrint's own dependency

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError(N_("请上传PNG图片（公章和签名须为透明背景的PNG）。"))
    if len(data) > MAX_IMAGE_BYTES:
        raise DomainError(N_("图片不能超过5MB。"))
    try:
        import io

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DomainError(N_("无法识别该PNG图片。")) from error
    if width > MAX_IMAGE_PIXELS or height > MAX_IMAGE_PIXELS:
        raise DomainError(N_("图片尺寸不能超过4000×4000像素。"))
    if not transparent:
        raise DomainError(N_("图片须有透明背景（带透明通道的PNG），否则会遮住证书内容。"))


def _check_position(x: Any, y: Any, width: Any) -> tuple[Decimal, Decimal, Decimal]:
    return (_decimal(x, low=0, high=render.PAGE_WIDTH_MM),
            _decimal(y, low=0, high=render.PAGE_HEIGHT_MM),
            _decimal(width, low=5, high=200))


def add_image(session: Session, *, training_class: TrainingClass, kind: str, label: str,
              data: bytes, x_mm: Any, y_mm: Any, width_mm: Any, on_completion: bool = True,
              on_outstanding: bool = True, images_dir: Path, actor: User,
              now: datetime) -> CertificateImage:
    """Upload a seal (公章) or signature PNG placed at (x, y) mm from the page's top left."""
    if kind not in (CertificateImageKind.SEAL.value, CertificateImageKind.SIGNATURE.value):
        raise DomainError(N_("未知的图片类别。"))
    _check_png(data)
    x, y, width = _check_position(x_mm, y_mm, width_mm)
    stored_name = f"{kind}-{secrets.token_hex(16)}.png"
    images_dir.mkdir(parents=True, exist_ok=True)
    (images_dir / stored_name).write_bytes(data)
    image = CertificateImage(class_id=training_class.id, kind=kind, label=(label or "")[:60],
                             stored_name=stored_name, x_mm=x, y_mm=y, width_mm=width,
                             on_completion=on_completion, on_outstanding=on_outstanding,
                             active=True, uploaded_at=now, uploaded_by_id=actor.id)
    session.add(image)
    session.flush()
    audit.record(session, actor=actor, action="certificate.image_add", target=training_class,
                 now=now, summary=f"上传证书图片（{'公章' if kind == 'seal' else '签名'}）",
                 changes={"image_id": image.id, "x": x, "y": y, "width": width})
    return image


def update_image(session: Session, *, image: CertificateImage, x_mm: Any, y_mm: Any,
                 width_mm: Any, on_completion: bool, on_outstanding: bool, active: bool,
                 actor: User, now: datetime) -> CertificateImage:
    """Move, resize or retire an image; certificates already issued keep what they printed."""
    x, y, width = _check_position(x_mm, y_mm, width_mm)
    new = {"x_mm": x, "y_mm": y, "width_mm": width, "on_completion": on_completion,
           "on_outstanding": on_outstanding, "active": active}
    changes = audit.diff(image, new)
    for name, value in new.items():
        setattr(image, name, value)
    session.flush()
    audit.record(session, actor=actor, action="certificate.image_update", target=image, now=now,
                 summary="调整证书图片", changes=changes)
    return image


def class_images(session: Session, training_class: TrainingClass, *,
                 active_only: bool = False) -> list[CertificateImage]:
    query = select(CertificateImage).where(CertificateImage.class_id == training_class.id)
    if active_only:
        query = query.where(CertificateImage.active.is_(True))
    return list(session.scalars(query.order_by(CertificateImage.id)))


def _image_values(images: Sequence[CertificateImage], kind: str) -> list[dict[str, Any]]:
    wanted = [i for i in images if i.active and (
        i.on_completion if kind == CertificateKind.COMPLETION.value else i.on_outstanding)]
    return [{"file": i.stored_name, "kind": i.kind, "x": float(i.x_mm), "y": float(i.y_mm),
             "w": float(i.width_mm)} for i in wanted]


# --- who gets one ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    user: User
    name: str
    unit: str


def recipients(session: Session, training_class: TrainingClass, kind: str) -> list[Recipient]:
    """Completion: every trainee meeting the completion rule; outstanding: the confirmed list."""
    if kind == CertificateKind.COMPLETION.value:
        return [Recipient(user=s.user, name=s.name, unit=s.unit)
                for s in completion.completing_trainees(session, training_class)]
    if kind != CertificateKind.OUTSTANDING.value:
        raise DomainError(N_("未知的证书类别。"))
    chosen = completion.confirmed_outstanding(session, training_class)
    rows = session.execute(
        select(TraineeProfile.user_id, TraineeProfile.name, Unit.name)
        .join(Enrollment, Enrollment.trainee_id == TraineeProfile.id)
        .join(Unit, Unit.id == Enrollment.unit_id)
        .where(Enrollment.class_id == training_class.id,
               TraineeProfile.user_id.in_([o.user_id for o in chosen]))).all()
    known = {user_id: (name, unit) for user_id, name, unit in rows}
    return [Recipient(user=o.user, name=known.get(o.user_id, (o.user.display_name, ""))[0],
                      unit=known.get(o.user_id, ("", ""))[1]) for o in chosen]


def _certified_user_ids(session: Session, training_class: TrainingClass, kind: str) -> set[int]:
    """Users holding a certificate of the kind in the class, valid or revoked (a revoked one is
    replaced only by an explicit re-issue)."""
    return set(session.scalars(select(Certificate.user_id).where(
        Certificate.class_id == training_class.id, Certificate.kind == kind)))


def pending_recipients(session: Session, training_class: TrainingClass,
                       kind: str) -> list[Recipient]:
    have = _certified_user_ids(session, training_class, kind)
    return [r for r in recipients(session, training_class, kind) if r.user.id not in have]


# --- issuing -----------------------------------------------------------------------------------

def design_snapshot(session: Session, design: render.Design) -> CertificateDesign:
    """The stored copy of a design, one row per distinct content."""
    source = "\0".join((design.name, design.html, design.css))
    digest = hashlib.sha256(source.encode()).hexdigest()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(CertificateDesign).values(
        digest=digest, name=design.name, html=design.html, css=design.css)
        .on_conflict_do_nothing(index_elements=["digest"]))
    return session.scalar(select(CertificateDesign).where(CertificateDesign.digest == digest))


def verify_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + VERIFY_PATH + code


def _class_values(session: Session, training_class: TrainingClass,
                  settings: CertificateSettings, kind: str) -> dict[str, Any]:
    sponsor = "、".join(u.name for u in training_class.sponsor_units)
    organizer = training_class.organizer_unit.name
    return {
        "class_title": training_class.title,
        "start_date": training_class.start_date.isoformat(),
        "end_date": training_class.end_date.isoformat(),
        "hours": training_class.credit_hours,
        "sponsor": sponsor, "organizer": organizer,
        "issuers": issuers_of(settings, training_class),
        "issue_date": issue_date_of(settings, training_class).isoformat(),
        "kind": kind,
        "statement": render.statement(
            kind, class_title=training_class.title, start=training_class.start_date,
            end=training_class.end_date, hours=training_class.credit_hours, sponsor=sponsor,
            organizer=organizer),
        "images": _image_values(class_images(session, training_class), kind),
    }


def _lock(session: Session, training_class: TrainingClass) -> None:
    """Serialize issuing within a class (a second organizer clicking at the same moment)."""
    quotas.lock_class(session, training_class)


def issue_to(session: Session, *, training_class: TrainingClass, kind: str,
             people: Sequence[Recipient], actor: User | None, now: datetime,
             verify_base_url: str, reissue_of: Certificate | None = None) -> list[Certificate]:
    """Issue certificates of ``kind`` to ``people`` (those already holding one are skipped)."""
    _lock(session, training_class)
    have = _certified_user_ids(session, training_class, kind) if reissue_of is None else set()
    people = [p for p in people if p.user.id not in have]
    if not people:
        return []
    settings = settings_for(session, training_class)
    design = design_snapshot(session, design_for(settings, kind))
    shared = _class_values(session, training_class, settings, kind)
    year = date.fromisoformat(shared["issue_date"]).year
    issued = []
    for person in people:
        serial = next_serial(session, pattern=settings.serial_pattern, year=year, kind=kind,
                             class_id=training_class.id)
        code = secrets.token_urlsafe(16)
        url = verify_url(verify_base_url, code)
        values = {**shared, "name": person.name, "unit": person.unit, "serial": serial,
                  "code": code, "verify_url": url, "qr_png": render.qr_png(url)}
        issued.append(Certificate(
            class_id=training_class.id, user_id=person.user.id, kind=kind, serial=serial,
            code=code, state=CertificateState.VALID.value, values=values, design_id=design.id,
            issued_at=now, issued_by_id=actor.id if actor else None,
            reissue_of_id=reissue_of.id if reissue_of else None))
    session.add_all(issued)
    session.flush()
    serials = [c.serial for c in issued]
    audit.record(session, actor=actor, action="certificate.issue", target=training_class, now=now,
                 summary=f"颁发{KIND_LABELS[kind]}{len(issued)}份（{serials[0]}"
                         + (f" 至 {serials[-1]}）" if len(serials) > 1 else "）"),
                 changes={"kind": kind, "serials": serials,
                          "reissue_of": reissue_of.serial if reissue_of else None})
    return issued


def issue(session: Session, *, training_class: TrainingClass, kind: str, actor: User | None,
          now: datetime, verify_base_url: str) -> list[Certificate]:
    """Issue certificates of ``kind`` to everyone entitled who has none yet."""
    return issue_to(session, training_class=training_class, kind=kind,
                    people=pending_recipients(session, training_class, kind), actor=actor,
                    now=now, verify_base_url=verify_base_url)


def revoke(session: Session, *, certificate: Certificate, reason: str, actor: User,
           now: datetime) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("撤销证书须填写原因。"))
    if not certificate.is_valid:
        raise DomainError(N_("该证书已撤销。"))
    certificate.state = CertificateState.REVOKED.value
    certificate.revoked_at = now
    certificate.revoked_by_id = actor.id
    certificate.revoke_reason = reason[:500]
    session.flush()
    audit.record(session, actor=actor, action="certificate.revoke", target=certificate, now=now,
                 summary=f"撤销证书 {certificate.serial}", changes={"reason": reason[:500]})
    return certificate


def reissue(session: Session, *, certificate: Certificate, reason: str, actor: User,
            now: datetime, verify_base_url: str) -> Certificate:
    """Revoke ``certificate`` (if still valid) and issue its holder a new one: a new serial,
    a new code, and the values and design as they are now (e.g. a corrected name)."""
    training_class = certificate.training_class
    entitled = {r.user.id: r for r in recipients(session, training_class, certificate.kind)}
    person = entitled.get(certificate.user_id)
    if person is None:
        raise DomainError(N_("该学员已不符合获得此证书的条件，不能重新颁发。"))
    if session.scalar(select(Certificate.id).where(
            Certificate.class_id == certificate.class_id, Certificate.kind == certificate.kind,
            Certificate.user_id == certificate.user_id, Certificate.id != certificate.id,
            Certificate.state == CertificateState.VALID.value)) is not None:
        raise DomainError(N_("该学员已有一份有效的同类证书。"))
    if certificate.is_valid:
        revoke(session, certificate=certificate, reason=reason, actor=actor, now=now)
    (new,) = issue_to(session, training_class=training_class, kind=certificate.kind,
                      people=[person], actor=actor, now=now, verify_base_url=verify_base_url,
                      reissue_of=certificate)
    return new


# --- reading -----------------------------------------------------------------------------------

def class_certificates(session: Session, training_class: TrainingClass, *,
                       kind: str | None = None) -> list[Certificate]:
    query = select(Certificate).where(Certificate.class_id == training_class.id)
    if kind:
        query = query.where(Certificate.kind == kind)
    return list(session.scalars(query.order_by(Certificate.kind, Certificate.serial)))


def ordered_ids(session: Session, training_class: TrainingClass, kind: str,
                order: str) -> list[int]:
    """The class's valid certificates of ``kind`` in roster order (enrollment order) or by group
    (group number, then group members in order; trainees in no group last, in roster order)."""
    rows = session.execute(
        select(Certificate.id, Certificate.user_id).where(
            Certificate.class_id == training_class.id, Certificate.kind == kind,
            Certificate.state == CertificateState.VALID.value)).all()
    by_user = {user_id: cert_id for cert_id, user_id in rows}
    roster = list(session.scalars(
        select(TraineeProfile.user_id).join(Enrollment, Enrollment.trainee_id == TraineeProfile.id)
        .where(Enrollment.class_id == training_class.id,
               Enrollment.status == EnrollmentStatus.APPROVED.value)
        .order_by(Enrollment.created_at, Enrollment.id)))
    sequence = roster
    if order == "group":
        grouped = list(session.scalars(
            select(GroupMember.user_id).join(Group, Group.id == GroupMember.group_id)
            .where(GroupMember.class_id == training_class.id)
            .order_by(Group.number, GroupMember.id)))
        seen = set(grouped)
        sequence = grouped + [u for u in roster if u not in seen]
    ordered = [by_user.pop(u) for u in sequence if u in by_user]
    return ordered + sorted(by_user.values())  # holders no longer on the roster, last


def certificates_of_user(session: Session, user: User) -> list[Certificate]:
    """A trainee's valid certificates, newest first."""
    return list(session.scalars(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.state == CertificateState.VALID.value)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def by_code(session: Session, code: str) -> Certificate | None:
    if not code or len(code) > 32:
        return None
    return session.scalar(select(Certificate).where(Certificate.code == code))


def mask_name(name: str) -> str:
    """张晓民 -> 张*民, 欧阳晓明 -> 欧**明, 张三 -> 张*: the ends kept, the middle masked."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class Verification:
    masked_name: str
    class_title: str
    start_date: date
    end_date: date
    hours: int
    kind: str
    serial: str
    issue_date: date
    valid: bool
    revoked_at: datetime | None


def verification(certificate: Certificate) -> Verification:
    """What the public verification page shows: from the snapshot, the name masked."""
    v = certificate.values
    return Verification(
        masked_name=mask_name(v["name"]), class_title=v["class_title"],
        start_date=date.fromisoformat(v["start_date"]), end_date=date.fromisoformat(v["end_date"]),
        hours=int(v["hours"]), kind=certificate.kind, serial=certificate.serial,
        issue_date=date.fromisoformat(v["issue_date"]), valid=certificate.is_valid,
        revoked_at=certificate.revoked_at)


# --- rendering one certificate or a preview ----------------------------------------------------

def certificate_pdf(certificate: Certificate, *, images_dir: Path) -> bytes:
    """One issued certificate as its own PDF, exactly as issued (snapshot values and design)."""
    design = render.Design(name=certificate.design.name, html=certificate.design.html,
                           css=certificate.design.css)
    html = render.design_document([certificate.values], design, title=certificate.serial)
    return render.render_html(html, images_dir=images_dir)


def preview_values(session: Session, *, training_class: TrainingClass, kind: str,
                   person: Recipient | None, verify_base_url: str) -> dict[str, Any]:
    """The values a certificate would carry if issued now, with a sample serial and code."""
    settings = settings_for(session, training_class)
    values = _class_values(session, training_class, settings, kind)
    year = date.fromisoformat(values["issue_date"]).year
    code = "PREVIEW"
    url = verify_url(verify_base_url, code)
    values.update(
        name=person.name if person else render.SAMPLE_VALUES["name"],
        unit=person.unit if person else "",
        serial=format_serial(settings.serial_pattern, seq=0, year=year, kind=kind,
                             class_id=training_class.id),
        code=code, verify_url=url, qr_png=render.qr_png(url))
    return values


def preview_pdf(session: Session, *, training_class: TrainingClass, kind: str,
                person: Recipient | None, verify_base_url: str, images_dir: Path,
                stock: bool = False) -> bytes:
    """A 样张 with one trainee (or a sample name) in the current design, or on stock paper."""
    settings = settings_for(session, training_class)
    values = preview_values(session, training_class=training_class, kind=kind, person=person,
                            verify_base_url=verify_base_url)
    if stock:
        html = stock_html(settings, [values])
    else:
        html = render.design_document([values], design_for(settings, kind), preview=True,
                                      title="样张")
    return render.render_html(html, images_dir=images_dir)


def stock_html(settings: CertificateSettings, items: Sequence[dict[str, Any]]) -> str:
    return render.stock_document(
        items, layout=render.stock_layout(settings.stock_layout),
        offset=(float(settings.stock_offset_x_mm), float(settings.stock_offset_y_mm)),
        width_mm=settings.stock_width_mm, height_mm=settings.stock_height_mm)


def calibration_pdf(session: Session, *, training_class: TrainingClass) -> bytes:
    settings = settings_for(session, training_class)
    html = render.calibration_document(
        layout=render.stock_layout(settings.stock_layout),
        offset=(float(settings.stock_offset_x_mm), float(settings.stock_offset_y_mm)),
        width_mm=settings.stock_width_mm, height_mm=settings.stock_height_mm)
    return render.render_html(html, images_dir=None)
