"""The hybrid item matcher: rule stage, semantic stage below a confidence threshold, the original's decision rule.

`ItemMatcher.match(query, client_code, top_k, min_score, mode)` parses the order quantity, then

1. a learned phrase alias (this client's, then a global one) answers directly (stage "alias");
2. the rule stage scores items and calibrates its top confidence; at or above `threshold` (0.7)
   the rule result stands;
3. below it the semantic stage runs; its result is adopted when its top cosine is above
   `semantic_min` (0.7) and above the rule confidence (the original system's rule), otherwise the
   rule result stays (or the semantic one when the rule found nothing).

Per-client priors (items this client chose before) add a small bonus, and items rejected for the
same line lose half their score. Every result names the stage that decided and why.
`mode` "rule" or "semantic" runs one stage alone (for the evaluation).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from resources.matching.aliases import LearnedAliases, builtin_alias_tokens
from resources.matching.items import Item
from resources.matching.normalize import Quantity, compact, normalize, parse_quantity
from resources.matching.rule import Calibration, RuleIndex, margins, top_positions
from resources.matching.semantic import NgramEmbedder, SemanticIndex, SentenceTransformerEmbedder

MODES = ("hybrid", "rule", "semantic")
PRIOR_WEIGHT = 0.05
NEGATIVE_FACTOR = 0.5
RULE_POOL = 50


@dataclass(frozen=True)
class DecisionRule:
    """When the semantic stage runs and when its answer is adopted (the original: 0.7 and 0.7)."""

    threshold: float = 0.7
    semantic_min: float = 0.7
    semantic_must_beat_rule: bool = True


@dataclass(frozen=True)
class Candidate:
    """One ranked item."""

    item_no: str
    name: str
    score: float
    stage: str

    def as_dict(self) -> dict[str, object]:
        return {"item_no": self.item_no, "name": self.name, "score": round(self.score, 4), "stage": self.stage}


@dataclass(frozen=True)
class MatchResult:
    """The answer to one order line."""

    query: str
    quantity: Quantity | None
    results: tuple[Candidate, ...]
    stage: str
    reason: str
    rule_confidence: float
    semantic_score: float | None
    timing_ms: float

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "quantity": self.quantity.as_dict() if self.quantity else None,
            "results": [c.as_dict() for c in self.results],
            "stage": self.stage,
            "reason": self.reason,
            "rule_confidence": round(self.rule_confidence, 4),
            "semantic_score": None if self.semantic_score is None else round(self.semantic_score, 4),
            "timing_ms": round(self.timing_ms, 3),
        }


@dataclass
class ItemMatcher:
    """Items with their rule index, semantic index, learned aliases and calibration."""

    items: list[Item]
    rule: RuleIndex
    semantic: SemanticIndex
    learned: LearnedAliases = field(default_factory=LearnedAliases)
    calibration: Calibration = field(default_factory=Calibration)
    decision: DecisionRule = field(default_factory=DecisionRule)

    def __post_init__(self) -> None:
        self.position = {item.item_no: i for i, item in enumerate(self.items)}

    # --- building --------------------------------------------------------------------------------
    @staticmethod
    def alias_tokens(items: Sequence[Item], learned: LearnedAliases) -> list[list[str]]:
        """Per item: built-in abbreviations, English initials and learned global phrase aliases."""
        phrases: dict[str, list[str]] = {}
        for phrase, item_no in learned.phrase_items.items():
            phrases.setdefault(item_no, []).append(phrase)
        return [builtin_alias_tokens(i.name, i.name_en) + phrases.get(i.item_no, []) for i in items]

    @staticmethod
    def semantic_rows(items: Sequence[Item], learned: LearnedAliases) -> tuple[list[str], list[int]]:
        """The texts the semantic stage embeds (Korean name, English name, global phrase aliases) and their items."""
        texts, owners = [], []
        for position, item in enumerate(items):
            texts += [item.name, item.name_en]
            owners += [position, position]
        index = {item.item_no: i for i, item in enumerate(items)}
        for phrase, item_no in sorted(learned.phrase_items.items()):
            if item_no in index:
                texts.append(phrase)
                owners.append(index[item_no])
        return texts, owners

    @classmethod
    def build(
        cls,
        items: Sequence[Item],
        learned: LearnedAliases | None = None,
        embedder: NgramEmbedder | SentenceTransformerEmbedder | None = None,
        decision: DecisionRule | None = None,
    ) -> ItemMatcher:
        """Index items (embedding every semantic row once)."""
        learned = learned or LearnedAliases()
        items = list(items)
        rule = RuleIndex.build(
            [i.name for i in items], [i.name_en for i in items], cls.alias_tokens(items, learned), learned.token_map
        )
        texts, owners = cls.semantic_rows(items, learned)
        semantic = SemanticIndex.build(embedder or NgramEmbedder(), texts, owners)
        return cls(items, rule, semantic, learned, Calibration(), decision or DecisionRule())

    # --- stages ----------------------------------------------------------------------------------
    def _adjust(self, positions: np.ndarray, scores: np.ndarray, phrase: str, client: str | None) -> np.ndarray:
        """Client prior bonus and hard-negative penalty."""
        scores = scores.astype(np.float64).copy()
        counts = self.learned.client_counts.get(client or "", {})
        rejected = self.learned.negatives.get(phrase, {})
        for item_no, n in counts.items():
            hits = positions == self.position.get(item_no, -1)
            scores[hits] += PRIOR_WEIGHT * n / (n + 2)
        for item_no in rejected:
            scores[positions == self.position.get(item_no, -1)] *= NEGATIVE_FACTOR
        return scores

    def rule_stage(self, text: str, phrase: str, client: str | None, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k item positions by rule score and their calibrated confidences."""
        found = self.rule.score(text)
        if len(found.positions) == 0:
            return found.positions, np.empty(0)
        raw = self._adjust(found.positions, found.raw, phrase, client)
        top = top_positions(raw, max(k, RULE_POOL))
        confidence = self.calibration.confidence(
            raw[top], margins(raw)[top], found.query_coverage[top], found.item_coverage[top]
        )
        order = np.argsort(-confidence, kind="stable")[:k]
        return found.positions[top][order], confidence[order]

    def semantic_stage(self, text: str, phrase: str, client: str | None, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k item positions by cosine similarity (adjusted by priors and negatives)."""
        positions, scores = self.semantic.search(text, max(k, 10))
        scores = np.clip(self._adjust(positions, scores, phrase, client), 0.0, 1.0)
        order = np.argsort(-scores, kind="stable")[:k]
        return positions[order], scores[order]

    def _alias_hit(self, phrase: str, client: str | None) -> tuple[int, str] | None:
        if client and phrase in self.learned.client_phrase_items.get(client, {}):
            item_no = self.learned.client_phrase_items[client][phrase]
            if item_no in self.position:
                return self.position[item_no], f"client {client} chose this item for this line before"
        item_no = self.learned.phrase_items.get(phrase)
        if item_no in self.position:
            return self.position[item_no], "learned alias from consistent selections"
        return None

    # --- the decision ----------------------------------------------------------------------------
    def _candidates(self, positions: np.ndarray, scores: np.ndarray, stage: str) -> list[Candidate]:
        return [
            Candidate(self.items[int(p)].item_no, self.items[int(p)].name, float(s), stage)
            for p, s in zip(positions, scores)
        ]

    def match(
        self, query: str, client_code: str | None = None, top_k: int = 5, min_score: float = 0.0, mode: str = "hybrid"
    ) -> MatchResult:
        """Ranked items for one order line (see the module docstring for the decision)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        started = time.perf_counter()
        text, quantity = parse_quantity(query)
        phrase = compact(normalize(text))
        stage, reason, rule_conf, sem_top = self._decide(text, phrase, client_code, top_k, mode)
        results = tuple(c for c in stage[0] if c.score >= min_score)[:top_k]
        elapsed = (time.perf_counter() - started) * 1000
        return MatchResult(query, quantity, results, stage[1], reason, rule_conf, sem_top, elapsed)

    def _decide(
        self, text: str, phrase: str, client: str | None, k: int, mode: str
    ) -> tuple[tuple[list[Candidate], str], str, float, float | None]:
        alias = self._alias_hit(phrase, client) if mode == "hybrid" else None
        if alias is not None:
            position, why = alias
            rest_p, rest_s = self.rule_stage(text, phrase, client, k)
            rest = [c for c in self._candidates(rest_p, rest_s, "rule") if c.item_no != self.items[position].item_no]
            first = self._candidates(np.array([position]), np.array([1.0]), "alias")
            return (first + rest, "alias"), why, 1.0, None
        rule_p, rule_s = self.rule_stage(text, phrase, client, k) if mode != "semantic" else (np.empty(0), np.empty(0))
        rule_conf = float(rule_s[0]) if len(rule_s) else 0.0
        rule = self._candidates(rule_p, rule_s, "rule")
        if mode == "rule":
            return (rule, "rule"), "rule stage only", rule_conf, None
        if mode == "hybrid" and rule_conf >= self.decision.threshold:
            return (
                (rule, "rule"),
                f"rule confidence {rule_conf:.2f} ≥ threshold {self.decision.threshold}",
                rule_conf,
                None,
            )
        sem_p, sem_s = self.semantic_stage(text, phrase, client, k)
        sem_top = float(sem_s[0]) if len(sem_s) else 0.0
        semantic = self._candidates(sem_p, sem_s, "semantic")
        if mode == "semantic":
            return (semantic, "semantic"), "semantic stage only", rule_conf, sem_top
        return self._adopt(rule, semantic, rule_conf, sem_top)

    def _adopt(
        self, rule: list[Candidate], semantic: list[Candidate], rule_conf: float, sem_top: float
    ) -> tuple[tuple[list[Candidate], str], str, float, float | None]:
        d = self.decision
        beats = sem_top > rule_conf or not d.semantic_must_beat_rule
        if semantic and sem_top > d.semantic_min and beats:
            why = f"rule confidence {rule_conf:.2f} < {d.threshold}; semantic {sem_top:.2f} > {d.semantic_min}"
            return (
                (_merge(semantic, rule), "semantic"),
                why + (" and > rule" if d.semantic_must_beat_rule else ""),
                rule_conf,
                sem_top,
            )
        if rule:
            why = f"rule confidence {rule_conf:.2f} < {d.threshold}, semantic {sem_top:.2f} not adopted; rule kept"
            return (_merge(rule, semantic), "rule"), why, rule_conf, sem_top
        return (semantic, "semantic"), f"no rule candidate; semantic {sem_top:.2f} (low confidence)", rule_conf, sem_top


def _merge(first: list[Candidate], second: list[Candidate]) -> list[Candidate]:
    """The deciding stage's ranking, then the other stage's items not already listed."""
    seen = {c.item_no for c in first}
    return first + [c for c in second if c.item_no not in seen]
