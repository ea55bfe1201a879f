"""The shared PDF renderer."""
import subprocess

from training_app.services import pdf


def page(body: str) -> str:
    return f"<html><head><style>{pdf.CJK_A4_CSS}</style></head><body>{body}</body></html>"


def test_renders_a4_with_embedded_cjk_font(tmp_path):
    data = pdf.render_pdf(page("<h1>培训通知</h1><p>社会工作者</p>"))
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "培训通知" in text and "社会工作者" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    assert "Noto-Serif-CJK-SC" in fonts and "Noto-Sans-CJK-SC" in fonts


def test_one_font_configuration_per_process():
    pdf.render_pdf(page("一"))
    first = pdf.font_configuration()
    pdf.render_pdf(page("二"))
    assert pdf.font_configuration() is first


def test_nothing_outside_the_base_directory_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    base = tmp_path / "assets"
    base.mkdir()
    (base / "ok.css").write_text("p.x::after { content: 'ALLOWED'; }", encoding="utf-8")
    html = page('<link rel="stylesheet" href="ok.css">'
                f'<link rel="stylesheet" href="file://{secret}"><p class="x">正文</p>'
                '<img src="http://127.0.0.1:9/x.png">')
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf.render_pdf(html, base_url=str(base) + "/"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "ALLOWED" in text and "TOPSECRET" not in text
    fetcher = pdf.LocalOnlyFetcher(None)
    for url in (f"file://{secret}", "http://127.0.0.1:9/x.png", "ftp://example.org/x"):
        try:
            fetcher.fetch(url)
        except ValueError:
            continue
        raise AssertionError(f"fetched {url}")
