"""The question record shared by importers, exporters, paper assembly and scoring.

A :class:`Question` is an immutable value: importers build it, the Flask app
stores it, papers embed it.  Making it frozen and hashable means a paper can
never be changed behind a trainee's back by someone editing the bank later,
and round-trip tests can compare objects with ``==``.

Answers are 0-based option indices, never letters: letters depend on the
order in which options are *displayed*, which differs per trainee once
options are shuffled (see :mod:`question_bank.assembly`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .numbers import fmt_decimal, tidy, to_decimal

__all__ = ["ManualRef", "Question", "ScoringPoint"]


@dataclass(frozen=True)
class ScoringPoint:
    """One line of the marking scheme of a short-answer question (评分要点)."""

    point: str
    score: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", tidy(to_decimal(self.score)))

    def to_dict(self) -> dict[str, str]:
        return {"point": self.point, "score": fmt_decimal(self.score)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoringPoint:
        return cls(point=str(data["point"]), score=to_decimal(data["score"]))


@dataclass(frozen=True)
class ManualRef:
    """Where in the training manual (培训教材) the answer can be found.

    The exams are open-book, so every question points trainees and graders
    to a chapter/section/page.  All parts are optional because organizers
    often know only the section title.
    """

    chapter: int | None = None
    section: int | None = None
    page: int | None = None
    title: str = ""

    @property
    def is_empty(self) -> bool:
        return (
            self.chapter is None and self.section is None and self.page is None and not self.title
        )

    def label(self) -> str:
        """Chinese citation such as ``第3章第2节 第15页《“七项二十五条”创建标准》``."""
        parts = []
        if self.chapter is not None:
            parts.append(f"第{self.chapter}章")
        if self.section is not None:
            parts.append(f"第{self.section}节")
        text = "".join(parts)
        if self.page is not None:
            text += (" " if text else "") + f"第{self.page}页"
        if self.title:
            text += f"《{self.title}》"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "chapter": self.chapter,
            "section": self.section,
            "page": self.page,
            "title": self.title,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ManualRef:
        def opt_int(key: str) -> int | None:
            value = data.get(key)
            return None if value is None or value == "" else int(value)

        return cls(
            chapter=opt_int("chapter"),
            section=opt_int("section"),
            page=opt_int("page"),
            title=str(data.get("title") or ""),
        )


@dataclass(frozen=True)
class Question:
    """One question of the bank.

    ``type`` is a key of :data:`question_bank.question_types.QUESTION_TYPES`
    rather than an enum so that a new type is added in one place.
    ``tied_to_class`` marks short-answer questions "closely tied to this
    class" (与本次学习密切相关); the standard paper must contain at least one.

    Construction coerces lists to tuples and numbers to tidy ``Decimal``
    values (``1.5000000`` from Moodle becomes ``1.5``) so that callers may
    pass JSON-ish data and serialisations are stable, but it does not validate: importers need
    to build invalid questions in order to report *all* their problems.  Use
    :func:`question_bank.question_types.validate_question` for that.
    """

    code: str
    type: str
    stem: str
    options: tuple[str, ...] = ()
    answer: tuple[int, ...] = ()
    points: Decimal = Decimal(0)
    reference_answer: str = ""
    scoring_points: tuple[ScoringPoint, ...] = ()
    manual_ref: ManualRef | None = None
    tags: tuple[str, ...] = ()
    difficulty: int = 2
    tied_to_class: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "answer", tuple(self.answer))
        object.__setattr__(self, "points", tidy(to_decimal(self.points)))
        object.__setattr__(self, "scoring_points", tuple(self.scoring_points))
        object.__setattr__(self, "tags", tuple(self.tags))

    @property
    def answer_letters(self) -> str:
        """Answer as letters in *original* option order, e.g. ``"ACD"``."""
        return "".join(chr(ord("A") + i) for i in self.answer if 0 <= i < 26)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict; Decimals become strings so no precision is lost."""
        return {
            "code": self.code,
            "type": self.type,
            "stem": self.stem,
            "options": list(self.options),
            "answer": list(self.answer),
            "points": fmt_decimal(self.points),
            "reference_answer": self.reference_answer,
            "scoring_points": [sp.to_dict() for sp in self.scoring_points],
            "manual_ref": self.manual_ref.to_dict() if self.manual_ref else None,
            "tags": list(self.tags),
            "difficulty": self.difficulty,
            "tied_to_class": self.tied_to_class,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        """Inverse of :meth:`to_dict`; tolerant of numbers given as numbers."""
        ref = data.get("manual_ref")
        return cls(
            code=str(data["code"]),
            type=str(data["type"]),
            stem=str(data["stem"]),
            options=tuple(str(o) for o in data.get("options") or ()),
            answer=tuple(int(i) for i in data.get("answer") or ()),
            points=to_decimal(data.get("points", 0)),
            reference_answer=str(data.get("reference_answer") or ""),
            scoring_points=tuple(
                ScoringPoint.from_dict(sp) for sp in data.get("scoring_points") or ()
            ),
            manual_ref=ManualRef.from_dict(ref) if ref else None,
            tags=tuple(str(t) for t in data.get("tags") or ()),
            difficulty=int(data.get("difficulty", 2)),
            tied_to_class=bool(data.get("tied_to_class", False)),
        )
