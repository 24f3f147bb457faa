"""Kazakh business and individual identification numbers (BIN / IIN) and their check digit."""

from __future__ import annotations

from typing import Any

from kzdocs.messages import N_

_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# The 5th digit: 0–3 start the day of birth of a person (IIN), 4–6 name a legal entity's type
# (BIN); 7–9 occur in neither.
_IIN_FIFTH = "0123"
_BIN_FIFTH = "456"


def _is_digits(value: Any, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()


def check_digit(first11: str) -> int | None:
    """The 12th digit of a BIN/IIN, or None when no digit can make the number valid.

    >>> check_digit("15044000001"), check_digit("90011530040")
    (3, 1)
    """
    if not _is_digits(first11, 11):
        raise ValueError(f"a BIN/IIN check digit needs the first 11 digits, got {first11!r}")
    digits = [int(c) for c in first11]
    c = sum(d * i for i, d in enumerate(digits, start=1)) % 11
    if c == 10:
        c = sum(d * w for d, w in zip(digits, _SECOND_WEIGHTS, strict=True)) % 11
    return None if c == 10 else c


def bin_iin_problem(value: Any) -> tuple[str, str] | None:
    """(rule, message) for a value that is not a valid BIN/IIN, else None."""
    if not _is_digits(value, 12):
        return "bin_iin_format", N_("must be 12 digits")
    if value[4] not in _IIN_FIFTH + _BIN_FIFTH:
        return "bin_iin_format", N_("must have 0–3 (IIN) or 4–6 (BIN) as its 5th digit")
    if check_digit(value[:11]) != int(value[11]):
        return "bin_iin_checksum", N_("must have a valid check digit (12th digit)")
    return None


def is_bin(value: str) -> bool:
    """A BIN (legal entity) has 4, 5 or 6 as its 5th digit; an IIN (person) has 0–3."""
    return value[4] in _BIN_FIFTH


def is_iin(value: str) -> bool:
    """An IIN (person) has 0–3 as its 5th digit."""
    return value[4] in _IIN_FIFTH
