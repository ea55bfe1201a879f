"""Decimal helpers shared by the whole package.

Marks are money-like: organizers add them up by hand and compare totals to
exactly 100, so binary floats (``0.1 + 0.2 != 0.3``) are never used.  Every
number that enters the package goes through :func:`to_decimal`, and every
number that leaves it as text goes through :func:`fmt_decimal` so that
``Decimal("10")`` and ``Decimal("10.00")`` serialise the same way.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, InvalidOperation

HALF = Decimal("0.5")
ZERO = Decimal(0)
_LIMIT = Decimal(10) ** 9

__all__ = ["HALF", "ZERO", "floor_to_half", "fmt_decimal", "is_half_step", "tidy", "to_decimal"]


def to_decimal(value: Decimal | float | str) -> Decimal:
    """Convert user or file input to a finite Decimal.

    Floats go through ``str`` first: JSON and Excel hand us ``1.5`` as a float
    and ``Decimal(1.1)`` would carry the binary rounding error into marks.
    Raises ``ValueError`` with a Chinese message for text that is not a
    finite number, so callers can show it to organizers directly, and
    ``TypeError`` for values of other types (a programming error).
    """
    if isinstance(value, bool):
        raise TypeError(f"“{value}”不是有效的数字")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是有效的数字") from None
    else:
        raise TypeError(f"“{value}”不是有效的数字")
    if not result.is_finite():
        raise ValueError(f"“{value}”不是有效的数字")
    if abs(result) >= _LIMIT:
        # No mark is that large; refusing early keeps Decimal arithmetic
        # (quantize, %) within its 28-digit context.
        raise ValueError(f"“{value}”数值过大")
    return result


def fmt_decimal(value: Decimal) -> str:
    """Shortest plain (non-scientific) text for a Decimal: 10, 1.5, 0.25."""
    return format(tidy(value), "f")


def is_half_step(value: Decimal) -> bool:
    """True when ``value`` is a whole multiple of 0.5 (the marking grain)."""
    doubled = value * 2
    return doubled == doubled.to_integral_value()


def floor_to_half(value: Decimal) -> Decimal:
    """Round down to the 0.5 grain; used so partial credit never exceeds its share."""
    steps = (value / HALF).to_integral_value(rounding=ROUND_FLOOR)
    return tidy(steps * HALF)


def tidy(value: Decimal) -> Decimal:
    """Drop meaningless trailing zeros (``10.0`` -> ``10``) without going to
    scientific notation, so ``str()`` of a mark reads naturally."""
    if value == value.to_integral_value():
        try:
            return value.quantize(Decimal(1))
        except InvalidOperation:  # more digits than the context holds: leave as is
            return value
    return value.normalize()
