"""Registry of question types and the validation rules that go with them.

Each type is a small class in :data:`QUESTION_TYPES`; importers, exporters,
assembly and scoring look types up here instead of testing ``type ==
"single"`` in many places, so adding a type (say 判断题) means writing one
class and registering it.  Every rule returns Chinese sentences because they
are shown verbatim to organizers fixing a spreadsheet.
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable
from decimal import Decimal

from .model import Question
from .numbers import fmt_decimal, is_half_step

__all__ = [
    "MAX_OPTIONS",
    "QUESTION_TYPES",
    "TAG_SEPARATORS",
    "MultipleChoice",
    "QuestionType",
    "ShortAnswer",
    "SingleChoice",
    "register",
    "type_key_for",
    "validate_question",
]

#: Characters that split a tag list in spreadsheets; a tag may not contain them.
TAG_SEPARATORS = ",，、;；"
#: Options are labelled A..Z when displayed and in spreadsheets.
MAX_OPTIONS = 26


class QuestionType(ABC):
    """Behaviour shared by all types; subclasses set the class attributes."""

    key: str = ""
    label: str = ""  # short Chinese label used in spreadsheets: 单选
    aliases: tuple[str, ...] = ()
    #: Marks used when a file gives none (the standard paper's values).
    default_points: Decimal = Decimal(0)
    #: Objective types are scored by the machine; others by a human grader.
    objective: bool = True
    has_options: bool = True

    @property
    def long_label(self) -> str:
        return f"{self.label}题"

    @abstractmethod
    def validate(self, question: Question) -> list[str]:
        """Type-specific problems with ``question`` (Chinese sentences)."""


class _ChoiceType(QuestionType):
    min_options = 2
    min_answers = 1
    max_answers: int | None = None

    def validate(self, question: Question) -> list[str]:
        problems: list[str] = []
        options = question.options
        if len(options) < self.min_options:
            problems.append(
                f"{self.long_label}至少需要{self.min_options}个选项，现有{len(options)}个"
            )
        if len(options) > MAX_OPTIONS:
            problems.append(f"选项不能超过{MAX_OPTIONS}个，现有{len(options)}个")
        for i, option in enumerate(options):
            if not option.strip():
                problems.append(f"选项{_letter(i)}为空")
        seen: dict[str, int] = {}
        for i, option in enumerate(options):
            if option.strip() and option in seen:
                problems.append(f"选项{_letter(i)}与选项{_letter(seen[option])}内容重复")
            seen.setdefault(option, i)
        answer = question.answer
        if len(set(answer)) != len(answer):
            problems.append("答案中有重复的选项")
        bad = [i for i in answer if not 0 <= i < len(options)]
        for i in bad:
            problems.append(f"答案{_letter(i)}不在选项范围内（共{len(options)}个选项）")
        count = len(set(answer))
        if not answer:
            problems.append("缺少答案")
        elif self.max_answers is not None and count > self.max_answers:
            problems.append(f"{self.long_label}只能有{self.max_answers}个正确答案，现有{count}个")
        elif count < self.min_answers:
            problems.append(f"{self.long_label}至少需要{self.min_answers}个正确答案，现有{count}个")
        if question.scoring_points:
            problems.append("选择题不设评分要点")
        return problems


class SingleChoice(_ChoiceType):
    key = "single"
    label = "单选"
    aliases = ("单选题", "单项选择", "单项选择题", "single", "single_choice")
    default_points = Decimal("1.5")
    min_options = 2
    min_answers = 1
    max_answers = 1


class MultipleChoice(_ChoiceType):
    """Multiple choice: 2 or more correct options, at least 3 options.

    The demo bank has 2-4 correct out of 4-5 options; one correct option is
    rejected because it would make the question a disguised single choice
    (and the half-credit policy meaningless).
    """

    key = "multiple"
    label = "多选"
    aliases = ("多选题", "多项选择", "多项选择题", "multiple", "multiple_choice")
    default_points = Decimal(2)
    min_options = 3
    min_answers = 2
    max_answers = None


class ShortAnswer(QuestionType):
    key = "short"
    label = "简答"
    aliases = ("简答题", "问答", "问答题", "论述", "论述题", "short", "essay")
    default_points = Decimal(10)
    objective = False
    has_options = False

    def validate(self, question: Question) -> list[str]:
        problems: list[str] = []
        if question.options:
            problems.append("简答题不应有选项")
        if question.answer:
            problems.append("简答题不应有选择题答案")
        if not question.reference_answer.strip():
            problems.append("简答题缺少参考答案")
        return problems


QUESTION_TYPES: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    """Add a type to :data:`QUESTION_TYPES` (the single place types are known)."""
    QUESTION_TYPES[question_type.key] = question_type
    return question_type


for _type in (SingleChoice(), MultipleChoice(), ShortAnswer()):
    register(_type)


def type_key_for(text: str) -> str | None:
    """Map what an organizer typed (单选 / 单选题 / single / SINGLE) to a key."""
    wanted = unicodedata.normalize("NFKC", text).strip().lower()
    if not wanted:
        return None
    for qtype in QUESTION_TYPES.values():
        names = (qtype.key, qtype.label, qtype.long_label, *qtype.aliases)
        if wanted in (n.lower() for n in names):
            return qtype.key
    return None


def validate_question(question: Question) -> list[str]:
    """Every problem with ``question``, as Chinese sentences (empty if valid).

    Rules common to all types live here; type-specific ones in the registry.
    """
    problems: list[str] = []
    code = question.code
    if not code.strip():
        problems.append("缺少题号")
    elif code != code.strip() or "\n" in code:
        problems.append("题号不能含换行或首尾空格")
    elif len(code) > 50:
        problems.append("题号不能超过50个字符")
    qtype = QUESTION_TYPES.get(question.type)
    if not question.type:
        problems.append("缺少题型")
    elif qtype is None:
        known = "、".join(t.label for t in QUESTION_TYPES.values())
        problems.append(f"未知题型“{question.type}”（可用：{known}）")
    if not question.stem.strip():
        problems.append("缺少题干")
    if question.points <= 0:
        problems.append("分值必须大于0")
    elif not is_half_step(question.points):
        problems.append(f"分值{fmt_decimal(question.points)}不是0.5的整数倍")
    if not 1 <= question.difficulty <= 3:
        problems.append(f"难度应为1、2或3，现为{question.difficulty}")
    problems.extend(_tag_problems(question.tags))
    problems.extend(_scoring_point_problems(question))
    problems.extend(_manual_ref_problems(question))
    problems.extend(_control_char_problems(question))
    if qtype is not None:
        problems.extend(qtype.validate(question))
    return problems


def _tag_problems(tags: Iterable[str]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for tag in tags:
        if not tag.strip() or tag != tag.strip():
            problems.append(f"标签“{tag}”为空或含首尾空格")
        elif any(sep in tag for sep in TAG_SEPARATORS) or "\n" in tag:
            problems.append(f"标签“{tag}”不能含逗号、顿号、分号或换行")
        if tag in seen:
            problems.append(f"标签“{tag}”重复")
        seen.add(tag)
    return problems


def _scoring_point_problems(question: Question) -> list[str]:
    problems = []
    for n, sp in enumerate(question.scoring_points, start=1):
        if not sp.point.strip():
            problems.append(f"第{n}条评分要点缺少内容")
        elif "\n" in sp.point or sp.point != sp.point.strip():
            problems.append(f"第{n}条评分要点不能换行或含首尾空格")
        if sp.score <= 0:
            problems.append(f"第{n}条评分要点的分值必须大于0")
        elif not is_half_step(sp.score):
            problems.append(f"第{n}条评分要点的分值{fmt_decimal(sp.score)}不是0.5的整数倍")
    if question.scoring_points:
        total = sum((sp.score for sp in question.scoring_points), Decimal(0))
        if total != question.points:
            problems.append(
                f"评分要点分值合计{fmt_decimal(total)}分，与题目分值{fmt_decimal(question.points)}分不符"
            )
    return problems


def _manual_ref_problems(question: Question) -> list[str]:
    ref = question.manual_ref
    if ref is None:
        return []
    problems = []
    for name, value in (("章", ref.chapter), ("节", ref.section), ("页", ref.page)):
        if value is not None and value < 1:
            problems.append(f"教材{name}号应为正整数，现为{value}")
    if "\n" in ref.title or ref.title != ref.title.strip():
        problems.append("教材出处标题不能换行或含首尾空格")
    if ref.is_empty:
        problems.append("教材出处为空（没有出处时请不填）")
    return problems


def _control_char_problems(question: Question) -> list[str]:
    """Control characters break Excel and XML exports, so refuse them early."""
    texts = [
        question.code,
        question.stem,
        question.reference_answer,
        *question.options,
        *question.tags,
    ]
    texts += [sp.point for sp in question.scoring_points]
    if question.manual_ref is not None:
        texts.append(question.manual_ref.title)
    for text in texts:
        for ch in text:
            if ch in "\n\t":
                continue
            if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff":
                return [f"文字中含有不可见的控制字符（U+{ord(ch):04X}）"]
    return []


def _letter(index: int) -> str:
    return chr(ord("A") + index) if 0 <= index < 26 else str(index + 1)
