"""Building a calibrated item index in one call (used by the `item_index` asset, the CLI and the benchmarks).

`build_calibrated_index(items, learned, embedder, decision, reuse_from, ...)` builds the matcher
(embeddings reused from `reuse_from` when unchanged), fits the rule calibration on generated queries
of their own seed over at most `calibration_items` sampled items, and returns it with whether
embeddings were reused. `ensure_index(folder, items_csv)` builds and saves one when `folder` holds
none (the CLI's first run before any materialization).
"""

from __future__ import annotations

import random
from pathlib import Path

from resources.matching.aliases import LearnedAliases
from resources.matching.calibration import fit_calibration
from resources.matching.items import Item, read_items
from resources.matching.matcher import DecisionRule, ItemMatcher
from resources.matching.queries import NOISE_TYPES, generate_queries
from resources.matching.semantic import NgramEmbedder, SentenceTransformerEmbedder
from resources.matching.store import build_matcher, save_matcher
from resources.retrieval.dense import MANIFEST_FILE

CALIBRATION_SEED = 1012


def build_calibrated_index(
    items: list[Item],
    learned: LearnedAliases | None = None,
    embedder: NgramEmbedder | SentenceTransformerEmbedder | None = None,
    decision: DecisionRule | None = None,
    reuse_from: Path | None = None,
    calibration_seed: int = CALIBRATION_SEED,
    calibration_per_type: int = 120,
    calibration_items: int = 2000,
) -> tuple[ItemMatcher, bool]:
    """A matcher with a fitted calibration, and whether cached embeddings were reused."""
    matcher, reused = build_matcher(items, learned, embedder, decision, reuse_from=reuse_from)
    sample = random.Random(calibration_seed).sample(items, min(len(items), calibration_items))
    types = [n for n in NOISE_TYPES if n != "nickname"]
    queries = generate_queries(sample, seed=calibration_seed, per_type=calibration_per_type, noise_types=types)
    matcher.calibration = fit_calibration(matcher, queries)
    return matcher, reused


def ensure_index(folder: Path, items_csv: Path) -> bool:
    """Build and save an index from `items_csv` into `folder` unless one is saved there; True when built."""
    if (Path(folder) / MANIFEST_FILE).is_file():
        return False
    matcher, _ = build_calibrated_index(read_items(items_csv))
    save_matcher(matcher, folder)
    return True
