"""Knowledge assets: documents (one partition per file) → chunks → BM25 and dense indexes → retrieval_eval."""

import dagster as dg
import pandas as pd

from assets.config import ChunksConfig
from assets.knowledge.chunking import chunk_document, deduplicate_chunks
from assets.knowledge.documents import DocumentError, read_document, scan_documents
from assets.knowledge.partitions import document_partitions
from resources.settings import ProjectPaths
from resources.tokenizer_resource import KoreanTokenizerResource

GROUP = "knowledge"
DOCUMENT_COLUMNS = ["doc_id", "relative_path", "format", "title", "text", "n_chars", "content_hash", "source_bytes_hash", "problem"]


def _document_row(paths: ProjectPaths, doc_id: str) -> dict:
    """The document's record, or a row naming the problem (empty, binary, unreadable, removed)."""
    root = paths.data_path("raw_docs")
    scan = scan_documents(root)
    path = scan.found.get(doc_id)
    if path is None:
        return {**dict.fromkeys(DOCUMENT_COLUMNS, ""), "doc_id": doc_id, "n_chars": 0, "problem": f"no supported file for {doc_id} in {root}"}
    try:
        return {**read_document(path, root).as_dict(), "problem": ""}
    except DocumentError as error:
        relative = scan.relative_path(doc_id)
        return {**dict.fromkeys(DOCUMENT_COLUMNS, ""), "doc_id": doc_id, "relative_path": relative, "n_chars": 0, "problem": str(error)}


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
            "doc_id": row["doc_id"], "title": row["title"], "format": row["format"], "n_chars": int(row["n_chars"]),
            "content_hash": row["content_hash"], "problem": row["problem"] or "none",
            "preview": dg.MetadataValue.md(row["text"][:600] or f"_{row['problem']}_"),
        },
    )


def chunk_table(docs: pd.DataFrame, tokenizer, max_tokens: int, overlap_tokens: int) -> tuple[pd.DataFrame, int]:  # noqa: ANN001
    """Chunk every usable document, drop duplicate chunks, and add each chunk's index morphemes."""
    chunks = [c for row in docs[docs["problem"] == ""].itertuples() for c in chunk_document(row.doc_id, row.text, tokenizer, max_tokens, overlap_tokens)]
    unique, removed = deduplicate_chunks(chunks)
    frame = pd.DataFrame([c.as_dict() for c in unique])
    frame["morphemes"] = tokenizer.morphemes_batch(frame["text"].tolist()) if len(frame) else []
    return frame, removed


@dg.asset(group_name=GROUP, kinds={"pandas", "parquet", "kiwi"})
def chunks(context: dg.AssetExecutionContext, config: ChunksConfig, documents: pd.DataFrame, tokenizer: KoreanTokenizerResource) -> dg.Output[pd.DataFrame]:
    """Sentence-aware, token-bounded, overlapping chunks of every document (Kiwi), deduplicated,
    with their Kiwi index morphemes so both indexes reuse one tokenization pass."""
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
            "chunks": len(frame), "documents": int(per_doc.size), "duplicates_removed": removed,
            "documents_skipped": dg.MetadataValue.json({row.doc_id: row.problem for row in skipped.itertuples()}),
            "tokens_mean": float(frame["token_count"].mean()), "tokens_max": int(frame["token_count"].max()),
            "max_tokens": config.max_tokens, "overlap_tokens": config.overlap_tokens,
            "sample": dg.MetadataValue.md(frame[["chunk_id", "token_count", "text"]].head(5).assign(text=lambda f: f["text"].str.slice(0, 80)).to_markdown(index=False)),
        },
    )
