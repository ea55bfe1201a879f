"""Question bank core for the training-app: pure Python, no web framework.

Everything the exam platform needs to know about questions lives here -
the question model and its validation, file import/export (Excel, GIFT,
Moodle XML), paper assembly and objective scoring - so it can be tested
without Flask or a database and reused by command-line tools.  The Flask
app converts between these dataclasses and its ORM rows.
"""

from __future__ import annotations

from .assembly import (
    Blueprint,
    BlueprintError,
    Paper,
    PaperItem,
    Section,
    assemble,
    personalize,
    standard_blueprint,
    validate_blueprint,
)
from .demo import load_demo_json
from .formats import (
    FORMATS,
    ImportFailed,
    ImportIssue,
    UnsupportedFormat,
    export_bytes,
    export_file,
    format_for,
    import_bytes,
    import_file,
    template_workbook,
)
from .grading_hints import Hint, KeywordMatch, extract_keywords, highlight_spans, keyword_hints
from .model import ManualRef, Question, ScoringPoint
from .question_types import QUESTION_TYPES, QuestionType, type_key_for, validate_question
from .scoring import (
    MULTIPLE_POLICIES,
    check_manual_mark,
    score_item,
    score_multiple,
    score_objective,
    score_single,
)

__all__ = [
    "FORMATS",
    "MULTIPLE_POLICIES",
    "QUESTION_TYPES",
    "Blueprint",
    "BlueprintError",
    "Hint",
    "ImportFailed",
    "ImportIssue",
    "KeywordMatch",
    "ManualRef",
    "Paper",
    "PaperItem",
    "Question",
    "QuestionType",
    "ScoringPoint",
    "Section",
    "UnsupportedFormat",
    "assemble",
    "check_manual_mark",
    "export_bytes",
    "export_file",
    "extract_keywords",
    "format_for",
    "highlight_spans",
    "import_bytes",
    "import_file",
    "keyword_hints",
    "load_demo_json",
    "personalize",
    "score_item",
    "score_multiple",
    "score_objective",
    "score_single",
    "standard_blueprint",
    "template_workbook",
    "type_key_for",
    "validate_blueprint",
    "validate_question",
]
