"""The noisy query generator: reproducible, every type present, each query's answer holds, noise really applied."""

from __future__ import annotations

from collections import Counter

from resources.matching.normalize import normalize, parse_quantity
from resources.matching.queries import NOISE_TYPES, generate_large_master, generate_queries, jamo_typo


def test_generator_is_reproducible_and_covers_every_type(items) -> None:
    first = generate_queries(items, seed=12, per_type=30)
    assert first == generate_queries(items, seed=12, per_type=30)
    assert first != generate_queries(items, seed=13, per_type=30)
    counts = Counter(q.noise for q in first)
    assert set(counts) == set(NOISE_TYPES) and all(counts[n] == 30 for n in NOISE_TYPES if n != "nickname")
    numbers = {i.item_no for i in items}
    assert all(q.gold_item_no in numbers for q in first)
    assert len({q.id for q in first}) == len(first)


def test_noise_is_applied(items) -> None:
    names = {i.item_no: i for i in items}
    queries = generate_queries(items, seed=4, per_type=40)
    for query in queries:
        item = names[query.gold_item_no]
        if query.noise == "spacing_removed":
            assert " " not in query.query
        elif query.noise == "quantity":
            assert parse_quantity(query.query)[1] is not None
        elif query.noise == "english":
            assert all(ord(c) < 0x3130 for c in query.query)
        elif query.noise in ("typo", "abbreviation"):
            words = normalize(query.query).split()
            assert words != normalize(item.name).split()[: len(words)]  # not just the name's first words
        elif query.noise == "nickname":
            assert query.client_code is not None


def test_jamo_typo_changes_one_word() -> None:
    import random

    rng = random.Random(0)
    changed = {jamo_typo("말보로", rng) for _ in range(30)}
    assert "말보로" not in changed and "말로보" in changed
    assert jamo_typo("a", rng) is None


def test_large_master(items) -> None:
    large = generate_large_master(items, 2000, seed=1)
    assert len(large) == 2000 and len({i.item_no for i in large}) == 2000
    assert large[: len(items)] == items
