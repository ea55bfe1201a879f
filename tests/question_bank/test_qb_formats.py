"""Format registry, file helpers, and property-based round trips for every format."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank import (
    FORMATS,
    ImportFailed,
    ManualRef,
    Question,
    ScoringPoint,
    UnsupportedFormat,
    export_file,
    format_for,
    import_file,
    load_demo_json,
    validate_question,
)
from question_bank.formats import export_bytes, import_bytes
from question_bank.question_types import TAG_SEPARATORS

DEMO = Path(__file__).resolve().parents[2].parent / "shared" / "demo" / "questions.json"
EXTENSIONS = (".xlsx", ".gift", ".txt", ".xml")


@cache
def demo() -> tuple[Question, ...]:
    return tuple(load_demo_json(DEMO))


def test_registry_by_extension() -> None:
    assert set(FORMATS) == set(EXTENSIONS)
    assert format_for("题库.XLSX") is FORMATS[".xlsx"]
    assert format_for(Path("/tmp/a.b/bank.txt")) is format_for("x.gift")
    for fmt in FORMATS.values():
        assert fmt.label and fmt.media_type and fmt.extensions


@pytest.mark.parametrize("name", ["bank.docx", "bank.xls", "bank", "bank.csv"])
def test_unknown_extension_is_a_clear_error(name: str) -> None:
    with pytest.raises(UnsupportedFormat, match="不支持的文件类型") as info:
        format_for(name)
    assert ".xlsx、.xml、.gift、.txt" in str(info.value) or ".gift、.txt、.xlsx、.xml" in str(
        info.value
    )


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_export_file_then_import_file(tmp_path: Path, extension: str) -> None:
    path = tmp_path / f"题库{extension}"
    export_file(demo(), path)
    assert import_file(path) == list(demo())
    assert import_bytes(path.read_bytes(), path.name) == list(demo())


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_import_is_all_or_nothing(extension: str) -> None:
    broken = [
        *demo()[:5],
        Question(
            code="BAD",
            type="single",
            stem="",
            options=("a", "b", "c"),
            answer=(0, 1),
            points=Decimal("1.5"),
            difficulty=2,
        ),
        demo()[0],
    ]
    with pytest.raises(ImportFailed) as info:
        import_bytes(export_bytes(broken, "x" + extension), "x" + extension)
    issues = info.value.issues
    assert [i.message for i in issues[:2]] == ["缺少题干", "单选题只能有1个正确答案，现有2个"]
    assert issues[2].message.startswith("题号“S01”重复（第") and len(issues) == 3
    assert issues[0].line == issues[1].line < issues[2].line
    assert str(info.value).startswith("导入失败，共发现")


# -- property-based round trip ------------------------------------------------------
_chars = st.one_of(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
    st.sampled_from("~=#{}:\\[]<>&%|｜-/;\"' 　（）“”、，"),
    st.sampled_from("中文题干选项标签四社联动"),
)
_line = st.text(_chars, min_size=1, max_size=12).map(str.strip).filter(bool)
_multiline = (
    st.lists(st.text(_chars, max_size=10), min_size=1, max_size=3)
    .map("\n".join)
    .map(str.strip)
    .filter(bool)
)
_tag = _line.filter(lambda t: not any(s in t for s in TAG_SEPARATORS)).filter(
    lambda t: not t.startswith(("ref:", "ref-title:", "difficulty:")) and t != "tied_to_class"
)
_half = st.integers(min_value=1, max_value=40).map(lambda n: Decimal(n) / 2)
_ref = st.builds(
    ManualRef,
    chapter=st.none() | st.integers(1, 30),
    section=st.none() | st.integers(1, 30),
    page=st.none() | st.integers(1, 500),
    title=st.just("") | _line,
).filter(lambda r: not r.is_empty)


@st.composite
def questions(draw: st.DrawFn) -> Question:
    qtype = draw(st.sampled_from(["single", "multiple", "short"]))
    common = {
        "code": draw(_line.filter(lambda c: len(c) <= 50)),
        "type": qtype,
        "stem": draw(_multiline),
        "manual_ref": draw(st.none() | _ref),
        "tags": tuple(draw(st.lists(_tag, max_size=3, unique=True))),
        "difficulty": draw(st.integers(1, 3)),
        "tied_to_class": draw(st.booleans()),
    }
    if qtype == "short":
        scores = draw(st.lists(_half, max_size=3))
        points = sum(scores, Decimal(0)) if scores else draw(_half)
        points_text = [draw(_line) for _ in scores]
        return Question(
            points=points,
            reference_answer=draw(_multiline),
            scoring_points=tuple(ScoringPoint(p, s) for p, s in zip(points_text, scores)),
            **common,
        )  # type: ignore[arg-type]
    low = 2 if qtype == "single" else 3
    options = draw(st.lists(_multiline, min_size=low, max_size=8, unique=True))
    if qtype == "single":
        answer: tuple[int, ...] = (draw(st.integers(0, len(options) - 1)),)
    else:
        picked = draw(
            st.lists(
                st.integers(0, len(options) - 1), min_size=2, max_size=len(options), unique=True
            )
        )
        answer = tuple(sorted(picked))
    return Question(
        options=tuple(options),
        answer=answer,
        points=draw(_half),
        reference_answer=draw(st.just("") | _multiline),
        **common,
    )  # type: ignore[arg-type]


@st.composite
def banks(draw: st.DrawFn) -> list[Question]:
    bank = draw(st.lists(questions(), min_size=1, max_size=4, unique_by=lambda q: q.code))
    assert all(validate_question(q) == [] for q in bank), [validate_question(q) for q in bank]
    return bank


@pytest.mark.parametrize("extension", [".xlsx", ".gift", ".xml"])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=banks())
def test_any_valid_bank_round_trips(extension: str, bank: list[Question]) -> None:
    assert import_bytes(export_bytes(bank, "x" + extension), "x" + extension) == bank


@pytest.mark.parametrize("extension", [".xlsx", ".gift", ".xml"])
@settings(max_examples=80, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_garbage_never_crashes(extension: str, data: bytes) -> None:
    try:
        result = import_bytes(data, "x" + extension)
    except ImportFailed as failed:
        assert failed.issues and all(issue.line >= 0 for issue in failed.issues)
    else:
        assert all(validate_question(q) == [] for q in result)
