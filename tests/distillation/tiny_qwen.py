"""A tiny Qwen2-architecture causal LM with a byte-level BPE tokenizer trained on Korean sentences.

Used by the hf backend tests (session fixture) and `benchmarks/hf_throughput.py`: it exercises the
real `AutoTokenizer`/`AutoModelForCausalLM` loading and generation code without any download.
Weights are random; `initializer_range` is large so greedy decoding has clear winners (no near ties
that padding noise could flip).
"""

from __future__ import annotations

from pathlib import Path

KOREAN_SENTENCES: tuple[str, ...] = (
    "반품은 상품을 받은 날부터 7일 이내에 신청할 수 있습니다.",
    "상품 하자나 오배송은 수령일부터 3개월 이내에 신청합니다.",
    "판매자는 신청 다음 영업일부터 2영업일 이내에 승인하거나 거절해야 합니다.",
    "기한 안에 처리하지 않으면 반품 요청은 자동으로 승인됩니다.",
    "단순 변심 반품의 배송비는 구매자가 부담합니다.",
    "무료배송 주문은 왕복 6,000원, 유료배송 주문은 편도 3,000원을 냅니다.",
    "신선식품은 단순 변심으로 반품할 수 없습니다.",
    "환불은 검수가 끝난 뒤 3영업일 이내에 결제수단으로 돌아갑니다.",
    "구매 확정이란 구매자가 상품을 받았음을 확인하는 것을 말합니다.",
    "1회 결제금액이 30만 원 이상이면 3D Secure 추가 인증이 필요합니다.",
    "카드번호는 저장하지 않고 토큰으로 바꾸어 토큰 볼트에 보관합니다.",
    "관리자 계정의 비밀번호는 12자 이상이어야 하며 90일마다 바꿉니다.",
    "비밀번호를 5회 연속 틀리면 계정이 30분 동안 잠깁니다.",
    "위험 점수가 80점 이상이면 결제가 자동으로 보류됩니다.",
    "60점부터 79점까지는 리스크관리팀이 4시간 이내에 직접 검토합니다.",
    "결제 API 키는 180일마다 교체하고 유출이 의심되면 즉시 폐기합니다.",
    "개인정보 유출을 알게 되면 72시간 이내에 신고하고 이용자에게 알립니다.",
    "탈퇴한 회원의 정보는 법령이 정한 기간이 지나면 파기합니다.",
    "상담 화면에서는 이름과 전화번호의 가운데 글자를 가려서 보여 줍니다.",
    "판매자는 결제 완료 후 영업일 2일 이내에 상품을 출고해야 합니다.",
    "출고가 늦으면 페널티 1점, 허위 정보를 올리면 5점이 부과됩니다.",
    "누적 점수가 10점 이상이면 7일 동안 판매가 정지됩니다.",
    "질문에 답할 때는 문서에 있는 내용만 사용하세요.",
    "답변은 한국어로 간결하게 작성하고 출처를 밝히세요.",
    '{"category": "노트북", "summaryBullets": ["가격대는 중간입니다."]}',
)

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

SPECIAL_TOKENS: tuple[str, ...] = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")


def build_tokenizer(vocab_size: int = 500):  # -> PreTrainedTokenizerFast
    """Byte-level BPE trained on the Korean sentences, with pad/eos tokens and a Qwen-style chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(list(KOREAN_SENTENCES) * 4, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|im_end|>", pad_token="<|endoftext|>", padding_side="left"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def tiny_qwen_config(vocab_size: int, eos_id: int, pad_id: int, **overrides):  # -> Qwen2Config
    """The tiny Qwen2 configuration (hidden 64, 2 layers, 4 heads, 2 KV heads, intermediate 128)."""
    from transformers import Qwen2Config

    settings = dict(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        initializer_range=0.5,
        tie_word_embeddings=False,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        bos_token_id=None,
    )
    settings.update(overrides)
    return Qwen2Config(**settings)


def build_tiny_qwen(directory: Path, seed: int = 0, vocab_size: int = 500) -> Path:
    """Save a randomly initialised tiny Qwen2 model and its tokenizer to `directory`; return it."""
    import torch
    from transformers import Qwen2ForCausalLM

    directory = Path(directory)
    tokenizer = build_tokenizer(vocab_size)
    config = tiny_qwen_config(len(tokenizer), tokenizer.eos_token_id, tokenizer.pad_token_id)
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    tokenizer.save_pretrained(directory)
    model.save_pretrained(directory)
    return directory
