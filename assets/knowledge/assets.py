"""Knowledge assets: documents (one partition per file) → chunks → BM25 and dense indexes → retrieval_eval."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.config import ChunksConfig, DenseIndexConfig, RetrievalEvalConfig
from assets.knowledge.chunking import chunk_document, deduplicate_chunks
from assets.knowledge.documents import DocumentError, read_document, scan_documents
from assets.knowledge.evaluation import EvalQuery, evaluate_mode
from assets.knowledge.heldout import heldout_queries
from assets.knowledge.partitions import document_partitions
from resources.korean import KoreanTokenizer
from resources.retrieval.hybrid import DEFAULT_FUSION, HybridRetriever
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


def _document_row(paths: ProjectPaths, doc_id: str) -> dict:
    """The document's record, or a row naming the problem (empty, binary, unreadable, removed)."""
    root = paths.data_path("raw_docs")
    scan = scan_documents(root)
    path = scan.found.get(doc_id)
    if path is None:
        return {
            **dict.fromkeys(DOCUMENT_COLUMNS, ""),
            "doc_id": doc_id,
            "n_chars": 0,
            "problem": f"no supported file for {doc_id} in {root}",
        }
    try:
        return {**read_document(path, root).as_dict(), "problem": ""}
    except DocumentError as error:
        relative = scan.relative_path(doc_id)
        return {
            **dict.fromkeys(DOCUMENT_COLUMNS, ""),
            "doc_id": doc_id,
            "relative_path": relative,
            "n_chars": 0,
            "problem": str(error),
        }


@dg.asset(group_name=GROUP, kinds={"pandas", "parquet"}, partitions_def=document_partitions)
def documents(context: dg.AssetExecutionContext, paths: ProjectPaths) -> dg.Output[pd.DataFrame]:
    """One raw document (txt, md, html, pdf) as normalised text with its content hash; a file that
    cannot be used is recorded with the reason instead of failing the run."""
    row = _document_row(paths, context.partition_key)
    if row["problem"]:
        context.log.warning(f"document {context.partition_key} skipped: {row['problem']}")
    frame = pd.DataFrame([row])[DOCUMENT_COLUMNS]
    return dg.Output(
        frame,
        metadata={
            "doc_id": row["doc_id"],
            "title": row["title"],
            "format": row["format"],
            "n_chars": int(row["n_chars"]),
            "content_hash": row["content_hash"],
            "problem": row["problem"] or "none",
            "preview": dg.MetadataValue.md(row["text"][:600] or f"_{row['problem']}_"),
        },
    )


def chunk_table(
    docs: pd.DataFrame, tokenizer: KoreanTokenizer, max_tokens: int, overlap_tokens: int
) -> tuple[pd.DataFrame, int]:
    """Chunk every usable document and drop duplicate chunks; returns the table and how many were dropped."""
    usable = docs[docs["problem"] == ""]
    chunks = [
        c
        for row in usable.itertuples()
        for c in chunk_document(row.doc_id, row.text, tokenizer, max_tokens, overlap_tokens)
    ]
    unique, removed = deduplicate_chunks(chunks)
    return pd.DataFrame([c.as_dict() for c in unique]), removed


@dg.asset(group_name=GROUP, kinds={"pandas", "parquet"})
def chunks(
    context: dg.AssetExecutionContext, config: ChunksConfig, documents: pd.DataFrame, tokenizer: KoreanTokenizerResource
) -> dg.Output[pd.DataFrame]:
    """Sentence-aware, token-bounded, overlapping chunks of every document (Kiwi), deduplicated,
    each with document id, position, character span, token count and hash."""
    skipped = documents[documents["problem"] != ""]
    for row in skipped.itertuples():
        context.log.warning(f"skipping {row.doc_id}: {row.problem}")
    frame, removed = chunk_table(documents, tokenizer.get(), config.max_tokens, config.overlap_tokens)
    if frame.empty:
        raise dg.Failure(f"no chunks: none of the {len(documents)} documents has usable text")
    per_doc = frame.groupby("doc_id").size()
    return dg.Output(
        frame,
        metadata={
            "chunks": len(frame),
            "documents": int(per_doc.size),
            "duplicates_removed": removed,
            "documents_skipped": dg.MetadataValue.json({row.doc_id: row.problem for row in skipped.itertuples()}),
            "tokens_mean": float(frame["token_count"].mean()),
            "tokens_max": int(frame["token_count"].max()),
            "max_tokens": config.max_tokens,
            "overlap_tokens": config.overlap_tokens,
            "sample": dg.MetadataValue.md(
                frame[["chunk_id", "token_count", "text"]]
                .head(5)
                .assign(text=lambda f: f["text"].str.slice(0, 80))
                .to_markdown(index=False)
            ),
        },
    )


def retriever_dir(paths: ProjectPaths) -> Path:
    """Where the hybrid retriever (BM25 + dense + embedder + chunk texts) is saved for every reader."""
    return paths.artifact_path("knowledge", "retriever", "manifest.json").parent


@dg.multi_asset(
    group_name=GROUP,
    specs=[
        dg.AssetSpec(
            "bm25_index",
            deps=["chunks"],
            kinds={"bm25", "numpy"},
            description=(
                "BM25 over Kiwi morphemes plus morpheme and character bigrams of every chunk, saved without pickle."
            ),
        ),
        dg.AssetSpec(
            "dense_index",
            deps=["chunks"],
            kinds={"faiss", "scikit-learn"},
            description=(
                "Embedder (offline LSA by default) fitted on the chunks and a FAISS inner-product index, checksummed."
            ),
        ),
    ],
)
def retrieval_indexes(
    context: dg.AssetExecutionContext,
    config: DenseIndexConfig,
    chunks: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    paths: ProjectPaths,
) -> Iterator[dg.MaterializeResult]:
    """Build both indexes from one Kiwi pass over the chunks and save them as one checksummed retriever directory."""
    retriever = HybridRetriever.build(
        chunks["chunk_id"].tolist(),
        chunks["text"].tolist(),
        chunks["doc_id"].tolist(),
        tokenizer=tokenizer.get(),
        embedder_spec=config.embedder,
        dense_kind=config.index_kind,
    )
    directory = retriever_dir(paths)
    retriever.save(directory)
    seconds = {name: round(value, 3) for name, value in retriever.build_seconds.items()}
    context.log.info(f"built retriever over {len(retriever)} chunks in {seconds.get('total')} s: {seconds}")
    common = {
        "path": dg.MetadataValue.path(str(directory)),
        "chunks": len(chunks),
        "build_seconds": dg.MetadataValue.json(seconds),
    }
    yield dg.MaterializeResult(asset_key="bm25_index", metadata={**common, "documents_indexed": len(retriever.bm25)})
    yield dg.MaterializeResult(
        asset_key="dense_index",
        metadata={
            **common,
            "vectors": len(retriever.dense),
            "dim": int(retriever.dense.dim),
            "embedder": config.embedder,
            "index_kind": config.index_kind,
        },
    )


EVAL_MODES = ("bm25", "dense", "independent", DEFAULT_FUSION)


def evaluate_modes(retriever: HybridRetriever, queries: list[EvalQuery], ks: list[int]) -> pd.DataFrame:
    """recall@k, MRR and query latency of each retrieval mode (one row per mode)."""
    return pd.DataFrame(
        [{"mode": mode, "queries": len(queries), **evaluate_mode(retriever, queries, mode, ks)} for mode in EVAL_MODES]
    )


@dg.asset(group_name=GROUP, kinds={"pandas", "parquet"}, deps=["bm25_index", "dense_index"])
def retrieval_eval(
    context: dg.AssetExecutionContext,
    config: RetrievalEvalConfig,
    chunks: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    paths: ProjectPaths,
) -> dg.Output[pd.DataFrame]:
    """recall@k and MRR of BM25, dense, independent top-k and the default hybrid fusion on held-out
    questions with known source chunks; numeric metadata is tracked across runs in the UI."""
    retriever = HybridRetriever.load(retriever_dir(paths), tokenizer=tokenizer.get())
    queries = heldout_queries(chunks["chunk_id"].tolist(), chunks["text"].tolist(), tokenizer.get())
    if not queries:
        raise dg.Failure("no held-out questions could be made from the chunks")
    table = evaluate_modes(retriever, queries, sorted(config.ks))
    hybrid = table.set_index("mode").loc[DEFAULT_FUSION]
    tracked = {
        f"{mode}_{metric}": float(value)
        for mode, row in table.set_index("mode").iterrows()
        for metric, value in row.items()
        if metric != "queries"
    }
    return dg.Output(
        table,
        metadata={
            "questions": len(queries),
            "default_fusion": DEFAULT_FUSION,
            "question_set": "held-out sentences (interim)",
            "hybrid_recall@5": float(hybrid.get("recall@5", float("nan"))),
            "metrics": dg.MetadataValue.md(table.round(3).to_markdown(index=False)),
            **tracked,
        },
    )
