from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from training_app.models import Role

ROOT = Path(__file__).resolve().parents[2]


def test_chinese_by_default_and_english_on_request(client, login):
    login(Role.ADMIN)
    html = client.get("/").get_data(as_text=True)
    assert "退出" in html and 'lang="zh-CN"' in html
    client.post("/language/en")
    html = client.get("/").get_data(as_text=True)
    assert "Log out" in html and "User management" in html and 'lang="en"' in html
    client.post("/language/zh_CN")
    assert "退出" in client.get("/").get_data(as_text=True)


def test_english_catalog_translates_every_message(tmp_path):
    """Extract the messages afresh and find each one translated in the English catalog."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-k", "_l", "-o", str(pot), str(ROOT)])
    with pot.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        english = {m.id: m.string for m in read_po(f) if m.id and not m.fuzzy}
    untranslated = sorted(str(i) for i in extracted if not english.get(i))
    assert not untranslated, f"{len(untranslated)} messages lack an English translation: {untranslated[:10]}"
