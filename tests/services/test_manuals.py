"""The training manual: storage checks, Markdown chapters, and the sponsor approval flow."""
import io
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import NOW, make_class_team, make_pdf_bytes, make_unit, make_user
from training_app.models import AuditEntry, Role
from training_app.services import manuals
from training_app.services.errors import DomainError, PermissionDenied

DEMO_MANUAL = Path(__file__).resolve().parents[3] / "shared" / "demo" / "manual.md"
CHAPTERS = [{"number": 1, "title": "国家政策", "page_from": 1, "page_to": 4},
            {"number": 2, "title": "潍坊实践", "page_from": 5, "page_to": 9}]


@pytest.fixture
def pdf_bytes():
    return make_pdf_bytes()


def upload(session, training_class, organizer, data: bytes, tmp_path, name="教材.pdf"):
    return manuals.upload_pdf(session, training_class=training_class, stream=io.BytesIO(data),
                              filename=name, directory=tmp_path / "manuals", actor=organizer,
                              now=NOW)


# ------------------------------------------------------------------ Markdown

@pytest.mark.parametrize("text, number", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20),
                                          ("二十三", 23), ("一百零五", 105), ("7", 7), ("１２", 12)])
def test_chinese_numbers(text, number):
    assert manuals.chinese_number(text) == number


def test_demo_manual_has_seven_chapters_and_thirty_sections():
    chapters = manuals.parse_markdown_chapters(DEMO_MANUAL.read_text(encoding="utf-8"))
    assert [c.number for c in chapters] == [1, 2, 3, 4, 5, 6, 7]
    assert chapters[0].title == "社会工作专业人才队伍建设的国家政策"
    assert chapters[3].title == "“四社联动”机制"
    assert sum(len(c.sections) for c in chapters) == 30
    assert chapters[0].sections[0] == {"number": 1, "title": "两个纲领性文件"}


def test_markdown_headings_in_code_are_ignored_and_none_found_is_refused():
    text = "## 第1章 总则\n```\n## 第2章 不是章\n```\n### 第一节 概述\n## 第十章：附录\n"
    chapters = manuals.parse_markdown_chapters(text)
    assert [(c.number, c.title, c.sections) for c in chapters] == [
        (1, "总则", [{"number": 1, "title": "概述"}]), (10, "附录", [])]
    with pytest.raises(DomainError) as excinfo:
        manuals.parse_markdown_chapters("# 教材\n\n正文")
    assert "没有找到“## 第N章 标题”格式的章标题" in str(excinfo.value)


def test_markdown_rendered_to_pdf_gives_page_ranges_and_escapes_html(db_session, tmp_path):
    c, organizer, _ = make_class_team(db_session)
    text = ("# 教材\n\n<img src=\"file:///etc/passwd\"> 前言\n\n## 第一章 政策\n\n正文一\n\n"
            "## 第二章 实践\n\n正文二\n\n### 第一节 起步\n\n正文三\n")
    version = manuals.import_markdown(db_session, training_class=c, text=text, actor=organizer,
                                      now=NOW, directory=tmp_path, filename="教材.md")
    assert version.pdf_pages == 3  # title page, then each chapter on a new page
    assert [(ch.number, ch.page_from, ch.page_to) for ch in version.chapters] == [(1, 2, 2), (2, 3, 3)]
    assert version.chapters[1].sections == [{"number": 1, "title": "起步"}]
    assert version.pdf_original_name == "教材.pdf"
    path = manuals.pdf_path(tmp_path, version)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert "正文三" in out.stdout and "<img" in out.stdout  # shown as text, not fetched


def test_markdown_import_without_rendering_leaves_pages_to_fill(db_session):
    c, organizer, _ = make_class_team(db_session)
    version = manuals.import_markdown(db_session, training_class=c, actor=organizer, now=NOW,
                                      text=DEMO_MANUAL.read_text(encoding="utf-8"))
    assert len(version.chapters) == 7 and version.pdf_name is None
    assert all(ch.page_from is None for ch in version.chapters)
    with pytest.raises(DomainError) as excinfo:
        manuals.submit_version(db_session, version=version, actor=organizer, now=NOW)
    assert str(excinfo.value) == "请先上传教材PDF文件。"


def test_markdown_must_be_utf8():
    with pytest.raises(DomainError) as excinfo:
        manuals.decode_markdown("## 第一章 政策".encode("gbk"))
    assert "UTF-8" in str(excinfo.value)
    assert manuals.decode_markdown("\ufeff## 第一章".encode("utf-8")) == "## 第一章"


# ------------------------------------------------------------------ files

def test_a_file_that_is_not_a_pdf_is_refused_and_not_kept(db_session, tmp_path):
    c, organizer, _ = make_class_team(db_session)
    with pytest.raises(DomainError) as excinfo:
        upload(db_session, c, organizer, b"MZ\x90\x00 pretending to be a pdf", tmp_path,
               name="virus.pdf")
    assert str(excinfo.value) == "上传的文件不是PDF文件。"
    assert not (tmp_path / "manuals").exists() or not any((tmp_path / "manuals").iterdir())
    assert manuals.latest_version(db_session, c) is None


def test_a_pdf_over_the_size_limit_is_refused_and_not_kept(tmp_path):
    data = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
    with pytest.raises(DomainError) as excinfo:
        manuals.store_pdf(io.BytesIO(data), directory=tmp_path, max_bytes=1024 * 1024)
    assert str(excinfo.value) == "文件不能超过1MB。"
    assert list(tmp_path.iterdir()) == []
    stored = manuals.store_pdf(io.BytesIO(data), directory=tmp_path, max_bytes=2 * 1024 * 1024)
    assert stored.size == len(data) and manuals.STORED_NAME.match(stored.name)
    assert (tmp_path / stored.name).read_bytes() == data
    assert manuals.MANUAL_MAX_BYTES == 50 * 1024 * 1024


# ------------------------------------------------------------------ approval flow

def test_submit_needs_chapters_with_page_ranges(db_session, tmp_path, pdf_bytes):
    c, organizer, _ = make_class_team(db_session)
    version = upload(db_session, c, organizer, pdf_bytes, tmp_path)
    with pytest.raises(DomainError) as excinfo:
        manuals.submit_version(db_session, version=version, actor=organizer, now=NOW)
    assert str(excinfo.value) == "请先填写教材章节。"
    manuals.set_chapters(db_session, version=version, actor=organizer, now=NOW,
                         chapters=[{"number": 1, "title": "国家政策", "page_from": 1}])
    with pytest.raises(DomainError) as excinfo:
        manuals.submit_version(db_session, version=version, actor=organizer, now=NOW)
    assert str(excinfo.value) == "第1章尚未填写页码范围。"


@pytest.mark.parametrize("rows, message", [
    ([{"number": 1, "title": "a"}, {"number": 1, "title": "b"}], "章号重复：第1章。"),
    ([{"number": 2, "title": ""}], "第2章缺少标题。"),
    ([{"number": None, "title": "无号"}], "章“无号”缺少章号。"),
    ([{"number": 3, "title": "c", "page_from": 5, "page_to": 4}], "第3章的结束页不能小于起始页。"),
])
def test_bad_chapters_are_refused(db_session, rows, message):
    c, organizer, _ = make_class_team(db_session)
    version = manuals.open_draft(db_session, training_class=c, actor=organizer, now=NOW)
    with pytest.raises(DomainError) as excinfo:
        manuals.set_chapters(db_session, version=version, chapters=rows, actor=organizer, now=NOW)
    assert str(excinfo.value) == message


def test_approval_flow_with_return_and_new_version(db_session, tmp_path, pdf_bytes):
    c, organizer, sponsor = make_class_team(db_session)
    v1 = upload(db_session, c, organizer, pdf_bytes, tmp_path)
    manuals.set_chapters(db_session, version=v1, chapters=CHAPTERS, actor=organizer, now=NOW)
    manuals.submit_version(db_session, version=v1, actor=organizer, now=NOW)
    assert v1.status == "submitted" and v1.submitted_by_id == organizer.id
    assert manuals.approved_manual_version(db_session, c) is None

    # A submitted version is frozen, and no new version may start while it waits.
    with pytest.raises(DomainError) as excinfo:
        manuals.set_chapters(db_session, version=v1, chapters=CHAPTERS[:1], actor=organizer, now=NOW)
    assert str(excinfo.value) == "第1版已提交审批，不能再修改；请新建版本。"
    with pytest.raises(DomainError) as excinfo:
        upload(db_session, c, organizer, pdf_bytes, tmp_path)
    assert str(excinfo.value) == "第1版正在等待主办方审批，审批或退回后才能修改教材。"

    # Returning needs a comment.
    with pytest.raises(DomainError) as excinfo:
        manuals.return_version(db_session, version=v1, comment="  ", actor=sponsor, now=NOW)
    assert str(excinfo.value) == "退回时请填写修改意见。"
    manuals.return_version(db_session, version=v1, comment="第二章数据请更新到2016年。",
                           actor=sponsor, now=NOW)
    assert v1.status == "returned" and v1.review_comment == "第二章数据请更新到2016年。"
    assert v1.reviewed_by_id == sponsor.id

    # The next version carries over chapters and PDF, and is approved afresh.
    v2 = manuals.open_draft(db_session, training_class=c, actor=organizer, now=NOW)
    assert v2.number == 2 and v2.status == "draft" and v2.pdf_name == v1.pdf_name
    assert [(ch.number, ch.title) for ch in v2.chapters] == [(1, "国家政策"), (2, "潍坊实践")]
    manuals.set_chapters(db_session, version=v2, actor=organizer, now=NOW,
                         chapters=[CHAPTERS[0], {**CHAPTERS[1], "title": "潍坊实践（2016）"}])
    manuals.submit_version(db_session, version=v2, actor=organizer, now=NOW)
    manuals.approve_version(db_session, version=v2, actor=sponsor, now=NOW)
    assert manuals.approved_manual_version(db_session, c) == v2

    # A third version after approval goes through approval again; v2 stays in force meanwhile.
    v3 = upload(db_session, c, organizer, make_pdf_bytes("第三版"), tmp_path)
    assert v3.number == 3 and v3.pdf_name != v2.pdf_name
    manuals.submit_version(db_session, version=v3, actor=organizer, now=NOW)
    assert manuals.approved_manual_version(db_session, c) == v2
    manuals.approve_version(db_session, version=v3, actor=sponsor, now=NOW, comment="同意印制")
    assert manuals.approved_manual_version(db_session, c) == v3

    # The history is kept.
    assert [(v.number, v.status) for v in manuals.list_versions(db_session, c)] == [
        (3, "approved"), (2, "approved"), (1, "returned")]
    assert v1.chapters[1].title == "潍坊实践"
    actions = list(db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("manual.%")).order_by(AuditEntry.id)))
    assert actions.count("manual.submit") == 3 and actions.count("manual.approve") == 2
    assert actions.count("manual.return") == 1


def test_only_a_sponsor_of_the_class_approves(db_session, tmp_path, pdf_bytes):
    c, organizer, sponsor = make_class_team(db_session)
    version = upload(db_session, c, organizer, pdf_bytes, tmp_path)
    manuals.set_chapters(db_session, version=version, chapters=CHAPTERS, actor=organizer, now=NOW)
    manuals.submit_version(db_session, version=version, actor=organizer, now=NOW)
    other_sponsor = make_user(db_session, roles=[Role.SPONSOR], unit=make_unit(db_session))
    for actor in (organizer, other_sponsor):
        with pytest.raises(PermissionDenied) as excinfo:
            manuals.approve_version(db_session, version=version, actor=actor, now=NOW)
        assert str(excinfo.value) == "只有本培训班的主办方可以审批培训教材。"
    assert version.status == "submitted"
    manuals.approve_version(db_session, version=version, actor=sponsor, now=NOW)
    with pytest.raises(DomainError) as excinfo:
        manuals.approve_version(db_session, version=version, actor=sponsor, now=NOW)
    assert str(excinfo.value) == "第1版不在待审批状态。"
