"""Error types and shared plumbing for the file formats.

Imports are all-or-nothing: an organizer uploading a 60-question file
should get back *every* problem in one go (with the line or row to fix),
rather than fix-upload-fix cycles, and never a half-imported bank.  Parsers
therefore collect :class:`ImportIssue` objects in an :class:`IssueCollector`
and only return questions if there were none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..model import Question
from ..question_types import validate_question

__all__ = [
    "ImportFailed",
    "ImportIssue",
    "IssueCollector",
    "QuestionFormat",
    "UnsupportedFormat",
    "decode_text",
]


@dataclass(frozen=True, order=True)
class ImportIssue:
    """One problem in an uploaded file.

    ``line`` is the 1-based line (text formats) or row as Excel shows it;
    0 means the problem concerns the whole file (unreadable, empty, ...).
    ``message`` has no location prefix; ``str()`` adds “第N行：”.
    """

    line: int
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行：{self.message}" if self.line > 0 else self.message


class ImportFailed(Exception):
    """Raised with every problem found; nothing from the file was imported."""

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        # Stable sort by line: within a line, problems stay in the order found.
        self.issues: list[ImportIssue] = sorted(issues, key=lambda issue: issue.line)
        super().__init__(self._summary())

    def _summary(self) -> str:
        lines = [f"导入失败，共发现{len(self.issues)}个问题："]
        lines.extend(str(issue) for issue in self.issues)
        return "\n".join(lines)


class UnsupportedFormat(ValueError):
    """The file extension matches no registered format."""


class QuestionFormat(Protocol):
    """What a file format must provide to be registered in ``FORMATS``."""

    #: Chinese name shown in the UI, e.g. “Excel 表格”.
    label: str
    #: Lower-case extensions including the dot, e.g. (".gift", ".txt").
    extensions: tuple[str, ...]
    #: MIME type for downloads.
    media_type: str

    def parse(self, data: bytes) -> list[Question]: ...

    def dump(self, questions: Sequence[Question]) -> bytes: ...


class IssueCollector:
    """Gathers issues while parsing, then applies the checks common to all formats."""

    def __init__(self) -> None:
        self.issues: list[ImportIssue] = []
        self._claimed: list[tuple[int, str]] = []

    def claim_code(self, line: int, code: str) -> None:
        """Record a code as soon as it is read, so duplicates are found even
        when one of the two questions is rejected for another reason."""
        self._claimed.append((line, code))

    def add(self, line: int, message: str) -> None:
        self.issues.append(ImportIssue(line, message))

    def fail_now(self) -> None:
        """Stop when continuing would only produce noise (e.g. unreadable file)."""
        if self.issues:
            raise ImportFailed(self.issues)

    def finish(self, located: Sequence[tuple[int, Question]]) -> list[Question]:
        """Validate every question, check code uniqueness, then return or raise.

        ``located`` pairs each question with the line where it starts, so
        validation messages point at the right place.
        """
        for line, question in located:
            for problem in validate_question(question):
                self.add(line, problem)
        claimed = {(line, code) for line, code in self._claimed}
        claimed.update((line, q.code) for line, q in located)
        first_line: dict[str, int] = {}
        for line, code in sorted(claimed):
            if not code.strip():
                continue
            if code in first_line:
                self.add(line, f"题号“{code}”重复（第{first_line[code]}行已使用）")
            else:
                first_line[code] = line
        if not located and not self.issues:
            self.add(0, "文件中没有找到任何题目")
        if self.issues:
            raise ImportFailed(self.issues)
        return [question for _, question in located]


def decode_text(data: bytes) -> str:
    """Decode an uploaded text file and normalise line endings to ``\\n``.

    UTF-8 (with or without BOM) is tried first; files saved as “ANSI” by
    Chinese Windows Notepad are GBK, so GB18030 (a superset) is the fallback.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise ImportFailed(
                [ImportIssue(line, "文件编码无法识别，请保存为 UTF-8 编码")]
            ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
