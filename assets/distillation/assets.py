"""Distillation assets per document: synthetic_questions → teacher_answers (retrieval-grounded, resumable)."""

import json
import time
from collections import Counter
from collections.abc import Iterator

import dagster as dg
import pandas as pd

from assets.config import SyntheticQuestionsConfig, TeacherAnswersConfig
from assets.distillation.checkpoint import JsonlCheckpoint, run_with_checkpoint
from assets.distillation.checks import (
    ANSWERS_CHECK,
    QUESTIONS_CHECK,
    answers_present_grounded_and_rarely_failed,
    questions_balanced_and_unique,
)
from assets.distillation.grounding import groundedness, method_for_backend
from assets.distillation.questions import QuestionConfig, generate_questions, generate_with_backend
from assets.distillation.teacher import BatchAnswerer
from assets.knowledge.assets import retriever_dir
from assets.knowledge.partitions import document_partitions
from resources.llm.base import GenerationParams
from resources.llm.factory import backend_from_spec
from resources.retrieval.hybrid import HybridRetriever
from resources.settings import ProjectPaths
from resources.tokenizer_resource import KoreanTokenizerResource

GROUP = "distillation"
ANSWER_COLUMNS = [
    "question_id",
    "qtype",
    "question",
    "source_chunk_id",
    "doc_id",
    "answer",
    "cited_ids",
    "retrieved",
    "groundedness",
    "status",
    "failure_reason",
    "teacher",
]
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL)


@dg.asset(
    group_name=GROUP, kinds={"pandas", "parquet"}, partitions_def=document_partitions, check_specs=[QUESTIONS_CHECK]
)
def synthetic_questions(
    context: dg.AssetExecutionContext,
    config: SyntheticQuestionsConfig,
    chunks: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Questions of six types (정의, 프로세스, 규정, 예시, 비교, 적용) from one document's chunks,
    balanced over types, deduplicated (exact and near), each tied to its source chunk."""
    doc_chunks = chunks[chunks["doc_id"] == context.partition_key]
    settings = QuestionConfig(
        per_chunk=config.per_chunk, near_duplicate_threshold=config.near_duplicate_threshold, seed=config.seed
    )
    records = doc_chunks.to_dict(orient="records")
    backend = (
        None
        if config.generator == "template"
        else backend_from_spec(config.generator, fallback=config.fallback or None)
    )
    if backend is not None and getattr(backend, "using_fallback", False):
        context.log.warning(
            f"question generator {config.generator} unavailable ({backend.fallback_reason}); using templates"
        )
        backend = None
    if backend is None:
        questions = generate_questions(records, settings, tokenizer.get())
    else:
        questions = generate_with_backend(
            backend, records, settings, tuple(config.temperatures), tokenizer=tokenizer.get()
        )
    frame = pd.DataFrame(
        [q.to_dict() for q in questions],
        columns=["question_id", "question", "qtype", "chunk_id", "doc_id", "source", "temperature"],
    )
    counts = frame["qtype"].value_counts().to_dict()
    yield dg.Output(
        frame,
        metadata={
            "questions": len(frame),
            "chunks": len(doc_chunks),
            "per_type": dg.MetadataValue.json(counts),
            "generator": config.generator,
            "by_source": dg.MetadataValue.json(frame["source"].value_counts().to_dict()),
            "sample": dg.MetadataValue.md(
                frame[["qtype", "question", "chunk_id"]].head(8).to_markdown(index=False)
                if len(frame)
                else "_no questions_"
            ),
        },
    )
    yield questions_balanced_and_unique(frame)


def _backend(config: TeacherAnswersConfig, tokenizer) -> object:  # noqa: ANN001
    return backend_from_spec(
        config.teacher,
        tokenizer=tokenizer if config.teacher == "extractive" else None,
        quantization=config.quantization or None,
        fallback=config.fallback or None,
    )


def _grounding_columns(rows: list[dict], retriever: HybridRetriever, tokenizer, method: str) -> list[dict]:  # noqa: ANN001
    texts = dict(zip(retriever.chunk_ids, retriever.texts))
    for row in rows:
        contexts = {hit["chunk_id"]: texts[hit["chunk_id"]] for hit in row["retrieved"]}
        result = groundedness(row["answer"], row["cited_ids"], contexts, tokenizer, method)
        row["groundedness"] = result.score
    return rows


@dg.asset(
    group_name=GROUP,
    kinds={"pandas", "parquet"},
    partitions_def=document_partitions,
    deps=["bm25_index", "dense_index"],
    retry_policy=TRANSIENT_RETRY,
    check_specs=[ANSWERS_CHECK],
)
def teacher_answers(
    context: dg.AssetExecutionContext,
    config: TeacherAnswersConfig,
    synthetic_questions: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    paths: ProjectPaths,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """For each question: hybrid retrieval, then the teacher's answer with the contexts used, their
    ranks and a groundedness score; checkpointed per document so a killed run resumes without redoing
    or duplicating answers; a question that still fails is kept, marked failed with the reason."""
    retriever = HybridRetriever.load(retriever_dir(paths), tokenizer=tokenizer.get())
    backend = _backend(config, tokenizer.get())
    answerer = BatchAnswerer(
        retriever,
        backend,
        k=config.k,
        mode=config.fusion or None,
        params=GenerationParams(max_new_tokens=config.max_new_tokens),
    )
    checkpoint = JsonlCheckpoint(
        paths.artifact_path("distillation", "teacher_answers", f"{context.partition_key}.partial.jsonl")
    )
    items = [{"id": row.question_id, "query": row.question} for row in synthetic_questions.itertuples()]
    started = time.perf_counter()
    summary = run_with_checkpoint(
        items,
        lambda item: item["id"],
        answerer,
        checkpoint,
        config.batch_size,
        on_batch=lambda n: context.log.info(f"answered a batch of {n}"),
    )
    state = checkpoint.load()
    answered = _grounding_columns(
        [state.done[i] for i in state.done], retriever, tokenizer.get(), method_for_backend(backend.name)
    )
    frame = _answers_frame(synthetic_questions, answered, state.failed)
    checkpoint.remove()
    metadata = _answer_metadata(frame, summary, backend.name)
    metadata["questions_per_s"] = summary.processed / max(time.perf_counter() - started, 1e-9)
    yield dg.Output(frame, metadata=metadata)
    yield answers_present_grounded_and_rarely_failed(frame)


def _answers_frame(questions: pd.DataFrame, answered: list[dict], failed: dict[str, str]) -> pd.DataFrame:
    by_id = {row["id"]: row for row in answered}
    rows = []
    for q in questions.itertuples():
        done = by_id.get(q.question_id)
        reason = "" if done else failed.get(q.question_id, "not answered")
        rows.append(
            {
                "question_id": q.question_id,
                "qtype": q.qtype,
                "question": q.question,
                "source_chunk_id": q.chunk_id,
                "doc_id": q.doc_id,
                "answer": done["answer"] if done else "",
                "cited_ids": list(done["cited_ids"]) if done else [],
                "retrieved": json.dumps(done["retrieved"], ensure_ascii=False) if done else "[]",
                "groundedness": float(done["groundedness"]) if done else float("nan"),
                "status": "answered" if done else "failed",
                "failure_reason": reason,
                "teacher": done["teacher"] if done else "",
            }
        )
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


def _quantiles(values: pd.Series) -> dict[str, float]:
    """min / p10 / p50 / p90 / max of a numeric column (empty dict when there are no values)."""
    if values.empty:
        return {}
    points = {"min": 0.0, "p10": 0.1, "p50": 0.5, "p90": 0.9, "max": 1.0}
    return {name: round(float(values.quantile(q)), 3) for name, q in points.items()}


def _answer_metadata(frame: pd.DataFrame, summary, teacher: str) -> dict:  # noqa: ANN001
    answered = frame[frame["status"] == "answered"]
    lengths = answered["answer"].str.len()
    return {
        "questions": len(frame),
        "answered": len(answered),
        "failed": int((frame["status"] == "failed").sum()),
        "resumed_from_checkpoint": int(summary.skipped),
        "teacher": teacher,
        "per_type": dg.MetadataValue.json(dict(Counter(frame["qtype"]))),
        "answer_chars_median": float(lengths.median()) if len(lengths) else 0.0,
        "answer_chars_distribution": dg.MetadataValue.json(_quantiles(lengths)),
        "groundedness_mean": float(answered["groundedness"].mean()) if len(answered) else 0.0,
        "groundedness_distribution": dg.MetadataValue.json(_quantiles(answered["groundedness"])),
        "sample": dg.MetadataValue.md(
            answered[["qtype", "question", "answer"]]
            .head(5)
            .assign(answer=lambda f: f["answer"].str.slice(0, 120))
            .to_markdown(index=False)
            if len(answered)
            else "_none_"
        ),
    }
