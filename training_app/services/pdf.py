"""The shared PDF renderer: HTML in, print-ready A4 PDF out, CJK fonts embedded.

WeasyPrint is given ONE ``FontConfiguration`` for the whole process: building one per render
costs ~26 MB that is never given back. Renders are serialized by a lock because WeasyPrint does
not promise that a font configuration (and the Pango font map behind it) may be shared by
threads rendering at the same time; PDF rendering is rare enough (notices, slips, certificates)
that one render at a time per process is cheap.

Nothing is fetched from the network: the URL fetcher admits ``data:`` URLs and, when a
``base_url`` directory is given, files under that directory only. User-supplied text (a Markdown
manual, a notice) can therefore not make the server read other files or call other hosts.

Usage::

    html = f"<html><head><style>{CJK_A4_CSS}</style></head><body>...</body></html>"
    pdf_bytes = render_pdf(html)
"""
from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# Body in Noto Serif CJK SC (the usual face of printed 公文), headings in Noto Sans CJK SC;
# both come with Debian's fonts-noto-cjk and are embedded (subsetted) into every PDF.
CJK_FONT_CSS = """
body { font-family: "Noto Serif CJK SC", "Noto Serif CJK", serif; font-size: 12pt;
       line-height: 1.6; color: #000; }
h1, h2, h3, h4, th, .sans { font-family: "Noto Sans CJK SC", "Noto Sans CJK", sans-serif; }
"""

A4_PAGE_CSS = """
@page { size: A4; margin: 25mm 22mm 22mm 25mm;
        @bottom-center { content: "— " counter(page) " —"; font-size: 10pt;
                         font-family: "Noto Serif CJK SC", serif; } }
table { border-collapse: collapse; }
"""

# The snippet other modules put in their <style>: CJK fonts on an A4 page with page numbers.
CJK_A4_CSS = CJK_FONT_CSS + A4_PAGE_CSS

_FONT_CONFIG: FontConfiguration | None = None
_LOCK = threading.Lock()


def font_configuration() -> FontConfiguration:
    """The process's one FontConfiguration (created on first use)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


class LocalOnlyFetcher(URLFetcher):
    """Fetches ``data:`` URLs, and ``file:`` URLs below ``root``; refuses everything else."""

    def __init__(self, root: Path | None) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self._root = root.resolve() if root is not None else None

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if self._root is None or not path.is_relative_to(self._root):
                raise ValueError(f"refusing to read {url}: outside the allowed directory")
        return super().fetch(url, headers)


def _root_of(base_url: str | None) -> Path | None:
    if not base_url:
        return None
    parsed = urlparse(base_url)
    if parsed.scheme not in ("", "file"):
        return None
    path = Path(unquote(parsed.path))
    return path if path.is_dir() else path.parent


def _document(html: str, base_url: str | None):
    fetcher = LocalOnlyFetcher(_root_of(base_url))
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        font_config=font_configuration())


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render ``html`` to PDF bytes (fonts embedded)."""
    with _LOCK:
        return _document(html, base_url).write_pdf()


def render_pdf_with_anchors(html: str, *, base_url: str | None = None
                            ) -> tuple[bytes, dict[str, int], int]:
    """Render ``html``; also return the 1-based page of every element id, and the page count.

    Used to work out chapter page ranges of a manual rendered from Markdown.
    """
    with _LOCK:
        document = _document(html, base_url)
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages, start=1):
            for anchor in page.anchors:
                anchors.setdefault(anchor, number)
        return document.write_pdf(), anchors, len(document.pages)


def render_pdf_pages(html: str, *, base_url: str | None = None,
                     pdf_version: str | None = None) -> tuple[bytes, int]:
    """Render ``html``; return the PDF and its page count. ``pdf_version="1.4"`` writes no
    object streams: a file meant to be joined with others (pypdf) is then far cheaper to read."""
    with _LOCK:
        document = _document(html, base_url)
        return document.write_pdf(pdf_version=pdf_version), len(document.pages)
