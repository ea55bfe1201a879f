"""Fill the English catalog from a {chinese: english} dict module: python scripts/fill_translations.py FILE.py

A convenience for adding many strings at once; the .po file stays the source of truth.
"""
import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "translations/en/LC_MESSAGES/messages.po"

table = runpy.run_path(sys.argv[1])["T"]
with PO.open("rb") as f:
    catalog = read_po(f)
for message in catalog:
    if message.id and message.id in table:
        message.string = table[message.id]
        message.flags.discard("fuzzy")
with PO.open("wb") as f:
    write_po(f, catalog, width=100)
missing = [m.id for m in catalog if m.id and not m.string]
print(f"{len(missing)} untranslated", *missing[:20], sep="\n")
