"""Plain text <-> the HTML fragments Moodle stores in question texts.

Questions in this project are plain text (the exam page and the PDF
renderer escape them), but Moodle keeps question texts, answers and grader
information as HTML.  The conversion must be exact in both directions so
that export followed by import gives back the same question: newlines
become ``<br>``, and whitespace that HTML would collapse (double spaces,
spaces at line ends, tabs) is written as character references, which the
reader treats as literal.  Whitespace that is only source-code formatting
(indentation between ``<p>`` tags) is collapsed as a browser would.

Images and media cannot be represented in a plain-text question, so the
reader reports them instead of silently dropping them.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "text_to_html"]

_COLLAPSIBLE = " \t\r\n\f"
_BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
}
_MEDIA_TAGS = {
    "img": "图片",
    "audio": "音频",
    "video": "视频",
    "object": "嵌入对象",
    "iframe": "嵌入网页",
    "embed": "嵌入对象",
    "svg": "矢量图",
    "math": "公式",
}
_SKIP_CONTENT = {"script", "style"}


def text_to_html(text: str, paragraph: bool = False) -> str:
    """Escape ``text`` as an HTML fragment that :func:`html_to_text` restores exactly."""
    lines = [_encode_line(line) for line in text.split("\n")]
    body = "<br>".join(lines)
    return f"<p>{body}</p>" if paragraph else body


def _encode_line(line: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(line):
        if ch == " ":
            prev_ok = i > 0 and line[i - 1] not in _COLLAPSIBLE
            next_ok = i + 1 < len(line) and line[i + 1] not in _COLLAPSIBLE
            out.append(" " if prev_ok and next_ok else "&#32;")
        elif ch in _COLLAPSIBLE:
            out.append(f"&#{ord(ch)};")
        else:
            out.append(html.escape(ch, quote=False))
    return "".join(out)


def html_to_text(fragment: str) -> tuple[str, list[str]]:
    """Convert an HTML fragment to plain text; also return Chinese problems found.

    Problems are things that would be lost (images, media); the caller
    decides whether to report them.
    """
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return parser.result(), parser.problems


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        # Segments: ("lit", text) literal, ("ws", " ") collapsible space,
        # ("br", "\n") hard newline, ("blk", "") soft paragraph break.
        self.segments: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_CONTENT:
            self._skip_depth += 1
        elif tag == "br":
            self.segments.append(("br", "\n"))
        elif tag in _MEDIA_TAGS:
            problem = f"含有{_MEDIA_TAGS[tag]}，暂不支持导入"
            if problem not in self.problems:
                self.problems.append(problem)
        elif tag in _BLOCK_TAGS:
            self.segments.append(("blk", ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_CONTENT:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_CONTENT:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.segments.append(("blk", ""))

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        for piece in re.split(r"([ \t\r\n\f]+)", data):
            if not piece:
                continue
            if piece[0] in _COLLAPSIBLE:
                self.segments.append(("ws", " "))
            else:
                self.segments.append(("lit", piece))

    def handle_charref(self, name: str) -> None:
        if not self._skip_depth:
            self.segments.append(("lit", html.unescape(f"&#{name};")))

    def handle_entityref(self, name: str) -> None:
        if not self._skip_depth:
            self.segments.append(("lit", html.unescape(f"&{name};")))

    def result(self) -> str:
        out: list[str] = []
        pending_space = False
        for kind, text in self.segments:
            at_line_start = not out or out[-1].endswith("\n")
            if kind == "ws":
                pending_space = not at_line_start
            elif kind == "lit":
                if pending_space:
                    out.append(" ")
                pending_space = False
                out.append(text)
            elif kind == "br":
                pending_space = False
                out.append("\n")
            elif kind == "blk":
                pending_space = False
                if out and not at_line_start:
                    out.append("\n")
        return "".join(out).strip("\n")
