"""A simulated teaching session: selections teaching new abbreviations and nicknames, and queries that use them.

`teaching_scenario(items, seed, abbreviations, nicknames)` returns `Teaching`:

* producer abbreviations made of the first consonant of each producer word ("ㄹㅊ" for 레이크 찰리스,
  a shorthand order takers type): taught by selecting two different items of the producer
  ("ㄹㅊ 말보로 소비뇽 블랑" → …), tested on the producer's items whose label alone names several
  items (so the abbreviation carries the answer);
* client nicknames ("우리집 레드"): taught by two selections of one client, tested with that client,
  with and without a quantity.

Producers are found generically: items sharing their first name word, with their common word prefix.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from resources.feedback.records import SelectionLog
from resources.matching.items import Item
from resources.matching.normalize import normalize
from resources.matching.queries import CLIENTS, QUANTITY_SUFFIXES, NoisyQuery

NEW_NICKNAMES = (
    "우리집 레드", "2층 바 화이트", "테라스 버블", "김실장 위스키", "주말 특가 와인", "연회장 레드", "칵테일 베이스",
    "오픈 기념주", "룸 서비스 와인", "셰프 추천 화이트", "VIP 보틀", "생일 케이크 와인", "이달의 와인", "하이볼 베이스",
)  # fmt: skip


@dataclass(frozen=True)
class Teaching:
    """Selections that teach, and queries that need what they teach."""

    selections: tuple[SelectionLog, ...]
    queries: tuple[NoisyQuery, ...]
    taught: tuple[str, ...]


def producer_groups(items: Sequence[Item]) -> dict[str, list[Item]]:
    """Producer (common leading words of items sharing their first word) → its items (3 or more)."""
    by_first: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_first[item.name.split()[0]].append(item)
    groups = {}
    for members in by_first.values():
        if len(members) < 3:
            continue
        words = [m.name.split() for m in members]
        prefix = []
        for column in zip(*words):
            if len(set(column)) != 1:
                break
            prefix.append(column[0])
        if prefix and all(len(w) > len(prefix) for w in words):
            groups[" ".join(prefix)] = members
    return groups


def choseong(words: str) -> str:
    """The first consonant of each word ("레이크 찰리스" → "ㄹㅊ"), as compatibility jamo."""
    out = []
    for word in words.split():
        lead = unicodedata.normalize("NFD", word[0])[0]
        out.append(unicodedata.normalize("NFKC", lead) if "\u1100" <= lead <= "\u1112" else word[0].lower())
    return "".join(_COMPAT.get(c, c) for c in out)


_COMPAT = dict(zip("ᄀᄁᄂᄃᄄᄅᄆᄇᄈᄉᄊᄋᄌᄍᄎᄏᄐᄑᄒ", "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"))


def _ambiguous_rest(rest: str, item: Item, items: Sequence[Item]) -> bool:
    words = set(normalize(rest).split())
    return any(o.item_no != item.item_no and words <= set(normalize(o.name).split()) for o in items)


def teaching_scenario(items: Sequence[Item], seed: int = 12, abbreviations: int = 10, nicknames: int = 10) -> Teaching:
    """`abbreviations` producer shorthands and `nicknames` client nicknames, with their tests."""
    rng = random.Random(seed)
    selections: list[SelectionLog] = []
    queries: list[NoisyQuery] = []
    taught: list[str] = []
    used: set[str] = set()
    groups = sorted(producer_groups(items).items())
    rng.shuffle(groups)
    for producer, members in groups:
        short = choseong(producer)
        tests = [m for m in members if _ambiguous_rest(m.name[len(producer) :], m, items)]
        if short in used or len(short) < 2 or not tests or len(taught) >= abbreviations:
            continue
        used.add(short)
        taught.append(f"{short} → {producer}")
        for member in rng.sample(members, 2):
            rest = member.name[len(producer) :].strip()
            selections.append(SelectionLog(raw_input=f"{short} {rest}", selected_item_no=member.item_no))
        for member in tests:
            rest = member.name[len(producer) :].strip()
            line = f"{short} {rest}" + rng.choice(("", " " + rng.choice(QUANTITY_SUFFIXES)))
            queries.append(NoisyQuery(f"taught-abbr-{len(queries):04d}", line, member.item_no, "taught_abbreviation"))
    for n, (nickname, item) in enumerate(zip(NEW_NICKNAMES[:nicknames], rng.sample(list(items), nicknames))):
        client = CLIENTS[n % len(CLIENTS)]
        taught.append(f"{client}: {nickname} → {item.name}")
        selections += [SelectionLog(raw_input=nickname, selected_item_no=item.item_no, client_code=client)] * 2
        for suffix in ("", " " + rng.choice(QUANTITY_SUFFIXES)):
            query_id = f"taught-nick-{len(queries):04d}"
            queries.append(NoisyQuery(query_id, nickname + suffix, item.item_no, "taught_nickname", client))
    return Teaching(tuple(selections), tuple(queries), tuple(taught))
