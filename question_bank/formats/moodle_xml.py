"""Moodle XML format (``.xml``), for exchanging banks with Moodle sites.

Supported question types: ``multichoice`` (``<single>true</single>`` = 单选,
``false`` = 多选) and ``essay`` (= 简答).  ``type="category"`` entries are
accepted and skipped.  Every other type (truefalse, matching, numerical,
shortanswer, cloze, ...) is reported with the line of its ``<question>``.

Field mapping:

* code: ``<idnumber>`` if present, else ``<name><text>``; export writes both;
* stem: ``<questiontext format="html">`` (HTML converted to plain text,
  see :mod:`.htmltext`; ``plain_text``/``moodle_auto_format``/``markdown``
  texts are taken as they are);
* points: ``<defaultgrade>`` (missing: the type's standard points);
* options and key: ``<answer fraction="…">`` - see :mod:`.weights`: single
  choice 100/0; multiple choice positive fractions share 100 (33.33333
  each for three, tolerant of rounding), wrong options -100 on export and
  any value <= 0 on import;
* reference answer: ``<graderinfo>`` for essays, ``<generalfeedback>`` for
  choice questions (an explanation).  Export writes the essay's grader info
  as ``<p>参考答案：</p><p>…</p><p>评分要点：</p><ol><li>（2分）要点</li>…</ol>``;
  import reads that layout back into reference answer and scoring points,
  and treats grader info without it as the reference answer alone;
* extra fields travel as Moodle tags (``<tags><tag><text>``), which Moodle
  keeps and displays: ``ref:3-2-15`` (chapter-section-page, empty parts
  allowed: ``ref:3-2``, ``ref:-2``), ``ref-title:<教材出处标题>``,
  ``difficulty:2``, and ``tied_to_class`` (紧扣本班).  All other tags are
  ordinary question tags, so tags starting with ``ref:``, ``ref-title:``,
  ``difficulty:`` or equal to ``tied_to_class`` are reserved.

Non-empty per-option feedback and images in texts cannot be represented
and are reported rather than dropped.  Documents with a DOCTYPE or entity
declarations are refused (uploads are untrusted).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from decimal import Decimal
from xml.parsers import expat

from ..model import ManualRef, Question, ScoringPoint
from ..numbers import fmt_decimal, to_decimal
from ..question_types import QUESTION_TYPES
from .base import ImportFailed, ImportIssue, IssueCollector
from .htmltext import html_to_text, text_to_html
from .weights import WRONG_MULTIPLE, classify_multiple, classify_single, share_percent

__all__ = ["MoodleXmlFormat", "dump", "parse"]

_UNSUPPORTED = {
    "truefalse": "判断题",
    "matching": "匹配题",
    "numerical": "数值题",
    "shortanswer": "填空题",
    "description": "说明文字",
    "cloze": "完形填空题",
    "multianswer": "完形填空题",
    "calculated": "计算题",
    "calculatedsimple": "简单计算题",
    "calculatedmulti": "计算选择题",
    "ddwtos": "拖放填空题",
    "gapselect": "选词填空题",
    "ddimageortext": "图片拖放题",
    "ddmarker": "拖放标记题",
    "randomsamatch": "随机匹配题",
    "ordering": "排序题",
}
_REF_PREFIX = "ref:"
_TITLE_PREFIX = "ref-title:"
_DIFFICULTY_PREFIX = "difficulty:"
_TIED_TAG = "tied_to_class"
_REF_HEAD = "参考答案："
_POINTS_HEAD = "评分要点："
_POINT_LINE = re.compile(r"^[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]\s*(.*)$")


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _parse_tree(data: bytes) -> tuple[ET.Element, dict[int, int]]:
    """ElementTree built through expat so each element knows its start line."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    lines: dict[int, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = builder.start(tag, attrs)
        lines[id(element)] = parser.CurrentLineNumber

    def refuse_doctype(*_: object) -> None:
        raise _Refused(parser.CurrentLineNumber, "不接受含 DOCTYPE 声明的 XML 文件")

    def refuse_entity(*_: object) -> None:
        raise _Refused(parser.CurrentLineNumber, "不接受含实体声明的 XML 文件")

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        detail = expat.errors.messages.get(exc.code, str(exc)) if exc.code else str(exc)
        raise ImportFailed([ImportIssue(exc.lineno or 1, f"XML 格式错误：{detail}")]) from None
    except _Refused as exc:
        raise ImportFailed([ImportIssue(exc.line, exc.message)]) from None
    return builder.close(), lines


class _Parser:
    def __init__(self, lines: dict[int, int]) -> None:
        self.lines = lines
        self.issues = IssueCollector()

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 0)

    def run(self, root: ET.Element) -> list[Question]:
        if root.tag != "quiz":
            self.issues.add(self.line(root), f"根元素应为<quiz>，现为<{root.tag}>")
            self.issues.fail_now()
        located: list[tuple[int, Question]] = []
        for element in root:
            if element.tag != "question":
                self.issues.add(
                    self.line(element), f"<quiz>中只能包含<question>，发现<{element.tag}>"
                )
                continue
            question = self.question(element)
            if question is not None:
                located.append((self.line(element), question))
        return self.issues.finish(located)

    def text_of(self, element: ET.Element | None, default_format: str = "html") -> str:
        """Text of a Moodle “text field” (``<x format=…><text>…</text></x>``)."""
        if element is None:
            return ""
        raw = (element.findtext("text") or "").replace("\r\n", "\n").replace("\r", "\n")
        fmt = element.get("format", default_format)
        if fmt != "html":
            return raw.strip()
        text, problems = html_to_text(raw)
        for problem in problems:
            self.issues.add(self.line(element), problem)
        return text.strip()

    def question(self, element: ET.Element) -> Question | None:
        qtype = element.get("type", "")
        line = self.line(element)
        if qtype == "category":
            return None
        if qtype not in ("multichoice", "essay"):
            label = _UNSUPPORTED.get(qtype, "")
            shown = f"“{qtype}”（{label}）" if label else f"“{qtype}”"
            self.issues.add(
                line, f"不支持的题型{shown}，只能导入单选、多选（multichoice）和简答（essay）"
            )
            return None
        code = (element.findtext("idnumber") or "").strip() or self.text_of(
            element.find("name"), "plain_text"
        )
        self.issues.claim_code(line, code)
        stem_element = element.find("questiontext")
        stem_format = stem_element.get("format", "html") if stem_element is not None else "html"
        stem = self.text_of(stem_element)
        # Every part is read even after a failure, so all problems are reported.
        options: tuple[str, ...] = ()
        answer: tuple[int, ...] = ()
        scoring: tuple[ScoringPoint, ...] = ()
        if qtype == "multichoice":
            parsed = self.choices(element, stem_format)
            type_key = parsed[0] if parsed else "single"
            if parsed:
                options, answer = parsed[1], parsed[2]
            reference = self.text_of(element.find("generalfeedback"), stem_format)
        else:
            parsed = None
            type_key = "short"
            reference, scoring = self.grader_info(element.find("graderinfo"))
            if not reference and not scoring:
                reference = self.text_of(element.find("generalfeedback"), stem_format)
        points = QUESTION_TYPES[type_key].default_points
        grade_ok = True
        grade_text = (element.findtext("defaultgrade") or "").strip()
        if grade_text:
            try:
                points = to_decimal(grade_text)
            except ValueError as exc:
                grade = element.find("defaultgrade")
                self.issues.add(self.line(grade if grade is not None else element), f"分值：{exc}")
                grade_ok = False
        tags = self.tags(element)
        if tags is None or not grade_ok or (qtype == "multichoice" and parsed is None):
            return None
        plain_tags, ref, difficulty, tied = tags
        return Question(
            code=code,
            type=type_key,
            stem=stem,
            options=options,
            answer=answer,
            points=points,
            reference_answer=reference,
            scoring_points=scoring,
            manual_ref=ref,
            tags=plain_tags,
            difficulty=difficulty,
            tied_to_class=tied,
        )

    def choices(
        self, element: ET.Element, fmt: str
    ) -> tuple[str, tuple[str, ...], tuple[int, ...]] | None:
        single_text = (element.findtext("single") or "true").strip().lower()
        single = single_text in ("true", "1")
        options: list[str] = []
        weights: list[Decimal] = []
        ok = True
        for answer in element.findall("answer"):
            try:
                weights.append(to_decimal(answer.get("fraction", "0")))
            except ValueError:
                self.issues.add(self.line(answer), f"选项权重“{answer.get('fraction')}”不是数字")
                ok = False
                weights.append(Decimal(0))
            options.append(self.text_of(answer, answer.get("format", fmt)))
            if self.text_of(answer.find("feedback")):
                self.issues.add(
                    self.line(answer), "不支持选项反馈（<answer>中的<feedback>），请删除后再导入"
                )
                ok = False
        correct, problems = (classify_single if single else classify_multiple)(weights)
        for problem in problems:
            self.issues.add(self.line(element), problem)
            ok = False
        if not ok:
            return None
        return ("single" if single else "multiple"), tuple(options), correct

    def grader_info(self, element: ET.Element | None) -> tuple[str, tuple[ScoringPoint, ...]]:
        """Split grader information into reference answer and scoring points."""
        text = self.text_of(element)
        lines = text.split("\n")
        marker = max((i for i, ln in enumerate(lines) if ln.strip() == _POINTS_HEAD), default=-1)
        ref_lines = lines if marker < 0 else lines[:marker]
        if ref_lines and ref_lines[0].strip() == _REF_HEAD:
            ref_lines = ref_lines[1:]
        points: list[ScoringPoint] = []
        if marker >= 0:
            assert element is not None
            for entry in (ln.strip() for ln in lines[marker + 1 :]):
                if not entry:
                    continue
                match = _POINT_LINE.match(entry)
                if match is None:
                    self.issues.add(
                        self.line(element), f"评分要点“{entry}”格式错误，应为“（2分）要点内容”"
                    )
                    continue
                try:
                    score = to_decimal(match.group(1))
                except ValueError as exc:
                    self.issues.add(self.line(element), f"评分要点“{entry}”：{exc}")
                    continue
                points.append(ScoringPoint(point=match.group(2).strip(), score=score))
        return "\n".join(ref_lines).strip(), tuple(points)

    def tags(
        self, element: ET.Element
    ) -> tuple[tuple[str, ...], ManualRef | None, int, bool] | None:
        plain: list[str] = []
        chapter = section = page = None
        title = ""
        difficulty = 2
        tied = False
        ok = True
        tags_element = element.find("tags")
        for tag in tags_element.findall("tag") if tags_element is not None else []:
            value = (tag.findtext("text") or "").strip()
            line = self.line(tag)
            if value.startswith(_REF_PREFIX):
                parts = value[len(_REF_PREFIX) :].split("-")
                try:
                    if len(parts) > 3:
                        raise ValueError
                    numbers = [int(p) if p.strip() else None for p in parts] + [None] * (
                        3 - len(parts)
                    )
                    chapter, section, page = numbers
                except ValueError:
                    self.issues.add(
                        line, f"标签“{value}”格式错误，应为“ref:章-节-页”，如 ref:3-2-15"
                    )
                    ok = False
            elif value.startswith(_TITLE_PREFIX):
                title = value[len(_TITLE_PREFIX) :].strip()
            elif value.startswith(_DIFFICULTY_PREFIX):
                try:
                    difficulty = int(value[len(_DIFFICULTY_PREFIX) :])
                except ValueError:
                    self.issues.add(line, f"标签“{value}”格式错误，应为 difficulty:1、2 或 3")
                    ok = False
            elif value == _TIED_TAG:
                tied = True
            elif value:
                plain.append(value)
        if not ok:
            return None
        ref = ManualRef(chapter=chapter, section=section, page=page, title=title)
        return tuple(plain), (None if ref.is_empty else ref), difficulty, tied


# -- writer -----------------------------------------------------------------------
def _text_field(
    parent: ET.Element, tag: str, text: str, fmt: str | None = "html", paragraph: bool = False
) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if fmt is not None:
        element.set("format", fmt)
    ET.SubElement(element, "text").text = text_to_html(text, paragraph) if fmt == "html" else text
    return element


def _simple(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _grader_html(q: Question) -> str:
    parts = []
    if q.reference_answer:
        parts.append(f"<p>{_REF_HEAD}</p><p>{text_to_html(q.reference_answer)}</p>")
    if q.scoring_points:
        items = "".join(
            f"<li>（{fmt_decimal(sp.score)}分）{text_to_html(sp.point)}</li>"
            for sp in q.scoring_points
        )
        parts.append(f"<p>{_POINTS_HEAD}</p><ol>{items}</ol>")
    return "".join(parts)


def _tags(q: Question) -> list[str]:
    tags = list(q.tags)
    ref = q.manual_ref
    if ref is not None:
        if ref.chapter is not None or ref.section is not None or ref.page is not None:
            nums = ["" if n is None else str(n) for n in (ref.chapter, ref.section, ref.page)]
            while nums and nums[-1] == "":
                nums.pop()
            tags.append(_REF_PREFIX + "-".join(nums))
        if ref.title:
            tags.append(_TITLE_PREFIX + ref.title)
    tags.append(f"{_DIFFICULTY_PREFIX}{q.difficulty}")
    if q.tied_to_class:
        tags.append(_TIED_TAG)
    return tags


def _write_question(quiz: ET.Element, q: Question) -> None:
    if q.type not in ("single", "multiple", "short"):
        raise ValueError(f"Moodle XML 格式不支持题型“{q.type}”")
    element = ET.SubElement(quiz, "question", type="essay" if q.type == "short" else "multichoice")
    name = ET.SubElement(element, "name")
    _simple(name, "text", q.code)
    _text_field(element, "questiontext", q.stem, paragraph=True)
    reference = "" if q.type == "short" else q.reference_answer
    _text_field(element, "generalfeedback", reference)
    _simple(element, "defaultgrade", fmt_decimal(q.points))
    _simple(element, "penalty", "0" if q.type == "short" else "0.3333333")
    _simple(element, "hidden", "0")
    _simple(element, "idnumber", q.code)
    if q.type == "short":
        _simple(element, "responseformat", "editor")
        _simple(element, "responserequired", "1")
        _simple(element, "responsefieldlines", "15")
        _simple(element, "attachments", "0")
        _simple(element, "attachmentsrequired", "0")
        grader = ET.SubElement(element, "graderinfo", format="html")
        _simple(grader, "text", _grader_html(q))
        _text_field(element, "responsetemplate", "")
    else:
        single = q.type == "single"
        _simple(element, "single", "true" if single else "false")
        _simple(element, "shuffleanswers", "true")
        _simple(element, "answernumbering", "ABCD")
        _simple(element, "showstandardinstruction", "0")
        correct = set(q.answer)
        right = Decimal(100) if single else share_percent(max(len(correct), 1))
        wrong = Decimal(0) if single else WRONG_MULTIPLE
        for i, option in enumerate(q.options):
            answer = ET.SubElement(
                element,
                "answer",
                fraction=fmt_decimal(right if i in correct else wrong),
                format="html",
            )
            _simple(answer, "text", text_to_html(option))
            _text_field(answer, "feedback", "")
    tags = ET.SubElement(element, "tags")
    for tag in _tags(q):
        _simple(ET.SubElement(tags, "tag"), "text", tag)


def dump(questions: Sequence[Question]) -> bytes:
    """Moodle XML (UTF-8) that Moodle imports and :func:`parse` reads back exactly."""
    quiz = ET.Element("quiz")
    quiz.append(
        ET.Comment(
            " 题库导出；标签 ref:章-节-页、ref-title:、difficulty:、tied_to_class 是本平台的扩展字段 "
        )
    )
    for q in questions:
        _write_question(quiz, q)
    ET.indent(quiz, space="  ")
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"


def parse(data: bytes) -> list[Question]:
    """Parse Moodle XML bytes; raises ``ImportFailed`` listing every problem."""
    root, lines = _parse_tree(data)
    return _Parser(lines).run(root)


class MoodleXmlFormat:
    label = "Moodle XML"
    extensions = (".xml",)
    media_type = "application/xml"

    def parse(self, data: bytes) -> list[Question]:
        return parse(data)

    def dump(self, questions: Sequence[Question]) -> bytes:
        return dump(questions)
