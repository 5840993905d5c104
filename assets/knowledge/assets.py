"""Knowledge assets: documents (one partition per file) → chunks → BM25 and dense indexes → retrieval_eval.

Every asset here is automated (`AUTOMATED`): a new, changed or removed document flows down to the
indexes and the evaluation without a job launched by hand. `documents` handles any range of its
partitions in one step (single-run backfills), scanning the folder once.
"""

from collections.abc import Iterator, Sequence

import dagster as dg
import pandas as pd

from assets.config import ChunksConfig, RetrievalEvalConfig
from assets.distillation.self_retrieval import self_retrieval_queries
from assets.knowledge.chunking import chunk_document, deduplicate_chunks
from assets.knowledge.documents import (
    MAX_DOCUMENT_CHARS,
    DocumentError,
    DocumentScan,
    read_document,
    scan_documents,
)
from assets.knowledge.evaluation import EvalQuery, evaluate_mode
from assets.knowledge.partitions import document_partitions
from assets.metadata import AUTOMATED, COMPUTE_SECONDS, Stopwatch, readable
from resources.io_managers import ALLOW_MISSING
from resources.korean import KoreanTokenizer
from resources.retrieval.hybrid import DEFAULT_FUSION, HybridRetriever
from resources.retriever_resource import EmbedderResource, RetrieverStore
from resources.settings import ProjectPaths
from resources.tokenizer_resource import KoreanTokenizerResource

GROUP = "knowledge"
DOCUMENT_COLUMNS = [
    "doc_id",
    "relative_path",
    "format",
    "title",
    "text",
    "n_chars",
    "content_hash",
    "source_bytes_hash",
    "problem",
]


def document_row(
    scan: DocumentScan,
    doc_id: str,
    max_document_chars: int = MAX_DOCUMENT_CHARS,
    follow_external_symlinks: bool = False,
) -> dict:
    """The document's record, or a row naming the problem (empty, binary, too large, unreadable, removed)."""
    path = scan.found.get(doc_id)
    blank = {**dict.fromkeys(DOCUMENT_COLUMNS, ""), "doc_id": doc_id, "n_chars": 0}
    if path is None:
        return {**blank, "problem": f"no supported file for {doc_id} in {scan.root}"}
    try:
        record = read_document(path, scan.root, max_document_chars, follow_external_symlinks)
        return {**record.as_dict(), "problem": ""}
    except DocumentError as error:
        return {**blank, "relative_path": scan.relative_path(doc_id), "problem": str(error)}


def _documents_markdown(frame: pd.DataFrame) -> str:
    shown = frame[["doc_id", "format", "n_chars", "title", "problem"]].head(40)
    return shown.assign(title=shown["title"].str.slice(0, 40)).to_markdown(index=False)


@dg.asset(
    group_name=GROUP,
    kinds={"pandas", "parquet"},
    partitions_def=document_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    automation_condition=AUTOMATED,
    code_version="documents-2",
)
def documents(context: dg.AssetExecutionContext, paths: ProjectPaths) -> dg.Output[dict[str, pd.DataFrame]]:
    """One raw document per partition (txt, md, html, pdf) as normalised text with its content hash;
    a file that cannot be used is recorded with the reason instead of failing the run."""
    watch = Stopwatch()
    scan = scan_documents(paths.data_path("raw_docs"), paths.follow_external_symlinks)
    limits = (paths.max_document_chars, paths.follow_external_symlinks)
    rows = {key: document_row(scan, key, *limits) for key in context.partition_keys}
    for key, row in rows.items():
        if row["problem"]:
            context.log.warning(f"document {key} skipped: {row['problem']}")
    frames = {key: pd.DataFrame([row])[DOCUMENT_COLUMNS] for key, row in rows.items()}
    table = pd.DataFrame(list(rows.values()))
    return dg.Output(
        frames,
        metadata={
            "documents": len(rows),
            "characters": int(table["n_chars"].sum()),
            "problems": dg.MetadataValue.json({k: r["problem"] for k, r in rows.items() if r["problem"]}),
            "documents_table": dg.MetadataValue.md(_documents_markdown(table)),
            "preview": dg.MetadataValue.md(str(table["text"].iloc[0])[:600] or "_empty_"),
            COMPUTE_SECONDS: watch.seconds,
        },
    )


def chunk_table(
    docs: pd.DataFrame, tokenizer: KoreanTokenizer, max_tokens: int, overlap_tokens: int
) -> tuple[pd.DataFrame, int]:
    """Chunk every usable document and drop duplicate chunks; returns the table and how many were dropped."""
    usable = docs[docs["problem"] == ""] if len(docs) else docs
    chunks = [
        c
        for row in usable.itertuples()
        for c in chunk_document(row.doc_id, row.text, tokenizer, max_tokens, overlap_tokens)
    ]
    unique, removed = deduplicate_chunks(chunks)
    return pd.DataFrame([c.as_dict() for c in unique]), removed


def _pending_documents(context: dg.AssetExecutionContext, documents: pd.DataFrame) -> list[str]:
    """Document partitions that exist but were not materialized yet (they flow in once they are)."""
    known = set(context.instance.get_dynamic_partitions(document_partitions.name))
    loaded = set(documents["doc_id"]) if len(documents) else set()
    return sorted(known - loaded)


@dg.asset(
    group_name=GROUP,
    kinds={"pandas", "parquet"},
    ins={"documents": dg.AssetIn(metadata={ALLOW_MISSING: True})},
    automation_condition=AUTOMATED,
    code_version="chunks-2",
)
def chunks(
    context: dg.AssetExecutionContext,
    config: ChunksConfig,
    documents: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
) -> dg.Output[pd.DataFrame]:
    """Sentence-aware, token-bounded, overlapping chunks of every document (Kiwi), deduplicated,
    each with document id, position, character span, token count and hash."""
    watch = Stopwatch()
    skipped = documents[documents["problem"] != ""] if len(documents) else documents
    for row in skipped.itertuples():
        context.log.warning(f"skipping {row.doc_id}: {row.problem}")
    kiwi = tokenizer.get()
    frame, removed = chunk_table(documents, kiwi, config.max_tokens, config.overlap_tokens)
    if frame.empty:
        raise dg.Failure(f"no chunks: none of the {len(documents)} materialized documents has usable text")
    return dg.Output(frame, metadata=_chunk_metadata(context, config, frame, documents, skipped, removed, watch))


def _chunk_metadata(
    context: dg.AssetExecutionContext,
    config: ChunksConfig,
    frame: pd.DataFrame,
    documents: pd.DataFrame,
    skipped: pd.DataFrame,
    removed: int,
    watch: Stopwatch,
) -> dict[str, object]:
    sample = frame[["chunk_id", "token_count", "text"]].head(5)
    return {
        "chunks": len(frame),
        "documents": int(frame["doc_id"].nunique()),
        "duplicates_removed": removed,
        "documents_skipped": dg.MetadataValue.json({row.doc_id: row.problem for row in skipped.itertuples()}),
        "documents_pending": dg.MetadataValue.json(_pending_documents(context, documents)),
        "tokens_mean": readable(frame["token_count"].mean()),
        "tokens_max": int(frame["token_count"].max()),
        "max_tokens": config.max_tokens,
        "overlap_tokens": config.overlap_tokens,
        "sample": dg.MetadataValue.md(sample.assign(text=sample["text"].str.slice(0, 80)).to_markdown(index=False)),
        COMPUTE_SECONDS: watch.seconds,
    }


INDEX_SPECS = [
    dg.AssetSpec(
        "bm25_index",
        deps=["chunks"],
        kinds={"bm25", "numpy"},
        automation_condition=AUTOMATED,
        code_version="bm25-1",
        description="BM25 over Kiwi morphemes plus morpheme and character bigrams of each chunk, saved without pickle.",
    ),
    dg.AssetSpec(
        "dense_index",
        deps=["chunks"],
        kinds={"faiss", "scikit-learn"},
        automation_condition=AUTOMATED,
        code_version="dense-1",
        description="Embedder (offline LSA by default) fitted on the chunks and a FAISS inner-product index.",
    ),
]


@dg.multi_asset(group_name=GROUP, specs=INDEX_SPECS)
def retrieval_indexes(
    context: dg.AssetExecutionContext,
    chunks: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    embedder: EmbedderResource,
    retriever_store: RetrieverStore,
) -> Iterator[dg.MaterializeResult]:
    """Build both indexes from one Kiwi pass over the chunks and save them as one checksummed retriever directory."""
    watch = Stopwatch()
    kiwi = tokenizer.get()
    retriever = HybridRetriever.build(
        chunks["chunk_id"].tolist(),
        chunks["text"].tolist(),
        chunks["doc_id"].tolist(),
        tokenizer=kiwi,
        embedder_spec=embedder.spec(),
        dense_kind=embedder.index_kind,
    )
    directory = retriever_store.save(retriever)
    seconds = {name: round(value, 3) for name, value in retriever.build_seconds.items()}
    context.log.info(f"built retriever over {len(retriever)} chunks in {seconds.get('total')} s: {seconds}")
    common = {
        "path": dg.MetadataValue.path(str(directory)),
        "chunks": len(chunks),
        "build_seconds": dg.MetadataValue.json(seconds),
    }
    yield dg.MaterializeResult(
        asset_key="bm25_index",
        metadata={**common, "dagster/row_count": len(retriever.bm25), COMPUTE_SECONDS: watch.seconds},
    )
    dense = {"vectors": len(retriever.dense), "dim": int(retriever.dense.dim), "embedder": embedder.spec()}
    yield dg.MaterializeResult(
        asset_key="dense_index",
        metadata={**common, **dense, "dagster/row_count": len(retriever.dense), "index_kind": embedder.index_kind},
    )


EVAL_MODES = ("bm25", "dense", "independent", DEFAULT_FUSION)


def evaluate_modes(retriever: HybridRetriever, queries: list[EvalQuery], ks: Sequence[int]) -> pd.DataFrame:
    """recall@k, MRR and query latency of each retrieval mode (one row per mode, scope "all")."""
    return pd.DataFrame(
        [
            {"mode": mode, "scope": "all", "queries": len(queries), **evaluate_mode(retriever, queries, mode, ks)}
            for mode in EVAL_MODES
        ]
    )


def breakdown_rows(
    retriever: HybridRetriever, queries: list[EvalQuery], questions: pd.DataFrame, ks: Sequence[int]
) -> pd.DataFrame:
    """recall@k of the default fusion per question type ("type:정의") and per document ("doc:…")."""
    hits = retriever.search_batch([q.query for q in queries], k=max(ks), mode=DEFAULT_FUSION)
    found = pd.DataFrame(
        {
            f"recall@{k}": [q.relevant_ids[0] in [h.chunk_id for h in row[:k]] for q, row in zip(queries, hits)]
            for k in ks
        }
    )
    found["type"], found["doc"] = questions["qtype"].to_numpy(), questions["doc_id"].to_numpy()
    rows = []
    for scope in ("type", "doc"):
        grouped = found.groupby(scope)
        table = grouped[[f"recall@{k}" for k in ks]].mean().assign(queries=grouped.size())
        rows += [{"mode": DEFAULT_FUSION, "scope": f"{scope}:{key}", **row} for key, row in table.iterrows()]
    return pd.DataFrame(rows)


@dg.asset(
    group_name=GROUP,
    kinds={"pandas", "parquet"},
    deps=["bm25_index", "dense_index"],
    ins={"synthetic_questions": dg.AssetIn(metadata={ALLOW_MISSING: True})},
    automation_condition=AUTOMATED,
    code_version="retrieval-eval-2",
)
def retrieval_eval(
    config: RetrievalEvalConfig,
    synthetic_questions: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    retriever_store: RetrieverStore,
) -> dg.Output[pd.DataFrame]:
    """Self-retrieval: recall@k and MRR of BM25, dense, independent top-k and the default hybrid fusion
    on the synthetic questions, each question's gold being its own source chunk; the default fusion is
    also reported per question type and per document. Numeric metadata is tracked across runs."""
    watch = Stopwatch()
    retriever = retriever_store.load(tokenizer.get())
    questions = synthetic_questions.reset_index(drop=True)
    if questions.empty:
        raise dg.Failure("no synthetic questions to evaluate retrieval with; materialize synthetic_questions")
    queries, ks = self_retrieval_queries(questions), sorted(config.ks)
    table = pd.concat([evaluate_modes(retriever, queries, ks), breakdown_rows(retriever, queries, questions, ks)])
    return dg.Output(table.reset_index(drop=True), metadata=_eval_metadata(table, len(queries), watch))


def _eval_metadata(table: pd.DataFrame, questions: int, watch: Stopwatch) -> dict[str, object]:
    overall = table[table["scope"] == "all"].set_index("mode")
    by_type = table[table["scope"].str.startswith("type:")]
    tracked = {
        f"{mode}_{metric}": readable(value)
        for mode, row in overall.iterrows()
        for metric, value in row.items()
        if metric not in ("queries", "scope")
    }
    hybrid = overall.loc[DEFAULT_FUSION]
    return {
        "questions": questions,
        "default_fusion": DEFAULT_FUSION,
        "question_set": "synthetic questions (gold = their source chunk)",
        **{f"hybrid_recall@{k}": readable(hybrid.get(f"recall@{k}", float("nan"))) for k in (1, 3, 5)},
        "metrics": dg.MetadataValue.md(overall.drop(columns=["scope"]).round(3).to_markdown()),
        "per_type": dg.MetadataValue.md(by_type.dropna(axis=1, how="all").round(3).to_markdown(index=False)),
        **tracked,
        COMPUTE_SECONDS: watch.seconds,
    }
