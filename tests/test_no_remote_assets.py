"""No page may load anything from another host: many training sites have no internet, and the
CSP would block it anyway. Every script, stylesheet, font and image is served from static/."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REMOTE = re.compile(r"""(?:src|href|action)\s*=\s*["']\s*(?:https?:)?//""", re.I)
CSS_REMOTE = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//)""", re.I)


def test_templates_reference_no_remote_url():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")
                 if REMOTE.search(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_stylesheets_import_nothing_remote():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "static").rglob("*.css")
                 if CSS_REMOTE.search(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_rendered_pages_load_only_local_assets(client):
    html = client.get("/login").get_data(as_text=True)
    assert not REMOTE.search(html)
    assert "/bootstrap/static/" in html  # Bootstrap served by the app itself


def test_the_check_catches_a_cdn_link():
    assert REMOTE.search('<link href="https://cdn.jsdelivr.net/x.css">')
    assert REMOTE.search("<script src='//cdn.example/x.js'>")
    assert not REMOTE.search('<a href="/login">')
