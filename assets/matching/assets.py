"""Assets of the matching group: `item_master` → `item_index` → `matching_eval`, and `learned_aliases`.

* `item_master`: `data/items.csv` read and validated (InputDataError names row and field).
* `learned_aliases`: what the selection log teaches (token mappings, phrase aliases, client priors,
  hard negatives), written to `<artifacts>/matching/learned_aliases.json`.
* `item_index`: the rule index, calibration and cached item embeddings saved as one checksummed
  folder (`ItemIndexStore`); embeddings are reused when items, phrase aliases and embedder are
  unchanged. The matcher API reloads it when its manifest changes.
* `matching_eval`: accuracy@1/@5 and latency per noise type for rule-only, semantic-only and
  hybrid on a generated noisy set, as a table and a plot.

`item_index` and `matching_eval` follow their parents automatically (eager automation); new
selections reach `learned_aliases` through `selection_log_sensor`.
"""

import json
from dataclasses import asdict

import dagster as dg
import pandas as pd

from assets.matching.config import ItemIndexConfig, MatchingEvalConfig
from assets.metadata import AUTOMATED, COMPUTE_SECONDS, Stopwatch, readable
from resources.atomic import atomic_path, atomic_write_json
from resources.errors import InputDataError
from resources.matching.aliases import LearnedAliases
from resources.matching.items import Item, read_items
from resources.matching_resource import ItemIndexStore, SelectionLogResource
from resources.settings import ProjectPaths

GROUP = "matching"
LEARNED_ALIASES_FILE = "learned_aliases.json"


@dg.asset(group_name=GROUP, kinds={"pandas", "csv"}, automation_condition=AUTOMATED)
def item_master(paths: ProjectPaths) -> dg.Output[pd.DataFrame]:
    """The item master `data/items.csv` (item_no, Korean name, English name, category, unit, price), validated."""
    watch = Stopwatch()
    source = paths.data_path("items.csv")
    frame = pd.DataFrame([asdict(item) for item in read_items(source)])
    return dg.Output(
        frame,
        metadata={
            COMPUTE_SECONDS: watch.seconds,
            "source": dg.MetadataValue.path(str(source)),
            "items": len(frame),
            "categories": dg.MetadataValue.json(frame["category"].value_counts().to_dict()),
            "preview": dg.MetadataValue.md(frame.head(8).to_markdown(index=False)),
        },
    )


@dg.asset(group_name=GROUP, kinds={"python", "json"}, automation_condition=AUTOMATED)
def learned_aliases(
    context: dg.AssetExecutionContext,
    selection_log: SelectionLogResource,
    item_master: pd.DataFrame,
    paths: ProjectPaths,
) -> dg.MaterializeResult:
    """Aliases, token mappings, per-client priors and hard negatives learned from every logged selection."""
    from resources.matching.learning import learn_aliases, read_all

    watch = Stopwatch()
    items = [Item(**row) for row in item_master.to_dict("records")]
    selections = read_all(selection_log.source())
    learned = learn_aliases(selections, items, min_support=selection_log.min_support)
    target = paths.artifact_path("matching", LEARNED_ALIASES_FILE)
    atomic_write_json(target, learned.to_json())
    return dg.MaterializeResult(
        metadata={
            COMPUTE_SECONDS: watch.seconds,
            "selections": learned.selections_seen,
            "last_selection_id": learned.last_selection_id,
            "token_mappings": dg.MetadataValue.json(learned.token_map),
            "phrase_aliases": len(learned.phrase_items),
            "client_aliases": sum(len(v) for v in learned.client_phrase_items.values()),
            "clients_with_priors": len(learned.client_counts),
            "hard_negative_lines": len(learned.negatives),
            "path": dg.MetadataValue.path(str(target)),
        }
    )


@dg.asset(group_name=GROUP, kinds={"scipy", "python"}, deps=[learned_aliases], automation_condition=AUTOMATED)
def item_index(
    config: ItemIndexConfig, item_master: pd.DataFrame, index_store: ItemIndexStore, paths: ProjectPaths
) -> dg.MaterializeResult:
    """Rule index + calibrated confidence + item embeddings (cached, checksummed), with the learned aliases."""
    from resources.matching.index_build import build_calibrated_index
    from resources.matching.store import save_matcher

    watch = Stopwatch()
    items = [Item(**row) for row in item_master.to_dict("records")]
    aliases_file = paths.artifact_path("matching", LEARNED_ALIASES_FILE)
    if not aliases_file.is_file():
        raise InputDataError(f"{aliases_file} is missing: materialize learned_aliases before item_index")
    learned = LearnedAliases.from_json(json.loads(aliases_file.read_text(encoding="utf-8")))
    matcher, reused = build_calibrated_index(
        items,
        learned,
        index_store.make_embedder(),
        index_store.decision(),
        reuse_from=index_store.path(),
        calibration_seed=config.calibration_seed,
        calibration_per_type=config.calibration_per_type,
        calibration_items=config.calibration_items,
    )
    manifest = save_matcher(matcher, index_store.path())
    return dg.MaterializeResult(
        metadata={
            COMPUTE_SECONDS: watch.seconds,
            "items": len(items),
            "semantic_rows": manifest["rows"],
            "embedder": manifest["embedder"],
            "embeddings_reused": reused,
            "input_sha256": manifest["input_sha256"],
            "calibration": dg.MetadataValue.json(asdict(matcher.calibration)),
            "learned_aliases": learned.alias_count(),
            "path": dg.MetadataValue.path(str(index_store.path())),
        }
    )


@dg.asset(group_name=GROUP, kinds={"pandas", "parquet"}, deps=[item_index], automation_condition=AUTOMATED)
def matching_eval(
    config: MatchingEvalConfig, index_store: ItemIndexStore, paths: ProjectPaths
) -> dg.Output[pd.DataFrame]:
    """Accuracy@1/@5 and p50/p99 latency per noise type: rule-only vs semantic-only vs hybrid."""
    from assets.catalog.plots import markdown_image
    from resources.matching.evaluation import accuracy_png, accuracy_table, evaluate
    from resources.matching.queries import generate_queries

    watch = Stopwatch()
    matcher = index_store.load()
    queries = generate_queries(matcher.items, seed=config.seed, per_type=config.per_type)
    frame = evaluate(matcher, queries)
    png = accuracy_png(frame)
    plot_path = paths.artifact_path("matching", "matching_accuracy.png")
    with atomic_path(plot_path) as tmp:
        tmp.write_bytes(png)
    hybrid = frame[frame["mode"] == "hybrid"].set_index("noise")
    table = accuracy_table(frame).map(readable)
    return dg.Output(
        frame,
        metadata={
            COMPUTE_SECONDS: watch.seconds,
            "queries": len(queries),
            "hybrid_accuracy_at_1": readable(float(hybrid.loc["all", "accuracy_at_1"])),
            "hybrid_p50_ms": readable(float(hybrid.loc["all", "p50_ms"])),
            "hybrid_p99_ms": readable(float(hybrid.loc["all", "p99_ms"])),
            "hybrid_by_type": dg.MetadataValue.json({k: readable(v) for k, v in hybrid["accuracy_at_1"].items()}),
            "accuracy_table": dg.MetadataValue.md(table.to_markdown()),
            "accuracy_plot": dg.MetadataValue.md(markdown_image(png, "accuracy@1 per noise type")),
            "accuracy_plot_png": dg.MetadataValue.path(str(plot_path)),
        },
    )
