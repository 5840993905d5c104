"""Asset checks of the knowledge group: chunk budget and emptiness, index integrity, retrieval floor."""

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from assets.knowledge.assets import chunks, retrieval_eval
from assets.metadata import readable
from resources.retrieval.dense import IndexIntegrityError
from resources.retrieval.hybrid import DEFAULT_FUSION
from resources.retriever_resource import RetrieverStore
from resources.settings import QualityThresholds

INDEX_CHECK_DESCRIPTION = (
    "Checksums of the saved retriever verify before loading, and the index holds exactly one entry per chunk "
    "(blocks every reader of the indexes)."
)


@dg.asset_check(asset=chunks, blocking=True)
def chunks_within_budget_and_non_empty(
    context: dg.AssetCheckExecutionContext, chunks: pd.DataFrame
) -> dg.AssetCheckResult:
    """Every chunk has text and at most the configured number of morphemes (blocks the indexes)."""
    budget = _configured_budget(context)
    empty = chunks[chunks["text"].str.strip() == ""]["chunk_id"].tolist()
    over = chunks[chunks["token_count"] > budget]["chunk_id"].tolist()
    duplicated_ids = chunks[chunks["chunk_id"].duplicated()]["chunk_id"].tolist()
    return dg.AssetCheckResult(
        passed=not empty and not over and not duplicated_ids,
        metadata={
            "budget": budget,
            "empty": empty[:20],
            "over_budget": over[:20],
            "duplicate_ids": duplicated_ids[:20],
            "chunks": len(chunks),
        },
    )


def _configured_budget(context: dg.AssetCheckExecutionContext) -> int:
    """The max_tokens the latest chunks materialization used (recorded in its metadata)."""
    return int(_latest_chunks_metadata(context, "max_tokens"))


def _latest_chunks_metadata(context: dg.AssetCheckExecutionContext, key: str) -> object:
    event = context.instance.get_latest_materialization_event(dg.AssetKey("chunks"))
    metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
    if key not in metadata:
        raise dg.Failure(f"the latest chunks materialization has no '{key}' metadata; materialize chunks first")
    return metadata[key].value


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "index_matches_chunks",
            asset=asset,
            additional_deps=["chunks"],
            blocking=True,
            description=INDEX_CHECK_DESCRIPTION,
        )
        for asset in ("bm25_index", "dense_index")
    ],
)
def indexes_verified_and_complete(
    context: dg.AssetCheckExecutionContext, retriever_store: RetrieverStore
) -> Iterator[dg.AssetCheckResult]:
    """Checksums verify before loading, and each index holds exactly one entry per chunk."""
    chunk_count = int(_latest_chunks_metadata(context, "chunks"))
    try:
        retriever = retriever_store.load()
    except (IndexIntegrityError, FileNotFoundError) as error:
        for asset in ("bm25_index", "dense_index"):
            yield dg.AssetCheckResult(
                asset_key=asset, check_name="index_matches_chunks", passed=False, metadata={"error": str(error)}
            )
        return
    sizes = {"bm25_index": len(retriever.bm25), "dense_index": len(retriever.dense)}
    for asset, size in sizes.items():
        yield dg.AssetCheckResult(
            asset_key=asset,
            check_name="index_matches_chunks",
            passed=size == chunk_count == len(retriever.chunk_ids),
            metadata={"index_size": size, "chunks": chunk_count, "checksums": "verified"},
        )


@dg.asset_check(asset=retrieval_eval)
def retrieval_recall_floor(retrieval_eval: pd.DataFrame, quality: QualityThresholds) -> dg.AssetCheckResult:
    """Self-retrieval of the synthetic questions with the default hybrid fusion: recall@1, recall@3 and
    recall@5 reach their floors (QualityThresholds); a failure names the documents with the lowest recall@1."""
    fused = retrieval_eval[retrieval_eval["mode"] == DEFAULT_FUSION]
    overall = fused[fused["scope"] == "all"].iloc[0]
    floors = {
        "recall@1": quality.min_self_retrieval_recall_at_1,
        "recall@3": quality.min_self_retrieval_recall_at_3,
        "recall@5": quality.min_recall_at_5,
    }
    below = {name: readable(float(overall[name])) for name, floor in floors.items() if float(overall[name]) < floor}
    documents = fused[fused["scope"].str.startswith("doc:")].sort_values("recall@1").head(5)
    worst = {row.scope.removeprefix("doc:"): readable(row["recall@1"]) for _, row in documents.iterrows()}
    return dg.AssetCheckResult(
        passed=not below,
        description=f"below floor: {below}; lowest recall@1: {worst}" if below else "every floor reached",
        metadata={
            **{name: readable(float(overall[name])) for name in floors},
            "floors": dg.MetadataValue.json(floors),
            "lowest_recall@1_documents": dg.MetadataValue.json(worst),
        },
    )
