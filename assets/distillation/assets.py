"""Distillation assets per document: synthetic_questions → teacher_answers (retrieval-grounded, resumable).

Both are partitioned per document, automated, and handle any range of documents in one step
(single-run backfills): Kiwi, the retriever and the models are loaded once for the whole range,
through resources. Their checks run in the same step and name the documents that fail.
"""

import json
from collections import Counter
from collections.abc import Iterator

import dagster as dg
import pandas as pd

from assets.config import SyntheticQuestionsConfig, TeacherAnswersConfig
from assets.distillation.checkpoint import JsonlCheckpoint, run_with_checkpoint
from assets.distillation.checks import (
    ANSWER_QUALITY_CHECK,
    ANSWERS_CHECK,
    QUESTIONS_CHECK,
    answer_problems,
    answer_quality_rates,
    answer_quality_result,
    failure_rate,
    per_document_result,
    question_problems,
)
from assets.distillation.grounding import groundedness, method_for_backend
from assets.distillation.questions import (
    QuestionConfig,
    QuestionDeduplicator,
    generate_questions,
    generate_with_backend,
)
from assets.distillation.teacher import BatchAnswerer
from assets.knowledge.partitions import document_partitions
from assets.metadata import AFTER_UPSTREAM, COMPUTE_SECONDS, Stopwatch, readable
from assets.retry_policies import BACKEND_RETRY
from resources.korean import KoreanTokenizer
from resources.llm.base import GenerationParams, LLMBackend
from resources.llm_resources import QuestionGeneratorResource, TeacherResource
from resources.paths import safe_child, validate_partition_key
from resources.retrieval.hybrid import DEFAULT_FUSION, HybridRetriever
from resources.retriever_resource import RetrieverStore
from resources.settings import ProjectPaths, QualityThresholds
from resources.tokenizer_resource import KoreanTokenizerResource

GROUP = "distillation"
QUESTION_COLUMNS = [
    "question_id",
    "question",
    "qtype",
    "chunk_id",
    "doc_id",
    "source",
    "temperature",
    "evidence",
    "answer",
    "pattern",
]
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
    "expected_answer",
    "cites_source",
    "contains_answer",
]
CHECKPOINT_LOCK_TIMEOUT_S = 600  # another run answering the same document: wait for it, then resume its work
TRANSIENT_RETRY = BACKEND_RETRY  # backend-calling steps share one policy (assets/retry_policies.py)
PER_DOCUMENT = {
    "partitions_def": document_partitions,
    "backfill_policy": dg.BackfillPolicy.single_run(),
    "automation_condition": AFTER_UPSTREAM,
    "pool": "gpu",  # generation steps share the `gpu` pool (limit 1) with training
}


def _question_frame(
    records: list[dict],
    settings: QuestionConfig,
    backend: LLMBackend | None,
    temperatures: tuple[float, ...],
    tokenizer: KoreanTokenizer,
    dedup: QuestionDeduplicator,
) -> pd.DataFrame:
    if backend is None:
        questions = generate_questions(records, settings, tokenizer, dedup)
    else:
        questions = generate_with_backend(
            backend, records, settings, temperatures, tokenizer=tokenizer, deduplicator=dedup
        )
    return pd.DataFrame([q.to_dict() for q in questions], columns=QUESTION_COLUMNS)


def _question_backend(context: dg.AssetExecutionContext, generator: QuestionGeneratorResource) -> LLMBackend | None:
    backend = generator.get()
    if backend is not None and getattr(backend, "using_fallback", False):
        context.log.warning(f"question model unavailable ({backend.fallback_reason}); templates write the questions")
        return None
    return backend


@dg.asset(
    group_name=GROUP,
    kinds={"pandas", "parquet"},
    check_specs=[QUESTIONS_CHECK],
    retry_policy=TRANSIENT_RETRY,
    code_version="questions-2",
    **PER_DOCUMENT,
)
def synthetic_questions(
    context: dg.AssetExecutionContext,
    config: SyntheticQuestionsConfig,
    chunks: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    question_generator: QuestionGeneratorResource,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Questions of six types (정의, 프로세스, 규정, 예시, 비교, 적용) from each document's chunks,
    balanced over types, deduplicated (exact and near) across the documents of the step, each tied to
    its source chunk with the evidence sentence it asks about and the answer span."""
    watch = Stopwatch()
    settings = QuestionConfig(
        per_chunk=config.per_chunk, near_duplicate_threshold=config.near_duplicate_threshold, seed=config.seed
    )
    kiwi, backend = tokenizer.get(), _question_backend(context, question_generator)
    temperatures = tuple(question_generator.temperatures)
    by_doc = dict(tuple(chunks.groupby("doc_id"))) if len(chunks) else {}
    dedup = QuestionDeduplicator(kiwi, settings.near_duplicate_threshold)  # shared: no repeats across documents
    frames = {}
    for key in context.partition_keys:
        records = by_doc[key].to_dict(orient="records") if key in by_doc else []
        frames[key] = _question_frame(records, settings, backend, temperatures, kiwi, dedup)
    yield dg.Output(frames, metadata=_question_metadata(frames, backend, watch))
    yield per_document_result(QUESTIONS_CHECK, frames, question_problems)


def _combined(frames: dict[str, pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Every document's rows in one table (documents without rows add nothing)."""
    non_empty = [frame for frame in frames.values() if len(frame)]
    return pd.concat(non_empty, ignore_index=True) if non_empty else pd.DataFrame(columns=columns)


def _question_metadata(frames: dict[str, pd.DataFrame], backend: LLMBackend | None, watch: Stopwatch) -> dict:
    frame = _combined(frames, QUESTION_COLUMNS)
    sample = frame[["doc_id", "qtype", "question"]].head(8)
    return {
        "documents": len(frames),
        "questions": len(frame),
        "per_type": dg.MetadataValue.json(frame["qtype"].value_counts().to_dict()),
        "question_writer": "templates (no question model configured)" if backend is None else backend.name,
        "by_source": dg.MetadataValue.json(frame["source"].value_counts().to_dict()),
        "sample": dg.MetadataValue.md(sample.to_markdown(index=False) if len(frame) else "_no questions_"),
        COMPUTE_SECONDS: watch.seconds,
    }


def _with_groundedness(
    rows: list[dict], retriever: HybridRetriever, tokenizer: KoreanTokenizer, method: str
) -> list[dict]:
    texts = dict(zip(retriever.chunk_ids, retriever.texts))
    for row in rows:
        contexts = {hit["chunk_id"]: texts[hit["chunk_id"]] for hit in row["retrieved"]}
        row["groundedness"] = groundedness(row["answer"], row["cited_ids"], contexts, tokenizer, method).score
    return rows


def _answer_document(
    context: dg.AssetExecutionContext,
    questions: pd.DataFrame,
    answerer: BatchAnswerer,
    checkpoint: JsonlCheckpoint,
    batch_size: int,
    shape_by_type: bool = True,
) -> tuple[pd.DataFrame, int]:
    """Answer one document's questions through its checkpoint (each in its type's answer shape with
    `shape_by_type`); returns the table and how many were resumed."""
    items = [
        {"id": row.question_id, "query": row.question, **({"qtype": row.qtype} if shape_by_type else {})}
        for row in questions.itertuples()
    ]
    with checkpoint.locked(timeout=CHECKPOINT_LOCK_TIMEOUT_S):
        summary = run_with_checkpoint(
            items,
            lambda item: item["id"],
            answerer,
            checkpoint,
            batch_size,
            on_batch=lambda n: context.log.debug(f"answered a batch of {n}"),
            item_input=lambda item: item["query"],
        )
        state = checkpoint.load()
        done = [state.done[item["id"]] for item in items if item["id"] in state.done]
        tokenizer = answerer.retriever.tokenizer
        answered = _with_groundedness(done, answerer.retriever, tokenizer, method_for_backend(answerer.backend.name))
        frame = _answers_frame(questions, answered, state.failed)
        checkpoint.remove()
    return frame, summary.skipped


@dg.asset(
    group_name=GROUP,
    kinds={"pandas", "parquet"},
    deps=["bm25_index", "dense_index"],
    retry_policy=TRANSIENT_RETRY,
    check_specs=[ANSWERS_CHECK, ANSWER_QUALITY_CHECK],
    code_version="answers-3",
    **PER_DOCUMENT,
)
def teacher_answers(
    context: dg.AssetExecutionContext,
    config: TeacherAnswersConfig,
    synthetic_questions: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    teacher: TeacherResource,
    retriever_store: RetrieverStore,
    paths: ProjectPaths,
    quality: QualityThresholds,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """For each question: hybrid retrieval, then the teacher's answer (in the shape of the question's
    type with `shape_by_type`) with the contexts used, their ranks and a groundedness score, whether it
    cites the question's source chunk and contains its answer span; checkpointed per document so a
    killed run resumes without redoing or duplicating answers; a question that still fails is kept,
    marked failed with the reason."""
    watch = Stopwatch()
    kiwi = tokenizer.get()
    retriever, backend = retriever_store.load(kiwi), teacher.get(kiwi)
    params = GenerationParams(max_new_tokens=config.max_new_tokens)
    answerer = BatchAnswerer(retriever, backend, k=config.k, mode=config.fusion or None, params=params)
    fingerprint = {
        "teacher": backend.name,
        "k": config.k,
        "fusion": config.fusion or DEFAULT_FUSION,
        "max_new_tokens": config.max_new_tokens,
        "answer_shape": "given type" if config.shape_by_type else "default",
        "index": retriever_store.fingerprint(),
    }
    by_doc = dict(tuple(synthetic_questions.groupby("doc_id"))) if len(synthetic_questions) else {}
    frames, resumed = {}, 0
    for key in context.partition_keys:
        folder = paths.artifact_path("distillation", "teacher_answers")
        checkpoint_path = safe_child(folder, f"{validate_partition_key(key)}.partial.jsonl")
        # A checkpoint written under other settings is stale: discarded (logged) and redone.
        checkpoint = JsonlCheckpoint(checkpoint_path, fingerprint=fingerprint, on_mismatch="discard")
        questions = by_doc.get(key, synthetic_questions.head(0))
        frames[key], skipped = _answer_document(
            context, questions, answerer, checkpoint, config.batch_size, config.shape_by_type
        )
        resumed += skipped
    yield dg.Output(frames, metadata=_answer_metadata(frames, resumed, backend.name, watch))
    yield per_document_result(ANSWERS_CHECK, frames, answer_problems)
    yield answer_quality_result(frames, quality.min_source_citation_rate, quality.min_answer_span_containment)


def _answers_frame(questions: pd.DataFrame, answered: list[dict], failed: dict[str, str]) -> pd.DataFrame:
    by_id = {row["id"]: row for row in answered}
    rows = [_answer_row(q, by_id.get(q.question_id), failed) for q in questions.itertuples()]
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


def _answer_row(question: object, done: dict | None, failed: dict[str, str]) -> dict:
    q = question
    row = {"question_id": q.question_id, "qtype": q.qtype, "question": q.question, "source_chunk_id": q.chunk_id}
    span = str(getattr(q, "answer", "") or "")
    row.update(doc_id=q.doc_id, expected_answer=span, cites_source=False, contains_answer=False)
    if done is None:
        reason = failed.get(q.question_id, "not answered")
        return {
            **row,
            "answer": "",
            "cited_ids": [],
            "retrieved": "[]",
            "groundedness": float("nan"),
            "status": "failed",
            "failure_reason": reason,
            "teacher": "",
        }
    return {
        **row,
        "answer": done["answer"],
        "cited_ids": list(done["cited_ids"]),
        "retrieved": json.dumps(done["retrieved"], ensure_ascii=False),
        "groundedness": float(done["groundedness"]),
        "status": "answered",
        "failure_reason": "",
        "teacher": done["teacher"],
        "cites_source": q.chunk_id in done["cited_ids"],
        "contains_answer": bool(span) and span in done["answer"],
    }


def _quantiles(values: pd.Series) -> dict[str, float]:
    """min / p10 / p50 / p90 / max of a numeric column (empty dict when there are no values)."""
    if values.empty:
        return {}
    points = {"min": 0.0, "p10": 0.1, "p50": 0.5, "p90": 0.9, "max": 1.0}
    return {name: readable(values.quantile(q)) for name, q in points.items()}


def _answer_metadata(frames: dict[str, pd.DataFrame], resumed: int, teacher: str, watch: Stopwatch) -> dict:
    frame = _combined(frames, ANSWER_COLUMNS)
    answered = frame[frame["status"] == "answered"]
    lengths = answered["answer"].str.len()
    sample = answered[["qtype", "question", "answer"]].head(5)
    return {
        "documents": len(frames),
        "questions": len(frame),
        "answered": len(answered),
        "failed": int((frame["status"] == "failed").sum()),
        "failure_rate": failure_rate(frame),
        **{name: readable(value) for name, value in answer_quality_rates(frame).items()},
        "resumed_from_checkpoint": int(resumed),
        "teacher": teacher,
        "per_type": dg.MetadataValue.json(dict(Counter(frame["qtype"]))),
        "answer_chars_median": readable(lengths.median()) if len(lengths) else 0.0,
        "answer_chars_distribution": dg.MetadataValue.json(_quantiles(lengths)),
        "groundedness_mean": readable(answered["groundedness"].mean()) if len(answered) else 0.0,
        "groundedness_distribution": dg.MetadataValue.json(_quantiles(answered["groundedness"])),
        "questions_per_s": readable(len(frame) / max(watch.seconds, 1e-3)),
        "sample": dg.MetadataValue.md(
            sample.assign(answer=sample["answer"].str.slice(0, 120)).to_markdown(index=False)
            if len(answered)
            else "_none_"
        ),
        COMPUTE_SECONDS: watch.seconds,
    }
