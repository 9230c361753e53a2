"""Regular-expression building blocks shared by the components: labels, numbers, units.

Everything here is pure. Label patterns are compiled from the data files' label lists; the
grammar of a number (digits, one decimal point, OCR letters mistaken for digits) is
structural, so it lives here rather than in data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Horizontal whitespace.
HS = r"[^\S\n\f]"
# Whitespace with at most one line break: prose wraps ("heart\nrate 100", "sodium 143\nmmol/L"),
# but a value never continues across a blank line or a page break.
WRAP = rf"{HS}*(?:\n{HS}*)?"

# A value's characters: digits plus the letters OCR reads for them. The lookahead makes at
# least one real digit obligatory, so "lO" is never a number.
_DIGITISH = "0-9OolI"
NUMBER = (
    rf"(?<![0-9])(?<![0-9][.,])(?=[{_DIGITISH}]*[0-9])[{_DIGITISH}]+"
    rf"(?:[.,](?=[{_DIGITISH}]*[0-9])[{_DIGITISH}]+)?(?![0-9])"
)

_SPACE = re.compile(r"\s+")
# What may open a list line: a bullet or a list number ("- ", "• ", "1. ", "(2) ", OCR's "l.").
BULLET = rf"{HS}*(?:[-•*·>]|\(?[0-9lI]{{1,2}}[.)])?{HS}*"


def name_confusions(confusions: Iterable[str]) -> tuple[str, ...]:
    """OCR confusions for names in lower case: "i" is read as "l" too ("Atorvastatln").

    Labels are matched with the confusion groups as they are (``l``/``I``/``1``); drug and
    allergen names, printed in lower case, also lose the dot of an "i".
    """
    return tuple(f"{g}i" if "l" in g and "i" not in g else g for g in confusions)


def alternation(words: Iterable[str]) -> str:
    """Escaped alternatives, longest first, a space matching any run of horizontal whitespace."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", f"{HS}+") for w in ordered)


def normalise_label(text: str) -> str:
    """Lower-case ``text`` with runs of whitespace made one space and periods dropped."""
    return _SPACE.sub(" ", text.replace(".", "")).strip().lower()


def label_regex(label: str, *, exact: bool, confusions: Iterable[str]) -> str:
    """A pattern matching ``label`` as printed or with common OCR confusions.

    Letters in a confusion group (``l``/``I``/``1``) match each other; spaces match any run of
    horizontal whitespace; periods and hyphens are optional. ``exact`` labels are
    case-sensitive (short forms such as ``K`` or ``T``), others not.
    """
    groups = {c: g for g in confusions for c in g}
    parts: list[str] = []
    for ch in label:
        if ch.isspace():
            # OCR often adds a stray period or comma at a word end ("First. Name").
            parts.append(rf"[.,]?(?:{HS}+(?:\n{HS}*)?|\n{HS}*)")
        elif ch == ".":
            parts.append(r"\.?")
        elif ch == "-":
            parts.append(rf"[-{HS}]?")
        elif ch == "/":
            parts.append(rf"{HS}*/{HS}*")
        elif ch in groups:
            members = groups[ch] if exact else "".join({*groups[ch].lower(), *groups[ch].upper()})
            parts.append("[" + re.escape("".join(sorted(members))) + "]")
        else:
            parts.append(re.escape(ch))
    body = "".join(parts)
    # Labels must not end inside a word (``LabelSet`` checks the start once for all). A
    # value glued to a label ("HR72") is accepted, except after the short case-sensitive
    # ones: "T4" is no temperature.
    right = r"(?![A-Za-z])" if label[-1].isalpha() and not exact else r"(?![A-Za-z0-9])"
    if label[-1] == ".":
        right = ""
    return f"{body if exact else f'(?i:{body})'}{right}"


@dataclass(frozen=True)
class LabelSet:
    """Many labels, each naming a key, compiled into one longest-first alternation."""

    pattern: str
    keys: tuple[str, ...]  # key of the label in group ``l{i}``
    canonical: frozenset[str]  # normalised labels as listed, to spot OCR variants

    @classmethod
    def build(
        cls,
        labels: Iterable[tuple[str, str, bool]],
        *,
        confusions: Iterable[str],
    ) -> LabelSet:
        """Compile ``(label, key, exact)`` triples; longer labels are tried first."""
        confusions = tuple(confusions)
        items = sorted(set(labels), key=lambda t: (-len(t[0]), t[0]))
        if not items:
            return cls(pattern=r"(?!)", keys=(), canonical=frozenset())
        alternatives = [
            f"(?P<l{i}>{label_regex(label, exact=exact, confusions=confusions)})"
            for i, (label, _key, exact) in enumerate(items)
        ]
        # The start-of-word check comes once, before the alternatives, so the regex engine
        # rejects a position inside a word without trying every label there.
        return cls(
            pattern=r"(?<![A-Za-z0-9])(?:" + "|".join(alternatives) + ")",
            keys=tuple(key for _label, key, _exact in items),
            canonical=frozenset(normalise_label(label) for label, _key, _exact in items),
        )

    def key_of(self, match: re.Match[str]) -> str:
        """The key of the label that ``match`` (of a pattern containing this set) matched."""
        for i, key in enumerate(self.keys):
            if match.group(f"l{i}") is not None:
                return key
        raise LookupError("match holds no label of this set")

    def is_variant(self, text: str) -> bool:
        """Whether the matched label text differs from every listed label (OCR damage)."""
        return normalise_label(text) not in self.canonical


def unit_key(text: str) -> str:
    """The lookup key of a printed unit: lower case, no spaces, micro signs as ``u``."""
    return _SPACE.sub("", text).replace("µ", "u").replace("μ", "u").lower()


@dataclass(frozen=True)
class UnitTable:
    """Printed units and their UCUM codes."""

    ucum_by_key: Mapping[str, str]
    printed: tuple[str, ...]

    @classmethod
    def build(cls, units: Mapping[str, str]) -> UnitTable:
        """Index ``units`` (printed -> UCUM) by ``unit_key``."""
        return cls(
            ucum_by_key={unit_key(k): v for k, v in units.items()},
            printed=tuple(units),
        )

    def ucum(self, printed: str) -> str | None:
        """The UCUM code of a printed unit, or None when it is not known."""
        return self.ucum_by_key.get(unit_key(printed))

    def regex(self, allowed: Iterable[str] | None = None) -> str:
        """A pattern for the printed units whose UCUM code is in ``allowed`` (all if None)."""
        keep = None if allowed is None else set(allowed)
        chosen = [p for p in self.printed if keep is None or self.ucum_by_key[unit_key(p)] in keep]
        if not chosen:
            return r"(?!)"
        parts = []
        for printed in sorted(set(chosen), key=lambda p: (-len(p), p)):
            body = "".join(rf"{HS}*" if ch.isspace() else re.escape(ch) for ch in printed)
            body = body.replace("u", "[uµμ]") if "u" in printed.lower() else body
            # A unit ending in a letter must not run into a word ("in" of "inches" is fine
            # only because the longer unit is tried first).
            tail = r"(?![A-Za-z])" if printed[-1].isalnum() else ""
            parts.append(f"{body}{tail}")
        return "(?i:" + "|".join(parts) + ")"


@dataclass(frozen=True)
class Number:
    """A number read from the text; ``repaired`` when OCR letters had to be read as digits."""

    value: float
    repaired: bool
    decimals: int = 0  # digits printed after the decimal point


def parse_number(text: str, repairs: Mapping[str, str]) -> Number | None:
    """Read ``text`` (one token matched by ``NUMBER``) as a number.

    A comma is a decimal point ("98,6"); letters in ``repairs`` become digits and mark the
    number repaired. Returns None when ``text`` is not a number even after repair.
    """
    repaired = False
    chars: list[str] = []
    for ch in text.strip():
        if ch in repairs:
            chars.append(repairs[ch])
            repaired = True
        else:
            chars.append("." if ch == "," else ch)
    digits = "".join(chars)
    decimals = len(digits) - digits.index(".") - 1 if "." in digits else 0
    try:
        value = float(digits)
    except ValueError:
        return None
    return Number(value=value, repaired=repaired, decimals=decimals)
