"""The student's three supervised tasks as chat examples, and the leakage-free split (pure, no Dagster).

- QA (`qa_examples`): retrieved contexts (each "[n] " + chunk text) + "\\n질문: " + question → the teacher's answer.
- Bullets (`bullets_examples`, `generated_bullets_examples`): one category's metrics as a JSON list of facts
  in the bullets' order (`bullets_facts`: each value rendered the way the template writes it and preceded by
  the words its bullet writes before it, each categorical reading — 상승세, 고집중 시장 … — computed from the
  template's thresholds and stated after its number, so a tiny model copies, never computes, a value) → the
  template's `{"category", "summaryBullets"}` JSON; numbers are plain on both sides (`plain_numbers`;
  `grouped_numbers` restores the thousands separators in what the student writes). Generation is given
  `bullets_conversation`: the prompt and the answer's start up to the category name that opens the first
  bullet (`bullets_answer_start`): the category is input, the model writes everything after it.
  `bullets_copy_phrases` lists the names and readings a prompt states, for copying at decoding time.
  Extra catalogues come from the catalogue generator with other seeds, so thousands of categories exist,
  their names shuffled (`relabelled_metrics`); the shipped sample's seed is never one of them.
- Feedback (`feedback_examples_to_chat`): an approved feedback row's prompt → its target.

`split_examples` assigns whole groups (source document, generator seed, feedback id) to train /
validation / test by a seeded hash, per task, so no group straddles two splits; `split_problems`
verifies that and that no target is empty.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from assets.catalog.bullets import (
    READING_PHRASES,
    _missing,
    concentration_reading,
    format_count,
    format_percent,
    format_signed_percent,
    format_won,
    price_trend,
    render_template_bullets,
    satisfaction_reading,
    saturation_reading,
)
from resources.errors import InputDataError
from resources.student.chat import ChatExample, example_problems

QA_SYSTEM = "문서 근거로 답하세요."
BULLETS_SYSTEM = "지표 JSON으로 카테고리 요약 불릿 JSON을 쓰세요."
FEEDBACK_SYSTEMS: dict[str, str] = {"qa": QA_SYSTEM, "bullets": BULLETS_SYSTEM}
QA_CONTEXTS = 2
QA_CONTEXT_CHARS = 520
SHIPPED_CATALOGUE_SEED = 20260126
DEFAULT_BULLETS_SEEDS: tuple[int, ...] = tuple(range(1, 121))
MAX_CATALOGUE_WORKERS = 4
UNSEEN_BULLETS_SEEDS: tuple[int, ...] = tuple(range(900_001, 900_011))
SPLITS: tuple[str, ...] = ("train", "validation", "test")
FEEDBACK_COLUMNS: tuple[str, ...] = ("feedback_id", "task", "prompt", "target", "rating", "model_version", "created_at")


# ---------------------------------------------------------------- QA


def _context_ids(retrieved: Any) -> list[str]:
    entries = json.loads(retrieved) if isinstance(retrieved, str) else list(retrieved or [])
    ranked = sorted(entries, key=lambda entry: entry.get("rank", 0))
    return [str(entry["chunk_id"]) for entry in ranked]


def qa_user_content(contexts: Sequence[str], question: str, max_context_chars: int = QA_CONTEXT_CHARS) -> str:
    """The QA prompt: numbered contexts (each cut to `max_context_chars`) then the question."""
    lines = [f"[{number}] {text[:max_context_chars]}" for number, text in enumerate(contexts, start=1)]
    return "\n".join(lines) + "\n질문: " + question


def qa_examples(
    answers: Iterable[Mapping[str, Any]],
    chunk_texts: Mapping[str, str],
    contexts: int = QA_CONTEXTS,
    max_context_chars: int = QA_CONTEXT_CHARS,
    skipped: list[str] | None = None,
) -> list[ChatExample]:
    """One example per answered `teacher_answers` row (question_id, question, doc_id, answer, status, retrieved).

    The contexts are the row's top `contexts` retrieved chunks (texts from `chunk_texts`, chunk id → text).
    Rows not answered, with an empty answer or whose chunks are all unknown are not examples: each is
    appended to `skipped` as "question_id: reason" when a list is given."""
    examples: list[ChatExample] = []
    for row in answers:
        reason = _qa_skip_reason(row)
        texts = [chunk_texts[cid] for cid in _context_ids(row.get("retrieved")) if cid in chunk_texts][:contexts]
        if reason is None and not texts:
            reason = "none of its retrieved chunks is in the chunk table"
        if reason is not None:
            if skipped is not None:
                skipped.append(f"{row.get('question_id')}: {reason}")
            continue
        messages = [
            {"role": "system", "content": QA_SYSTEM},
            {"role": "user", "content": qa_user_content(texts, str(row["question"]), max_context_chars)},
            {"role": "assistant", "content": str(row["answer"]).strip()},
        ]
        examples.append(
            {"messages": messages, "task": "qa", "example_id": str(row["question_id"]), "group": str(row["doc_id"])}
        )
    return examples


def _qa_skip_reason(row: Mapping[str, Any]) -> str | None:
    if row.get("status", "answered") != "answered":
        return f"status {row.get('status')!r}"
    if not str(row.get("answer") or "").strip():
        return "empty answer"
    return None


# ---------------------------------------------------------------- bullets


def _maybe(value: Any, render: Any) -> Any:
    return None if _missing(value) else render(value)


def bullets_prompt_fields(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """The metrics a category's bullets state, rendered as the template renders them, in the bullets' order.

    Keys are the words that precede each number in the bullet, so copying is a look-up."""
    m = metrics
    segment = m.get("promising_segment") or {}
    fields: dict[str, Any] = {
        "카테고리": m["category"],
        "상품": format_count(m["product_count"]),
        "브랜드": format_count(m["brand_count"]),
        "누적 리뷰": format_count(m["total_reviews"]),
        "리뷰 없는 상품": format_percent(m["zero_review_share"]),
        "평점": _maybe(m["weighted_rating"], lambda value: f"{value:.2f}"),
        "1~2점 리뷰": _maybe(m["low_rating_share"], format_percent),
        "P25": format_won(m["price_p25"]),
        "P50": format_won(m["price_p50"]),
        "P75": format_won(m["price_p75"]),
        "가격 변화": _maybe(m["median_price_change_6m"], format_signed_percent),
        "상위 브랜드": [brand["name"] for brand in m["top_brands"]],
        "상위 브랜드 리뷰": _maybe(m["top3_brand_share"], format_percent),
        "HHI": _maybe(m["hhi"], format_count),
        "채널": [[channel["name"], format_percent(channel["share"])] for channel in m["top_channels"]],
        "키워드": [[keyword["name"], format_count(keyword["count"])] for keyword in m["top_keywords"][:3]],
        "세그먼트": _segment_fields(segment) if segment else None,
    }
    return fields


def _segment_fields(segment: Mapping[str, Any]) -> dict[str, Any]:
    fields = {
        "사양": f"{segment['key']}: {segment['value']}",
        "상품 비중": format_percent(segment["product_share"]),
        "리뷰 비중": format_percent(segment["review_share"]),
    }
    if "segment_unit_price_p50" in segment:
        fields.update(
            단위=segment["unit_basis"],
            단위가격=format_won(segment["segment_unit_price_p50"]),
            카테고리=format_won(segment["category_unit_price_p50"]),
        )
    return fields


def compact_json(value: Any) -> str:
    """JSON without spaces after separators and with Korean kept as is (fewer tokens)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_THOUSANDS_SEPARATOR = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_LONG_INTEGER = re.compile(r"(?<![\d.])(?<!\d,)\d{4,}(?!\d|[.,]\d)")
_QUOTED = re.compile(r"'[^']*'")


def plain_numbers(text: str) -> str:
    """`text` with thousands separators removed ("8,504건" → "8504건"): the student reads and writes numbers
    plain, so a number is the same tokens wherever it stands."""
    return _THOUSANDS_SEPARATOR.sub("", text)


def grouped_numbers(text: str) -> str:
    """The inverse of `plain_numbers` for the student's bullets: integers of four or more digits get thousands
    separators, as the template writes them; quoted spec values ('타입: 10000Pa') are left as they are."""
    pieces, last = [], 0
    for quoted in _QUOTED.finditer(text):
        pieces += [_LONG_INTEGER.sub(lambda m: f"{int(m.group()):,}", text[last : quoted.start()]), quoted.group()]
        last = quoted.end()
    pieces.append(_LONG_INTEGER.sub(lambda m: f"{int(m.group()):,}", text[last:]))
    return "".join(pieces)


def bullets_facts(metrics: Mapping[str, Any]) -> list[str]:
    """The category's metrics as facts in the bullets' order, each value preceded by the words its bullet
    writes before it ("상품 194개", "P25 23288원", "집중도 지수(HHI) 2177"), numbers plain; each categorical reading
    (`READING_PHRASES`, from the template's thresholds) follows its number as in the bullet ("+3.7%로 상승세")."""
    m, f = metrics, bullets_prompt_fields(metrics)
    facts = [f"카테고리 {f['카테고리']}", f"상품 {f['상품']}개", f"브랜드 {f['브랜드']}개"]
    facts.append(f"누적 리뷰 {f['누적 리뷰']}건")
    facts.append(f"리뷰가 1건도 없는 상품이 {f['리뷰 없는 상품']}%로, {saturation_reading(m['zero_review_share'])}")
    if f["평점"] is not None:
        facts.append(f"평점은 {f['평점']}점")
    if f["1~2점 리뷰"] is not None:
        facts.append(f"1~2점 리뷰 비중은 {f['1~2점 리뷰']}%로, {satisfaction_reading(m['low_rating_share'])}")
    facts.append("가격은 " + ", ".join(f"{name} {f[name]}원" for name in ("P25", "P50", "P75")))
    if f["가격 변화"] is not None:
        trend = price_trend(m["median_price_change_6m"])
        facts.append(f"최근 6개월 가격 변화 중앙값 {f['가격 변화']}%로 {trend}")
    if f["상위 브랜드"]:
        facts.append(f"상위 {len(f['상위 브랜드'])}개 브랜드({'·'.join(f['상위 브랜드'])})")
    if f["상위 브랜드 리뷰"]:
        facts.append(f"리뷰의 {f['상위 브랜드 리뷰']}%")
    if f["HHI"]:
        facts.append(f"집중도 지수(HHI) {f['HHI']} 기준 {concentration_reading(m['hhi'])}")
    if f["채널"]:
        facts.append("채널은 " + ", ".join(f"{name} {share}%" for name, share in f["채널"]))
    if f["키워드"]:
        facts.append("키워드는 " + ", ".join(f"'{name}'({count}건)" for name, count in f["키워드"]))
    return [plain_numbers(fact) for fact in facts] + _segment_facts(f["세그먼트"])


def _segment_facts(segment: Mapping[str, Any] | None) -> list[str]:
    if not segment:
        return []
    facts = [f"'{segment['사양']}' 제품군 상품 비중 {segment['상품 비중']}% 리뷰 비중 {segment['리뷰 비중']}%"]
    if "단위" in segment:
        unit_price = f"{segment['단위']}당 {segment['단위가격']}원(카테고리 {segment['카테고리']}원)"
        facts.append(plain_numbers(f"단위가격 중앙값은 {unit_price}"))
    return facts


def bullets_user_content(metrics: Mapping[str, Any]) -> str:
    """The bullets prompt: the category's facts (`bullets_facts`) as a compact JSON list of strings, so a
    fact that opens a bullet follows the same characters (`","`) as that bullet does in the answer."""
    return compact_json(bullets_facts(metrics))


_CHANNEL = re.compile(r"(?:(?<=채널은 )|(?<=%, ))([^,\"]+?) \d+(?:\.\d+)?%")
_BRANDS = re.compile(r"브랜드\(([^)\"]*)\)")
_KEYWORD = re.compile(r"'([^'\"]+)'\(\d+건\)")
_SPEC = re.compile(r"'([^'\"]+)' 제품군")
_UNIT = re.compile(r"중앙값은 ([^\s\"]+당) ")


def bullets_copy_phrases(conversation: Sequence[Mapping[str, str]]) -> list[str]:
    """The names and readings a bullets prompt (`bullets_user_content`, the conversation's user message)
    states, which decoding copies verbatim (`resources/student/prompt_copy.py`): channel, brand and keyword
    names, the segment's spec ("용량: 500ml"), its unit basis ("100ml당"), and the readings."""
    prompt = next((m["content"] for m in conversation if m["role"] == "user"), "")
    phrases = [match.group(1) for pattern in (_CHANNEL, _KEYWORD, _SPEC, _UNIT) for match in pattern.finditer(prompt)]
    phrases += [name for match in _BRANDS.finditer(prompt) for name in match.group(1).split("·") if name]
    phrases += [reading for reading in READING_PHRASES if reading in prompt]
    return list(dict.fromkeys(phrases))


def bullets_target(metrics: Mapping[str, Any]) -> str:
    """The template's bullets as the JSON object the student writes: {"category", "summaryBullets"}, numbers
    plain (`grouped_numbers` restores the separators in what the student writes)."""
    payload = render_template_bullets(dict(metrics))
    bullets = [plain_numbers(bullet) for bullet in payload["summaryBullets"]]
    return compact_json({"category": payload["category"], "summaryBullets": bullets})


def bullets_prompt(metrics: Mapping[str, Any]) -> list[dict[str, str]]:
    """The bullets prompt messages (system + user), as training examples have them."""
    return [{"role": "system", "content": BULLETS_SYSTEM}, {"role": "user", "content": bullets_user_content(metrics)}]


def bullets_answer_start(category: str) -> str:
    """The start every bullets target has: the JSON up to the first bullet, which opens with the category's
    name (`{"category":"<name>","summaryBullets":["<name>`; the market-size bullet comes first)."""
    name = compact_json(str(category))
    return '{"category":' + name + ',"summaryBullets":[' + name[:-1]


def bullets_conversation(metrics: Mapping[str, Any]) -> list[dict[str, str]]:
    """What generation is given: the bullets prompt and, as the assistant's prefilled start, the JSON up to
    the first bullet's opening name (`bullets_answer_start`): the category is input, so the model writes
    everything after it (every number and reading)."""
    start = {"role": "assistant", "content": bullets_answer_start(metrics["category"])}
    return [*bullets_prompt(metrics), start]


def bullets_examples(records: Iterable[Mapping[str, Any]], source: str) -> list[ChatExample]:
    """One example per category metrics record (`metrics_records` output); `source` names the catalogue
    (e.g. "seed-17") and is the split group, `example_id` is "<source>:<category>"."""
    examples: list[ChatExample] = []
    for record in records:
        messages = [*bullets_prompt(record), {"role": "assistant", "content": bullets_target(record)}]
        example_id = f"{source}:{record['category']}"
        examples.append({"messages": messages, "task": "bullets", "example_id": example_id, "group": source})
    return examples


def catalogue_size(seed: int) -> int:
    """Products in the generated catalogue of `seed`: varies with the seed (200–3,000) so that counts vary."""
    return 200 + (seed * 7_919) % 2_801


def generated_metrics(seed: int, n_products: int | None = None) -> list[dict[str, Any]]:
    """Category metrics records of the catalogue the generator makes with `seed`."""
    from assets.catalog.generator import generate_products
    from assets.catalog.metrics import compute_category_metrics, metrics_records
    from assets.catalog.reading import validate_products

    raw = generate_products(n_products=n_products or catalogue_size(seed), seed=seed)
    products, _, _, pairs = validate_products(raw)
    return metrics_records(compute_category_metrics(products, parsed_pairs=pairs))


def relabelled_metrics(seed: int) -> list[dict[str, Any]]:
    """`generated_metrics(seed)` with the category names shuffled among the records (seeded by `seed`).

    The generator gives every category its own brands, keywords and price range, so with the true names a
    small student learns to guess the name from the figures and writes another category's name for unseen
    figures; shuffled, the name can only be copied from the prompt. The template's bullets stay exact for
    the relabelled records (it writes whatever name the record has)."""
    records = generated_metrics(seed)
    names = [record["category"] for record in records]
    random.Random(seed).shuffle(names)
    return [{**record, "category": name} for record, name in zip(records, names, strict=True)]


def catalogue_workers() -> int:
    """Processes for generating catalogues: one per core, at most MAX_CATALOGUE_WORKERS."""
    return max(1, min(MAX_CATALOGUE_WORKERS, os.cpu_count() or 1))


def relabelled_metrics_of(seeds: Sequence[int], workers: int = 1) -> list[list[dict[str, Any]]]:
    """`relabelled_metrics` of every seed, in the seeds' order. With `workers` > 1 the catalogues are made in
    that many spawned processes (a fresh interpreter each, nothing forked from a process holding Kiwi or
    torch threads): 120 demo catalogues take ~0.2 s each in one process (docs/benchmarks.md)."""
    if workers <= 1 or len(seeds) < 2 * workers:
        return [relabelled_metrics(seed) for seed in seeds]
    chunk = max(1, len(seeds) // (4 * workers))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(relabelled_metrics, seeds, chunksize=chunk))


def generated_bullets_examples(seeds: Iterable[int] = DEFAULT_BULLETS_SEEDS) -> list[ChatExample]:
    """Bullets examples from one generated catalogue per seed (16 categories each, names shuffled:
    `relabelled_metrics`); group "seed-<n>"."""
    seeds = list(seeds)
    if SHIPPED_CATALOGUE_SEED in seeds:
        raise ValueError(f"seed {SHIPPED_CATALOGUE_SEED} made the shipped sample; it must stay unseen in training")
    return [example for seed in seeds for example in bullets_examples(relabelled_metrics(seed), f"seed-{seed}")]


# ---------------------------------------------------------------- feedback


def feedback_examples_to_chat(frame: Any) -> list[ChatExample]:
    """Approved feedback rows (a DataFrame with FEEDBACK_COLUMNS) → examples: prompt → target.

    A row whose task is "qa" or "bullets" gets that task's system prompt. A missing column, or a row
    with an empty prompt or target, raises `InputDataError` naming the column or the feedback id."""
    missing = [column for column in FEEDBACK_COLUMNS if column not in frame.columns]
    if missing:
        raise InputDataError(f"feedback examples: missing column(s) {', '.join(missing)}")
    examples: list[ChatExample] = []
    for row in frame.itertuples(index=False):
        for field in ("prompt", "target"):
            if not str(getattr(row, field) or "").strip():
                raise InputDataError(f"feedback examples: feedback_id {row.feedback_id}: empty {field}")
        messages = [{"role": "user", "content": str(row.prompt)}, {"role": "assistant", "content": str(row.target)}]
        system = FEEDBACK_SYSTEMS.get(str(row.task))
        if system is not None:
            messages.insert(0, {"role": "system", "content": system})
        feedback_id = str(row.feedback_id)
        examples.append({"messages": messages, "task": "feedback", "example_id": feedback_id, "group": feedback_id})
    return examples


# ---------------------------------------------------------------- splits


def _group_rank(group: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{group}".encode()).hexdigest()


def _split_sizes(groups: int, validation_share: float, test_share: float) -> tuple[int, int]:
    if groups < 3:
        return 0, 0
    test = max(1, round(groups * test_share)) if test_share > 0 else 0
    validation = max(1, round(groups * validation_share)) if validation_share > 0 else 0
    return validation, test


def assign_groups(
    groups: Iterable[str], validation_share: float = 0.1, test_share: float = 0.1, seed: int = 0
) -> dict[str, str]:
    """Group → split, deterministic for a seed: groups ordered by a seeded hash, the first ones to test,
    the next to validation, the rest to train (a task with fewer than three groups trains on all)."""
    ordered = sorted(set(groups), key=lambda group: _group_rank(group, seed))
    validation, test = _split_sizes(len(ordered), validation_share, test_share)
    assignment = {group: "test" for group in ordered[:test]}
    assignment.update({group: "validation" for group in ordered[test : test + validation]})
    assignment.update({group: "train" for group in ordered[test + validation :]})
    return assignment


def split_examples(
    examples: Sequence[ChatExample], validation_share: float = 0.1, test_share: float = 0.1, seed: int = 0
) -> dict[str, list[ChatExample]]:
    """Train / validation / test lists; each task's groups are split separately (`assign_groups`), an
    example without a group is its own group (its example id, else its position)."""
    splits: dict[str, list[ChatExample]] = {name: [] for name in SPLITS}
    by_task: dict[str, list[tuple[str, ChatExample]]] = {}
    for position, example in enumerate(examples):
        group = example.get("group") or example.get("example_id") or f"#{position}"
        by_task.setdefault(example["task"], []).append((group, example))
    for task in sorted(by_task):
        assignment = assign_groups((group for group, _ in by_task[task]), validation_share, test_share, seed)
        for group, example in by_task[task]:
            splits[assignment[group]].append(example)
    return splits


def split_problems(splits: Mapping[str, Sequence[ChatExample]]) -> list[str]:
    """Leakage (a task's group in two splits) and invalid examples (empty target, bad roles); empty = fine."""
    problems: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for split, examples in splits.items():
        for position, example in enumerate(examples):
            problems += [f"{split}[{position}] {example.get('example_id', '')}: {p}" for p in example_problems(example)]
            key = (example["task"], example.get("group") or example.get("example_id") or f"{split}#{position}")
            if seen.setdefault(key, split) != split:
                problems.append(f"{key[0]} group {key[1]!r} is in both {seen[key]} and {split}")
    return problems
