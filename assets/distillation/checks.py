"""Checks of the distillation group: type balance, duplicates, answers present, groundedness, failures,
source citation and answer-span containment.

Both assets are partitioned per document and materialize any range of documents in one step, so
their checks are declared on the assets (`check_specs`) and evaluated in the same step on the data
just produced (a standalone check would load every partition). Each result covers the documents of
that step: its description names the documents that fail, and its metadata holds one row per
document, so a failure can be traced to the document that caused it. The answer-quality check
(source chunk cited, answer span contained) is judged over the step and names the worst documents.
"""

from collections.abc import Callable, Mapping

import dagster as dg
import pandas as pd

from assets.distillation.questions import QUESTION_TYPES
from assets.metadata import readable

QUESTIONS_CHECK = dg.AssetCheckSpec(
    "questions_balanced_and_unique",
    asset="synthetic_questions",
    description="Per document: the six question types balanced within ±10% of the mean (±1 question), "
    "and no exact duplicate question text. Failing documents are named in the result.",
)
ANSWERS_CHECK = dg.AssetCheckSpec(
    "answers_present_grounded_and_rarely_failed",
    asset="teacher_answers",
    description="Per document: every answer non-empty or marked failed with a reason, groundedness above its "
    "floor (extractive 1.0, generative 0.5), failure rate at most 5%. Failing documents are named in the result.",
)

BALANCE_TOLERANCE = 0.10  # each type within ±10% of the mean count (±1 question of integer slack)
EXTRACTIVE_GROUNDEDNESS_FLOOR = 1.0  # every extractive sentence is verbatim from a cited context
GENERATIVE_GROUNDEDNESS_FLOOR = 0.5  # morpheme-overlap precision for model-written answers
MAX_FAILURE_RATE = 0.05

ProblemFinder = Callable[[pd.DataFrame], list[str]]


def type_balance_problems(qtypes: pd.Series, types: tuple[str, ...] = QUESTION_TYPES) -> list[str]:
    """Types whose count is off the mean by more than 10% (and more than one question)."""
    counts = qtypes.value_counts().reindex(types, fill_value=0)
    mean = counts.mean()
    slack = max(BALANCE_TOLERANCE * mean, 1.0)
    return [
        f"{qtype}: {count} questions vs mean {mean:.1f}" for qtype, count in counts.items() if abs(count - mean) > slack
    ]


def question_problems(questions: pd.DataFrame) -> list[str]:
    """One document's questions: type balance (when there are enough to balance) and exact duplicates."""
    enough = len(questions) >= len(QUESTION_TYPES)
    unbalanced = type_balance_problems(questions["qtype"]) if enough else []
    duplicates = questions[questions["question"].duplicated()]["question"].tolist()
    return unbalanced + [f"duplicate question: {text}" for text in duplicates[:5]]


def answer_problems(answers: pd.DataFrame) -> list[str]:
    """One document's answers: empty, failed without reason, below the groundedness floor, failure rate."""
    answered = answers[answers["status"] == "answered"]
    empty = answered[answered["answer"].str.strip() == ""]["question_id"].tolist()
    failed = answers[answers["status"] == "failed"]
    unexplained = failed[failed["failure_reason"] == ""]["question_id"].tolist()
    floors = (answered["teacher"] == "extractive").map(
        {True: EXTRACTIVE_GROUNDEDNESS_FLOOR, False: GENERATIVE_GROUNDEDNESS_FLOOR}
    )
    ungrounded = answered[answered["groundedness"] < floors]["question_id"].tolist()
    rate = len(failed) / len(answers) if len(answers) else 0.0
    problems = [f"empty answer: {i}" for i in empty] + [f"failed without a reason: {i}" for i in unexplained]
    problems += [f"below the groundedness floor: {i}" for i in ungrounded]
    if rate > MAX_FAILURE_RATE:
        problems.append(f"failure rate {rate:.1%} above {MAX_FAILURE_RATE:.0%}")
    return problems


def per_document_result(
    spec: dg.AssetCheckSpec, frames: Mapping[str, pd.DataFrame], find: ProblemFinder
) -> dg.AssetCheckResult:
    """One check result over the documents of a step, naming every failing document."""
    problems = {doc: find(frame) for doc, frame in frames.items()}
    failing = sorted(doc for doc, found in problems.items() if found)
    rows = [{"document": doc, "rows": len(frames[doc]), "problems": "; ".join(problems[doc][:3])} for doc in frames]
    checked = f"{len(frames)} document(s)"
    description = f"failed for {', '.join(failing[:10])}" if failing else f"passed for all {checked}"
    return dg.AssetCheckResult(
        check_name=spec.name,
        asset_key=spec.asset_key,
        passed=not failing,
        description=description,
        metadata={
            "documents_checked": len(frames),
            "documents_failing": dg.MetadataValue.json(failing),
            "problems": dg.MetadataValue.json({doc: problems[doc][:10] for doc in failing}),
            "per_document": dg.MetadataValue.md(pd.DataFrame(rows).head(50).to_markdown(index=False)),
        },
    )


def failure_rate(answers: pd.DataFrame) -> float:
    """Share of questions left unanswered, rounded for people."""
    return readable((answers["status"] == "failed").mean()) if len(answers) else 0.0


ANSWER_QUALITY_CHECK = dg.AssetCheckSpec(
    "answers_cite_their_source_and_contain_the_answer",
    asset="teacher_answers",
    description="Over the documents of the step: the share of answers citing the question's source chunk and the "
    "share containing the question's recorded answer span reach their floors (QualityThresholds); a failure "
    "names the worst documents.",
)


def answer_quality_rates(answers: pd.DataFrame) -> dict[str, float]:
    """Source-citation rate (all questions) and answer-span containment (questions with a span)."""
    with_span = answers[answers["expected_answer"].fillna("") != ""] if len(answers) else answers
    return {
        "source_citation_rate": float(answers["cites_source"].mean()) if len(answers) else 1.0,
        "answer_span_containment": float(with_span["contains_answer"].mean()) if len(with_span) else 1.0,
    }


def answer_quality_result(
    frames: Mapping[str, pd.DataFrame], min_citation: float, min_containment: float
) -> dg.AssetCheckResult:
    """One result over the step's documents; when it fails, its description names the five worst documents."""
    non_empty = [frame for frame in frames.values() if len(frame)]
    columns = ["expected_answer", "cites_source", "contains_answer"]
    combined = pd.concat(non_empty, ignore_index=True) if non_empty else pd.DataFrame(columns=columns)
    rates = answer_quality_rates(combined)
    by_doc = {doc: answer_quality_rates(frame) for doc, frame in frames.items() if len(frame)}
    worst = sorted(by_doc, key=lambda doc: min(by_doc[doc].values()))[:5]
    passed = rates["source_citation_rate"] >= min_citation and rates["answer_span_containment"] >= min_containment
    shown = ", ".join(f"{doc} ({readable(min(by_doc[doc].values()))})" for doc in worst)
    summary = f"citation {rates['source_citation_rate']:.1%}, span {rates['answer_span_containment']:.1%}"
    return dg.AssetCheckResult(
        check_name=ANSWER_QUALITY_CHECK.name,
        asset_key=ANSWER_QUALITY_CHECK.asset_key,
        passed=passed,
        description=f"{summary}; " + (f"worst documents: {shown}" if not passed else "above both floors"),
        metadata={
            **{name: readable(value) for name, value in rates.items()},
            "min_source_citation_rate": min_citation,
            "min_answer_span_containment": min_containment,
            "worst_documents": dg.MetadataValue.json(
                {doc: {k: readable(v) for k, v in by_doc[doc].items()} for doc in worst}
            ),
        },
    )
