"""Asset checks of the knowledge group: chunk budget and emptiness, index integrity, retrieval floor."""

import dagster as dg
import pandas as pd

from assets.knowledge.assets import chunks


@dg.asset_check(asset=chunks, blocking=True)
def chunks_within_budget_and_non_empty(context: dg.AssetCheckExecutionContext, chunks: pd.DataFrame) -> dg.AssetCheckResult:
    """Every chunk has text and at most the configured number of morphemes (blocks the indexes)."""
    budget = _configured_budget(context)
    empty = chunks[chunks["text"].str.strip() == ""]["chunk_id"].tolist()
    over = chunks[chunks["token_count"] > budget]["chunk_id"].tolist()
    duplicated_ids = chunks[chunks["chunk_id"].duplicated()]["chunk_id"].tolist()
    return dg.AssetCheckResult(
        passed=not empty and not over and not duplicated_ids,
        metadata={"budget": budget, "empty": empty[:20], "over_budget": over[:20], "duplicate_ids": duplicated_ids[:20], "chunks": len(chunks)},
    )


def _configured_budget(context: dg.AssetCheckExecutionContext) -> int:
    """The max_tokens the latest chunks materialization used (recorded in its metadata)."""
    event = context.instance.get_latest_materialization_event(dg.AssetKey("chunks"))
    metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
    value = metadata.get("max_tokens")
    if value is None:
        raise dg.Failure("chunks has no recorded max_tokens; materialize chunks before checking it")
    return int(value.value)
