"""Benchmark: learning from selections. 20 new abbreviations/nicknames taught through the selection log.

Usage: .venv/bin/python benchmarks/matching_learning.py [--seed 12]
`teaching_scenario` makes 10 producer shorthands ("ㄹㅊ" for 레이크 찰리스: two selections on
different items of the producer) and 10 client nicknames (two selections by one client), the
selections go through the selection-log protocol (an in-memory log here, the feedback store in
production), `learn_aliases` reads them, and the index is rebuilt. Accuracy@1 on the queries that
use what was taught (the producer's other items whose label alone names several items, nicknames
with and without quantities), and on the regular noisy set (no drop elsewhere), before and after.
Writes benchmarks/results/matching_learning.json.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402
from resources.matching.evaluation import evaluate  # noqa: E402
from resources.matching.index_build import build_calibrated_index  # noqa: E402
from resources.matching.items import read_items  # noqa: E402
from resources.matching.learning import learn_aliases, read_all  # noqa: E402
from resources.matching.queries import NOISE_TYPES, generate_queries  # noqa: E402
from resources.matching.teaching import teaching_scenario  # noqa: E402
from tests.matching.memory_log import MemorySelectionLog  # noqa: E402

RESULT = ROOT / "benchmarks/results/matching_learning.json"


def accuracy(frame: pd.DataFrame, noise: str) -> float:
    row = frame[(frame["mode"] == "hybrid") & (frame["noise"] == noise)]
    return round(float(row["accuracy_at_1"].iloc[0]), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    items = read_items(ROOT / "data/items.csv")
    teaching = teaching_scenario(items, seed=args.seed, abbreviations=10, nicknames=10)
    log = MemorySelectionLog()
    log.add_selections(teaching.selections)
    regular = generate_queries(
        items, seed=args.seed, per_type=150, noise_types=[n for n in NOISE_TYPES if n != "nickname"]
    )
    before, _ = build_calibrated_index(items)
    learned = learn_aliases(read_all(log), items)
    after, _ = build_calibrated_index(items, learned)
    report = {}
    for label, matcher in (("before", before), ("after", after)):
        taught = evaluate(matcher, teaching.queries, modes=("hybrid",))
        others = evaluate(matcher, regular, modes=("hybrid",))
        report[label] = {
            "taught_abbreviation": accuracy(taught, "taught_abbreviation"),
            "taught_nickname": accuracy(taught, "taught_nickname"),
            "taught_all": accuracy(taught, "all"),
            "regular_all": accuracy(others, "all"),
            "regular_by_type": {n: accuracy(others, n) for n in others["noise"].unique()},
        }
        print(label, report[label], flush=True)
    atomic_write_json(
        RESULT,
        {
            "machine": f"{platform.node()} {platform.machine()} (shared, 2 cores)",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "taught": list(teaching.taught),
            "selections": len(teaching.selections),
            "taught_queries": len(teaching.queries),
            "learned_token_mappings": learned.token_map,
            "learned_client_aliases": sum(len(v) for v in learned.client_phrase_items.values()),
            **report,
        },
    )


if __name__ == "__main__":
    main()
