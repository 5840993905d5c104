"""The saved item index: round trip, checksums refusing altered files, and the embedding cache."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from resources.matching.aliases import LearnedAliases
from resources.matching.store import build_matcher, load_matcher, read_manifest, save_matcher
from resources.retrieval.dense import IndexIntegrityError


def test_round_trip_answers_the_same(tmp_path: Path, matcher) -> None:
    folder = tmp_path / "item_index"
    manifest = save_matcher(matcher, folder)
    assert manifest["items"] == len(matcher.items) and manifest["embedder"] == "ngram"
    loaded = load_matcher(folder)
    for query in ("lc 말보로", "레이크 찰리스 말로보 24병", "Lake Chalice 말보로", "글랜피딕 12"):
        a, b = matcher.match(query), loaded.match(query)
        assert [(c.item_no, round(c.score, 6), c.stage) for c in a.results] == [
            (c.item_no, round(c.score, 6), c.stage) for c in b.results
        ]
    assert loaded.calibration == matcher.calibration


def test_altered_or_missing_file_is_refused(tmp_path: Path, matcher) -> None:
    folder = tmp_path / "item_index"
    save_matcher(matcher, folder)
    with open(folder / "items.json", "a", encoding="utf-8") as handle:
        handle.write(" ")
    with pytest.raises(IndexIntegrityError, match="items.json"):
        load_matcher(folder)
    save_matcher(matcher, folder)
    (folder / "item_rows.npz").unlink()
    with pytest.raises(IndexIntegrityError, match="item_rows.npz"):
        load_matcher(folder)


def test_embeddings_are_reused_only_for_the_same_inputs(tmp_path: Path, items, matcher) -> None:
    folder = tmp_path / "item_index"
    save_matcher(matcher, folder)
    same, reused = build_matcher(items, LearnedAliases(), reuse_from=folder)
    assert reused and same.semantic.rows.shape == matcher.semantic.rows.shape
    priors_only = LearnedAliases(client_counts={"01025": {items[0].item_no: 3}})
    _, reused = build_matcher(items, priors_only, reuse_from=folder)
    assert reused  # priors do not change the embeddings
    renamed = [replace(items[0], name=items[0].name + " 리미티드"), *items[1:]]
    _, reused = build_matcher(renamed, LearnedAliases(), reuse_from=folder)
    assert not reused
    assert read_manifest(folder)["input_sha256"]
