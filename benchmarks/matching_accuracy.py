"""Benchmark: item matching accuracy@1/@5 and latency per noise type, rule-only vs semantic-only vs hybrid.

Usage: .venv/bin/python benchmarks/matching_accuracy.py [--per-type 150] [--seed 12]
Builds the calibrated index from data/items.csv (calibration queries have their own seed, 1012),
generates the noisy set (seed 12, `--per-type` queries per type) and evaluates every query in the
three modes. The "all" row excludes the "nickname" type (client nicknames, answerable only after
learning); that type is then measured again on an index that learned from `nickname_history`
(three selections per nickname by its client). Also reports the rule stage's expected calibration
error. Writes benchmarks/results/matching_accuracy.json.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402
from resources.matching.calibration import expected_calibration_error  # noqa: E402
from resources.matching.evaluation import accuracy_table, evaluate  # noqa: E402
from resources.matching.index_build import build_calibrated_index  # noqa: E402
from resources.matching.items import read_items  # noqa: E402
from resources.matching.learning import learn_aliases  # noqa: E402
from resources.matching.queries import generate_queries, nickname_history  # noqa: E402

RESULT = ROOT / "benchmarks/results/matching_accuracy.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=150)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    items = read_items(ROOT / "data/items.csv")
    started = time.perf_counter()
    matcher, _ = build_calibrated_index(items)
    build_seconds = time.perf_counter() - started
    queries = generate_queries(items, seed=args.seed, per_type=args.per_type)
    frame = evaluate(matcher, queries)
    rule_top = [matcher.match(q.query, mode="rule", top_k=1) for q in queries if q.noise != "nickname"]
    gold = [q.gold_item_no for q in queries if q.noise != "nickname"]
    ece = expected_calibration_error(
        [r.results[0].score if r.results else 0.0 for r in rule_top],
        [bool(r.results) and r.results[0].item_no == g for r, g in zip(rule_top, gold)],
    )
    taught, _ = build_calibrated_index(items, learn_aliases(nickname_history(items, args.seed), items))
    nicknames = [q for q in queries if q.noise == "nickname"]
    taught_frame = evaluate(taught, nicknames, modes=("hybrid",))
    print(accuracy_table(frame).round(4).to_markdown())
    print(accuracy_table(frame, "accuracy_at_5").round(4).to_markdown())
    print(frame.round(4).to_markdown(index=False))
    print(f"rule-stage ECE {ece:.4f}; nickname after learning: {taught_frame.iloc[0]['accuracy_at_1']:.3f}")
    atomic_write_json(
        RESULT,
        {
            "machine": f"{platform.node()} {platform.machine()} {platform.processor()} (shared, 2 cores)",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "items": len(items),
            "queries": len(queries),
            "seed": args.seed,
            "index_build_seconds": round(build_seconds, 2),
            "rule_expected_calibration_error": round(ece, 4),
            "rows": frame.round(4).to_dict("records"),
            "nickname_after_learning": taught_frame.round(4).to_dict("records"),
        },
    )


if __name__ == "__main__":
    main()
