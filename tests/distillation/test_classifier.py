"""The question-type classifier on questions generated from data/raw_docs: document-split accuracy (the
generator words questions by whole-question forms, no cue in front), save/load without pickle, the
hand-written natural questions (dev and heldout parts; the dev part as a seed set);
`train-classifier` (with --seed-questions) and `answer --classifier` (the predicted type shapes the
answer)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assets.config import ChunksConfig
from assets.distillation.classifier import (
    MODEL_FILE,
    WEIGHTS_FILE,
    QuestionClassifier,
    document_split,
    evaluate_document_split,
    labelled_questions,
    natural_questions,
    train_question_classifier,
)
from assets.distillation.question_forms import LEGACY_CUE_PREFIXES, strip_type_cue
from assets.distillation.questions import QuestionConfig, generate_questions
from assets.knowledge.assets import chunk_table
from orchestration.cli import main
from orchestration.commands.chunk import read_folder
from resources.errors import InputDataError
from resources.korean import KoreanTokenizer
from resources.llm.base import QUESTION_TYPES
from resources.paths import data_dir

NATURAL = Path(__file__).with_name("natural_questions.json")


CLEARLY_ABOVE_CHANCE = 2 / len(QUESTION_TYPES)


@pytest.fixture(scope="module")
def shipped_questions(tokenizer: KoreanTokenizer) -> pd.DataFrame:
    """`kodistill questions` (defaults) over `kodistill chunk data/raw_docs` (asset chunking, 256/48)."""
    config = ChunksConfig()
    frame, _ = read_folder(data_dir() / "raw_docs")
    chunks, _ = chunk_table(frame[frame["problem"] == ""], tokenizer, config.max_tokens, config.overlap_tokens)
    rows = [{"chunk_id": r.chunk_id, "doc_id": r.doc_id, "text": r.text} for r in chunks.itertuples()]
    return pd.DataFrame([q.to_dict() for q in generate_questions(rows, QuestionConfig())])


@pytest.fixture(scope="module")
def classifier(shipped_questions: pd.DataFrame, tokenizer: KoreanTokenizer) -> QuestionClassifier:
    kept = labelled_questions(shipped_questions)
    return train_question_classifier(list(kept["question"]), list(kept["qtype"]), tokenizer)


def all_natural_questions() -> list[tuple[str, str]]:
    return natural_questions(NATURAL, "dev") + natural_questions(NATURAL, "heldout")


def test_document_split_keeps_documents_apart(shipped_questions: pd.DataFrame) -> None:
    train, test = document_split(shipped_questions, test_share=0.25, seed=3)
    assert not set(train["doc_id"]) & set(test["doc_id"])
    assert len(train) + len(test) == len(shipped_questions) and len(test) > 0


def test_every_question_records_its_pattern(shipped_questions: pd.DataFrame) -> None:
    assert set(shipped_questions["pattern"]) == {"type", "weak", "generic"}
    # a question whose wording does not show its type is "generic" (50% of the shipped questions are not)
    assert (shipped_questions["pattern"] != "generic").sum() > 0.45 * len(shipped_questions)


def test_generic_questions_are_excluded_by_default(shipped_questions: pd.DataFrame, tokenizer: KoreanTokenizer) -> None:
    generic = int((shipped_questions["pattern"] == "generic").sum())
    kept = labelled_questions(shipped_questions)
    assert generic > 0 and len(kept) == len(shipped_questions) - generic and "generic" not in set(kept["pattern"])
    assert labelled_questions(shipped_questions, ()) is shipped_questions
    report = evaluate_document_split(shipped_questions, tokenizer, test_share=0.25, seed=0)
    assert report["excluded_questions"] == generic and report["excluded_patterns"] == ["generic"]
    assert report["questions"] + report["train_questions"] == len(kept)
    everything = evaluate_document_split(shipped_questions, tokenizer, seed=0, exclude_patterns=())
    assert everything["excluded_questions"] == 0
    assert everything["questions"] + everything["train_questions"] == len(shipped_questions)


# Questions worded by whole-question forms (assets/distillation/question_forms.py), class-weighted
# LinearSVC, measured on the shipped questions (docs/benchmarks.md, 2026-12-03): 5 document splits
# average 0.903 without generic questions (seeds 0.80-0.98: 38-52 held-out questions each) and 0.903 on
# "type"-pattern ones. The floors sit a few points under the 5-split means (the target, 0.90,
# is met only marginally on the shipped corpus; with both corpora: 0.93).
SPLIT_SEEDS = 5
HELD_OUT_FLOOR = 0.88
TYPE_PATTERN_FLOOR = 0.88
# The 144 natural questions trained on the shipped corpus's questions: 95/144 = 0.66; trained on them
# plus the 72 dev questions as a seed set, heldout 54/72 = 0.75.
SEEDED_NATURAL_FLOOR = 0.70
NATURAL_FLOOR = 0.62


def test_held_out_accuracy_on_a_document_split(shipped_questions: pd.DataFrame, tokenizer: KoreanTokenizer) -> None:
    reports = [evaluate_document_split(shipped_questions, tokenizer, seed=seed) for seed in range(SPLIT_SEEDS)]
    assert np.mean([r["accuracy"] for r in reports]) >= HELD_OUT_FLOOR, [r["accuracy"] for r in reports]
    report = reports[0]
    assert set(report["per_type"]) == set(QUESTION_TYPES)
    assert all(0.0 <= v["precision"] <= 1.0 and 0.0 <= v["recall"] <= 1.0 for v in report["per_type"].values())
    assert report["test_documents"] >= 1


def test_held_out_accuracy_on_type_pattern_questions(
    shipped_questions: pd.DataFrame, tokenizer: KoreanTokenizer
) -> None:
    """Questions from a type-specific pattern worded in their type's form."""
    only = ("weak", "generic")
    reports = [evaluate_document_split(shipped_questions, tokenizer, seed=s, exclude_patterns=only) for s in range(5)]
    assert np.mean([r["accuracy"] for r in reports]) >= TYPE_PATTERN_FLOOR, [r["accuracy"] for r in reports]


def test_the_natural_question_set_is_hand_written_balanced_and_split() -> None:
    """>= 20 per type, a dev and a heldout part that share no question, none worded with a generator cue."""
    dev, heldout = natural_questions(NATURAL, "dev"), natural_questions(NATURAL, "heldout")
    for part in (dev, heldout):
        counts = {t: sum(qtype == t for _, qtype in part) for t in QUESTION_TYPES}
        assert min(counts.values()) >= 10, counts
    assert len(dev) + len(heldout) >= 120 and not {q for q, _ in dev} & {q for q, _ in heldout}
    for question, _ in dev + heldout:
        assert strip_type_cue(question) == question and not question.startswith(LEGACY_CUE_PREFIXES)
    with pytest.raises(InputDataError, match="no 'test' part"):
        natural_questions(NATURAL, "test")


def test_the_generator_puts_no_cue_in_front(shipped_questions: pd.DataFrame, tokenizer: KoreanTokenizer) -> None:
    """No question carries a cue of the earlier generator ("정의상 …", "이런 경우 …"): where
    `strip_type_cue` changes one, the words it takes off are its own evidence sentence's opening."""
    for row in shipped_questions.itertuples():
        stripped = strip_type_cue(row.question)
        if stripped != row.question:
            cue = next(p for p in LEGACY_CUE_PREFIXES if row.question.replace(p, "", 1) == stripped)
            assert row.evidence.startswith(cue.strip()), row
    report = evaluate_document_split(shipped_questions, tokenizer, test_share=0.25, seed=0)
    assert report["cues_stripped"]["questions_with_a_cue"] <= 0.1 * report["questions"]


def test_natural_questions(classifier: QuestionClassifier) -> None:
    """Hand-written questions (dev and heldout together, trained on the shipped corpus's questions):
    above the measured floor."""
    pairs = all_natural_questions()
    predicted = classifier.predict([q for q, _ in pairs])
    correct = sum(p == t for p, (_, t) in zip(predicted, pairs, strict=True))
    assert correct / len(pairs) >= NATURAL_FLOOR, list(zip(predicted, pairs))
    assert set(predicted) <= set(QUESTION_TYPES)


def test_natural_heldout_with_the_dev_part_as_a_seed_set(
    shipped_questions: pd.DataFrame, tokenizer: KoreanTokenizer
) -> None:
    """The 72 hand-labelled dev questions added to the training side; the heldout part stays unseen."""
    seeds = natural_questions(NATURAL, "dev")
    kept = labelled_questions(shipped_questions)
    seeded = train_question_classifier(
        list(kept["question"]) + [q for q, _ in seeds], list(kept["qtype"]) + [t for _, t in seeds], tokenizer
    )
    heldout = natural_questions(NATURAL, "heldout")
    assert not {q for q, _ in heldout} & {q for q, _ in seeds}
    correct = sum(p == t for p, (_, t) in zip(seeded.predict([q for q, _ in heldout]), heldout, strict=True))
    assert correct / len(heldout) >= SEEDED_NATURAL_FLOOR, correct
    report = evaluate_document_split(shipped_questions, tokenizer, seed=0, seed_questions=seeds)
    assert report["seed_questions"] == len(seeds) and report["questions"] + report["train_questions"] == len(kept)


def test_save_load_round_trip_without_pickle(
    classifier: QuestionClassifier, tokenizer: KoreanTokenizer, tmp_path: Path
) -> None:
    texts = [q for q, _ in all_natural_questions()]
    classifier.save(tmp_path / "model")
    loaded = QuestionClassifier.load(tmp_path / "model", tokenizer)
    assert loaded.predict(texts) == classifier.predict(texts)
    np.testing.assert_allclose(loaded.scores(texts), classifier.scores(texts))
    with np.load(tmp_path / "model" / WEIGHTS_FILE, allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)
    json.loads((tmp_path / "model" / MODEL_FILE).read_text(encoding="utf-8"))


def test_altered_or_missing_classifier_is_refused(
    classifier: QuestionClassifier, tokenizer: KoreanTokenizer, tmp_path: Path
) -> None:
    folder = classifier.save(tmp_path / "model")
    weights = folder / WEIGHTS_FILE
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(InputDataError, match="checksum"):
        QuestionClassifier.load(folder, tokenizer)
    with pytest.raises(InputDataError, match=MODEL_FILE):
        QuestionClassifier.load(tmp_path / "nothing", tokenizer)


def test_two_types(tokenizer: KoreanTokenizer, tmp_path: Path) -> None:
    """A two-class model (scikit-learn stores one coefficient row) predicts both classes, also after loading."""
    questions = [
        "반품의 의미는 무엇인가요?",
        "환불은 무엇을 뜻하나요?",
        "A와 B의 차이는 무엇인가요?",
        "C와 D는 어떻게 다른가요?",
    ]
    types = ["정의", "정의", "비교", "비교"]
    trained = train_question_classifier(questions * 2, types * 2, tokenizer)
    loaded = QuestionClassifier.load(trained.save(tmp_path / "two"), tokenizer)
    assert trained.predict(questions) == loaded.predict(questions) == types


def test_training_data_is_checked(tokenizer: KoreanTokenizer) -> None:
    with pytest.raises(InputDataError, match="unknown question types"):
        train_question_classifier(["무엇인가요?", "어떻게 하나요?"], ["정의", "기타"], tokenizer)
    with pytest.raises(InputDataError, match="at least two types"):
        train_question_classifier(["무엇인가요?", "뭔가요?"], ["정의", "정의"], tokenizer)


def test_train_classifier_then_answer_shapes_by_the_predicted_type(
    shipped_questions: pd.DataFrame, tokenizer: KoreanTokenizer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.jsonl"
    shipped_questions.to_json(questions, orient="records", lines=True, force_ascii=False)
    model = tmp_path / "model"
    train = ["train-classifier", "--questions", str(questions), "--out", str(model)]
    assert main([*train, "--seed-questions", str(NATURAL)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["seed_questions"] == 72 and report["trained_on"] == report["seed_questions"] + len(
        labelled_questions(shipped_questions)
    )
    assert main([*train, "--seed-questions", str(tmp_path / "missing.json")]) == 2
    assert main(train) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["seed_questions"] == 0
    assert report["document_split"]["accuracy"] >= CLEARLY_ABOVE_CHANCE and (model / "evaluation.json").is_file()
    corpus, queries, out = tmp_path / "corpus.jsonl", tmp_path / "queries.jsonl", tmp_path / "answers.jsonl"
    texts = {
        "r#0": "단순 변심 반품은 상품을 받은 날부터 7일 이내에 신청해야 한다.",
        "r#1": "환불은 3영업일 이내에 처리된다.",
    }
    corpus.write_text("".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in texts.items()))
    asked = [("q1", "단순 변심과 상품 불량 반품의 차이는 무엇인가요?"), ("q2", "반품은 어떤 순서로 처리되나요?")]
    queries.write_text("".join(json.dumps({"id": i, "query": q}, ensure_ascii=False) + "\n" for i, q in asked))
    command = ["answer", "--corpus", str(corpus), "--queries", str(queries), "--out", str(out), "--no-progress"]
    assert main([*command, "--classifier", str(model)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = QuestionClassifier.load(model, tokenizer).predict([q for _, q in asked])
    assert [row["qtype_predicted"] for row in rows] == expected and set(expected) <= set(QUESTION_TYPES)
    assert [row["answer_shape"] for row in rows] == expected  # the predicted type picked the shape
    assert main([*command, "--classifier", str(model), "--type-record-only", "--restart"]) == 0
    recorded = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["qtype_predicted"] for row in recorded] == expected
    assert {row["answer_shape"] for row in recorded} == {"default"}
    assert main([*command, "--type-record-only", "--restart"]) == 2
    assert main([*command, "--classifier", str(tmp_path / "missing")]) == 2
    assert "kodistill answer: error: --classifier" in capsys.readouterr().err
