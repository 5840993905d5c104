"""The builtin tiny base: tokenizer training (numbers kept whole, chat template), build and from_pretrained round trip."""

from __future__ import annotations

from pathlib import Path

from assets.distillation.sft_tasks import bullets_answer_start
from resources.student.builtin import build_builtin_model, train_tokenizer
from resources.student.encoding import completion_ids, encode_examples, prompt_ids
from resources.student.modelling import save_student
from tests.student.conftest import PRETRAIN_TEXTS, tiny_config


def test_tokenizer_keeps_a_number_the_same_tokens_wherever_it_stands_and_round_trips_korean() -> None:
    tokenizer = train_tokenizer(list(PRETRAIN_TEXTS) + ["상품 12345개, P25 16558원 +2.6%"] * 20, 400)

    def tokens(text: str) -> list[str]:
        return tokenizer.convert_ids_to_tokens(tokenizer(text, add_special_tokens=False)["input_ids"])

    number = tokens(" 16558")
    assert "".join(number) == "Ġ16558"
    for context in ("P25 16558원", "가격은 P25 16558원, P50", "(카테고리 16558원)"):
        found = tokens(context)
        assert any(found[i : i + len(number)] == number for i in range(len(found))), (context, found)
    signed = tokens("+2.6%")
    assert "".join(signed[:-1]) == "+2.6" and signed[-1] == "%"  # sign, digits and decimals are one pre-token
    for text in ("반품은 7일 이내입니다.", "상품 12,345개와 4.64점"):
        assert tokenizer.decode(tokenizer(text, add_special_tokens=False)["input_ids"]) == text
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.pad_token == "<|endoftext|>"


def test_chat_template_marks_exactly_the_trained_target_tokens(examples: list) -> None:
    tokenizer = train_tokenizer(list(PRETRAIN_TEXTS), 400)
    example = examples[0]
    rendered = tokenizer.apply_chat_template(
        example["messages"], tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    masked = [t for t, m in zip(rendered["input_ids"], rendered["assistant_masks"]) if m]
    assert tokenizer.decode(masked) == example["messages"][-1]["content"] + "<|im_end|>"
    (encoded,), stats = encode_examples(tokenizer, [example], max_length=512)
    labelled = [label for label in encoded.labels if label != -100]
    assert labelled == completion_ids(tokenizer, example["messages"][-1]["content"])
    assert encoded.input_ids[: encoded.prompt_length] == prompt_ids(tokenizer, example["messages"][:-1])
    assert stats.prompt_truncated == stats.target_truncated == 0


def test_a_prefilled_answer_start_is_tokenized_as_the_start_of_the_target() -> None:
    target = '{"category":"강아지사료","summaryBullets":["강아지사료 카테고리는 상품 194개"]}'
    tokenizer = train_tokenizer([*PRETRAIN_TEXTS, target] * 4, 400)
    prompt = [{"role": "user", "content": "카테고리 강아지사료, 상품 194개"}]
    start = bullets_answer_start("강아지사료")
    assert target.startswith(start) and start.endswith('["강아지사료')
    prefilled = prompt_ids(tokenizer, [*prompt, {"role": "assistant", "content": start}])
    plain = prompt_ids(tokenizer, prompt)
    assert prefilled[: len(plain)] == plain
    assert prefilled[len(plain) :] == completion_ids(tokenizer, target)[: len(prefilled) - len(plain)]


def test_long_examples_lose_prompt_start_and_are_counted(examples: list) -> None:
    tokenizer = train_tokenizer(list(PRETRAIN_TEXTS), 400)
    long = {**examples[0], "messages": [{"role": "user", "content": "긴 문맥 " * 200}, examples[0]["messages"][-1]]}
    (encoded,), stats = encode_examples(tokenizer, [long], max_length=64)
    assert len(encoded.input_ids) == 64 and stats.prompt_truncated == 1
    assert (
        encoded.labels[-len(completion_ids(tokenizer, long["messages"][-1]["content"])) :]
        == encoded.input_ids[-len(completion_ids(tokenizer, long["messages"][-1]["content"])) :]
    )


def test_build_save_and_from_pretrained_round_trip(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from resources.student.modelling import load_tokenizer

    tokenizer = train_tokenizer(list(PRETRAIN_TEXTS), 400)
    model = build_builtin_model(tokenizer, tiny_config()).eval()
    assert model.config.model_type == "qwen2" and model.config.vocab_size == len(tokenizer)
    directory = save_student(model, tokenizer, tmp_path / "student")
    files = {path.name for path in directory.iterdir()}
    assert "model.safetensors" in files and not any(name.endswith((".bin", ".pt", ".pkl")) for name in files)
    reloaded = AutoModelForCausalLM.from_pretrained(directory).eval()
    reloaded_tokenizer = load_tokenizer(directory)
    for text in PRETRAIN_TEXTS[:8]:  # same ids: AutoTokenizer would swap in Qwen2's pre-tokenizer (qwen2 config)
        assert reloaded_tokenizer(text)["input_ids"] == tokenizer(text)["input_ids"]
    ids = torch.tensor([reloaded_tokenizer("반품 기한은?", add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        assert torch.equal(model(ids).logits, reloaded(ids).logits)
    assert reloaded_tokenizer.chat_template == tokenizer.chat_template
    again = build_builtin_model(tokenizer, tiny_config())
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))
