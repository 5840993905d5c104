"""Noisy order lines with known answers, generated from an item master with a fixed seed.

`generate_queries(items, seed, per_type)` makes `NoisyQuery` rows (id, query, gold item_no, noise
type, client_code) of these noise types:

exact            the Korean name, or its shortest token prefix no other item contains
typo             one jamo-level error in a Korean word (syllables swapped 말보로→말로보, a vowel or
                 consonant confused, a final consonant dropped)
abbreviation     English initials for the producer ("lc 말보로"), a trade shortening (까쇼), or a long
                 word cut to its first syllables ("발렌 17년")
english          the English name or its unique prefix, in any case
mixed            English producer with the Korean rest ("Lake Chalice 말보로")
spacing_removed  all spaces dropped
spacing_added    a space inside a word
quantity         a quantity suffix (24병, 2박스, x12, 6 btl …)
compound         two at once: a typo or an abbreviation, then spaces dropped or a quantity added
nickname         a client's own name for an item; answerable only after learning from selections,
                 so `nickname_history` gives the selection log that teaches them

`generate_large_master(n, seed)` builds an n-item master (producers × labels × vintages and sizes)
for the latency benchmark. Alignment of Korean and English producer words uses the consonant
skeleton (`phonetic.skeleton`).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from resources.feedback.records import SelectionLog
from resources.matching.aliases import BUILTIN_ABBREVIATIONS
from resources.matching.items import Item
from resources.matching.normalize import normalize
from resources.matching.phonetic import skeleton

NOISE_TYPES = (
    "exact",
    "typo",
    "abbreviation",
    "english",
    "mixed",
    "spacing_removed",
    "spacing_added",
    "quantity",
    "compound",
    "nickname",
)
QUANTITY_SUFFIXES = ("24병", "2박스", "x12", "6 btl", "1cs", "12 병", "3box", "×6", "10병", "1 박스")
NICKNAMES = (
    "하우스 레드", "하우스 화이트", "사장님 픽", "단골 위스키", "점장 추천", "코스 와인", "회식용", "선물용 세트 술",
    "기본 버블", "디저트 와인", "bar 기본", "house pour", "안주용 화이트", "스테이크 와인", "룸 양주", "웰컴 드링크",
    "데일리 레드", "예약석 와인", "잔술 화이트", "프리미엄 한 병",
)  # fmt: skip
CLIENTS = ("01025", "02117", "03388", "04410", "05502")
# Vowel and consonant confusions typists make (conjoining jamo).
VOWEL_SWAPS = {"ᅢ": "ᅦ", "ᅦ": "ᅢ", "ᅩ": "ᅥ", "ᅥ": "ᅩ", "ᅧ": "ᅭ", "ᅭ": "ᅧ", "ᅮ": "ᅳ", "ᅳ": "ᅮ", "ᅵ": "ᅴ", "ᅡ": "ᅣ"}
INITIAL_SWAPS = {
    "ᄀ": "ᄁ",
    "ᄁ": "ᄀ",
    "ᄃ": "ᄄ",
    "ᄄ": "ᄃ",
    "ᄇ": "ᄈ",
    "ᄈ": "ᄇ",
    "ᄉ": "ᄊ",
    "ᄌ": "ᄍ",
    "ᄎ": "ᄌ",
    "ᄐ": "ᄃ",
    "ᄏ": "ᄀ",
}


@dataclass(frozen=True)
class NoisyQuery:
    """One order line with its answer."""

    id: str
    query: str
    gold_item_no: str
    noise: str
    client_code: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _tokens(text: str) -> list[str]:
    return normalize(text).split()


def short_form(item: Item, items: Sequence[Item]) -> str:
    """The shortest token prefix of the Korean name that no other item's name contains (else the name)."""
    tokens = _tokens(item.name)
    others = [set(_tokens(o.name)) for o in items if o.item_no != item.item_no]
    for length in range(1, len(tokens) + 1):
        prefix = set(tokens[:length])
        if not any(prefix <= other for other in others):
            return " ".join(item.name.split()[:length])
    return item.name


def english_short_form(item: Item, items: Sequence[Item]) -> str:
    """The shortest prefix of the English name no other English name contains (else the English name)."""
    words = item.name_en.split()
    others = [set(_tokens(o.name_en)) for o in items if o.item_no != item.item_no]
    for length in range(2, len(words) + 1):
        if not any(set(_tokens(" ".join(words[:length]))) <= other for other in others):
            return " ".join(words[:length])
    return item.name_en


def producer_alignment(item: Item) -> int:
    """How many Korean name words spell the English name's first two words (by skeleton), 0 if none do."""
    ko, en = item.name.split(), _tokens(item.name_en)
    if len(en) < 3 or not (en[0][:1].isalpha() and en[1][:1].isalpha()):
        return 0
    target = skeleton(en[0]) + skeleton(en[1])
    for k in (1, 2):
        if len(ko) > k and "".join(skeleton(w) for w in ko[:k]) == target:
            return k
    return 0


def jamo_typo(word: str, rng: random.Random) -> str | None:
    """One typist's error in a Hangul word, or None when the word is too short for one."""
    syllables = [c for c in word if "\uac00" <= c <= "\ud7a3"]
    if len(syllables) < 2 or len(syllables) != len(word):
        return None
    kind = rng.choice(("swap", "vowel", "initial", "final"))
    if kind == "swap" and len(word) >= 3:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    i = rng.randrange(len(word))
    jamo = list(unicodedata.normalize("NFD", word[i]))
    if kind == "vowel" and jamo[1] in VOWEL_SWAPS:
        jamo[1] = VOWEL_SWAPS[jamo[1]]
    elif kind == "initial" and jamo[0] in INITIAL_SWAPS:
        jamo[0] = INITIAL_SWAPS[jamo[0]]
    elif kind == "final" and len(jamo) == 3:
        jamo = jamo[:2]
    else:
        return word[:i] + word[i + 1 :] if len(word) >= 4 else None
    return word[:i] + unicodedata.normalize("NFC", "".join(jamo)) + word[i + 1 :]


def _typo(item: Item, items: Sequence[Item], rng: random.Random) -> str | None:
    words = short_form(item, items).split()
    if len(words) < 2:
        words = item.name.split()
    order = rng.sample(range(len(words)), len(words))
    for i in order:
        changed = jamo_typo(words[i], rng)
        if changed and changed != words[i]:
            return " ".join(words[:i] + [changed] + words[i + 1 :])
    return None


def _abbreviation(item: Item, items: Sequence[Item], rng: random.Random) -> str | None:
    name, short = item.name, short_form(item, items)
    options = []
    aligned = producer_alignment(item)
    if aligned and len(name.split()) > aligned:
        initials = "".join(w[0] for w in _tokens(item.name_en)[:2])
        options.append(" ".join([initials] + name.split()[aligned:]))
    for abbreviation, long in BUILTIN_ABBREVIATIONS.items():
        if long in name and abbreviation[0] >= "\uac00" and long != abbreviation and len(long) > len(abbreviation) + 1:
            options.append(name.replace(long, abbreviation))
    words = short.split()
    for i, word in enumerate(words):
        if len(word) >= 4 and all("\uac00" <= c <= "\ud7a3" for c in word):
            options.append(" ".join(words[:i] + [word[:2]] + words[i + 1 :] + ([] if len(words) > 1 else [])))
    name_words = normalize(name).split()
    options = [
        o
        for o in options
        if normalize(o).split() != name_words[: len(normalize(o).split())] and _prefixes_unique(o, item, items)
    ]
    return rng.choice(options) if options else None


def _prefixes_unique(text: str, item: Item, items: Sequence[Item]) -> bool:
    """True unless another item has, for every Korean word of `text`, a name token starting with it
    (a cut word such as "글렌" must still point at one item)."""
    words = [w for w in _tokens(text) if any("\uac00" <= c <= "\ud7a3" for c in w)]
    if not words:
        return True
    for other in items:
        if other.item_no != item.item_no:
            tokens = _tokens(other.name)
            if all(any(t.startswith(w) for t in tokens) for w in words):
                return False
    return True


def _english(item: Item, items: Sequence[Item], rng: random.Random) -> str:
    text = rng.choice((item.name_en, english_short_form(item, items)))
    return rng.choice((text, text.lower(), text.upper()))


def _mixed(item: Item, items: Sequence[Item], rng: random.Random) -> str | None:
    aligned = producer_alignment(item)
    ko = item.name.split()
    if not aligned or len(ko) <= aligned:
        return None
    producer_en = " ".join(item.name_en.split()[:2])
    rest = short_form(item, items).split()[aligned:] or ko[aligned:]
    return " ".join([producer_en] + rest)


def _spacing_added(item: Item, items: Sequence[Item], rng: random.Random) -> str | None:
    words = short_form(item, items).split()
    long = [i for i, w in enumerate(words) if len(w) >= 3]
    if not long:
        return None
    i = rng.choice(long)
    cut = rng.randrange(1, len(words[i]))
    return " ".join(words[:i] + [words[i][:cut], words[i][cut:]] + words[i + 1 :])


def make_query(noise: str, item: Item, items: Sequence[Item], rng: random.Random) -> str | None:
    """One noisy line of the given type for `item` (None when the item does not allow it)."""
    if noise == "exact":
        return rng.choice((item.name, short_form(item, items)))
    if noise == "typo":
        return _typo(item, items, rng)
    if noise == "abbreviation":
        return _abbreviation(item, items, rng)
    if noise == "english":
        return _english(item, items, rng)
    if noise == "mixed":
        return _mixed(item, items, rng)
    if noise == "spacing_removed":
        return rng.choice((item.name, short_form(item, items))).replace(" ", "")
    if noise == "spacing_added":
        return _spacing_added(item, items, rng)
    if noise == "quantity":
        return f"{rng.choice((item.name, short_form(item, items)))} {rng.choice(QUANTITY_SUFFIXES)}"
    if noise == "compound":
        first = _typo(item, items, rng) if rng.random() < 0.5 else _abbreviation(item, items, rng)
        if first is None:
            return None
        return first.replace(" ", "") if rng.random() < 0.5 else f"{first} {rng.choice(QUANTITY_SUFFIXES)}"
    raise ValueError(f"unknown noise type {noise!r}")


def nickname_assignments(items: Sequence[Item], seed: int) -> list[tuple[str, str, Item]]:
    """(client, nickname, item): each nickname is one client's name for one item."""
    rng = random.Random(seed + 1)
    chosen = rng.sample(list(items), len(NICKNAMES))
    return [(CLIENTS[i % len(CLIENTS)], nickname, item) for i, (nickname, item) in enumerate(zip(NICKNAMES, chosen))]


def nickname_history(items: Sequence[Item], seed: int, repeats: int = 3) -> list[SelectionLog]:
    """The selection log that teaches every client nickname (`repeats` selections each)."""
    return [
        SelectionLog(raw_input=nickname, selected_item_no=item.item_no, client_code=client)
        for client, nickname, item in nickname_assignments(items, seed)
        for _ in range(repeats)
    ]


def generate_queries(
    items: Sequence[Item], seed: int = 12, per_type: int = 150, noise_types: Sequence[str] = NOISE_TYPES
) -> list[NoisyQuery]:
    """`per_type` noisy lines per noise type (fewer when not enough items allow a type), reproducible."""
    rng = random.Random(seed)
    queries: list[NoisyQuery] = []
    for noise in noise_types:
        if noise == "nickname":
            for n, (client, nickname, item) in enumerate(nickname_assignments(items, seed)):
                suffix = rng.choice(("", "", " " + rng.choice(QUANTITY_SUFFIXES)))
                queries.append(NoisyQuery(f"nickname-{n:04d}", nickname + suffix, item.item_no, noise, client))
            continue
        made = 0
        for item in rng.sample(list(items), len(items)):
            text = make_query(noise, item, items, rng)
            if text:
                queries.append(NoisyQuery(f"{noise}-{made:04d}", text, item.item_no, noise))
                made += 1
            if made >= per_type:
                break
    return queries


VINTAGES = tuple(str(year) for year in range(1990, 2024))
SIZES = (("", ""), ("375ml", "375ml"), ("1.5L", "1.5L"), ("매그넘", "Magnum"), ("하프", "Half"))
EDITIONS = (("", ""), ("리미티드", "Limited"), ("스페셜 에디션", "Special Edition"), ("셀러 릴리즈", "Cellar Release"))


def generate_large_master(base: Sequence[Item], n: int, seed: int = 12) -> list[Item]:
    """An n-item master: every base item, then variants (vintage, size, edition) with fresh numbers."""
    rng = random.Random(seed)
    items = list(base)[:n]
    used = {i.item_no for i in items}
    combos = [(v, s, e) for v in VINTAGES for s in SIZES for e in EDITIONS]
    while len(items) < n:
        item = rng.choice(base)
        vintage, (size_ko, size_en), (ed_ko, ed_en) = rng.choice(combos)
        name = " ".join(p for p in (item.name, ed_ko, vintage, size_ko) if p)
        name_en = " ".join(p for p in (item.name_en, ed_en, vintage, size_en) if p)
        number = ""
        while not number or number in used:
            number = f"{item.item_no[:2]}{rng.randrange(0, 10**7):07d}"
        used.add(number)
        items.append(Item(number, name, name_en, item.category, item.unit, item.price))
    return items
