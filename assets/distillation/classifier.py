"""Question-type classifier: which of the six types (정의, 프로세스, 규정, 예시, 비교, 적용) a question asks.

A linear model (a one-vs-rest linear support vector machine, `make_estimator`) over two TF-IDF feature
blocks: every Kiwi morpheme of the question with its tag (`무엇/NP`, `나요/EF`: endings and question words
carry the type) plus morpheme bigrams, the last TAIL_MORPHEMES morphemes marked by their position from
the end (`end0:나요/EF`), each question word (QUESTION_WORDS) with its neighbours (`qw+1:몇 시간/NNG`); and
character 2-4-grams within words. Trained on synthetic questions (`train_question_classifier`), it
predicts the type of any question (`QuestionClassifier.predict`). Questions whose label says little
(pattern "generic": a last-resort template labelled with whatever type the balance needed) are left out
of training and evaluation by default (`labelled_questions`). Classes are weighted by the inverse of
their frequency (`CLASS_WEIGHT`): the generator words fewer 비교 and 예시 questions in their form than 규정
ones, and an unweighted model sends unfamiliar wordings to the most frequent type. The model (LinearSVC,
C=1) was chosen over class-weighted logistic regression by 5-fold cross-validation grouped by document
on the KorQuAD synthetic questions (benchmarks/question_classifier.py, `grouped_cv`;
docs/benchmarks.md); `train_question_classifier` takes another estimator factory. A seed set of
hand-labelled questions (`natural_questions`, e.g. the `dev` part of
tests/distillation/natural_questions.json) may be added to the training side (`seed_questions`).

Saved as a folder without pickle: `classifier.json` (settings, types, both vocabularies, the sha256 of
the weights file) and `weights.npz` (idf vectors, coefficients, intercepts; loaded with
`allow_pickle=False`, its checksum verified); prediction is the argmax of the decision scores.
`evaluate_document_split` measures held-out accuracy and per-type precision/recall on a split by
document (no document has questions on both sides), also on the same held-out questions with any cue of
the earlier generator taken off (`question_forms.strip_type_cue`: "정의상 …?" → "…?"; the generator no
longer puts cues in front, so for its questions now both numbers agree unless a sentence itself opens
with such words). `natural_questions` reads the hand-written questions of
tests/distillation/natural_questions.json (a `dev` part for design decisions, a `heldout` part for the
report).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupShuffleSplit
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from assets.distillation.question_forms import strip_type_cue
from resources.atomic import atomic_write_bytes, atomic_write_json
from resources.errors import InputDataError
from resources.korean import KoreanTokenizer
from resources.llm.base import QUESTION_TYPES

MODEL_FILE = "classifier.json"
WEIGHTS_FILE = "weights.npz"
FORMAT_VERSION = 3  # 2: tail and question-word features; 3: linear SVM weights
CHAR_NGRAMS = (2, 4)
MIN_DF = 2
REGULARISATION_C = 1.0
CLASS_WEIGHT = "balanced"
TAIL_MORPHEMES = 4
QUESTION_WORDS = frozenset("무엇 뭐 언제 얼마 몇 며칠 어떻게 어떤 누구 어디 왜 어느 무슨".split())
EXCLUDED_PATTERNS = ("generic",)  # `pattern` values (kodistill questions) left out of training by default


def question_morphemes(texts: Sequence[str], tokenizer: KoreanTokenizer) -> list[list[str]]:
    """Per question: every Kiwi morpheme as `form/tag` (lowercased, punctuation dropped), morpheme
    bigrams, the last TAIL_MORPHEMES morphemes with their position from the end, and each question
    word alone and with the morpheme before and after it."""
    out = []
    for tokens in tokenizer.kiwi.tokenize(list(texts)):
        kept = [t for t in tokens if not t.tag.startswith("S") or t.tag == "SN"]
        units = [f"{t.form.lower()}/{t.tag}" for t in kept]
        features = units + [f"{a} {b}" for a, b in zip(units, units[1:])]
        features += [f"end{i}:{u}" for i, u in enumerate(reversed(units[-TAIL_MORPHEMES:]))]
        for i, token in enumerate(kept):
            if token.form in QUESTION_WORDS:
                features.append(f"qw:{token.form}")
                if i + 1 < len(units):
                    features.append(f"qw+1:{token.form} {units[i + 1]}")
                if i > 0:
                    features.append(f"qw-1:{units[i - 1]} {token.form}")
        out.append(features)
    return out


def labelled_questions(frame: pd.DataFrame, exclude_patterns: Sequence[str] = EXCLUDED_PATTERNS) -> pd.DataFrame:
    """The rows whose `pattern` (when the table has that column) is not in `exclude_patterns`."""
    if "pattern" not in frame.columns or not exclude_patterns:
        return frame
    return frame[~frame["pattern"].isin(list(exclude_patterns))]


def _morpheme_vectorizer(vocabulary: dict[str, int] | None = None) -> CountVectorizer:
    """Counts of pre-analysed morpheme lists (the analyzer is the identity)."""
    return CountVectorizer(analyzer=_identity, vocabulary=vocabulary, min_df=1 if vocabulary else MIN_DF)


def _char_vectorizer(vocabulary: dict[str, int] | None = None) -> CountVectorizer:
    """Counts of character n-grams within words (lowercased)."""
    return CountVectorizer(
        analyzer="char_wb", ngram_range=CHAR_NGRAMS, vocabulary=vocabulary, min_df=1 if vocabulary else MIN_DF
    )


def _identity(units: list[str]) -> list[str]:
    return units


def _idf(counts: sparse.csr_matrix) -> np.ndarray:
    """Smoothed idf, as scikit-learn's TfidfTransformer computes it."""
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1.0


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf x idf, each row scaled to unit length."""
    weighted = counts.astype(np.float64).tocsr()
    weighted.data = 1.0 + np.log(weighted.data)
    return normalize(weighted @ sparse.diags(idf), norm="l2", copy=False).tocsr()


@dataclass
class QuestionClassifier:
    """A trained question-type classifier (two vocabularies, their idf, a linear model)."""

    types: list[str]
    morpheme_vocabulary: dict[str, int]
    char_vocabulary: dict[str, int]
    morpheme_idf: np.ndarray
    char_idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    tokenizer: KoreanTokenizer

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF features of the questions (morpheme block, then character block)."""
        morphemes = _morpheme_vectorizer(self.morpheme_vocabulary).transform(question_morphemes(texts, self.tokenizer))
        chars = _char_vectorizer(self.char_vocabulary).transform(list(texts))
        return sparse.hstack([_tfidf(morphemes, self.morpheme_idf), _tfidf(chars, self.char_idf)]).tocsr()

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Decision scores, one column per type in `types` order."""
        return np.asarray(self.features(texts) @ self.coef.T) + self.intercept

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most likely type of each question."""
        if not texts:
            return []
        return [self.types[i] for i in np.argmax(self.scores(texts), axis=1)]

    def save(self, folder: str | Path) -> Path:
        """Write `weights.npz` then `classifier.json` (which records the weights' sha256) into `folder`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        weights = _npz_bytes(
            morpheme_idf=self.morpheme_idf, char_idf=self.char_idf, coef=self.coef, intercept=self.intercept
        )
        atomic_write_bytes(folder / WEIGHTS_FILE, weights)
        manifest = {
            "format_version": FORMAT_VERSION,
            "kind": "question-type classifier: class-weighted linear SVM over Kiwi morpheme and char TF-IDF",
            "types": self.types,
            "char_ngrams": list(CHAR_NGRAMS),
            "tail_morphemes": TAIL_MORPHEMES,
            "weights_sha256": hashlib.sha256(weights).hexdigest(),
            "morpheme_vocabulary": self.morpheme_vocabulary,
            "char_vocabulary": self.char_vocabulary,
        }
        atomic_write_json(folder / MODEL_FILE, manifest)
        return folder

    @classmethod
    def load(cls, folder: str | Path, tokenizer: KoreanTokenizer) -> QuestionClassifier:
        """Read a saved classifier; a missing file, another format or a changed weights file is an InputDataError."""
        folder = Path(folder)
        manifest = _read_manifest(folder)
        weights_path = folder / WEIGHTS_FILE
        data = weights_path.read_bytes()
        if hashlib.sha256(data).hexdigest() != manifest["weights_sha256"]:
            raise InputDataError(f"{weights_path}: checksum does not match {MODEL_FILE}; the classifier was altered")
        with np.load(weights_path, allow_pickle=False) as arrays:
            return cls(
                types=list(manifest["types"]),
                morpheme_vocabulary=manifest["morpheme_vocabulary"],
                char_vocabulary=manifest["char_vocabulary"],
                morpheme_idf=arrays["morpheme_idf"],
                char_idf=arrays["char_idf"],
                coef=arrays["coef"],
                intercept=arrays["intercept"],
                tokenizer=tokenizer,
            )


def _npz_bytes(**arrays: np.ndarray) -> bytes:
    """The arrays as one uncompressed .npz file's bytes."""
    import io

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _read_manifest(folder: Path) -> dict[str, Any]:
    """`classifier.json` of a saved classifier, checked for the expected format."""
    path = folder / MODEL_FILE
    if not path.is_file():
        raise InputDataError(f"{folder}: no {MODEL_FILE} (not a saved question classifier)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputDataError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise InputDataError(f"{path}: not a question classifier of format version {FORMAT_VERSION}")
    return manifest


def make_estimator(seed: int = 0) -> LinearSVC:
    """The shipped model: a class-weighted one-vs-rest linear SVM (C = REGULARISATION_C)."""
    return LinearSVC(C=REGULARISATION_C, class_weight=CLASS_WEIGHT, max_iter=10000, random_state=seed)


def train_question_classifier(
    questions: Sequence[str],
    types: Sequence[str],
    tokenizer: KoreanTokenizer,
    seed: int = 0,
    estimator: Callable[[int], Any] = make_estimator,
) -> QuestionClassifier:
    """Fit the vocabularies, idf and a linear model (`estimator(seed)`, one with `coef_`, `intercept_`
    and `classes_` once fitted) on labelled questions."""
    _check_training_data(questions, types)
    morpheme_counter = _morpheme_vectorizer()
    char_counter = _char_vectorizer()
    morpheme_counts = morpheme_counter.fit_transform(question_morphemes(questions, tokenizer))
    char_counts = char_counter.fit_transform(list(questions))
    morpheme_idf, char_idf = _idf(morpheme_counts), _idf(char_counts)
    features = sparse.hstack([_tfidf(morpheme_counts, morpheme_idf), _tfidf(char_counts, char_idf)]).tocsr()
    model = estimator(seed).fit(features, list(types))
    coef, intercept = _class_weights(model)
    return QuestionClassifier(
        types=[str(t) for t in model.classes_],
        morpheme_vocabulary={k: int(v) for k, v in morpheme_counter.vocabulary_.items()},
        char_vocabulary={k: int(v) for k, v in char_counter.vocabulary_.items()},
        morpheme_idf=morpheme_idf,
        char_idf=char_idf,
        coef=coef,
        intercept=intercept,
        tokenizer=tokenizer,
    )


def _class_weights(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """(coefficients, intercepts) with one row/entry per class: a two-class model stores one row for
    the second class, expanded here to -w/2 and w/2 so that the argmax over classes is unchanged."""
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
    if coef.shape[0] == 1:
        return np.vstack([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2
    return coef, intercept


def _check_training_data(questions: Sequence[str], types: Sequence[str]) -> None:
    """At least two known types, as many labels as questions."""
    if len(questions) != len(types):
        raise InputDataError(f"{len(questions)} questions but {len(types)} types")
    unknown = sorted({t for t in types if t not in QUESTION_TYPES})
    if unknown:
        raise InputDataError(f"unknown question types {unknown}; expected {', '.join(QUESTION_TYPES)}")
    if len(set(types)) < 2:
        raise InputDataError("training needs questions of at least two types")


def document_split(frame: pd.DataFrame, test_share: float = 0.25, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) rows with every document's questions on one side only."""
    if frame["doc_id"].nunique() < 2:
        raise InputDataError("a document split needs questions from at least two documents")
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_share, random_state=seed)
    train_index, test_index = next(splitter.split(frame, groups=frame["doc_id"]))
    return frame.iloc[train_index], frame.iloc[test_index]


def classification_report(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy and per-type precision, recall and support."""
    labels = [t for t in QUESTION_TYPES if t in set(truth) | set(predicted)]
    precision, recall, _, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0.0)
    per_type = {
        label: {"precision": round(float(p), 4), "recall": round(float(r), 4), "support": int(s)}
        for label, p, r, s in zip(labels, precision, recall, support)
    }
    accuracy = float(np.mean([a == b for a, b in zip(truth, predicted)])) if len(truth) else 0.0
    return {"accuracy": round(accuracy, 4), "questions": len(truth), "per_type": per_type}


def natural_questions(path: str | Path, part: str) -> list[tuple[str, str]]:
    """(question, type) pairs of one part ("dev" or "heldout") of a hand-written natural question file
    (`{"dev": {type: [question, ...]}, "heldout": {...}}`)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputDataError(f"{path}: not a readable question file ({error})") from error
    if not isinstance(data, dict) or part not in data or not isinstance(data[part], dict):
        raise InputDataError(f"{path}: no {part!r} part")
    pairs = [(question, qtype) for qtype, questions in data[part].items() for question in questions]
    unknown = sorted({t for _, t in pairs if t not in QUESTION_TYPES})
    if unknown:
        raise InputDataError(f"{path}: {part!r} has unknown question types {unknown}")
    return pairs


def evaluate_document_split(
    frame: pd.DataFrame,
    tokenizer: KoreanTokenizer,
    test_share: float = 0.25,
    seed: int = 0,
    exclude_patterns: Sequence[str] = EXCLUDED_PATTERNS,
    seed_questions: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Train on the questions of some documents, report accuracy and per-type precision/recall on the rest.

    `frame` needs the columns question, qtype and doc_id (as `kodistill questions` writes them); rows
    whose `pattern` is in `exclude_patterns` are left out of both sides. `seed_questions` ((question,
    type) pairs written by hand) are added to the training side only.
    """
    missing = {"question", "qtype", "doc_id"} - set(frame.columns)
    if missing:
        raise InputDataError(f"questions table lacks columns {sorted(missing)}")
    kept = labelled_questions(frame, exclude_patterns)
    train, test = document_split(kept, test_share, seed)
    questions = list(train["question"]) + [q for q, _ in seed_questions]
    types = list(train["qtype"]) + [t for _, t in seed_questions]
    classifier = train_question_classifier(questions, types, tokenizer, seed)
    report = classification_report(list(test["qtype"]), classifier.predict(list(test["question"])))
    stripped = [strip_type_cue(q) for q in test["question"]]
    report["cues_stripped"] = {
        "questions_with_a_cue": sum(a != b for a, b in zip(stripped, test["question"], strict=True)),
        **classification_report(list(test["qtype"]), classifier.predict(stripped)),
    }
    report.update(
        train_questions=len(train),
        seed_questions=len(seed_questions),
        train_documents=int(train["doc_id"].nunique()),
        test_documents=int(test["doc_id"].nunique()),
        test_share=test_share,
        seed=seed,
        excluded_patterns=list(exclude_patterns),
        excluded_questions=len(frame) - len(kept),
    )
    return report
