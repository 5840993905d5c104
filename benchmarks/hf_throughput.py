"""Benchmark: generation throughput of the hf backend (`HFCausalLM`) by batch size and quantization.

CPU (default): the tiny Qwen2-architecture test model (hidden 64, 2 layers, byte-level BPE trained on
Korean sentences) generates a fixed number of new tokens for 32 teacher-style prompts at batch sizes
1, 8 and 32; reports generated tokens/s (median of --repeats). Writes benchmarks/results/hf_throughput.json.

  .venv/bin/python benchmarks/hf_throughput.py [--new-tokens 32] [--threads 1] [--repeats 3]

GPU (--gpu, needs CUDA + the `gpu` extra: bitsandbytes, accelerate): a randomly initialised model with
Qwen2.5-7B-Instruct's architecture (built from its configuration, nothing downloaded) is saved once in
bf16 and loaded through `HFCausalLM` as bf16, 8-bit and 4-bit; each answers --questions prompts of
--prompt-tokens tokens with exactly 256 new tokens (greedy) at --batch-size; reports questions/s,
tokens/s and peak GPU memory. Writes benchmarks/results/hf_throughput_gpu.json.

  python benchmarks/hf_throughput.py --gpu [--batch-size 16] [--questions 64] [--work-dir /scratch]

Random weights decode exactly as fast as trained ones (same shapes, fixed token count), so these are
throughput numbers, not quality numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402
from resources.llm.base import GenerationParams, build_teacher_messages  # noqa: E402
from resources.llm.hf import HFCausalLM  # noqa: E402
from tests.distillation.tiny_qwen import KOREAN_SENTENCES, build_tiny_qwen, build_tokenizer, tiny_qwen_config  # noqa: E402

CPU_RESULT = ROOT / "benchmarks/results/hf_throughput.json"
GPU_RESULT = ROOT / "benchmarks/results/hf_throughput_gpu.json"
CPU_BATCH_SIZES = (1, 8, 32)
GPU_MODES = ("bf16", "8bit", "4bit")

# Qwen2.5-7B-Instruct's architecture (config.json of the released model), without its weights.
QWEN25_7B_ARCHITECTURE: dict[str, Any] = {
    "vocab_size": 152064,
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "max_position_embeddings": 32768,
    "rope_theta": 1000000.0,
    "rms_norm_eps": 1e-06,
    "hidden_act": "silu",
    "tie_word_embeddings": False,
    "use_sliding_window": False,
    "initializer_range": 0.02,
}


def teacher_prompts(backend: HFCausalLM, count: int) -> list[str]:
    """`count` teacher prompts (question + three contexts) of varying length, chat-formatted."""
    prompts = []
    for i in range(count):
        contexts = [(f"doc#{j}", KOREAN_SENTENCES[(i + j) % len(KOREAN_SENTENCES)]) for j in range(1 + i % 3)]
        question = KOREAN_SENTENCES[(3 * i) % len(KOREAN_SENTENCES)].rstrip(".") + "?"
        prompts.append(backend.format_chat(build_teacher_messages(question, contexts)))
    return prompts


def fixed_length(new_tokens: int, banned: tuple[int, ...] = ()) -> GenerationParams:
    """Greedy decoding of exactly `new_tokens` tokens (end token suppressed until then)."""
    return GenerationParams(max_new_tokens=new_tokens, min_new_tokens=new_tokens, banned_token_ids=banned, seed=0)


def time_generation(
    backend: HFCausalLM, prompts: list[str], params: GenerationParams, repeats: int
) -> tuple[float, int]:
    """Median seconds over `repeats` runs (after one warm-up batch) and tokens generated per run."""
    backend.generate_token_ids(prompts[: backend.batch_size], params)
    seconds, tokens = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        ids = backend.generate_token_ids(prompts, params)
        seconds.append(time.perf_counter() - started)
        tokens = sum(len(row) for row in ids)
    return statistics.median(seconds), tokens


def run_cpu(args: argparse.Namespace) -> dict[str, Any]:
    """Tokens/s of the tiny model at batch sizes 1, 8 and 32 on CPU."""
    import torch

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_tiny_qwen(Path(tmp) / "tiny")
        rows = []
        for batch_size in CPU_BATCH_SIZES:
            backend = HFCausalLM(model_dir, batch_size=batch_size, device="cpu")
            prompts = teacher_prompts(backend, args.prompts)
            params = fixed_length(args.new_tokens, (backend.tokenizer.pad_token_id,))
            seconds, tokens = time_generation(backend, prompts, params, args.repeats)
            rows.append(
                {
                    "batch_size": batch_size,
                    "prompts": len(prompts),
                    "new_tokens_each": args.new_tokens,
                    "generated_tokens": tokens,
                    "seconds": round(seconds, 4),
                    "tokens_per_s": round(tokens / seconds, 1),
                    "prompts_per_s": round(len(prompts) / seconds, 2),
                }
            )
            print(json.dumps(rows[-1]), file=sys.stderr)
    return {
        "benchmark": "hf backend throughput, tiny Qwen2 (hidden 64, 2 layers) on CPU",
        "threads": args.threads,
        "torch": torch.__version__,
        "results": rows,
    }


def build_random_qwen25_7b(directory: Path) -> Path:
    """Save a randomly initialised bf16 model with Qwen2.5-7B-Instruct's architecture (built on the GPU)."""
    import torch
    from transformers import Qwen2ForCausalLM

    tokenizer = build_tokenizer()
    config = tiny_qwen_config(
        **{**QWEN25_7B_ARCHITECTURE, "eos_id": tokenizer.eos_token_id, "pad_id": tokenizer.pad_token_id}
    )
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device("cuda"):
            model = Qwen2ForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    tokenizer.save_pretrained(directory)
    model.save_pretrained(directory)
    del model
    gc.collect()
    torch.cuda.empty_cache()
    return directory


def gpu_prompts(backend: HFCausalLM, count: int, prompt_tokens: int) -> list[str]:
    """Prompts of exactly `prompt_tokens` tokens (a teacher prompt repeated, then cut by token ids)."""
    tokenizer = backend.tokenizer
    base = teacher_prompts(backend, count)
    prompts = []
    for text in base:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        ids = (ids * (prompt_tokens // len(ids) + 1))[:prompt_tokens]
        prompts.append(tokenizer.decode(ids))
    return prompts


def run_gpu_mode(model_dir: Path, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    """Questions/s, tokens/s and peak memory for one precision mode."""
    import torch

    torch.cuda.reset_peak_memory_stats()
    quantization = None if mode == "bf16" else mode
    started = time.perf_counter()
    backend = HFCausalLM(model_dir, batch_size=args.batch_size, quantization=quantization, device="cuda")
    backend.generate_token_ids(["반품"], fixed_length(1))
    load_s = time.perf_counter() - started
    prompts = gpu_prompts(backend, args.questions, args.prompt_tokens)
    seconds, tokens = time_generation(
        backend, prompts, fixed_length(256, (backend.tokenizer.pad_token_id,)), args.repeats
    )
    row = {
        "mode": mode,
        "batch_size": args.batch_size,
        "questions": len(prompts),
        "prompt_tokens": args.prompt_tokens,
        "new_tokens_each": 256,
        "load_s": round(load_s, 1),
        "seconds": round(seconds, 2),
        "questions_per_s": round(len(prompts) / seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
        "peak_gpu_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
    }
    del backend
    gc.collect()
    torch.cuda.empty_cache()
    return row


def run_gpu(args: argparse.Namespace) -> dict[str, Any]:
    """bf16 vs 8-bit vs 4-bit on a random Qwen2.5-7B-architecture model."""
    import torch

    if not torch.cuda.is_available():
        raise SystemExit("--gpu needs a CUDA device")
    with tempfile.TemporaryDirectory(dir=args.work_dir) as tmp:
        model_dir = build_random_qwen25_7b(Path(tmp) / "qwen25-7b-random")
        rows = []
        for mode in GPU_MODES:
            rows.append(run_gpu_mode(model_dir, mode, args))
            print(json.dumps(rows[-1]), file=sys.stderr)
    return {
        "benchmark": "hf backend, random Qwen2.5-7B-Instruct architecture, bf16 vs 8-bit vs 4-bit",
        "gpu": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "results": rows,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu", action="store_true", help="the Qwen2.5-7B-architecture bf16/8-bit/4-bit comparison")
    parser.add_argument("--new-tokens", type=int, default=32, help="CPU: new tokens per prompt (default 32)")
    parser.add_argument("--prompts", type=int, default=32, help="CPU: prompts per measurement (default 32)")
    parser.add_argument("--threads", type=int, default=1, help="CPU: torch threads (default 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per setting; the median is reported")
    parser.add_argument("--batch-size", type=int, default=16, help="GPU: batch size (default 16)")
    parser.add_argument("--questions", type=int, default=64, help="GPU: prompts per measurement (default 64)")
    parser.add_argument("--prompt-tokens", type=int, default=768, help="GPU: tokens per prompt (default 768)")
    parser.add_argument("--work-dir", type=Path, default=None, help="GPU: where the ~15 GB random model is saved")
    parser.add_argument("--out", type=Path, default=None)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    report = run_gpu(args) if args.gpu else run_cpu(args)
    report["command"] = " ".join(["benchmarks/hf_throughput.py", *sys.argv[1:]])
    report["machine"] = f"{platform.machine()}, Python {platform.python_version()}"
    atomic_write_json(args.out or (GPU_RESULT if args.gpu else CPU_RESULT), report)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
