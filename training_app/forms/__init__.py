"""WTForms: the shape of input only; rules live in services."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3+ choice objects."""
    return [SelectChoice(value, label) for value, label in pairs]
