"""Learning from users' selections: token mappings, phrase aliases, per-client priors and hard negatives.

`SelectionSource` is what the matcher needs from the feedback store's selection log
(`resources.feedback.store.FeedbackStore` provides it): `add_selections(records)` in one transaction,
returning the new ids, and `selections(after_id, limit)` ordered by id.

`learn_aliases(selections, items, min_support)` reads the log:

* token mappings: a word of the line that the chosen item's names do not explain, next to words
  they do ("lc" in "lc 말보로"), maps to the item name words the line left out; over all selections
  with that word only the words every chosen item shares are kept ("레이크 찰리스"), and only after
  `min_support` selections;
* phrase aliases: a line chosen for the same item at least `min_support` times (and for no other
  item more than a fifth of the time) becomes an alias of that item: the client's own when only one
  client used it (a nickname), global otherwise;
* client priors: how often each client chose each item;
* hard negatives: items rejected for a line and never chosen for it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Protocol

from resources.feedback.records import SelectionLog, StoredSelection
from resources.matching.aliases import LearnedAliases, builtin_alias_tokens
from resources.matching.items import Item
from resources.matching.normalize import compact, normalize, parse_quantity

DEFAULT_MIN_SUPPORT = 2
MAX_OTHER_SHARE = 0.2


class SelectionSource(Protocol):
    """The selection-log side of the feedback store."""

    def add_selections(self, records: Sequence[SelectionLog]) -> list[int]: ...

    def selections(self, after_id: int = 0, limit: int | None = None) -> list[StoredSelection]: ...


def _words(text: str) -> list[str]:
    return normalize(parse_quantity(text)[0]).split()


def _item_words(item: Item) -> tuple[list[str], set[str]]:
    """The Korean name's words in order, and every word that explains the item (names and built-in aliases)."""
    ko = normalize(item.name).split()
    known = set(ko) | set(normalize(item.name_en).split())
    known |= {t for alias in builtin_alias_tokens(item.name, item.name_en) for t in normalize(alias).split()}
    return ko, known


def _explained(word: str, known: set[str]) -> bool:
    return word in known or any(len(word) >= 2 and token.startswith(word) for token in known)


def _token_mappings(selections: Sequence[SelectionLog], items: dict[str, Item], min_support: int) -> dict[str, str]:
    left_out: dict[str, list[list[str]]] = defaultdict(list)
    for selection in selections:
        item = items.get(selection.selected_item_no)
        if item is None:
            continue
        ko, known = _item_words(item)
        words = _words(selection.raw_input)
        explained = [w for w in words if _explained(w, known)]
        unexplained = [w for w in words if not _explained(w, known)]
        if explained and len(unexplained) == 1:
            covered = set(explained)
            left_out[unexplained[0]].append([t for t in ko if not any(t.startswith(w) for w in covered)])
    mappings = {}
    for word, lists in left_out.items():
        if len(lists) < min_support:
            continue
        shared = set(lists[0]).intersection(*map(set, lists[1:]))
        if shared:
            mappings[word] = " ".join(t for t in lists[0] if t in shared)
    return mappings


def _phrase_aliases(
    selections: Sequence[SelectionLog], items: dict[str, Item], min_support: int
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    chosen: dict[str, Counter[str]] = defaultdict(Counter)
    clients: dict[str, set[str]] = defaultdict(set)
    for selection in selections:
        if selection.selected_item_no in items:
            phrase = compact(" ".join(_words(selection.raw_input)))
            chosen[phrase][selection.selected_item_no] += 1
            clients[phrase].add(selection.client_code or "")
    global_aliases: dict[str, str] = {}
    per_client: dict[str, dict[str, str]] = defaultdict(dict)
    for phrase, counts in chosen.items():
        (item_no, count), total = counts.most_common(1)[0], sum(counts.values())
        if not phrase or count < min_support or (total - count) / total > MAX_OTHER_SHARE:
            continue
        users = clients[phrase]
        if len(users) == 1 and "" not in users:
            per_client[next(iter(users))][phrase] = item_no
        else:
            global_aliases[phrase] = item_no
    return global_aliases, dict(per_client)


def _priors_and_negatives(
    selections: Sequence[SelectionLog],
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    chosen: dict[str, set[str]] = defaultdict(set)
    rejected: dict[str, Counter[str]] = defaultdict(Counter)
    for selection in selections:
        phrase = compact(" ".join(_words(selection.raw_input)))
        if selection.client_code:
            counts[selection.client_code][selection.selected_item_no] += 1
        chosen[phrase].add(selection.selected_item_no)
        rejected[phrase].update(selection.rejected_item_nos)
    negatives = {
        phrase: {item: n for item, n in rejects.items() if item not in chosen[phrase]}
        for phrase, rejects in rejected.items()
    }
    return {c: dict(v) for c, v in counts.items()}, {p: v for p, v in negatives.items() if v}


def learn_aliases(
    selections: Sequence[SelectionLog], items: Sequence[Item], min_support: int = DEFAULT_MIN_SUPPORT
) -> LearnedAliases:
    """Everything the matcher learns from a selection log (see the module docstring)."""
    by_number = {item.item_no: item for item in items}
    phrases, per_client = _phrase_aliases(selections, by_number, min_support)
    priors, negatives = _priors_and_negatives(selections)
    last = max((getattr(s, "id", 0) for s in selections), default=0)
    return LearnedAliases(
        token_map=_token_mappings(selections, by_number, min_support),
        phrase_items=phrases,
        client_phrase_items=per_client,
        client_counts=priors,
        negatives=negatives,
        selections_seen=len(selections),
        last_selection_id=last,
    )


def read_all(source: SelectionSource, page: int = 5000) -> list[StoredSelection]:
    """Every selection of the log, page by page."""
    out: list[StoredSelection] = []
    while True:
        batch = source.selections(after_id=out[-1].id if out else 0, limit=page)
        out.extend(batch)
        if len(batch) < page:
            return out
