"""Alias knowledge the matcher uses besides the item names: built-in trade abbreviations and learned aliases.

* `BUILTIN_ABBREVIATIONS`: how the Korean wine and spirits trade shortens common words (까쇼 for
  까베르네 소비뇽, 소블 for 소비뇽 블랑, 샤도 for 샤르도네, 잭다 for 잭 다니엘 …), added to every item
  whose name holds the long form.
* `english_initials(name_en)`: the initials of an English name's first two words ("Lake Chalice …"
  → "lc"), the abbreviation order takers use for producers.
* `LearnedAliases`: what the selection log taught (see `resources.matching.learning`): token mappings
  ("lc" → "레이크 찰리스"), phrase aliases (a whole order line → an item, global or per client),
  per-client selection counts (priors) and rejected items per phrase (hard negatives). It is plain
  JSON-serialisable data saved with the index.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from resources.matching.normalize import normalize

BUILTIN_ABBREVIATIONS: dict[str, str] = {
    "까쇼": "까베르네 소비뇽",
    "까소": "까베르네 소비뇽",
    "소블": "소비뇽 블랑",
    "쇼블": "소비뇽 블랑",
    "샤도": "샤르도네",
    "샤도네": "샤르도네",
    "피노": "피노 누아",
    "피노그리": "피노 그리지오",
    "카르메": "까르메네르",
    "잭다": "잭 다니엘",
    "조니": "조니워커",
    "발렌": "발렌타인",
    "글피": "글렌피딕",
    "맥켈": "맥캘란",
    "몬알": "몬테스 알파",
    "까시": "까시예로 델 디아블로",
    "cab": "cabernet",
    "sauv": "sauvignon",
    "sb": "sauvignon blanc",
    "cs": "cabernet sauvignon",
    "chard": "chardonnay",
    "pn": "pinot noir",
    "jw": "johnnie walker",
    "jd": "jack daniels",
    "yo": "year old",
}


def english_initials(name_en: str) -> str:
    """Initials of the first two words of an English name when both start with a letter ("" otherwise)."""
    words = normalize(name_en).split()
    if len(words) < 3 or not (words[0][:1].isalpha() and words[1][:1].isalpha()):
        return ""
    return words[0][0] + words[1][0]


def builtin_alias_tokens(name: str, name_en: str) -> list[str]:
    """The abbreviations that stand for parts of this item's names (trade shortenings and English initials)."""
    text = f" {normalize(name)} {normalize(name_en)} "
    tokens = [short for short, long in BUILTIN_ABBREVIATIONS.items() if f" {normalize(long)} " in text]
    initials = english_initials(name_en)
    return tokens + ([initials] if initials else [])


@dataclass
class LearnedAliases:
    """Knowledge learned from the selection log (all keys normalised; phrases in compact form)."""

    token_map: dict[str, str] = field(default_factory=dict)
    phrase_items: dict[str, str] = field(default_factory=dict)
    client_phrase_items: dict[str, dict[str, str]] = field(default_factory=dict)
    client_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    negatives: dict[str, dict[str, int]] = field(default_factory=dict)
    selections_seen: int = 0
    last_selection_id: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> LearnedAliases:
        return cls(**{key: payload[key] for key in cls.__dataclass_fields__ if key in payload})

    def alias_count(self) -> int:
        """Token mappings plus phrase aliases (global and per client)."""
        per_client = sum(len(p) for p in self.client_phrase_items.values())
        return len(self.token_map) + len(self.phrase_items) + per_client
