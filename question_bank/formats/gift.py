"""Moodle GIFT text format (``.gift`` / ``.txt``).

GIFT is what organizers coming from Moodle already know, and the file is
plain text they can edit in Notepad.  The reader follows Moodle's own
importer (``question/format/gift/format.php``) for the supported subset:

* questions are separated by blank lines; lines starting with ``//`` are
  comments; a block starting with ``$CATEGORY:`` is a category switch
  (accepted and ignored - the platform has no categories);
* ``::S01::`` gives the question name, used as the question code;
* an optional ``[html]`` / ``[moodle]`` / ``[plain]`` / ``[markdown]``
  prefix gives the text format (HTML is converted to plain text);
* ``{=right ~wrong ~wrong}`` is a single choice question (any ``=`` makes
  it single, as in Moodle); ``{~%50%A ~%50%B ~%-100%C}`` with no ``=`` is a
  multiple choice question whose positive weights must share 100%;
* ``{}`` is an essay, i.e. a short-answer question (简答);
* ``####text`` before the closing brace is Moodle's general feedback; it
  carries the reference answer (参考答案);
* ``\\~ \\= \\# \\{ \\} \\: \\\\`` escape special characters and ``\\n`` is a
  newline inside a text.

Constructs this platform cannot represent are reported with their line
instead of being dropped: description-only blocks (no braces), numerical
``{#...}``, matching ``{=a -> b}``, true/false ``{T}``, fill-in short answer
(only ``=`` answers), missing-word questions (text after the braces), more
than one answer block, per-option feedback ``~wrong#feedback``, and partial
or negative weights in single choice questions.

Extra fields (platform extension, ignored by Moodle because they are
comments).  Lines of the form ``// @key: value`` inside a question's block
(normally just above ``::code::``, *without* a blank line in between)::

    // @points: 1.5              分值 (default: the type's standard points)
    // @difficulty: 2            难度 1-3 (default 2)
    // @tag: 四社联动             one line per tag (``@tags: a、b`` also accepted)
    // @ref-chapter: 4           教材章
    // @ref-section: 1           教材节
    // @ref-page: 15             教材页
    // @ref-title: “四社联动”的由来  教材出处标题
    // @tied-to-class: yes       紧扣本班 (yes/no, 是/否)
    // @scoring-point: 2 | 答出四个主体……   one line per 评分要点: score | text

In values, ``\\n`` means a newline and ``\\\\`` a backslash.  Unknown keys are
reported, so typos such as ``@piont`` do not silently lose data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..model import ManualRef, Question, ScoringPoint
from ..numbers import fmt_decimal, to_decimal
from ..question_types import QUESTION_TYPES, TAG_SEPARATORS
from .base import IssueCollector, decode_text
from .htmltext import html_to_text
from .weights import WRONG_MULTIPLE, classify_multiple, classify_single, share_percent

__all__ = ["GiftFormat", "dump", "parse"]

# Escaped characters are swapped for private-use placeholders before parsing
# (as Moodle's escapedchar_pre does) so structure is found on real markup only.
_ESCAPES = {
    ":": "\ue000",
    "#": "\ue001",
    "=": "\ue002",
    "{": "\ue003",
    "}": "\ue004",
    "~": "\ue005",
    "n": "\ue006",
}
_RESTORE = {ph: ("\n" if ch == "n" else ch) for ch, ph in _ESCAPES.items()}
_FORMATS = ("html", "moodle", "plain", "markdown")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d*)?)%")
_META = re.compile(r"//\s*@([A-Za-z][\w-]*)\s*:\s?(.*)$")
_SINGLE_VALUED = {
    "points",
    "difficulty",
    "ref-chapter",
    "ref-section",
    "ref-page",
    "ref-title",
    "tied-to-class",
}
_MULTI_VALUED = {"tag", "tags", "scoring-point"}
_TRUE = {"yes", "y", "true", "1", "是", "对", "√"}
_FALSE = {"no", "n", "false", "0", "否", "×"}


@dataclass
class _Block:
    start: int  # line number of the block's first line
    lines: list[str] = field(default_factory=list)


@dataclass
class _Meta:
    line: int
    key: str
    value: str


def _escape_pre(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "\\":
                out.append("\\")
                i += 2
                continue
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def _split_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if current is None:
                current = _Block(start=number)
                blocks.append(current)
            current.lines.append(line)
        else:
            current = None
    return blocks


class _Parser:
    def __init__(self) -> None:
        self.issues = IssueCollector()
        self.located: list[tuple[int, Question]] = []

    def run(self, data: bytes) -> list[Question]:
        text = decode_text(data)
        for block in _split_blocks(text):
            self._block(block)
        return self.issues.finish(self.located)

    # -- one blank-line separated block -------------------------------------
    def _block(self, block: _Block) -> None:
        metas: list[_Meta] = []
        body: list[str] = []
        first_body_line = 0
        for offset, line in enumerate(block.lines):
            number = block.start + offset
            stripped = line.strip()
            if stripped.startswith("//"):
                match = _META.match(stripped)
                if match:
                    metas.append(_Meta(number, match.group(1).lower(), match.group(2).strip()))
                body.append("")  # keep line numbering of the joined text
            else:
                if not first_body_line:
                    first_body_line = number
                body.append(line)
        if not first_body_line:
            if metas:
                self.issues.add(
                    metas[0].line, "扩展字段“// @…”后面没有题目（注释与题目之间不能有空行）"
                )
            return
        # ``raw`` starts at the block's first line, so line = start + newlines before pos.
        raw = _escape_pre("\n".join(body))

        def line_at(pos: int) -> int:
            return block.start + raw.count("\n", 0, pos)

        start = len(raw) - len(raw.lstrip())
        if raw.startswith("$CATEGORY:", start):
            rest_lines = [ln for ln in raw[start:].split("\n")[1:] if ln.strip()]
            if metas or rest_lines:
                self.issues.add(first_body_line, "“$CATEGORY:”行与后面的题目之间需要空一行")
            return
        self._question(raw, start, line_at, first_body_line, metas)

    def _question(
        self,
        raw: str,
        start: int,
        line_at: Callable[[int], int],
        qline: int,
        metas: Sequence[_Meta],
    ) -> None:
        issues = self.issues
        extra = self._read_meta(metas)  # first, so its problems are reported in any case
        code = ""
        pos = start
        if raw.startswith("::", pos):
            end = raw.find("::", pos + 2)
            if end < 0:
                issues.add(qline, "题目名称缺少结尾的“::”")
                return
            code = _restore(raw[pos + 2 : end]).strip()
            pos = end + 2
            issues.claim_code(qline, code)
        open_pos = raw.find("{", pos)
        close_pos = raw.find("}", pos)
        if open_pos < 0 and close_pos < 0:
            issues.add(
                qline,
                "没有答案部分“{…}”：不支持只有文字的说明题；如果文字中有花括号，请写成“\\{”“\\}”",
            )
            return
        if open_pos < 0 or close_pos < 0 or close_pos < open_pos:
            where = open_pos if open_pos >= 0 else close_pos
            issues.add(line_at(where), "花括号“{”“}”不配对；如果文字中有花括号，请写成“\\{”“\\}”")
            return
        trailing = raw[close_pos + 1 :]
        if trailing.strip():
            tpos = close_pos + 1 + (len(trailing) - len(trailing.lstrip()))
            if "{" in trailing:
                issues.add(
                    line_at(raw.find("{", close_pos)),
                    "一道题只能有一个答案部分“{…}”（不支持完形填空）",
                )
            else:
                issues.add(
                    line_at(tpos), "不支持填空式（missing word）题目：答案部分“{…}”后面还有文字"
                )
            return
        stem, stem_format = self._text_with_format(raw[pos:open_pos], line_at(pos), None)
        answer_text = raw[open_pos + 1 : close_pos]
        answer_base = open_pos + 1
        feedback = ""
        gf = answer_text.rfind("####")
        if gf >= 0:
            feedback, _ = self._text_with_format(
                answer_text[gf + 4 :], line_at(answer_base + gf), stem_format
            )
            answer_text = answer_text[:gf]
        brace_line = line_at(open_pos)
        body = answer_text.strip()
        options: tuple[str, ...] = ()
        answer: tuple[int, ...] = ()
        if not body:
            qtype = "short"
        elif body.startswith("#"):
            issues.add(brace_line, "不支持数值题（{#…}）")
            return
        elif "~" in body:
            parsed = self._choices(answer_text, answer_base, line_at, stem_format)
            if parsed is None:
                return
            qtype, options, answer = parsed
        elif "=" in body and "->" in body:
            issues.add(brace_line, "不支持匹配题（{=… -> …}）")
            return
        elif body.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
            issues.add(brace_line, "不支持判断题（{T}/{F}）")
            return
        else:
            issues.add(
                brace_line,
                "不支持填空题（只有“=”答案、没有“~”干扰项）；选择题的错误选项请用“~”标注",
            )
            return
        if extra is not None:
            question = Question(
                code=code,
                type=qtype,
                stem=stem,
                options=options,
                answer=answer,
                points=QUESTION_TYPES[qtype].default_points,
                reference_answer=feedback,
            )
            self.located.append((qline, replace(question, **extra)))

    def _text_with_format(self, text: str, line: int, default: str | None) -> tuple[str, str]:
        """Moodle's parse_text_with_format: optional ``[fmt]`` prefix, then unescape."""
        fmt = default or "moodle"
        body = text.strip()
        if body.startswith("["):
            end = body.find("]")
            name = body[1:end] if end > 0 else ""
            if name in _FORMATS:
                fmt = name
                body = body[end + 1 :]
        body = _restore(body).strip()
        if fmt == "html":
            body, problems = html_to_text(body)
            for problem in problems:
                self.issues.add(line, problem)
        return body, fmt

    def _choices(
        self, answer_text: str, base: int, line_at: Callable[[int], int], fmt: str
    ) -> tuple[str, tuple[str, ...], tuple[int, ...]] | None:
        """Options and key of a ``{~…}`` block; None (with issues added) if unusable."""
        # Moodle: every "=" also starts an answer; split on "~".
        segments: list[tuple[int, str, str]] = []  # (pos, marker, content)
        marker, seg_start = "", 0
        for i, ch in enumerate(answer_text + "~"):
            if ch in "~=" or i == len(answer_text):
                segments.append((base + seg_start, marker, answer_text[seg_start:i]))
                marker, seg_start = ch, i + 1
        if not segments[0][2].strip():
            segments.pop(0)
        single = any(m == "=" for _, m, _ in segments)
        options: list[str] = []
        weights: list[Decimal] = []
        ok = True
        for pos, mark, content in segments:
            content_start = pos + (len(content) - len(content.lstrip()))
            line = line_at(content_start)
            content = content.strip()
            weight = Decimal(0)
            if mark == "=":
                weight = Decimal(100)
            else:
                match = _WEIGHT.match(content)
                if match:
                    weight = Decimal(match.group(1))
                    content = content[match.end() :]
                elif re.match(r"%[^%\s]*%", content):
                    self.issues.add(
                        line, f"选项权重“{content.split('%')[1]}”格式错误，应为如“%50%”的百分数"
                    )
                    ok = False
            if "#" in content:
                self.issues.add(
                    line, "不支持选项反馈（“#”后面的内容）；如果文字中有“#”，请写成“\\#”"
                )
                ok = False
                content = content.split("#", 1)[0]
            text, _ = self._text_with_format(content, line, fmt)
            options.append(text)
            weights.append(weight)
        classify = classify_single if single else classify_multiple
        answer, problems = classify(weights)
        for problem in problems:
            self.issues.add(line_at(base - 1), problem)
            ok = False
        if not ok:
            return None
        return ("single" if single else "multiple"), tuple(options), answer

    # -- extension comments ---------------------------------------------------
    def _read_meta(self, metas: Sequence[_Meta]) -> dict[str, Any] | None:
        """Parse ``// @key: value`` lines into Question fields; None if any was invalid."""
        seen: dict[str, int] = {}
        points: Decimal | None = None
        difficulty = 2
        refs: dict[str, int] = {}
        ref_title = ""
        tied = False
        tags: list[str] = []
        scoring: list[ScoringPoint] = []
        ok = True
        for meta in metas:
            key, value = meta.key, _unescape_meta(meta.value)
            if key not in _SINGLE_VALUED and key not in _MULTI_VALUED:
                known = "、".join(f"@{k}" for k in sorted(_SINGLE_VALUED | _MULTI_VALUED))
                self.issues.add(meta.line, f"未知的扩展字段“@{key}”（可用：{known}）")
                ok = False
                continue
            if key in _SINGLE_VALUED:
                if key in seen:
                    self.issues.add(meta.line, f"扩展字段“@{key}”重复（第{seen[key]}行已填写）")
                    ok = False
                    continue
                seen[key] = meta.line
            try:
                if key == "points":
                    points = to_decimal(value)
                elif key == "difficulty":
                    difficulty = _int(value)
                elif key in ("ref-chapter", "ref-section", "ref-page"):
                    refs[key] = _int(value)
                elif key == "ref-title":
                    ref_title = value.strip()
                elif key == "tied-to-class":
                    tied = _bool(value)
                elif key == "tag":
                    tags.append(value.strip())
                elif key == "tags":
                    tags.extend(
                        t.strip() for t in re.split(f"[{TAG_SEPARATORS}]", value) if t.strip()
                    )
                else:  # scoring-point
                    score, sep, point = value.partition("|")
                    if not sep:
                        raise ValueError("格式应为“分值 | 要点内容”")
                    scoring.append(ScoringPoint(point=point.strip(), score=to_decimal(score)))
            except ValueError as exc:
                self.issues.add(meta.line, f"扩展字段“@{key}”：{exc}")
                ok = False
        if not ok:
            return None
        ref = ManualRef(
            chapter=refs.get("ref-chapter"),
            section=refs.get("ref-section"),
            page=refs.get("ref-page"),
            title=ref_title,
        )
        fields: dict[str, Any] = {
            "scoring_points": tuple(scoring),
            "manual_ref": None if ref.is_empty else ref,
            "tags": tuple(tags),
            "difficulty": difficulty,
            "tied_to_class": tied,
        }
        if points is not None:
            fields["points"] = points
        return fields


def _int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError(f"“{value}”不是整数") from None


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"“{value}”应为 yes 或 no")


def _unescape_meta(value: str) -> str:
    return re.sub(r"\\([\\n])", lambda m: "\n" if m.group(1) == "n" else "\\", value)


def _escape_meta(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


# -- writer ---------------------------------------------------------------------
def _escape(text: str) -> str:
    """Moodle's repchar(): escape reserved characters and newlines."""
    out = []
    for ch in text:
        if ch in "\\#=~{}:":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def _write_text(text: str) -> str:
    escaped = _escape(text)
    # A text that itself starts with "[html]" would be read as a format prefix.
    if escaped.startswith("[") and escaped[1:].split("]", 1)[0] in _FORMATS:
        escaped = "[moodle]" + escaped
    return escaped


def _write_question(q: Question) -> str:
    lines = [f"// @points: {fmt_decimal(q.points)}", f"// @difficulty: {q.difficulty}"]
    lines += [f"// @tag: {_escape_meta(tag)}" for tag in q.tags]
    if q.manual_ref is not None:
        ref = q.manual_ref
        for key, value in (
            ("ref-chapter", ref.chapter),
            ("ref-section", ref.section),
            ("ref-page", ref.page),
        ):
            if value is not None:
                lines.append(f"// @{key}: {value}")
        if ref.title:
            lines.append(f"// @ref-title: {_escape_meta(ref.title)}")
    if q.tied_to_class:
        lines.append("// @tied-to-class: yes")
    lines += [
        f"// @scoring-point: {fmt_decimal(sp.score)} | {_escape_meta(sp.point)}"
        for sp in q.scoring_points
    ]
    head = f"::{_escape(q.code)}::{_write_text(q.stem)}{{"
    if q.type == "short":
        if q.reference_answer:
            lines += [head, f"\t####{_write_text(q.reference_answer)}", "}"]
        else:
            lines.append(head + "}")
        return "\n".join(lines)
    lines.append(head)
    correct = set(q.answer)
    if q.type == "single":
        for i, option in enumerate(q.options):
            text = _write_text(option)
            if i in correct:
                lines.append(f"\t={text}")
            elif text.startswith("%"):
                lines.append(f"\t~%0%{text}")  # an explicit weight protects a leading "%"
            else:
                lines.append(f"\t~{text}")
    elif q.type == "multiple":
        share = fmt_decimal(share_percent(len(correct))) if correct else "0"
        for i, option in enumerate(q.options):
            weight = share if i in correct else fmt_decimal(WRONG_MULTIPLE)
            lines.append(f"\t~%{weight}%{_write_text(option)}")
    else:
        raise ValueError(f"GIFT 格式不支持题型“{q.type}”")
    if q.reference_answer:
        lines.append(f"\t####{_write_text(q.reference_answer)}")
    lines.append("}")
    return "\n".join(lines)


_HEADER = (
    "// 题库导出（Moodle GIFT 格式，UTF-8）。\n"
    "// 以“// @”开头的注释是本平台的扩展字段（分值、难度、标签、教材出处、评分要点等），\n"
    "// Moodle 导入时会忽略；请保持它们紧贴在题目上方，中间不要空行。\n"
)


def dump(questions: Sequence[Question]) -> bytes:
    """GIFT text (UTF-8) that Moodle can import and :func:`parse` reads back exactly."""
    parts = [_HEADER] + [_write_question(q) + "\n" for q in questions]
    return "\n".join(parts).encode("utf-8")


def parse(data: bytes) -> list[Question]:
    """Parse GIFT bytes; raises ``ImportFailed`` listing every problem."""
    return _Parser().run(data)


class GiftFormat:
    label = "GIFT 文本（Moodle）"
    extensions = (".gift", ".txt")
    media_type = "text/plain; charset=utf-8"

    def parse(self, data: bytes) -> list[Question]:
        return parse(data)

    def dump(self, questions: Sequence[Question]) -> bytes:
        return dump(questions)
