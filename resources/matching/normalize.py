"""Query normalisation for item matching: quantities, NFKC, spacing-free forms, Hangul jamo.

* `parse_quantity(text)` finds an order quantity ("24병", "2박스", "x12", "12 btl") and returns the
  text without it plus a `Quantity` (amount, canonical unit, the matched text); bottle sizes and ages
  ("750ml", "1.5L", "12년") are part of the name and stay.
* `normalize(text)` is NFKC, lower case, accents removed from Latin letters, punctuation to spaces.
* `compact(text)` drops all spaces (the spacing-insensitive form).
* `to_jamo(text)` decomposes Hangul syllables into conjoining jamo (unicodedata NFD), so a typo of
  one consonant or vowel changes one symbol, not a whole syllable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Canonical unit for each spelling an order line may use.
UNIT_SPELLINGS: dict[str, str] = {
    "병": "병",
    "본": "병",
    "btl": "병",
    "btls": "병",
    "bottle": "병",
    "bottles": "병",
    "박스": "박스",
    "box": "박스",
    "boxes": "박스",
    "bx": "박스",
    "케이스": "박스",
    "cs": "박스",
    "case": "박스",
    "cases": "박스",
    "캔": "캔",
    "can": "캔",
    "cans": "캔",
    "개": "개",
    "ea": "개",
    "pcs": "개",
    "잔": "잔",
}
_UNITS = "|".join(sorted(map(re.escape, UNIT_SPELLINGS), key=len, reverse=True))
# "24병", "2 박스", "12btl" (a number then a unit, not followed by a letter) and "x12", "×12", "* 6".
_AMOUNT_UNIT = re.compile(rf"(?<![\w.])(\d{{1,5}})\s*({_UNITS})(?![a-z가-힣])", re.IGNORECASE)
_TIMES_AMOUNT = re.compile(r"(?<![\w.])[x×*]\s*(\d{1,5})(?![\w.])", re.IGNORECASE)
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Quantity:
    """An order quantity parsed from a query: amount, canonical unit (병/박스/캔/개/잔, "" for "x12"), raw text."""

    amount: int
    unit: str
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"amount": self.amount, "unit": self.unit, "text": self.text}


def parse_quantity(text: str) -> tuple[str, Quantity | None]:
    """`text` without its order quantity, and the quantity (the last one written, None if none)."""
    text = unicodedata.normalize("NFKC", text)
    matches = [(m, UNIT_SPELLINGS[m.group(2).lower()]) for m in _AMOUNT_UNIT.finditer(text)]
    matches += [(m, "") for m in _TIMES_AMOUNT.finditer(text)]
    if not matches:
        return text, None
    match, unit = max(matches, key=lambda pair: pair[0].start())
    quantity = Quantity(int(match.group(1)), unit, match.group(0).strip())
    rest = text[: match.start()] + " " + text[match.end() :]
    return _SPACES.sub(" ", rest).strip(), quantity


def strip_accents(text: str) -> str:
    """Latin letters without accents (é → e); Hangul syllables are left composed."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not (unicodedata.combining(c) and c < "\u1100"))
    return unicodedata.normalize("NFC", kept)


def normalize(text: str) -> str:
    """NFKC, lower case, accents removed, punctuation and apostrophes to spaces, single spaces."""
    text = strip_accents(unicodedata.normalize("NFKC", text)).lower()
    text = text.replace("'", "").replace("’", "")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


def compact(text: str) -> str:
    """The spacing-insensitive form: no whitespace at all."""
    return _SPACES.sub("", text)


def to_jamo(text: str) -> str:
    """Hangul syllables decomposed into conjoining jamo (NFD); other characters unchanged."""
    return unicodedata.normalize("NFD", text)


def is_hangul(char: str) -> bool:
    """True for a precomposed Hangul syllable or a conjoining jamo."""
    return "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff"
