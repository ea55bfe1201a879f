"""Paper assembly (组卷): from a blueprint and a question bank to a paper.

A :class:`Blueprint` describes the paper the training manual prescribes -
20 single choice x 1.5, 20 multiple choice x 2 and 3 short answers x 10,
100 points in 60 minutes, with at least one short answer closely tied to
this class - and :func:`assemble` draws questions for it.

Design choices:

* Reproducibility: drawing uses ``random.Random(seed)`` over candidates
  sorted by code, so the same seed and bank give the same paper whatever
  order the database returns questions in.  Organizers can regenerate or
  audit a paper from its seed.
* A question is used at most once per paper.  Fixed questions (``codes``)
  are reserved first; drawing sections whose pools overlap are resolved
  with a bipartite matching, so assembly never fails when a valid
  selection exists (and :func:`validate_blueprint` says so up front).
* The master paper lists each section's drawn questions in manual order
  (chapter, section, page, code): convenient for an open-book exam and for
  the answer key.  :func:`personalize` then shuffles questions within
  sections and options within questions per trainee, keeping in every
  :class:`PaperItem` the mapping back to the original option indices, so
  scoring always works on the bank's answer key.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from .model import Question
from .numbers import fmt_decimal, is_half_step, tidy, to_decimal
from .question_types import QUESTION_TYPES

__all__ = [
    "Blueprint",
    "BlueprintError",
    "Paper",
    "PaperItem",
    "Section",
    "assemble",
    "personalize",
    "standard_blueprint",
    "validate_blueprint",
]

Seed = int | str


@dataclass(frozen=True)
class Section:
    """One part of the paper: ``count`` questions of one ``type``.

    Either ``codes`` fixes the questions, or they are drawn at random from
    the bank's questions of that type carrying any of ``tags`` (no tags:
    any question of the type).
    """

    type: str
    count: int
    points_each: Decimal
    codes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "points_each", tidy(to_decimal(self.points_each)))
        object.__setattr__(self, "codes", tuple(self.codes))
        object.__setattr__(self, "tags", tuple(self.tags))

    @property
    def total_points(self) -> Decimal:
        return tidy(self.points_each * self.count)

    @property
    def label(self) -> str:
        if self.title:
            return self.title
        qtype = QUESTION_TYPES.get(self.type)
        return qtype.long_label if qtype else self.type

    def matches(self, question: Question) -> bool:
        """Whether ``question`` may be drawn for this section."""
        if question.type != self.type:
            return False
        return not self.tags or any(tag in question.tags for tag in self.tags)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "count": self.count,
            "points_each": fmt_decimal(self.points_each),
            "codes": list(self.codes),
            "tags": list(self.tags),
            "title": self.title,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Section:
        return cls(
            type=str(data["type"]),
            count=int(data["count"]),
            points_each=to_decimal(data["points_each"]),
            codes=tuple(data.get("codes") or ()),
            tags=tuple(data.get("tags") or ()),
            title=str(data.get("title") or ""),
        )


@dataclass(frozen=True)
class Blueprint:
    """The paper's structure and rules (组卷方案).

    ``expected_total`` is the total the sections must add up to (``None``
    disables the check, e.g. for a practice quiz); ``require_tied_short``
    enforces the manual's rule that one short answer relates closely to
    this class.
    """

    sections: tuple[Section, ...]
    duration_minutes: int = 60
    shuffle_questions: bool = True
    shuffle_options: bool = True
    expected_total: Decimal | None = Decimal(100)
    require_tied_short: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", tuple(self.sections))
        if self.expected_total is not None:
            object.__setattr__(self, "expected_total", tidy(to_decimal(self.expected_total)))

    @property
    def total_points(self) -> Decimal:
        return tidy(sum((s.total_points for s in self.sections), Decimal(0)))

    @property
    def question_count(self) -> int:
        return sum(s.count for s in self.sections)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sections": [s.to_dict() for s in self.sections],
            "duration_minutes": self.duration_minutes,
            "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options,
            "expected_total": None
            if self.expected_total is None
            else fmt_decimal(self.expected_total),
            "require_tied_short": self.require_tied_short,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Blueprint:
        expected = data.get("expected_total", "100")
        return cls(
            sections=tuple(Section.from_dict(s) for s in data["sections"]),
            duration_minutes=int(data.get("duration_minutes", 60)),
            shuffle_questions=bool(data.get("shuffle_questions", True)),
            shuffle_options=bool(data.get("shuffle_options", True)),
            expected_total=None if expected is None else to_decimal(expected),
            require_tied_short=bool(data.get("require_tied_short", True)),
        )


def standard_blueprint() -> Blueprint:
    """The manual's standard paper: 20×1.5 单选 + 20×2 多选 + 3×10 简答, 60 minutes."""
    return Blueprint(
        sections=(
            Section(type="single", count=20, points_each=Decimal("1.5"), title="一、单选题"),
            Section(type="multiple", count=20, points_each=Decimal(2), title="二、多选题"),
            Section(type="short", count=3, points_each=Decimal(10), title="三、简答题"),
        ),
        duration_minutes=60,
    )


class BlueprintError(ValueError):
    """The blueprint cannot be satisfied; ``messages`` are Chinese sentences."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class PaperItem:
    """A question as placed on a paper.

    ``option_order[d]`` is the original index of the option displayed at
    position ``d``; identity on the master paper, shuffled by
    :func:`personalize`.  Scoring converts displayed choices back with
    :meth:`to_original` so it always uses the bank's answer key.
    """

    number: int
    section_index: int
    question: Question
    points: Decimal
    option_order: tuple[int, ...] = ()

    @property
    def displayed_options(self) -> tuple[str, ...]:
        return tuple(self.question.options[i] for i in self.option_order)

    @property
    def displayed_answer(self) -> tuple[int, ...]:
        """Displayed positions of the correct options (for this trainee's key)."""
        return self.to_displayed(self.question.answer)

    def to_original(self, displayed: Iterable[int]) -> tuple[int, ...]:
        """Original option indices for displayed positions; out-of-range ones are dropped."""
        n = len(self.option_order)
        return tuple(sorted({self.option_order[d] for d in displayed if 0 <= d < n}))

    def to_displayed(self, original: Iterable[int]) -> tuple[int, ...]:
        position = {orig: d for d, orig in enumerate(self.option_order)}
        return tuple(sorted(position[i] for i in set(original) if i in position))

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "section_index": self.section_index,
            "points": fmt_decimal(self.points),
            "option_order": list(self.option_order),
            "question": self.question.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PaperItem:
        return cls(
            number=int(data["number"]),
            section_index=int(data["section_index"]),
            question=Question.from_dict(data["question"]),
            points=to_decimal(data["points"]),
            option_order=tuple(int(i) for i in data.get("option_order") or ()),
        )


@dataclass(frozen=True)
class Paper:
    """An assembled paper: items numbered 1..N in display order.

    The paper embeds full question snapshots, so later edits to the bank do
    not change a paper already handed out.
    """

    blueprint: Blueprint
    items: tuple[PaperItem, ...]
    seed: Seed
    personal_seed: Seed | None = None

    @property
    def total_points(self) -> Decimal:
        return tidy(sum((item.points for item in self.items), Decimal(0)))

    @property
    def duration_minutes(self) -> int:
        return self.blueprint.duration_minutes

    def section_items(self, section_index: int) -> tuple[PaperItem, ...]:
        return tuple(item for item in self.items if item.section_index == section_index)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.question.code for item in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "blueprint": self.blueprint.to_dict(),
            "seed": self.seed,
            "personal_seed": self.personal_seed,
            "items": [item.to_dict() for item in self.items],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Paper:
        return cls(
            blueprint=Blueprint.from_dict(data["blueprint"]),
            items=tuple(PaperItem.from_dict(i) for i in data["items"]),
            seed=data["seed"],
            personal_seed=data.get("personal_seed"),
        )


# -- validation -----------------------------------------------------------------
@dataclass
class _Plan:
    """Shared analysis of blueprint + bank used by validation and assembly."""

    messages: list[str] = field(default_factory=list)
    by_code: dict[str, Question] = field(default_factory=dict)
    fixed: set[str] = field(default_factory=set)
    # section index -> candidate questions sorted by code (draw sections only)
    candidates: dict[int, list[Question]] = field(default_factory=dict)


def _name(index: int, section: Section) -> str:
    return f"第{index + 1}部分（{section.label}）"


def _plan(blueprint: Blueprint, questions: Sequence[Question]) -> _Plan:
    plan = _Plan()
    msgs = plan.messages
    counts = Counter(q.code for q in questions)
    for code, n in sorted(counts.items()):
        if n > 1:
            msgs.append(f"题库中题号“{code}”重复出现{n}次")
    plan.by_code = {q.code: q for q in questions}
    if not blueprint.sections:
        msgs.append("组卷方案中没有任何题型部分")
    if blueprint.duration_minutes <= 0:
        msgs.append("考试时长必须大于0分钟")

    # Fixed questions are reserved first (first section wins), so draws avoid them.
    fixed_owner: dict[str, int] = {}
    for i, section in enumerate(blueprint.sections):
        for code in section.codes:
            fixed_owner.setdefault(code, i)
    plan.fixed = set(fixed_owner)

    for i, section in enumerate(blueprint.sections):
        name = _name(i, section)
        if section.type not in QUESTION_TYPES:
            msgs.append(f"{name}：未知题型“{section.type}”")
        if section.count < 1:
            msgs.append(f"{name}：题量必须大于0")
        if section.points_each <= 0:
            msgs.append(f"{name}：每题分值必须大于0")
        elif not is_half_step(section.points_each):
            msgs.append(f"{name}：每题分值{fmt_decimal(section.points_each)}不是0.5的整数倍")
        if section.codes and section.tags:
            msgs.append(f"{name}：不能同时指定题号和抽题标签")
        if section.codes:
            if len(section.codes) != section.count:
                msgs.append(f"{name}：指定了{len(section.codes)}道题，但题量为{section.count}道")
            seen: set[str] = set()
            for code in section.codes:
                question = plan.by_code.get(code)
                if code in seen or fixed_owner[code] != i:
                    where = "本部分" if code in seen else f"第{fixed_owner[code] + 1}部分"
                    msgs.append(f"{name}：题号“{code}”重复（{where}已使用）")
                    continue
                seen.add(code)
                if question is None:
                    msgs.append(f"{name}：题号“{code}”在题库中不存在")
                elif question.type != section.type:
                    qtype = QUESTION_TYPES.get(question.type)
                    actual = qtype.long_label if qtype else question.type
                    msgs.append(f"{name}：题号“{code}”是{actual}，不能放在本部分")
        else:
            pool = sorted(
                (q for q in questions if section.matches(q) and q.code not in plan.fixed),
                key=lambda q: q.code,
            )
            plan.candidates[i] = pool
            if len(pool) < section.count:
                scope = f"（标签：{'、'.join(section.tags)}）" if section.tags else ""
                msgs.append(
                    f"{name}：需要{section.count}道题，题库中符合条件{scope}的只有{len(pool)}道"
                )
    if not msgs:
        needed = sum(blueprint.sections[i].count for i in plan.candidates)
        got = len(_match(blueprint, plan, {}, None))
        if got < needed:
            msgs.append(
                f"几个抽题部分共用同一批题目，题库不够分配：共需要{needed}道，只能凑出{got}道"
            )

    expected = blueprint.expected_total
    if expected is not None and blueprint.sections and blueprint.total_points != expected:
        detail = " + ".join(f"{s.label}{fmt_decimal(s.total_points)}分" for s in blueprint.sections)
        msgs.append(
            f"试卷总分为{fmt_decimal(blueprint.total_points)}分（{detail}），应为{fmt_decimal(expected)}分"
        )

    if blueprint.require_tied_short:
        msgs.extend(_tied_problems(blueprint, plan))
    return plan


def _tied_problems(blueprint: Blueprint, plan: _Plan) -> list[str]:
    short_sections = [i for i, s in enumerate(blueprint.sections) if s.type == "short"]
    rule = "至少需要一道与本次培训密切相关（紧扣本班）的简答题"
    if not short_sections:
        return [f"试卷没有简答题，{rule}"]
    if any(
        plan.by_code.get(c) is not None and plan.by_code[c].tied_to_class
        for i in short_sections
        for c in blueprint.sections[i].codes
    ):
        return []
    if any(q.tied_to_class for i in short_sections for q in plan.candidates.get(i, [])):
        return []
    if all(blueprint.sections[i].codes for i in short_sections):
        return [f"指定的简答题中没有紧扣本班的题目；{rule}"]
    return [f"题库中没有可抽取的紧扣本班的简答题；{rule}"]


def validate_blueprint(blueprint: Blueprint, questions: Sequence[Question]) -> list[str]:
    """Every reason the blueprint cannot be assembled from ``questions`` (Chinese)."""
    return _plan(blueprint, questions).messages


# -- drawing ----------------------------------------------------------------------
def _match(
    blueprint: Blueprint, plan: _Plan, pinned: dict[str, int], rng: random.Random | None
) -> dict[str, int]:
    """Assign distinct questions to draw slots (Kuhn's augmenting paths).

    Slots are filled in section order and each section tries candidates in
    a seeded random order, so for sections with disjoint pools this is
    exactly a random sample; overlaps are repaired by augmenting paths.
    ``pinned`` maps codes to slots fixed in advance.  Returns code -> slot.
    """
    slots: list[list[Question]] = []
    slot_section: list[int] = []
    for i, pool in plan.candidates.items():
        order = list(pool)
        if rng is not None:
            rng.shuffle(order)
        order = [q for q in order if q.code not in pinned]
        for _ in range(blueprint.sections[i].count):
            slots.append(order)
            slot_section.append(i)
    owner: dict[str, int] = dict(pinned)
    pinned_slots = set(pinned.values())

    def augment(slot: int, seen: set[str]) -> bool:
        for q in slots[slot]:
            if q.code in seen:
                continue
            seen.add(q.code)
            if q.code not in owner or (
                owner[q.code] not in pinned_slots and augment(owner[q.code], seen)
            ):
                owner[q.code] = slot
                return True
        return False

    for slot in range(len(slots)):
        if slot not in pinned_slots:
            augment(slot, set())
    return owner


def _slot_sections(blueprint: Blueprint, plan: _Plan) -> list[int]:
    result = []
    for i in plan.candidates:
        result.extend([i] * blueprint.sections[i].count)
    return result


def _manual_order(question: Question) -> tuple[int, int, int, int, str]:
    ref = question.manual_ref
    big = 10**9
    if ref is None:
        return (1, big, big, big, question.code)
    return (0, ref.chapter or big, ref.section or big, ref.page or big, question.code)


def assemble(blueprint: Blueprint, questions: Sequence[Question], seed: Seed) -> Paper:
    """Draw a paper; same blueprint, bank and seed give the same paper.

    Raises :class:`BlueprintError` with the messages of
    :func:`validate_blueprint` if the blueprint cannot be satisfied.
    """
    plan = _plan(blueprint, questions)
    if plan.messages:
        raise BlueprintError(plan.messages)
    rng = random.Random(seed)
    slot_sections = _slot_sections(blueprint, plan)
    owner: dict[str, int] | None = None
    short_draws = [i for i in plan.candidates if blueprint.sections[i].type == "short"]
    fixed_tied = any(
        plan.by_code[c].tied_to_class
        for s in blueprint.sections
        if s.type == "short"
        for c in s.codes
    )
    if blueprint.require_tied_short and not fixed_tied:
        tied_options = [(i, q) for i in short_draws for q in plan.candidates[i] if q.tied_to_class]
        rng.shuffle(tied_options)
        for section_index, question in tied_options:
            slot = slot_sections.index(section_index)
            attempt = _match(blueprint, plan, {question.code: slot}, rng)
            if len(attempt) == len(slot_sections):
                owner = attempt
                break
        if owner is None:
            raise BlueprintError(["无法在抽满各部分题目的同时保证有一道紧扣本班的简答题"])
    else:
        owner = _match(blueprint, plan, {}, rng)
    drawn: dict[int, list[Question]] = {i: [] for i in plan.candidates}
    for code, slot in owner.items():
        drawn[slot_sections[slot]].append(plan.by_code[code])

    items: list[PaperItem] = []
    for i, section in enumerate(blueprint.sections):
        chosen = (
            [plan.by_code[c] for c in section.codes]
            if section.codes
            else sorted(drawn[i], key=_manual_order)
        )
        for question in chosen:
            items.append(
                PaperItem(
                    number=len(items) + 1,
                    section_index=i,
                    question=question,
                    points=section.points_each,
                    option_order=tuple(range(len(question.options))),
                )
            )
    return Paper(blueprint=blueprint, items=tuple(items), seed=seed)


def personalize(paper: Paper, seed: Seed) -> Paper:
    """A trainee's version of ``paper``: shuffled per the blueprint, renumbered.

    Questions move only within their section (so 单选 stays before 多选);
    option orders compose with any earlier shuffle, so ``option_order``
    always maps displayed positions to the bank's original indices.
    """
    rng = random.Random(seed)
    blueprint = paper.blueprint
    items: list[PaperItem] = []
    section_indices = sorted({item.section_index for item in paper.items})
    for section_index in section_indices:
        section_items = list(paper.section_items(section_index))
        if blueprint.shuffle_questions:
            rng.shuffle(section_items)
        for item in section_items:
            order = item.option_order
            qtype = QUESTION_TYPES.get(item.question.type)
            if blueprint.shuffle_options and qtype is not None and qtype.has_options:
                permutation = list(range(len(order)))
                rng.shuffle(permutation)
                order = tuple(order[p] for p in permutation)
            items.append(replace(item, number=len(items) + 1, option_order=order))
    return replace(paper, items=tuple(items), personal_seed=seed)
