"""Checks of the distillation group: type balance, duplicates, answers present, groundedness, failures.

Both assets are partitioned per document, so their checks are declared on the assets (`check_specs`)
and evaluated in the same step on that partition's data (a standalone check would load every
partition). These functions build the results.
"""

import dagster as dg
import pandas as pd

from assets.distillation.questions import QUESTION_TYPES

QUESTIONS_CHECK = dg.AssetCheckSpec("questions_balanced_and_unique", asset="synthetic_questions")
ANSWERS_CHECK = dg.AssetCheckSpec("answers_present_grounded_and_rarely_failed", asset="teacher_answers")

BALANCE_TOLERANCE = 0.10  # each type within ±10% of the mean count (±1 question of integer slack)
EXTRACTIVE_GROUNDEDNESS_FLOOR = 1.0  # every extractive sentence is verbatim from a cited context
GENERATIVE_GROUNDEDNESS_FLOOR = 0.5  # morpheme-overlap precision for model-written answers
MAX_FAILURE_RATE = 0.05


def type_balance_problems(qtypes: pd.Series, types: tuple[str, ...] = QUESTION_TYPES) -> list[str]:
    """Types whose count is off the mean by more than 10% (and more than one question)."""
    counts = qtypes.value_counts().reindex(types, fill_value=0)
    mean = counts.mean()
    slack = max(BALANCE_TOLERANCE * mean, 1.0)
    return [
        f"{qtype}: {count} questions vs mean {mean:.1f}" for qtype, count in counts.items() if abs(count - mean) > slack
    ]


def questions_balanced_and_unique(synthetic_questions: pd.DataFrame) -> dg.AssetCheckResult:
    """Six types balanced within ±10% of the mean (±1), and no exact duplicate question text."""
    unbalanced = (
        type_balance_problems(synthetic_questions["qtype"]) if len(synthetic_questions) >= len(QUESTION_TYPES) else []
    )
    duplicates = synthetic_questions[synthetic_questions["question"].duplicated()]["question"].tolist()
    return dg.AssetCheckResult(
        check_name=QUESTIONS_CHECK.name,
        asset_key=QUESTIONS_CHECK.asset_key,
        passed=not unbalanced and not duplicates,
        metadata={"unbalanced": unbalanced, "exact_duplicates": duplicates[:10], "questions": len(synthetic_questions)},
    )


def answers_present_grounded_and_rarely_failed(teacher_answers: pd.DataFrame) -> dg.AssetCheckResult:
    """Every answer is non-empty or explicitly failed; groundedness above its floor; failure rate bounded."""
    answered = teacher_answers[teacher_answers["status"] == "answered"]
    empty = answered[answered["answer"].str.strip() == ""]["question_id"].tolist()
    unexplained = teacher_answers[(teacher_answers["status"] == "failed") & (teacher_answers["failure_reason"] == "")][
        "question_id"
    ].tolist()
    extractive = answered["teacher"] == "extractive"
    floors = extractive.map({True: EXTRACTIVE_GROUNDEDNESS_FLOOR, False: GENERATIVE_GROUNDEDNESS_FLOOR})
    ungrounded = answered[answered["groundedness"] < floors]["question_id"].tolist()
    failure_rate = 1 - len(answered) / len(teacher_answers) if len(teacher_answers) else 0.0
    return dg.AssetCheckResult(
        check_name=ANSWERS_CHECK.name,
        asset_key=ANSWERS_CHECK.asset_key,
        passed=not empty and not unexplained and not ungrounded and failure_rate <= MAX_FAILURE_RATE,
        metadata={
            "empty_answers": empty[:10],
            "failed_without_reason": unexplained[:10],
            "below_groundedness_floor": ungrounded[:10],
            "failure_rate": failure_rate,
            "max_failure_rate": MAX_FAILURE_RATE,
        },
    )
