"""Transliteration for matching across scripts: Hangul and Latin words reduced to one consonant skeleton.

Korean distributors write foreign labels in Hangul by sound ("Lake Chalice" → "레이크 찰리스"), so
both scripts are mapped onto the same few consonant classes (L/R → L, K/G/C/Q → K, P/B/F/V → P,
T/D → T, S/Z/J/CH/SH → S, M, N), vowels and silent letters dropped and repeats collapsed:
"Marlborough" and "말보로" both become "MLPL", "Chalice" and "찰리스" both "SLS". `skeleton(word)`
returns that key; the semantic stage indexes its n-grams so "Lake Chalice 말보로" meets
"레이크 찰리스 말보로".
"""

from __future__ import annotations

import re
import unicodedata

# Conjoining initial consonants U+1100..U+1112 (ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ).
_INITIAL_CLASSES = dict(zip("ᄀᄁᄂᄃᄄᄅᄆᄇᄈᄉᄊᄋᄌᄍᄎᄏᄐᄑᄒ", "KKNTTLMPPSS-SSSKTP-"))
# Final consonants U+11A8..U+11C2 (ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ).
_FINAL_CLASSES = dict(zip("ᆨᆩᆪᆫᆬᆭᆮᆯᆰᆱᆲᆳᆴᆵᆶᆷᆸᆹᆺᆻᆼᆽᆾᆿᇀᇁᇂ", "KKKNNNTLLLLLLLLMPPTTNTTKTP-"))
# Latin letter groups first (longest match), then single letters; "" means silent.
_LATIN_GROUPS = (
    ("sch", "S"),
    ("tch", "S"),
    ("ch", "S"),
    ("sh", "S"),
    ("ph", "P"),
    ("th", "T"),
    ("gh", ""),
    ("gn", "N"),
    ("ck", "K"),
    ("qu", "K"),
    ("ng", "N"),
    ("x", "KS"),
    ("tz", "S"),
    ("ts", "S"),
)
_LATIN_SINGLE = dict(zip("bcdfgjklmnpqrstvwz", "PKTPKSKLMNPKLSTP-S"))
_SOFT_C = re.compile(r"c(?=[eiy])")
_FINAL_R = re.compile(r"(?<=[aeiou])r$")  # non-rhotic: "noir" → 누아, "walker" → 워커


def _collapse(classes: str) -> str:
    """Drop silent marks and collapse runs of the same class ("MLLPL" → "MLPL")."""
    out: list[str] = []
    for symbol in classes.replace("-", ""):
        if not out or out[-1] != symbol:
            out.append(symbol)
    return "".join(out)


def _hangul_classes(word: str) -> str:
    symbols = []
    for char in unicodedata.normalize("NFD", word):
        if char in _INITIAL_CLASSES:
            symbols.append(_INITIAL_CLASSES[char])
        elif char in _FINAL_CLASSES:
            symbols.append(_FINAL_CLASSES[char])
        elif char.isdigit():
            symbols.append(char)
    return "".join(symbols)


def _latin_classes(word: str) -> str:
    word = _FINAL_R.sub("", _SOFT_C.sub("s", word.lower()))
    symbols, i = [], 0
    while i < len(word):
        for group, symbol in _LATIN_GROUPS:
            if word.startswith(group, i):
                symbols.append(symbol)
                i += len(group)
                break
        else:
            char = word[i]
            symbols.append(_LATIN_SINGLE.get(char, char if char.isdigit() else ""))
            i += 1
    return "".join(symbols)


def skeleton(word: str) -> str:
    """The consonant skeleton of one word in Hangul or Latin script (digits kept; "" if nothing remains)."""
    hangul = any("\uac00" <= c <= "\ud7a3" for c in word)
    return _collapse(_hangul_classes(word) if hangul else _latin_classes(word))
