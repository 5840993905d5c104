"""The hf backend end to end on a tiny Qwen2 model built in the session fixture (CPU, no download)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from resources.errors import InputDataError
from resources.llm.base import (
    BackendUnavailableError,
    GenerationParams,
    GenerationRequest,
    build_teacher_messages,
)
from resources.llm.factory import backend_from_spec
from resources.llm.hf import HFCausalLM, check_model_dir
from resources.llm.json_output import generate_json

PROMPT_TEXTS = [
    "반품",
    "판매자는 신청 다음 영업일부터 2영업일 이내에 승인하거나 거절해야 합니다. 기한은 언제인가요?",
    "비밀번호를 5회 연속 틀리면 어떻게 되나요?",
    "환불은 검수가 끝난 뒤 3영업일 이내에 결제수단으로 돌아갑니다. 구매 확정이란 무엇인가요? 배송비는 누가 내나요?",
    "결제",
]
GREEDY = GenerationParams(max_new_tokens=10)


@pytest.fixture(scope="module")
def backend(tiny_model_dir: Path) -> HFCausalLM:
    return HFCausalLM(tiny_model_dir, batch_size=4)


def _prompts(backend: HFCausalLM) -> list[str]:
    return [backend.format_chat([{"role": "user", "content": text}]) for text in PROMPT_TEXTS]


def test_chat_template_is_applied(backend):
    prompt = backend.format_chat([{"role": "system", "content": "규칙"}, {"role": "user", "content": "반품"}])
    assert prompt == "<|im_start|>system\n규칙<|im_end|>\n<|im_start|>user\n반품<|im_end|>\n<|im_start|>assistant\n"


def test_left_padded_batches_match_unbatched_greedy_decoding(backend, tiny_model_dir):
    prompts = _prompts(backend)
    lengths = {len(backend.tokenizer(p)["input_ids"]) for p in prompts}
    assert len(lengths) >= 4  # really different prompt lengths, so padding matters
    batched = backend.generate_token_ids(prompts, GREEDY)
    single = HFCausalLM(tiny_model_dir, batch_size=1).generate_token_ids(prompts, GREEDY)
    assert batched == single
    assert all(0 < len(ids) <= GREEDY.max_new_tokens for ids in batched)


def test_only_new_tokens_are_decoded(backend):
    import torch

    prompt = _prompts(backend)[1]
    [text] = backend.generate_prompts([prompt], GREEDY)
    encoded = backend.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    with torch.inference_mode():
        full = backend._model.generate(
            **encoded, max_new_tokens=10, do_sample=False, pad_token_id=backend.tokenizer.pad_token_id
        )
    new_only = backend.tokenizer.decode(full[0, encoded["input_ids"].shape[1] :], skip_special_tokens=True)
    assert text == new_only
    assert "판매자는 신청" not in text and "<|im_start|>" not in text


def test_banned_token_ids_are_never_generated(backend):
    prompts = _prompts(backend)
    first = backend.generate_token_ids(prompts, GREEDY)
    banned = tuple(sorted({token for ids in first for token in ids}))
    second = backend.generate_token_ids(prompts, GenerationParams(max_new_tokens=10, banned_token_ids=banned))
    assert not {token for ids in second for token in ids} & set(banned)
    sampled = backend.generate_token_ids(
        prompts,
        GenerationParams(
            max_new_tokens=10, do_sample=True, temperature=0.9, top_p=0.9, top_k=50, banned_token_ids=banned, seed=3
        ),
    )
    assert not {token for ids in sampled for token in ids} & set(banned)


def test_sampling_is_reproducible_for_a_seed(backend):
    params = GenerationParams(max_new_tokens=8, do_sample=True, temperature=0.8, top_p=0.95, seed=11)
    prompts = _prompts(backend)[:2]
    assert backend.generate_prompts(prompts, params) == backend.generate_prompts(prompts, params)


def test_json_mode_garbage_from_the_tiny_model_takes_the_fallback_path(backend):
    requests = [
        GenerationRequest(
            ({"role": "user", "content": f"카테고리 {name}의 요약을 JSON으로 답하세요."},), request_id=name
        )
        for name in ("노트북", "모니터")
    ]
    results = generate_json(
        backend,
        requests,
        GREEDY,
        check=lambda obj: isinstance(obj.get("summaryBullets"), list),
        retries=1,
        fallback=lambda r: {"category": r.request_id, "summaryBullets": [], "generatedBy": "template"},
    )
    assert [r.source for r in results] == ["fallback", "fallback"]
    assert [r.value["category"] for r in results] == ["노트북", "모니터"]
    assert all(r.attempts == 2 and r.raw for r in results)


def test_teacher_requests_and_plain_format_without_template(tiny_model_dir):
    backend = HFCausalLM(tiny_model_dir, batch_size=2)
    request = GenerationRequest.for_question("환불은 언제 되나요?", [("r#1", "환불은 3영업일 이내에 된다.")])
    [text] = backend.generate([request], GREEDY)
    assert isinstance(text, str)
    backend.tokenizer.chat_template = None
    prompt = backend.format_chat(
        build_teacher_messages("환불은 언제 되나요?", [("r#1", "환불은 3영업일 이내에 된다.")])
    )
    assert prompt.startswith("### 시스템:") and prompt.endswith("### 도우미:\n")


def test_quantization_on_cpu_is_a_clear_error_or_the_fallback(tiny_model_dir):
    with pytest.raises(BackendUnavailableError, match="needs a CUDA GPU"):
        HFCausalLM(tiny_model_dir, quantization="8bit")
    backend = HFCausalLM(tiny_model_dir, quantization="4bit", fallback="extractive")
    assert backend.using_fallback and backend.name == "extractive" and "CUDA" in backend.fallback_reason
    request = GenerationRequest.for_question("환불은 언제 되나요?", [("r#1", "환불은 3영업일 이내에 된다.")])
    assert backend.generate([request]) == ["환불은 3영업일 이내에 된다.\n[출처: r#1]"]
    with pytest.raises(BackendUnavailableError, match="unknown quantization"):
        HFCausalLM(tiny_model_dir, quantization="3bit")


def test_missing_model_directory_or_files_are_named(tmp_path, tiny_model_dir):
    missing = tmp_path / "no-such-model"
    with pytest.raises(BackendUnavailableError, match=f"model directory not found: {missing}"):
        HFCausalLM(missing)
    with pytest.raises(InputDataError, match="no-such-model"):
        import argparse

        from orchestration.commands.answer import _backend  # the CLI turns it into an input error

        _backend(argparse.Namespace(teacher=f"hf:{missing}", quantization=None, fallback=None, batch_size=2), None)
    partial = tmp_path / "partial"
    shutil.copytree(tiny_model_dir, partial)
    (partial / "model.safetensors").unlink()
    with pytest.raises(BackendUnavailableError, match="missing model weights"):
        check_model_dir(partial)
    assert backend_from_spec(f"hf:{missing}", fallback="extractive").name == "extractive"


def test_corrupt_weights_fail_at_load_with_the_path(tmp_path, tiny_model_dir):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    backend = HFCausalLM(broken)  # lazy: nothing loaded yet
    with pytest.raises(BackendUnavailableError, match=f"cannot load model from {broken}"):
        backend.generate_prompts(["반품"], GREEDY)
    fallback = HFCausalLM(broken, fallback="extractive")
    assert fallback.generate([GenerationRequest.for_question("반품?", [])]) == ["제공된 문서에서 확인할 수 없습니다."]
    assert fallback.using_fallback


def test_llm_question_path_with_the_tiny_model_keeps_the_balance(backend, tokenizer):
    from assets.distillation.questions import QuestionConfig, generate_with_backend, type_counts
    from tests.distillation.test_questions import CHUNK, OTHER_CHUNKS

    chunks = [{"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}, *OTHER_CHUNKS]
    params = GenerationParams(max_new_tokens=12, top_p=0.9)
    questions = generate_with_backend(
        backend, chunks, QuestionConfig(per_chunk=3, per_type=2), params=params, tokenizer=tokenizer
    )
    assert type_counts(questions) == {t: 2 for t in ("정의", "프로세스", "규정", "예시", "비교", "적용")}
    assert all(q.question.endswith("?") for q in questions)  # garbage lines were replaced by templates
