"""Keyword hints that help a human grader mark a short answer.

The hints never award marks - a grader reads the answer - but they make
marking 40 papers faster: each scoring point (评分要点) is broken into
keywords, and the grader sees which keywords appear in the trainee's answer
(highlighted via character spans) and which are missing.

Keyword heuristic (Chinese has no spaces, and no segmenter is installed):

1. drop grading instructions in brackets, e.g. “（每项1分）” or
   “（答全得4分，答出4—6项得2分）” - any bracket containing “N分”; other
   brackets are content (“（2014年山东省民政厅……）”) and are kept;
2. split on punctuation (、，。；：“”《》…, but not “.” or 〔〕 which occur
   inside terms like 53.06% and 鲁民〔2014〕80号) and on common function words
   and connectors (的 和 与 及 或 并 等 为 以 对 在, 以及 或者 并且 其中 包括
   例如 也可 按照 通过 做到 提出 不少于);
3. strip leading instruction verbs (答出, 写出, 说明, 按顺序, 正确, 结合, 如 ...)
   and drop chunks that are nothing but such a verb;
4. drop counting phrases such as “四个主体” or “五个步骤” (Chinese numeral +
   measure word + up to four characters) and generic words such as “名称”;
5. keep chunks of two or more characters, first occurrence only.

Splitting on one-character function words sometimes cuts a word (“对策” ->
“策”); the damage is limited because matching is by substring, and chunks
of one character are discarded.  Matching ignores case and full-width /
half-width differences of Latin letters and digits (ISO9001 = ＩＳＯ９００１)
while keeping spans valid for the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .model import ScoringPoint

__all__ = ["Hint", "KeywordMatch", "extract_keywords", "highlight_spans", "keyword_hints"]

_SCORE_NOTE = re.compile(r"[（(][^（）()]*?\d+(?:\.\d+)?\s*分[^（）()]*?[）)]")
# No "." (53.06%) and no 〔〕 (鲁民〔2014〕80号): they sit inside terms.
_PUNCTUATION = "、，。；：,;:！？!?（）()“”\"‘’'《》〈〉\\[\\]【】—…/|·\\s"
_CONNECTORS = (
    "以及",
    "或者",
    "并且",
    "其中",
    "包括",
    "例如",
    "比如",
    "也可",
    "按照",
    "通过",
    "做到",
    "提出",
    "不少于",
    "不低于",
    "即",
    "的",
    "和",
    "与",
    "及",
    "或",
    "并",
    "等",
    "为",
    "以",
    "对",
    "在",
)
_SPLITTER = re.compile(f"[{_PUNCTUATION}]+|" + "|".join(_CONNECTORS))
_LEADING_VERBS = (
    "按顺序",
    "正确",
    "准确",
    "完整",
    "分别",
    "能够",
    "能",
    "答出",
    "答到",
    "写出",
    "说出",
    "指出",
    "说明",
    "阐述",
    "简述",
    "区分",
    "结合",
    "列出",
    "概括",
    "如",
)
_COUNT_PHRASE = re.compile(r"[一二三四五六七八九十两几]+[个项步条点种类大]\S{0,4}")
_GENERIC = {"名称", "含义", "内容", "主要内容", "具体内容", "要求", "具体要求", "条理清楚", "意义"}


def _fold(text: str) -> str:
    """Case- and width-insensitive form of the same length (so spans stay valid)."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII block
            ch = chr(code - 0xFEE0)
        out.append(ch.lower() if ch.isascii() else ch)
    return "".join(out)


def extract_keywords(point: str) -> tuple[str, ...]:
    """Keywords of one scoring point, in order (see module docstring)."""
    text = _SCORE_NOTE.sub("", point)
    keywords: list[str] = []
    for chunk in _SPLITTER.split(text):
        chunk = chunk.strip()
        stripped = True
        while stripped:
            stripped = False
            for verb in _LEADING_VERBS:
                if chunk.startswith(verb) and len(chunk) > len(verb):
                    chunk = chunk[len(verb) :]
                    stripped = True
        if (
            len(chunk) < 2
            or chunk in _GENERIC
            or chunk in _LEADING_VERBS
            or _COUNT_PHRASE.fullmatch(chunk)
        ):
            continue
        if chunk not in keywords:
            keywords.append(chunk)
    return tuple(keywords)


@dataclass(frozen=True)
class KeywordMatch:
    """Where one keyword occurs in the answer (``[start, end)`` spans)."""

    keyword: str
    spans: tuple[tuple[int, int], ...]

    @property
    def found(self) -> bool:
        return bool(self.spans)


@dataclass(frozen=True)
class Hint:
    """Keyword evidence for one scoring point."""

    point: ScoringPoint
    keywords: tuple[KeywordMatch, ...]

    @property
    def found(self) -> tuple[str, ...]:
        return tuple(k.keyword for k in self.keywords if k.found)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(k.keyword for k in self.keywords if not k.found)

    @property
    def coverage(self) -> Decimal:
        """Share of keywords found, 0-1 with two decimals (0 when no keywords)."""
        if not self.keywords:
            return Decimal(0)
        ratio = Decimal(len(self.found)) / Decimal(len(self.keywords))
        return ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return tuple(sorted(span for k in self.keywords for span in k.spans))


def _find_all(haystack: str, needle: str) -> tuple[tuple[int, int], ...]:
    spans = []
    start = haystack.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = haystack.find(needle, start + len(needle))
    return tuple(spans)


def keyword_hints(text: str, scoring_points: Sequence[ScoringPoint]) -> list[Hint]:
    """For each scoring point, which of its keywords appear in ``text`` and where."""
    folded = _fold(text)
    hints = []
    for sp in scoring_points:
        matches = tuple(
            KeywordMatch(k, _find_all(folded, _fold(k))) for k in extract_keywords(sp.point)
        )
        hints.append(Hint(point=sp, keywords=matches))
    return hints


def highlight_spans(hints: Iterable[Hint]) -> list[tuple[int, int]]:
    """All found spans merged into non-overlapping ranges, ready for ``<mark>``."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(span for hint in hints for span in hint.spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
