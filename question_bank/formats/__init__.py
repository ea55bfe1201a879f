"""File formats for importing and exporting question banks, chosen by extension.

Each format object offers ``parse(bytes) -> list[Question]`` (raising
:class:`ImportFailed` with every problem, all-or-nothing) and
``dump(questions) -> bytes``.  The registry is keyed by extension so the
upload view only needs the file name; adding a format means writing one
module and calling :func:`register_format`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath

from ..model import Question
from .base import ImportFailed, ImportIssue, QuestionFormat, UnsupportedFormat
from .excel import ExcelFormat, template_workbook
from .gift import GiftFormat
from .moodle_xml import MoodleXmlFormat

__all__ = [
    "FORMATS",
    "ImportFailed",
    "ImportIssue",
    "QuestionFormat",
    "UnsupportedFormat",
    "export_bytes",
    "export_file",
    "format_for",
    "import_bytes",
    "import_file",
    "register_format",
    "template_workbook",
]

#: Extension (lower case, with dot) -> format.
FORMATS: dict[str, QuestionFormat] = {}


def register_format(fmt: QuestionFormat) -> QuestionFormat:
    for extension in fmt.extensions:
        FORMATS[extension.lower()] = fmt
    return fmt


for _fmt in (ExcelFormat(), GiftFormat(), MoodleXmlFormat()):
    register_format(_fmt)


def format_for(path: str | PurePath) -> QuestionFormat:
    """The format for a file name; ``UnsupportedFormat`` (Chinese message) otherwise."""
    suffix = PurePath(path).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        supported = "、".join(sorted(FORMATS))
        shown = f"“{suffix}”" if suffix else "（没有扩展名）"
        raise UnsupportedFormat(f"不支持的文件类型{shown}，可用的类型：{supported}")
    return fmt


def import_bytes(data: bytes, filename: str) -> list[Question]:
    """Parse an upload held in memory; ``filename`` only selects the format."""
    return format_for(filename).parse(data)


def import_file(path: str | Path) -> list[Question]:
    """Read and parse a file; raises ``ImportFailed`` or ``UnsupportedFormat``."""
    fmt = format_for(path)
    return fmt.parse(Path(path).read_bytes())


def export_bytes(questions: Sequence[Question], filename: str) -> bytes:
    """Serialise questions in the format implied by ``filename``."""
    return format_for(filename).dump(questions)


def export_file(questions: Sequence[Question], path: str | Path) -> None:
    """Write questions to ``path`` in the format implied by its extension."""
    data = export_bytes(questions, str(path))
    Path(path).write_bytes(data)
