"""Turning certificate snapshots into print-ready HTML and PDF.

A design is a Jinja fragment (one certificate) plus CSS. Designs are rendered in a **sandboxed**
Jinja environment (``ImmutableSandboxedEnvironment``) that is given plain values only: strings,
numbers, booleans, lists and dicts built from the certificate's snapshot, never a model or a
session. So an organizer's own design can print any value but cannot reach into Python.

The app wraps each rendered fragment in an A4-landscape page (``section.certificate``), adds the
organizer's seal and signature images at their millimetre positions, and renders all pages of a
batch as ONE WeasyPrint document through the shared renderer (``services.pdf``: one
FontConfiguration per process, local files only). Pre-printed stock (套打) prints only the
variable fields at millimetre positions, shifted by the printer's measured offsets; the
calibration page shows where those positions land.
"""
from __future__ import annotations

import base64
import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import segno
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import escape

from training_app.services import pdf

DESIGN_DIR = Path(__file__).resolve().parent.parent / "certificate_designs"

KIND_TITLES = {"completion": "结业证书", "outstanding": "优秀学员证书"}
KIND_TITLES_EN = {"completion": "Certificate of Completion",
                  "outstanding": "Certificate of Outstanding Trainee"}

PAGE_WIDTH_MM = 297
PAGE_HEIGHT_MM = 210

# The page every design is placed on: A4 landscape, no margin, one certificate per page.
PAGE_CSS = """
@page { size: A4 landscape; margin: 0; }
html, body { margin: 0; padding: 0; }
.certificate { position: relative; width: 297mm; height: 210mm; overflow: hidden;
               page-break-after: always; box-sizing: border-box; }
.certificate:last-child { page-break-after: auto; }
.certificate img.placed { position: absolute; }
img[src^="data:"] { image-rendering: pixelated; }
.preview-mark { position: absolute; left: 0; right: 0; top: 78mm; text-align: center;
                font-family: "Noto Sans CJK SC", sans-serif; font-size: 80pt; color: #d33;
                opacity: 0.18; transform: rotate(-18deg); letter-spacing: 0.3em; }
"""


# --- the sandbox -------------------------------------------------------------------------------

def _sandbox() -> ImmutableSandboxedEnvironment:
    # StrictUndefined: an unsafe attribute (``name.__class__``) raises SecurityError even when
    # merely printed, and a misspelt value name is an error when the design is saved.
    env = ImmutableSandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                        undefined=StrictUndefined)
    env.globals.clear()  # no range, lipsum, cycler, joiner, namespace: values only
    return env


SANDBOX = _sandbox()


@functools.lru_cache(maxsize=64)
def _compiled(source: str):
    return SANDBOX.from_string(source)


def render_fragment(design_html: str, context: dict[str, Any]) -> str:
    """One certificate's HTML from a design fragment, in the sandbox.

    Raises ``jinja2.TemplateError`` (``SecurityError`` for unsafe access) on a bad template."""
    return _compiled(design_html).render(context)


# --- designs -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Design:
    name: str
    html: str
    css: str


BUILTIN_DESIGN_NAMES = ("classic", "modern")
CUSTOM = "custom"


@functools.cache
def builtin_design(name: str) -> Design:
    if name not in BUILTIN_DESIGN_NAMES:
        raise KeyError(name)
    return Design(name=name, html=(DESIGN_DIR / f"{name}.html").read_text(encoding="utf-8"),
                  css=(DESIGN_DIR / f"{name}.css").read_text(encoding="utf-8"))


# --- values ------------------------------------------------------------------------------------

_CN_DIGITS = "〇一二三四五六七八九"


def cn_date(value: date) -> str:
    """2016年5月19日"""
    return f"{value.year}年{value.month}月{value.day}日"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_numeral_date(value: date) -> str:
    """二〇一六年五月十九日: the way official documents (公文) date a seal."""
    year = "".join(_CN_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{_cn_number(value.month)}月{_cn_number(value.day)}日"


def date_range_cn(start: date, end: date) -> str:
    if start == end:
        return cn_date(start)
    if start.year != end.year:
        return f"{cn_date(start)}至{cn_date(end)}"
    if start.month != end.month:
        return f"{cn_date(start)}至{end.month}月{end.day}日"
    return f"{cn_date(start)}至{end.day}日"


def quoted_title(title: str) -> str:
    """The class title in Chinese quotes, its own quotes turned into single ones."""
    inner = title.replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def statement(kind: str, *, class_title: str, start: date, end: date, hours: int,
              sponsor: str, organizer: str) -> str:
    """The certificate's sentence, stored with the snapshot."""
    when = date_range_cn(start, end)
    title = quoted_title(class_title)
    if kind == "outstanding":
        return (f"在{when}{sponsor}主办、{organizer}承办的{title}学习期间，学习认真，"
                f"积极参与研讨交流，表现突出，被评为优秀学员。")
    return (f"于{when}参加由{sponsor}主办、{organizer}承办的{title}，完成全部课程学习，"
            f"共计{hours}学时，经考核合格，准予结业。")


def qr_png(url: str) -> str:
    """The verification URL as a QR code: a PNG of one pixel per module, base64 (stored with
    the snapshot; printed sharp because data-URL images are drawn without smoothing)."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="png", border=2, scale=1)
    return base64.b64encode(out.getvalue()).decode("ascii")


def png_data_uri(png_base64: str) -> str:
    return "data:image/png;base64," + png_base64


def template_context(values: dict[str, Any], *, preview: bool = False) -> dict[str, Any]:
    """The plain values a design sees, from a certificate's snapshot."""
    start = date.fromisoformat(values["start_date"])
    end = date.fromisoformat(values["end_date"])
    issued = date.fromisoformat(values["issue_date"])
    kind = values["kind"]
    return {
        "name": str(values["name"]),
        "unit": str(values.get("unit", "")),
        "class_title": str(values["class_title"]),
        "start_date": cn_date(start),
        "end_date": cn_date(end),
        "date_range": date_range_cn(start, end),
        "hours": int(values["hours"]),
        "sponsor": str(values["sponsor"]),
        "organizer": str(values["organizer"]),
        "issuers": [str(i) for i in values["issuers"]],
        "issue_date": issued.isoformat(),
        "issue_date_cn": cn_numeral_date(issued),
        "kind": kind,
        "kind_title": KIND_TITLES[kind],
        "kind_title_en": KIND_TITLES_EN[kind],
        "serial": str(values["serial"]),
        "code": str(values["code"]),
        "verify_url": str(values["verify_url"]),
        "qr": png_data_uri(values["qr_png"]),
        "statement": str(values["statement"]),
        "preview": bool(preview),
    }


# A complete set of values for previews and for checking an organizer's design when saved.
SAMPLE_VALUES: dict[str, Any] = {
    "name": "张晓民", "unit": "潍坊市奎文区社会工作服务中心",
    "class_title": "社会工作服务标准化与“四社联动”培训班",
    "start_date": "2016-05-17", "end_date": "2016-05-19", "hours": 24,
    "sponsor": "潍坊市民政局", "organizer": "潍坊市社会工作协会",
    "issuers": ["潍坊市民政局", "潍坊市社会工作协会"], "issue_date": "2016-05-19",
    "kind": "completion", "serial": "WFSG-2016-0001", "code": "PREVIEW",
    "verify_url": "http://localhost/verify/PREVIEW", "images": [],
}


def sample_values(kind: str = "completion") -> dict[str, Any]:
    """SAMPLE_VALUES completed with the statement and QR code, as an issued snapshot has them."""
    values = dict(SAMPLE_VALUES, kind=kind)
    values["statement"] = statement(
        kind, class_title=values["class_title"], start=date.fromisoformat(values["start_date"]),
        end=date.fromisoformat(values["end_date"]), hours=values["hours"],
        sponsor=values["sponsor"], organizer=values["organizer"])
    values["qr_png"] = qr_png(values["verify_url"])
    return values


# --- pages and documents -----------------------------------------------------------------------

def _mm(value: Any) -> str:
    return f"{Decimal(str(value)).normalize():f}mm"


def _placed_images(images: Iterable[dict[str, Any]]) -> str:
    return "".join(
        f'<img class="placed" src="{escape(i["file"])}" alt="" '
        f'style="left: {_mm(i["x"])}; top: {_mm(i["y"])}; width: {_mm(i["w"])}">'
        for i in images)


def design_page(values: dict[str, Any], design: Design, *, preview: bool = False) -> str:
    """One certificate page: the design's fragment, the placed images, a 样张 mark on previews."""
    fragment = render_fragment(design.html, template_context(values, preview=preview))
    mark = '<div class="preview-mark">样张</div>' if preview else ""
    return (f'<section class="certificate">{fragment}'
            f'{_placed_images(values.get("images", []))}{mark}</section>')


def document(pages: Iterable[str], *, css: str, title: str = "证书",
             page_css: str = PAGE_CSS) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{page_css}\n{css}</style></head>"
            f"<body>{''.join(pages)}</body></html>")


def design_document(items: Sequence[dict[str, Any]], design: Design, *,
                    preview: bool = False, title: str = "证书") -> str:
    """The HTML of many certificates of one design: one page each."""
    return document((design_page(values, design, preview=preview) for values in items),
                    css=design.css, title=title)


def base_url_for(images_dir: Path | None) -> str | None:
    if images_dir is None or not images_dir.is_dir():
        return None
    return images_dir.resolve().as_uri() + "/"


def render_html(html: str, *, images_dir: Path | None) -> bytes:
    """One WeasyPrint render of a whole document (the shared renderer)."""
    return pdf.render_pdf(html, base_url=base_url_for(images_dir))


def render_html_counted(html: str, *, images_dir: Path | None,
                        joinable: bool = False) -> tuple[bytes, int]:
    """Like ``render_html``, also returning the page count. A ``joinable`` part of a larger
    batch is written as PDF 1.4 (no object streams), which pypdf joins several times faster."""
    return pdf.render_pdf_pages(html, base_url=base_url_for(images_dir),
                                pdf_version="1.4" if joinable else None)


# --- pre-printed stock (套打) -------------------------------------------------------------------

@dataclass(frozen=True)
class StockField:
    name: str
    label: str  # shown in the settings and on the calibration page
    x: float
    y: float
    size: float  # pt; for the QR code, its width in mm


# Defaults for A4 landscape stock; the organizer moves each field to their paper's blanks.
STOCK_FIELDS: tuple[StockField, ...] = (
    StockField("name", "姓名", 70, 78, 20),
    StockField("class_title", "培训班名称", 70, 96, 14),
    StockField("date_range", "培训日期", 70, 110, 14),
    StockField("hours", "学时", 200, 110, 14),
    StockField("issue_date", "发证日期", 200, 170, 13),
    StockField("serial", "证书编号", 205, 22, 10),
    StockField("qr", "二维码", 22, 160, 22),
)
STOCK_FIELD_NAMES = tuple(f.name for f in STOCK_FIELDS)


def stock_layout(saved: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The saved layout completed with defaults: {field: {x, y, size, show}}."""
    saved = saved or {}
    layout = {}
    for field in STOCK_FIELDS:
        own = saved.get(field.name) or {}
        layout[field.name] = {"x": float(own.get("x", field.x)), "y": float(own.get("y", field.y)),
                              "size": float(own.get("size", field.size)),
                              "show": bool(own.get("show", True))}
    return layout


def stock_page_css(width_mm: Any, height_mm: Any) -> str:
    return (f"@page {{ size: {_mm(width_mm)} {_mm(height_mm)}; margin: 0; }}\n"
            "html, body { margin: 0; padding: 0; }\n"
            f".sheet {{ position: relative; width: {_mm(width_mm)}; height: {_mm(height_mm)}; "
            "overflow: hidden; page-break-after: always; }\n"
            ".sheet:last-child { page-break-after: auto; }\n"
            '.field { position: absolute; white-space: nowrap; line-height: 1; '
            'font-family: "Noto Serif CJK SC", serif; color: #000; }\n'
            ".mark { position: absolute; background: #000; }\n"
            'img[src^="data:"] { image-rendering: pixelated; }\n'
            ".tick { position: absolute; font-size: 6pt; font-family: sans-serif; }\n"
            ".box { position: absolute; border: 0.2mm dashed #c00; color: #c00; "
            "font-size: 7pt; font-family: \"Noto Sans CJK SC\", sans-serif; }\n")


def _at(x: float, y: float, offset: tuple[float, float]) -> str:
    return f"left: {_mm(round(x + offset[0], 2))}; top: {_mm(round(y + offset[1], 2))}"


def stock_page(values: dict[str, Any], layout: dict[str, dict[str, Any]],
               offset: tuple[float, float]) -> str:
    """Only the variable fields, each at its position (mm) shifted by the printer's offset."""
    context = template_context(values)
    parts = []
    for name in STOCK_FIELD_NAMES:
        spot = layout[name]
        if not spot["show"]:
            continue
        where = _at(spot["x"], spot["y"], offset)
        if name == "qr":
            size = _mm(spot["size"])
            parts.append(f'<a class="field" href="{escape(context["verify_url"])}" '
                         f'style="{where}"><img src="{context["qr"]}" alt="" '
                         f'style="width: {size}; height: {size}"></a>')
            continue
        text = f"{context['hours']}" if name == "hours" else context[name]
        parts.append(f'<div class="field" style="{where}; font-size: {spot["size"]}pt">'
                     f"{escape(text)}</div>")
    return f'<section class="sheet">{"".join(parts)}</section>'


def stock_document(items: Sequence[dict[str, Any]], *, layout: dict[str, dict[str, Any]],
                   offset: tuple[float, float], width_mm: Any, height_mm: Any,
                   title: str = "证书（套打）") -> str:
    return document((stock_page(v, layout, offset) for v in items), css="", title=title,
                    page_css=stock_page_css(width_mm, height_mm))


def calibration_document(*, layout: dict[str, dict[str, Any]], offset: tuple[float, float],
                         width_mm: Any, height_mm: Any) -> str:
    """A page to print on plain paper and lay over the stock (or print on a spare sheet).

    Rulers every 10 mm along the edges, crosses 20 mm in from each corner, and a dashed box
    where each field would print with the current offsets. Where the printed cross sits x mm
    right of (y mm below) where it should, enter -x (-y) added to the current offset."""
    width, height = float(width_mm), float(height_mm)
    parts = []
    for x in range(10, int(width), 10):  # ticks along the top and bottom edges
        length = 5 if x % 50 else 9
        for top in (0.0, height - length):
            parts.append(f'<div class="mark" style="{_at(x, top, offset)}; width: 0.2mm; '
                         f'height: {length}mm"></div>')
        parts.append(f'<div class="tick" style="{_at(x + 0.6, 9.5, offset)}">{x}</div>')
    for y in range(10, int(height), 10):  # ticks along the left and right edges
        length = 5 if y % 50 else 9
        for left in (0.0, width - length):
            parts.append(f'<div class="mark" style="{_at(left, y, offset)}; height: 0.2mm; '
                         f'width: {length}mm"></div>')
        parts.append(f'<div class="tick" style="{_at(10, y + 0.6, offset)}">{y}</div>')
    for cx, cy in ((20, 20), (width - 20, 20), (20, height - 20), (width - 20, height - 20),
                   (width / 2, height / 2)):
        parts.append(f'<div class="mark" style="{_at(cx - 6, cy - 0.1, offset)}; width: 12mm; '
                     'height: 0.2mm"></div>')
        parts.append(f'<div class="mark" style="{_at(cx - 0.1, cy - 6, offset)}; height: 12mm; '
                     'width: 0.2mm"></div>')
    labels = {f.name: f.label for f in STOCK_FIELDS}
    for name in STOCK_FIELD_NAMES:
        spot = layout[name]
        if not spot["show"]:
            continue
        box_w = spot["size"] if name == "qr" else 60
        box_h = spot["size"] if name == "qr" else spot["size"] * 0.3528 * 1.2
        parts.append(f'<div class="box" style="{_at(spot["x"], spot["y"], offset)}; '
                     f'width: {_mm(box_w)}; height: {_mm(round(box_h, 1))}">'
                     f'{escape(labels[name])} ({spot["x"]:g}, {spot["y"]:g})</div>')
    parts.append(f'<div class="tick" style="{_at(30, height / 2 + 8, offset)}; font-size: 9pt">'
                 f'校准页：偏移 X {offset[0]:+g} mm，Y {offset[1]:+g} mm；'
                 '十字线距纸边 20 mm。</div>')
    return document([f'<section class="sheet">{"".join(parts)}</section>'], css="",
                    title="套打校准页", page_css=stock_page_css(width, height))
