"""The training manual (培训教材): versions, chapters, Markdown import and sponsor approval.

Flow: the organizer uploads a PDF (or imports a Markdown manual, rendered to PDF with page
ranges worked out) into a draft version, edits the chapters and submits it; a sponsor of the
class approves it or returns it with a comment. Submitted, approved and returned versions never
change: the next change is a new version (chapters and PDF carried over), approved afresh.
"""
from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import (
    Manual,
    ManualChapter,
    ManualVersion,
    ReviewStatus,
    TrainingClass,
    User,
)
from training_app.services import audit
from training_app.services.classes import is_class_sponsor
from training_app.services.errors import N_, DomainError, PermissionDenied
from training_app.services.pdf import CJK_A4_CSS, render_pdf_with_anchors

MANUAL_MAX_BYTES = 50 * 1024 * 1024  # 50 MB
MARKDOWN_MAX_BYTES = 2 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
_CHUNK = 1024 * 1024


def upload_directory(instance_path: str | Path) -> Path:
    """Where manual PDFs are stored: instance/uploads/manuals/."""
    return Path(instance_path) / "uploads" / "manuals"


# ---------------------------------------------------------------- reading

def get_manual(session: Session, training_class: TrainingClass) -> Manual | None:
    return session.scalar(select(Manual).where(Manual.class_id == training_class.id))


def list_versions(session: Session, training_class: TrainingClass) -> list[ManualVersion]:
    """All versions, newest first (the history shown on the manual page)."""
    return list(session.scalars(
        select(ManualVersion).join(Manual).where(Manual.class_id == training_class.id)
        .order_by(ManualVersion.number.desc())))


def latest_version(session: Session, training_class: TrainingClass) -> ManualVersion | None:
    versions = list_versions(session, training_class)
    return versions[0] if versions else None


def approved_manual_version(session: Session, training_class: TrainingClass
                            ) -> ManualVersion | None:
    """The manual in force: the newest approved version (a newer draft or submission does not
    replace it until approved). The exam may only be published against it."""
    return session.scalar(
        select(ManualVersion).join(Manual)
        .where(Manual.class_id == training_class.id,
               ManualVersion.status == ReviewStatus.APPROVED.value)
        .order_by(ManualVersion.number.desc()).limit(1))


def pdf_path(directory: Path, version: ManualVersion) -> Path | None:
    """Where the version's PDF is on disk (None when it has none)."""
    if not version.pdf_name or not STORED_NAME.match(version.pdf_name):
        return None
    return Path(directory) / version.pdf_name


# ---------------------------------------------------------------- files

@dataclass(frozen=True)
class StoredPdf:
    name: str  # random file name under the upload directory
    size: int
    pages: int | None = None


def store_pdf(stream: IO[bytes], *, directory: Path, max_bytes: int = MANUAL_MAX_BYTES
              ) -> StoredPdf:
    """Copy an uploaded PDF to ``directory`` under a random name, checking its content really is
    a PDF (it starts with ``%PDF-``) and its size. Nothing is left behind when refused."""
    head = stream.read(len(PDF_MAGIC))
    if head != PDF_MAGIC:
        raise DomainError(N_("上传的文件不是PDF文件。"))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    target = directory / name
    size = len(head)
    try:
        with target.open("xb") as out:
            out.write(head)
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise DomainError(N_("文件不能超过%(mb)sMB。"), mb=max_bytes // (1024 * 1024))
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredPdf(name=name, size=size)


def _store_bytes(data: bytes, *, directory: Path, pages: int | None) -> StoredPdf:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    (directory / name).write_bytes(data)
    return StoredPdf(name=name, size=len(data), pages=pages)


# ---------------------------------------------------------------- Markdown

_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100}
_NUMBER = r"[0-9０-９零〇一二两三四五六七八九十百]+"
CHAPTER_HEADING = re.compile(rf"^##\s+第\s*({_NUMBER})\s*章[\s　:：、.]*(.*?)\s*#*\s*$")
SECTION_HEADING = re.compile(rf"^###\s+第\s*({_NUMBER})\s*节[\s　:：、.]*(.*?)\s*#*\s*$")


def chinese_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; Arabic digits as they are."""
    text = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in _NUMERALS:
            digit = _NUMERALS[char]
        elif char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            raise ValueError(text)
    return total + (digit or 0)


@dataclass
class ParsedChapter:
    number: int
    title: str
    sections: list[dict[str, Any]] = field(default_factory=list)
    page_from: int | None = None
    page_to: int | None = None


def parse_markdown_chapters(text: str) -> list[ParsedChapter]:
    """Chapters (``## 第N章 标题``) and their sections (``### 第N节 标题``) of a Markdown manual."""
    chapters: list[ParsedChapter] = []
    in_fence = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if match := CHAPTER_HEADING.match(stripped):
            chapters.append(ParsedChapter(number=chinese_number(match[1]), title=match[2].strip()))
        elif (match := SECTION_HEADING.match(stripped)) and chapters:
            chapters[-1].sections.append(
                {"number": chinese_number(match[1]), "title": match[2].strip()})
    if not chapters:
        raise DomainError(N_("没有找到“## 第N章 标题”格式的章标题。"))
    return chapters


def decode_markdown(data: bytes) -> str:
    if len(data) > MARKDOWN_MAX_BYTES:
        raise DomainError(N_("文件不能超过%(mb)sMB。"), mb=MARKDOWN_MAX_BYTES // (1024 * 1024))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(N_("Markdown文件须使用UTF-8编码。")) from None


MANUAL_CSS = CJK_A4_CSS + """
h1 { text-align: center; font-size: 20pt; margin: 30mm 0 12mm; }
h2 { break-before: page; font-size: 16pt; margin-top: 0; }
h3 { font-size: 13pt; }
p { text-indent: 2em; margin: .4em 0; }
blockquote p, li p { text-indent: 0; }
blockquote { margin: 1em 0; padding: .5em 1em; border-left: 3pt solid #999; color: #333; }
table { margin: .6em auto; }
th, td { border: .6pt solid #000; padding: 2pt 6pt; font-size: 10.5pt; }
"""


def markdown_to_html(text: str, chapters: list[ParsedChapter]) -> str:
    """The manual as a printable HTML page; chapter headings get ids ``chapter-N`` for paging.

    Raw HTML in the Markdown is escaped, not passed through."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            match = CHAPTER_HEADING.match("## " + tokens[index + 1].content.strip())
            if match:
                token.attrSet("id", f"chapter-{chinese_number(match[1])}")
    body = md.renderer.render(tokens, md.options, {})
    title = html.escape(chapters[0].title if chapters else "")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}'
            f"</title><style>{MANUAL_CSS}</style></head><body>{body}</body></html>")


def render_markdown_pdf(text: str, chapters: list[ParsedChapter]) -> tuple[bytes, int]:
    """Render the Markdown manual to PDF and fill in each chapter's page range."""
    pdf, anchors, pages = render_pdf_with_anchors(markdown_to_html(text, chapters))
    starts = [anchors.get(f"chapter-{c.number}") for c in chapters]
    for i, chapter in enumerate(chapters):
        if starts[i] is None:
            continue
        chapter.page_from = starts[i]
        following = next((s for s in starts[i + 1:] if s is not None), None)
        chapter.page_to = max(starts[i], following - 1) if following else pages
    return pdf, pages


# ---------------------------------------------------------------- writing

def _ensure_manual(session: Session, training_class: TrainingClass, now: datetime) -> Manual:
    manual = get_manual(session, training_class)
    if manual is None:
        manual = Manual(class_id=training_class.id, created_at=now)
        session.add(manual)
        session.flush()
    return manual


def open_draft(session: Session, *, training_class: TrainingClass, actor: User | None,
               now: datetime) -> ManualVersion:
    """The version being edited: the current draft, or a new one carrying over the chapters and
    PDF of the newest version. Refused while a version waits for the sponsor."""
    latest = latest_version(session, training_class)
    if latest is not None and latest.status == ReviewStatus.DRAFT.value:
        return latest
    if latest is not None and latest.status == ReviewStatus.SUBMITTED.value:
        raise DomainError(N_("第%(n)s版正在等待主办方审批，审批或退回后才能修改教材。"),
                          n=latest.number)
    manual = _ensure_manual(session, training_class, now)
    version = ManualVersion(
        manual=manual, number=(latest.number + 1) if latest else 1,
        status=ReviewStatus.DRAFT.value, created_at=now,
        created_by_id=actor.id if actor else None)
    if latest is not None:
        version.pdf_name = latest.pdf_name
        version.pdf_original_name = latest.pdf_original_name
        version.pdf_size = latest.pdf_size
        version.pdf_pages = latest.pdf_pages
        version.chapters = [
            ManualChapter(number=c.number, title=c.title, page_from=c.page_from,
                          page_to=c.page_to, sections=list(c.sections or []))
            for c in latest.chapters]
    session.add(version)
    session.flush()
    audit.record(session, actor=actor, action="manual.version_create", target=version, now=now,
                 summary=f"新建培训教材第{version.number}版（{training_class.title}）",
                 changes={"class_id": training_class.id, "number": version.number})
    return version


def attach_pdf(session: Session, *, training_class: TrainingClass, stored: StoredPdf,
               original_name: str, actor: User | None, now: datetime,
               note: str | None = None) -> ManualVersion:
    """Put a stored PDF on the draft version (opening one if needed)."""
    version = open_draft(session, training_class=training_class, actor=actor, now=now)
    old = version.pdf_original_name
    version.pdf_name = stored.name
    version.pdf_original_name = (original_name or "manual.pdf")[:255]
    version.pdf_size = stored.size
    version.pdf_pages = stored.pages
    if note is not None:
        version.note = note.strip()
    audit.record(session, actor=actor, action="manual.upload", target=version, now=now,
                 summary=f"上传培训教材第{version.number}版PDF",
                 changes={"pdf": [old, version.pdf_original_name], "size": stored.size})
    return version


def upload_pdf(session: Session, *, training_class: TrainingClass, stream: IO[bytes],
               filename: str, directory: Path, actor: User, now: datetime,
               note: str | None = None, max_bytes: int = MANUAL_MAX_BYTES) -> ManualVersion:
    """Check and store an uploaded PDF, then put it on the draft version."""
    latest = latest_version(session, training_class)
    if latest is not None and latest.status == ReviewStatus.SUBMITTED.value:
        # Refuse before writing the file, so nothing is stored for a refused upload.
        open_draft(session, training_class=training_class, actor=actor, now=now)
    stored = store_pdf(stream, directory=directory, max_bytes=max_bytes)
    return attach_pdf(session, training_class=training_class, stored=stored,
                      original_name=filename, actor=actor, now=now, note=note)


def _require_draft(version: ManualVersion) -> None:
    if version.status != ReviewStatus.DRAFT.value:
        raise DomainError(N_("第%(n)s版已提交审批，不能再修改；请新建版本。"), n=version.number)


def _clean_chapters(rows: Iterable[dict[str, Any]], pages: int | None) -> list[dict[str, Any]]:
    chapters: list[dict[str, Any]] = []
    for row in rows:
        title = (row.get("title") or "").strip()
        number = row.get("number")
        if not title and number in (None, ""):
            continue  # an empty row of the form
        if not title:
            raise DomainError(N_("第%(n)s章缺少标题。"), n=number)
        if number in (None, "") or int(number) < 1:
            raise DomainError(N_("章“%(title)s”缺少章号。"), title=title)
        page_from, page_to = row.get("page_from"), row.get("page_to")
        page_from = int(page_from) if page_from not in (None, "") else None
        page_to = int(page_to) if page_to not in (None, "") else None
        if page_from is not None and page_from < 1:
            raise DomainError(N_("第%(n)s章的页码必须从1开始。"), n=number)
        if page_from is not None and page_to is not None and page_to < page_from:
            raise DomainError(N_("第%(n)s章的结束页不能小于起始页。"), n=number)
        if pages is not None and (page_to or page_from or 0) > pages:
            raise DomainError(N_("第%(n)s章的页码超出了PDF的页数（%(pages)s页）。"),
                              n=number, pages=pages)
        chapters.append({"number": int(number), "title": title[:200], "page_from": page_from,
                         "page_to": page_to, "sections": list(row.get("sections") or [])})
    numbers = [c["number"] for c in chapters]
    if len(numbers) != len(set(numbers)):
        duplicate = next(n for n in numbers if numbers.count(n) > 1)
        raise DomainError(N_("章号重复：第%(n)s章。"), n=duplicate)
    return sorted(chapters, key=lambda c: c["number"])


def set_chapters(session: Session, *, version: ManualVersion, chapters: Iterable[dict[str, Any]],
                 actor: User | None, now: datetime) -> ManualVersion:
    """Replace the draft version's chapters (number, title, page range, sections)."""
    _require_draft(version)
    clean = _clean_chapters(chapters, version.pdf_pages)
    before = [[c.number, c.title, c.page_from, c.page_to] for c in version.chapters]
    after = [[c["number"], c["title"], c["page_from"], c["page_to"]] for c in clean]
    if before == after and [c.sections for c in version.chapters] == [c["sections"] for c in clean]:
        return version
    version.chapters = []
    session.flush()  # the old rows go first: (version, number) is unique
    version.chapters = [ManualChapter(**c) for c in clean]
    session.flush()
    audit.record(session, actor=actor, action="manual.chapters", target=version, now=now,
                 summary=f"修改培训教材第{version.number}版章节",
                 changes={"chapters": [before, after]})
    return version


def import_markdown(session: Session, *, training_class: TrainingClass, text: str,
                    actor: User | None, now: datetime, directory: Path | None = None,
                    filename: str = "manual.md") -> ManualVersion:
    """Take the chapters and sections of a Markdown manual into the draft version.

    With ``directory``, the Markdown is also rendered to the version's PDF (A4, CJK fonts),
    each chapter starting on a new page, and the page ranges are filled in from the render.
    Without it, page ranges are left for the organizer to enter.
    """
    chapters = parse_markdown_chapters(text)
    version = open_draft(session, training_class=training_class, actor=actor, now=now)
    if directory is not None:
        data, pages = render_markdown_pdf(text, chapters)
        stored = _store_bytes(data, directory=directory, pages=pages)
        pdf_name = re.sub(r"\.(md|markdown|txt)$", "", filename, flags=re.IGNORECASE) + ".pdf"
        attach_pdf(session, training_class=training_class, stored=stored,
                   original_name=pdf_name, actor=actor, now=now)
    set_chapters(session, version=version, actor=actor, now=now, chapters=[
        {"number": c.number, "title": c.title, "page_from": c.page_from, "page_to": c.page_to,
         "sections": c.sections} for c in chapters])
    audit.record(session, actor=actor, action="manual.import_markdown", target=version, now=now,
                 summary=f"从Markdown导入培训教材第{version.number}版章节",
                 changes={"chapters": len(chapters), "pdf_rendered": directory is not None})
    return version


def submit_version(session: Session, *, version: ManualVersion, actor: User,
                   now: datetime) -> ManualVersion:
    """The organizer submits the draft to the sponsor: it needs a PDF and complete chapters."""
    _require_draft(version)
    if not version.pdf_name:
        raise DomainError(N_("请先上传教材PDF文件。"))
    if not version.chapters:
        raise DomainError(N_("请先填写教材章节。"))
    for chapter in version.chapters:
        if chapter.page_from is None or chapter.page_to is None:
            raise DomainError(N_("第%(n)s章尚未填写页码范围。"), n=chapter.number)
    version.status = ReviewStatus.SUBMITTED.value
    version.submitted_at = now
    version.submitted_by_id = actor.id
    audit.record(session, actor=actor, action="manual.submit", target=version, now=now,
                 summary=f"提交培训教材第{version.number}版审批",
                 changes={"status": [ReviewStatus.DRAFT.value, ReviewStatus.SUBMITTED.value]})
    return version


def _review(session: Session, *, version: ManualVersion, actor: User, now: datetime,
            status: ReviewStatus, comment: str) -> ManualVersion:
    training_class = version.manual.training_class
    if not is_class_sponsor(actor, training_class):
        raise PermissionDenied(N_("只有本培训班的主办方可以审批培训教材。"))
    if version.status != ReviewStatus.SUBMITTED.value:
        raise DomainError(N_("第%(n)s版不在待审批状态。"), n=version.number)
    version.status = status.value
    version.reviewed_at = now
    version.reviewed_by_id = actor.id
    version.review_comment = comment
    verb = "批准" if status == ReviewStatus.APPROVED else "退回"
    audit.record(session, actor=actor, action=f"manual.{'approve' if verb == '批准' else 'return'}",
                 target=version, now=now, summary=f"{verb}培训教材第{version.number}版",
                 changes={"status": [ReviewStatus.SUBMITTED.value, status.value],
                          "comment": comment})
    return version


def approve_version(session: Session, *, version: ManualVersion, actor: User, now: datetime,
                    comment: str = "") -> ManualVersion:
    return _review(session, version=version, actor=actor, now=now,
                   status=ReviewStatus.APPROVED, comment=(comment or "").strip())


def return_version(session: Session, *, version: ManualVersion, comment: str, actor: User,
                   now: datetime) -> ManualVersion:
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(N_("退回时请填写修改意见。"))
    return _review(session, version=version, actor=actor, now=now,
                   status=ReviewStatus.RETURNED, comment=comment)
