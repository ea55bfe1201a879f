"""question_bank must stay framework-free: no Flask, SQLAlchemy or app imports."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "training_app"}
PACKAGE = Path(__file__).resolve().parents[2] / "question_bank"


def forbidden_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in FORBIDDEN]
    return found


def test_detector_catches_all_import_forms() -> None:
    source = (
        "import flask\nimport os, sqlalchemy.orm as orm\nfrom flask_sqlalchemy import SQLAlchemy\n"
        "from training_app.models import Question\nfrom .model import Question\nimport flasky\n"
    )
    assert forbidden_imports(source) == [
        "flask",
        "sqlalchemy.orm",
        "flask_sqlalchemy",
        "training_app.models",
    ]


def test_question_bank_imports_no_web_framework() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 10
    offenders = {
        str(f.relative_to(PACKAGE)): forbidden_imports(f.read_text(encoding="utf-8")) for f in files
    }
    assert {name: found for name, found in offenders.items() if found} == {}
