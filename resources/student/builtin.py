"""The builtin tiny student base (`builtin:tiny`): a byte-level BPE tokenizer trained on the project's own texts
and a small Qwen2-architecture causal LM built from a config (no download, ever).

The tokenizer keeps every number (sign, digits, decimals: " 23288", "+2.6") one pre-token that BPE splits into
digit chunks, so a number is the same tokens wherever it stands and copying it is a few look-ups of distinct
tokens (measured: with single-digit tokens the student copied no category name and 33% of the numbers, with
digit chunks and the copy curriculum 94% of the names, `benchmarks/student_copy_variants.py`); words split
as GPT-2's byte-level pattern does (a brand or category name is the same tokens in the prompt and in the
bullet) and
carries a ChatML chat template whose assistant turns are wrapped in `{% generation %}` markers (so
`return_assistant_tokens_mask` works). `<|im_end|>` ends a turn and is the EOS token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from resources.student.config import StudentTrainingConfig

PAD_TOKEN, TURN_START, TURN_END = "<|endoftext|>", "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS: tuple[str, ...] = (PAD_TOKEN, TURN_START, TURN_END)
MAX_POSITIONS = 2048
# GPT-2's pre-tokenizer pattern with numbers as one piece (optional space, sign, digits, decimals).
PRE_TOKEN_PATTERN = r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?[+-]?\d+(?:\.\d+)?| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{{ '<|im_start|>assistant\\n' }}{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{{ '\\n' }}"
    "{% else %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def train_tokenizer(texts: Iterable[str], vocab_size: int, pre_tokenizer: Any = None) -> Any:
    """A `PreTrainedTokenizerFast`: byte-level BPE of `vocab_size` trained on `texts`, numbers kept whole
    (`pre_tokenizer`, a `tokenizers` pre-tokenizer, replaces that split: benchmarks compare others)."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizer or pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRE_TOKEN_PATTERN), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        max_token_length=16,
        show_progress=False,
    )
    core.train_from_iterator(texts, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token=PAD_TOKEN, eos_token=TURN_END, bos_token=None, unk_token=None
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def builtin_model_config(tokenizer: Any, config: StudentTrainingConfig) -> Any:
    """The Qwen2 config of the builtin student for a trained tokenizer (tied embeddings, MLP 4x hidden)."""
    from transformers import Qwen2Config

    return Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        intermediate_size=config.hidden_size * 4,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        num_key_value_heads=config.num_heads,
        max_position_embeddings=MAX_POSITIONS,
        rope_theta=10_000.0,
        tie_word_embeddings=True,
        use_cache=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )


def build_builtin_model(tokenizer: Any, config: StudentTrainingConfig) -> Any:
    """A freshly initialised (seeded by `config.seed`) Qwen2ForCausalLM for `tokenizer`."""
    import torch
    from transformers import Qwen2ForCausalLM

    torch.manual_seed(config.seed)
    model = Qwen2ForCausalLM(builtin_model_config(tokenizer, config))
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model
