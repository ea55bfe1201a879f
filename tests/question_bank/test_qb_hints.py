"""Keyword hints for grading short answers."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from question_bank import Question, ScoringPoint, keyword_hints, load_demo_json
from question_bank.grading_hints import extract_keywords, highlight_spans

DEMO = Path(__file__).resolve().parents[2].parent / "shared" / "demo" / "questions.json"


@cache
def demo() -> dict[str, Question]:
    return {q.code: q for q in load_demo_json(DEMO)}


def test_keywords_split_enumerations_and_drop_instructions() -> None:
    point = "答出四个主体：社区、社区社会组织、社会工作专业人才、社区志愿者"
    assert extract_keywords(point) == ("社区", "社区社会组织", "社会工作专业人才", "社区志愿者")
    point = "答出五个步骤：收集民意、分层分类、协商决策、项目实施、监督评估（每步1分）"
    assert extract_keywords(point) == ("收集民意", "分层分类", "协商决策", "项目实施", "监督评估")


def test_content_in_brackets_is_kept_but_score_notes_are_not() -> None:
    point = "答出文件出处（2014年山东省民政厅，鲁民〔2014〕80号）或“3+1联动”的含义"
    assert extract_keywords(point) == (
        "文件出处",
        "2014年山东省民政厅",
        "鲁民〔2014〕80号",
        "3+1联动",
    )
    point = "答出七个方面：制度、组织机构（答全得4分，答出4—6项得2分）"
    assert extract_keywords(point) == ("制度", "组织机构")


def test_every_demo_scoring_point_has_keywords() -> None:
    for q in demo().values():
        for sp in q.scoring_points:
            keywords = extract_keywords(sp.point)
            assert keywords, sp.point
            assert all(len(k) >= 2 for k in keywords)


def test_hints_for_a_trainee_answer() -> None:
    q02 = demo()["Q02"]
    answer = (
        "“四社联动”是以社区为平台、社区社会组织为载体、社会工作专业人才为支撑、"
        "社区志愿者为依托的联动机制。典型模式如工福街社区的“五位一体”。"
    )
    hints = keyword_hints(answer, q02.scoring_points)
    assert len(hints) == 5
    subjects, roles, source, model, needs = hints
    assert subjects.missing == () and subjects.coverage == 1
    assert roles.found == ("平台", "载体", "支撑", "依托") and roles.missing == ("定位",)
    assert source.found == () and source.coverage == 0
    assert model.found == ("五位一体",) and model.missing == ("五化提升",)
    match = next(k for k in model.keywords if k.keyword == "五位一体")
    ((start, end),) = match.spans
    assert answer[start:end] == "五位一体"
    assert needs.point == q02.scoring_points[4]
    for hint in hints:
        for k in hint.keywords:
            assert all(answer[s:e] == k.keyword for s, e in k.spans)


def test_matching_ignores_case_and_width() -> None:
    sp = ScoringPoint("答出按照ISO9001做到事事有人干", Decimal(2))
    (hint,) = keyword_hints("按照ｉｓｏ９００１标准，事事有人干。", [sp])
    assert hint.found == ("ISO9001", "事事有人干")
    assert hint.keywords[0].spans == ((2, 9),)


def test_highlight_spans_merge_overlaps() -> None:
    sps = [ScoringPoint("社区、社区社会组织", Decimal(1)), ScoringPoint("社会组织", Decimal(1))]
    spans = highlight_spans(keyword_hints("社区社会组织和社区", sps))
    assert spans == [(0, 6), (7, 9)]


@given(st.text(max_size=60), st.lists(st.text(min_size=1, max_size=30), max_size=4))
def test_spans_always_point_at_keywords(text: str, points: list[str]) -> None:
    sps = [ScoringPoint(p, Decimal(1)) for p in points]
    hints = keyword_hints(text, sps)
    assert [h.point for h in hints] == sps
    for hint in hints:
        assert set(hint.found) | set(hint.missing) == {k.keyword for k in hint.keywords}
        assert Decimal(0) <= hint.coverage <= 1
        for k in hint.keywords:
            for start, end in k.spans:
                assert 0 <= start < end <= len(text)
    merged = highlight_spans(hints)
    assert all(a[1] < b[0] for a, b in pairwise(merged))
