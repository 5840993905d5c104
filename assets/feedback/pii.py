"""Scrub personal data from feedback text: e-mail addresses, Korean resident registration numbers, card
numbers and phone numbers become placeholders (`[이메일]`, `[주민등록번호]`, `[카드번호]`, `[전화번호]`).

Order matters: resident registration numbers (YYMMDD-NNNNNNN) and card numbers (13–19 digits in
groups, Luhn-valid) are replaced before phone numbers so a long number is not half-read as a phone.
`scrub(text)` returns the cleaned text and the count per kind.
"""

from __future__ import annotations

import re
from collections import Counter

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# YYMMDD, optional hyphen/space, then a 7-digit block whose first digit (sex/century) is 1-8.
RESIDENT_NUMBER = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[- ]?[1-8]\d{6}(?!\d)")
CARD_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
# Korean mobile (010-1234-5678, 01012345678), area codes (02-123-4567, 031-123-4567), +82 forms,
# and 15xx/16xx/18xx service numbers (1588-1234).
PHONE = re.compile(
    r"(?<![\d])(?:\+82[- ]?(?:0?1[016789]|0?[2-6]\d?)|0(?:1[016789]|2|[3-6]\d|70|50\d?))[- .)]?\d{3,4}[- .]?\d{4}(?!\d)"
    r"|(?<!\d)1[5-9]\d{2}[- ]\d{4}(?!\d)"
)
PLACEHOLDERS = {"email": "[이메일]", "resident_number": "[주민등록번호]", "card": "[카드번호]", "phone": "[전화번호]"}


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _replace_cards(text: str, counts: Counter) -> str:
    def replace(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            counts["card"] += 1
            return PLACEHOLDERS["card"]
        return match.group()

    return CARD_CANDIDATE.sub(replace, text)


def scrub(text: str) -> tuple[str, Counter]:
    """`text` with personal data replaced, and how many of each kind were found."""
    counts: Counter = Counter()
    for kind, pattern in (("email", EMAIL), ("resident_number", RESIDENT_NUMBER)):
        text, found = pattern.subn(PLACEHOLDERS[kind], text)
        counts[kind] += found
    text = _replace_cards(text, counts)
    text, found = PHONE.subn(PLACEHOLDERS["phone"], text)
    counts["phone"] += found
    return text, +counts
