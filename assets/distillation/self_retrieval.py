"""Self-retrieval of synthetic questions: does a question find its own source chunk?

`self_retrieval_queries` turns a question table (the `synthetic_questions` frame or the rows
`kodistill questions` writes) into `EvalQuery`s whose one relevant id is the question's source
chunk, so the retrieval metrics of `assets.knowledge.evaluation` measure how well each question
points back at the text it was made from. `answer_leak_share` is the share of questions that
contain their own answer span (it must be 0).
"""

from __future__ import annotations

import pandas as pd

from assets.knowledge.evaluation import EvalQuery


def self_retrieval_queries(questions: pd.DataFrame) -> list[EvalQuery]:
    """One query per question row: id = question_id, query = question, gold = its source chunk id."""
    missing = {"question_id", "question", "chunk_id"} - set(questions.columns)
    if missing:
        raise ValueError(f"question table lacks columns: {', '.join(sorted(missing))}")
    return [
        EvalQuery(str(row.question_id), str(row.question), (str(row.chunk_id),))
        for row in questions.itertuples(index=False)
    ]


def answer_leak_share(questions: pd.DataFrame) -> float:
    """Share of questions whose text contains their non-empty `answer` span (0.0 for an empty table)."""
    if not len(questions) or "answer" not in questions.columns:
        return 0.0
    leaks = [bool(a) and str(a) in str(q) for q, a in zip(questions["question"], questions["answer"].fillna(""))]
    return sum(leaks) / len(leaks)
