"""Rule stage: multi-token weighted scoring of an order line against item names, English names and aliases.

The index keeps, per item, the tokens of its Korean name, its English name and its alias tokens
(trade abbreviations, English initials, learned phrase aliases), weighted by idf. A query is read
spacing-insensitively: its compact form is segmented into known tokens (longest pieces, fewest
pieces), so "레이크찰리스말보로" and "레이 크 찰리스" read like "레이크 찰리스"; a leftover word of two
or more characters matches the tokens it begins ("발렌" → 발렌타인) at a lower weight, or else the
tokens made of the same syllables in another order ("말로보" → 말보로) or within a few jamo edits of it
(RapidFuzz over jamo-decomposed tokens: "글랜피딕" → 글렌피딕);
learned token mappings expand a word ("lc" → 레이크 찰리스). An item's raw score is

    query coverage × (0.55 + 0.45 × item coverage)

where query coverage is the idf share of the query's words it holds (unknown words count against
it) and item coverage the idf share of its best-covered name that the query holds. Raw scores become
a calibrated confidence through `Calibration` (logistic, fitted on generated queries).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

from resources.matching.normalize import compact, normalize, to_jamo

PREFIX_WEIGHT = 0.8
FUZZY_WEIGHT = 0.9
FUZZY_CUTOFF = 72.0
FUZZY_LIMIT = 4
ANAGRAM_SIMILARITY = 0.9
MAX_PREFIX_EXPANSION = 40
MAX_PIECE_CHARS = 24


@dataclass(frozen=True)
class Term:
    """One word of a query as the index reads it: the token ids it may match and its weight."""

    text: str
    ids: tuple[int, ...]
    weight: float


@dataclass(frozen=True)
class QueryReading:
    """A query as the rule stage read it: matched terms and the weight of what matched nothing."""

    terms: tuple[Term, ...]
    unknown: tuple[str, ...]
    unknown_weight: float

    @property
    def total_weight(self) -> float:
        return sum(t.weight for t in self.terms) + self.unknown_weight


@dataclass(frozen=True)
class RuleCandidates:
    """Scored candidates of one query: item positions with raw score, query and item coverage."""

    positions: np.ndarray
    raw: np.ndarray
    query_coverage: np.ndarray
    item_coverage: np.ndarray
    reading: QueryReading


@dataclass
class Calibration:
    """Logistic map from (raw, margin, query coverage, item coverage) to P(correct)."""

    coef: tuple[float, ...] = (6.0, 6.0, 2.0, 1.0)
    intercept: float = -6.0
    fitted_on: int = 0

    def confidence(self, raw: np.ndarray, margin: np.ndarray, qc: np.ndarray, ic: np.ndarray) -> np.ndarray:
        z = self.intercept + np.stack([raw, margin, qc, ic], axis=-1) @ np.asarray(self.coef)
        return 1.0 / (1.0 + np.exp(-z))


@dataclass
class RuleIndex:
    """Token incidence matrices (items × vocabulary) of names, English names and aliases."""

    vocabulary: dict[str, int]
    weights: np.ndarray
    ko: sparse.csc_matrix
    en: sparse.csc_matrix
    any_name: sparse.csc_matrix
    ko_total: np.ndarray
    en_total: np.ndarray
    token_map: dict[str, str] = field(default_factory=dict)
    sorted_tokens: list[str] = field(default_factory=list)
    mean_weight: float = 1.0
    jamo_tokens: list[str] = field(default_factory=list)
    jamo_ids: list[int] = field(default_factory=list)
    anagrams: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        names: Sequence[str],
        names_en: Sequence[str],
        alias_tokens: Sequence[Sequence[str]],
        token_map: dict[str, str] | None = None,
    ) -> RuleIndex:
        """Index items given their names, English names and alias tokens (one list per item)."""
        ko_tokens = [normalize(n).split() for n in names]
        en_tokens = [normalize(n).split() for n in names_en]
        extra = [[t for a in aliases for t in normalize(a).split()] for aliases in alias_tokens]
        vocabulary: dict[str, int] = {}
        for tokens in (*ko_tokens, *en_tokens, *extra):
            for token in tokens:
                vocabulary.setdefault(token, len(vocabulary))
        union = _incidence([set(k) | set(e) | set(x) for k, e, x in zip(ko_tokens, en_tokens, extra)], vocabulary)
        document_frequency = np.asarray(union.sum(axis=0)).ravel()
        weights = np.log1p(len(names) / np.maximum(document_frequency, 1)).astype(np.float32)
        ko = _incidence([set(t) for t in ko_tokens], vocabulary).multiply(weights).tocsc()
        en = _incidence([set(t) for t in en_tokens], vocabulary).multiply(weights).tocsc()
        return cls(
            vocabulary=vocabulary,
            weights=weights,
            ko=ko,
            en=en,
            any_name=union.tocsc(),
            ko_total=np.asarray(ko.sum(axis=1)).ravel(),
            en_total=np.asarray(en.sum(axis=1)).ravel(),
            token_map={normalize(k): normalize(v) for k, v in (token_map or {}).items()},
            sorted_tokens=sorted(vocabulary),
            mean_weight=float(weights.mean()) if len(weights) else 1.0,
            jamo_tokens=[to_jamo(t) for t in vocabulary if len(t) >= 2],
            jamo_ids=[i for t, i in vocabulary.items() if len(t) >= 2],
            anagrams=_anagram_index(vocabulary),
        )

    # --- reading a query -------------------------------------------------------------------------
    def _segment(self, words: list[str]) -> list[tuple[str, bool]]:
        """Split the words' compact form into known tokens (True) and unknown spans (False): most known
        characters, then fewest pieces (dynamic programming over end positions). A one-character
        token counts only where it is a whole word, so "l" never splits "chalise"."""
        text = compact(" ".join(words))
        boundaries = {0}
        for word in words:
            boundaries.add(max(boundaries) + len(word))
        n = len(text)
        best: list[tuple[int, int] | None] = [None] * (n + 1)  # (known chars, -pieces)
        back: list[tuple[int, bool]] = [(0, False)] * (n + 1)
        best[0] = (0, 0)
        for start in range(n):
            if best[start] is None:
                continue
            known, pieces = best[start]
            for end in range(start + 1, min(n, start + MAX_PIECE_CHARS) + 1):
                is_token = text[start:end] in self.vocabulary and (
                    end - start > 1 or (start in boundaries and end in boundaries)
                )
                if not is_token and end != start + 1:
                    continue
                score = (known + (end - start if is_token else 0), pieces - 1)
                if best[end] is None or score > best[end]:
                    best[end], back[end] = score, (start, is_token)
        pieces_out: list[tuple[str, bool]] = []
        end = n
        while end > 0:
            start, is_token = back[end]
            pieces_out.append((text[start:end], is_token))
            end = start
        return _merge_unknown(pieces_out[::-1])

    def _prefix_ids(self, word: str) -> tuple[int, ...]:
        if len(word) < 2:
            return ()
        start = bisect.bisect_left(self.sorted_tokens, word)
        found = []
        for token in self.sorted_tokens[start : start + MAX_PREFIX_EXPANSION + 1]:
            if not token.startswith(word):
                break
            found.append(self.vocabulary[token])
        return tuple(found) if len(found) <= MAX_PREFIX_EXPANSION else ()

    def _fuzzy(self, word: str) -> Term | None:
        """Known tokens within a few jamo edits of an unknown word (typo tolerance), as one term."""
        if len(word) < 2 or not self.jamo_tokens:
            return None
        swapped = self.anagrams.get("".join(sorted(word)))
        if swapped:  # the same syllables in another order ("말로보" for 말보로)
            return Term(word, swapped, FUZZY_WEIGHT * ANAGRAM_SIMILARITY * float(np.mean(self.weights[list(swapped)])))
        hits = process.extract(
            to_jamo(word), self.jamo_tokens, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=FUZZY_LIMIT
        )
        if not hits:
            return None
        best = hits[0][1]
        ids = tuple(self.jamo_ids[index] for _, score, index in hits if score >= best - 3)
        weight = FUZZY_WEIGHT * (best / 100.0) * float(np.mean(self.weights[list(ids)]))
        return Term(word, ids, weight)

    def _expand(self, words: list[str]) -> list[str]:
        out: list[str] = []
        for word in words:
            out.extend(self.token_map.get(word, word).split())
        return out

    def read(self, query: str) -> QueryReading:
        """Terms and unknown words of a normalised query (quantities already removed)."""
        words = self._expand(normalize(query).split())
        terms: list[Term] = []
        unknown: list[str] = []
        for piece, known in self._segment(words) if words else []:
            if known:
                token_id = self.vocabulary[piece]
                terms.append(Term(piece, (token_id,), float(self.weights[token_id])))
                continue
            prefix = self._prefix_ids(piece)
            fuzzy = None if prefix else self._fuzzy(piece)
            if prefix:
                weight = PREFIX_WEIGHT * float(np.mean(self.weights[list(prefix)]))
                terms.append(Term(piece, prefix, weight))
            elif fuzzy is not None:
                terms.append(fuzzy)
            elif any(ch.isalnum() for ch in piece):
                unknown.append(piece)
        terms = _dedupe(terms)
        return QueryReading(tuple(terms), tuple(unknown), self.mean_weight * len(unknown))

    # --- scoring ---------------------------------------------------------------------------------
    def score(self, query: str) -> RuleCandidates:
        """Every item that shares a term with the query, with raw score and coverages (unsorted)."""
        reading = self.read(query)
        if not reading.terms:
            empty = np.empty(0)
            return RuleCandidates(empty.astype(np.int64), empty, empty, empty, reading)
        n_items = self.any_name.shape[0]
        matched = np.zeros(n_items)
        for term in reading.terms:  # dense scratch arrays: cheaper than set operations on long postings
            has = np.zeros(n_items, dtype=bool)
            for token_id in term.ids:
                has[_column_rows(self.any_name, token_id)] = True
            matched += term.weight * has
        candidates = np.flatnonzero(matched)
        ko, en = np.zeros(n_items), np.zeros(n_items)
        for token_id in {i for term in reading.terms for i in term.ids}:
            ko[_column_rows(self.ko, token_id)] += self.weights[token_id]
            en[_column_rows(self.en, token_id)] += self.weights[token_id]
        qc = matched[candidates] / max(reading.total_weight, 1e-9)
        ko_share = ko[candidates] / np.maximum(self.ko_total[candidates], 1e-9)
        en_share = en[candidates] / np.maximum(self.en_total[candidates], 1e-9)
        ic = np.minimum(np.maximum(ko_share, en_share), 1.0)
        raw = qc * (0.55 + 0.45 * ic)
        return RuleCandidates(candidates.astype(np.int64), raw, qc, ic, reading)


def margins(raw: np.ndarray) -> np.ndarray:
    """Each score minus the best other score (the top one's margin over the runner-up is positive)."""
    if len(raw) == 0:
        return raw
    if len(raw) == 1:
        return raw.copy()
    top_two = np.partition(raw, len(raw) - 2)[-2:]
    second, best = top_two[0], top_two[1]
    return np.where(raw >= best, raw - second, raw - best)


def top_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first (ties keep their order)."""
    if len(scores) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        return part[np.argsort(-scores[part], kind="stable")]
    return np.argsort(-scores, kind="stable")


def _column_rows(matrix: sparse.csc_matrix, column: int) -> np.ndarray:
    """The row numbers stored in one column of a CSC matrix (its posting list)."""
    return matrix.indices[matrix.indptr[column] : matrix.indptr[column + 1]]


def _incidence(token_sets: Sequence[set[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows = [r for r, tokens in enumerate(token_sets) for _ in tokens]
    cols = [vocabulary[t] for tokens in token_sets for t in tokens]
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(token_sets), len(vocabulary)), dtype=np.float32)


def _anagram_index(vocabulary: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """Sorted characters → the tokens of two or more characters made of them."""
    groups: dict[str, list[int]] = {}
    for token, token_id in vocabulary.items():
        if len(token) >= 2:
            groups.setdefault("".join(sorted(token)), []).append(token_id)
    return {key: tuple(ids) for key, ids in groups.items()}


def _merge_unknown(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    merged: list[tuple[str, bool]] = []
    for piece, known in pieces:
        if merged and not known and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + piece, False)
        else:
            merged.append((piece, known))
    return merged


def _dedupe(terms: list[Term]) -> list[Term]:
    seen, out = set(), []
    for term in terms:
        if term.ids not in seen:
            seen.add(term.ids)
            out.append(term)
    return out


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))
