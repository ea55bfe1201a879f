"""Loader for the demo bank in ``shared/demo/questions.json``.

The demo file is the project's reference data set (66 questions for the
“社会工作服务标准化与‘四社联动’” class).  Its format differs from
:class:`~question_bank.model.Question` in small ways: the code is called
``id``, points are JSON numbers, the manual reference has no page, and there
is no explicit "tied to this class" flag.

Decision on ``tied_to_class``: the demo marks the questions written for this
particular class with the tag ``本班主题`` (Q01 standardisation, Q02 and Q03
“四社联动”, exactly the three its README calls out), while Q04-Q06 cover
general background.  So a question is tied to the class when it carries that
tag; callers loading a bank for another class can pass a different tag.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .model import ManualRef, Question, ScoringPoint
from .numbers import to_decimal

__all__ = ["CLASS_TAG", "load_demo_json", "question_from_demo"]

#: Tag that marks demo questions written specifically for this class.
CLASS_TAG = "本班主题"


def load_demo_json(path: str | Path, class_tag: str = CLASS_TAG) -> list[Question]:
    """Read a demo-format ``questions.json`` into questions, in file order."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError("questions.json 应为题目数组")  # noqa: TRY004 - bad file content, not a bad argument
    return [question_from_demo(item, class_tag) for item in raw]


def question_from_demo(item: dict[str, Any], class_tag: str = CLASS_TAG) -> Question:
    """Convert one demo JSON object; see the module docstring for the mapping."""
    ref = item.get("manual_ref")
    manual_ref = None
    if ref:
        manual_ref = ManualRef(
            chapter=ref.get("chapter"),
            section=ref.get("section"),
            page=ref.get("page"),
            title=str(ref.get("title") or ""),
        )
    tags = tuple(str(t) for t in item.get("tags") or ())
    return Question(
        code=str(item["id"]),
        type=str(item["type"]),
        stem=str(item["stem"]),
        options=tuple(str(o) for o in item.get("options") or ()),
        answer=tuple(sorted(int(i) for i in item.get("answer") or ())),
        points=to_decimal(item["points"]),
        reference_answer=str(item.get("reference_answer") or ""),
        scoring_points=tuple(
            ScoringPoint(point=str(sp["point"]), score=to_decimal(sp["score"]))
            for sp in item.get("scoring_points") or ()
        ),
        manual_ref=manual_ref,
        tags=tags,
        difficulty=int(item.get("difficulty", 2)),
        tied_to_class=class_tag in tags,
    )
