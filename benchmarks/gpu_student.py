"""Benchmark: LoRA SFT throughput and model-FLOPs utilisation, and QLoRA peak memory, of a Qwen2.5-1.5B-sized student.

Usage (on a CUDA machine; issue 10's GPU targets: ≥ 35% MFU in bf16, QLoRA peak memory reported):
  python benchmarks/gpu_student.py [--steps 20] [--warmup 3] [--batch-size 8] [--seq-len 1024]
         [--methods lora qlora] [--peak-tflops F] [--work-dir DIR] [--out FILE]
  python benchmarks/gpu_student.py --tiny        (a 2-layer model on the CPU: checks the script, not speed)

A randomly initialised model with Qwen2.5-1.5B-Instruct's architecture (hidden 1536, 28 layers, 12 query / 2
key-value heads, MLP 8960, vocabulary 151,936, tied embeddings: built from its configuration, nothing
downloaded) is saved once in bf16 and trained through the project's own code path: `student_model` (LoRA
r=16 / alpha=32 / dropout 0.1 on every projection through PEFT; QLoRA: the base in 4-bit NF4 through
bitsandbytes, gradient checkpointing on) and `step_loss` (bf16 autocast, `target_cross_entropy`), with AdamW
on the adapters. Batches are random token ids of `--seq-len`, every position labelled, so every token pays
for the LM head. Random weights train exactly as fast as trained ones (same shapes, same tokens).

Model FLOPs per token, PaLM's convention (appendix B) for frozen base weights: 2N forward + 2N for the input
gradients (no weight gradients for the frozen base) + 12·L·h·s for attention (forward and backward, causal
masking not discounted), N the parameters that multiply activations (the tied embedding counted once, as
the LM head). `mfu` divides by the GPU's dense bf16 peak (H100/H200: 989 TFLOP/s; `--peak-tflops`
otherwise); `mfu_6n` also reports the 6N convention of full fine-tuning, which counts weight gradients
LoRA does not compute. Writes benchmarks/results/gpu_student.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402
from resources.errors import InputDataError  # noqa: E402

RESULT = ROOT / "benchmarks/results/gpu_student.json"
QWEN25_15B = dict(
    hidden_size=1536,
    intermediate_size=8960,
    num_hidden_layers=28,
    num_attention_heads=12,
    num_key_value_heads=2,
    vocab_size=151936,
    max_position_embeddings=32768,
    rope_theta=1_000_000.0,
    rms_norm_eps=1e-6,
    tie_word_embeddings=True,
)
TINY = dict(QWEN25_15B, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, vocab_size=512, max_position_embeddings=512)  # fmt: skip
DENSE_BF16_TFLOPS = {"H200": 989.4, "H100": 989.4, "A100": 312.0, "L40S": 362.0, "A10": 125.0}
PAD_ID = 0
ARCHITECTURE_FILE = "kodistill_architecture.json"  # what the saved random model was built from


def save_random_model(architecture: dict[str, Any], directory: Path) -> Path:
    """A randomly initialised Qwen2 causal LM of `architecture`, saved in bf16 as safetensors (kept when a
    model of the same configuration is already saved there). Built directly in bf16 on the GPU when there is
    one, as `hf_throughput.py --gpu` does: initialising 1.5 B parameters in fp32 on the CPU would spend the
    device run's minutes."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    recorded = directory / ARCHITECTURE_FILE
    if recorded.is_file() and json.loads(recorded.read_text(encoding="utf-8")) == architecture:
        return directory
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
            model = Qwen2ForCausalLM(Qwen2Config(**architecture))
    finally:
        torch.set_default_dtype(previous)
    model.save_pretrained(directory, safe_serialization=True)
    del model
    atomic_write_json(directory / ARCHITECTURE_FILE, architecture)
    return directory


def peak_tflops(device: str, override: float | None) -> float | None:
    """The dense bf16 peak of the GPU in TFLOP/s: `override`, else by the device's name, else None."""
    import torch

    if override:
        return override
    if device != "cuda":
        return None
    name = torch.cuda.get_device_name(0)
    return next((peak for key, peak in DENSE_BF16_TFLOPS.items() if key in name), None)


def matmul_parameters(architecture: dict[str, Any]) -> int:
    """Parameters that multiply activations in a model of `architecture`: every weight matrix, the tied
    embedding once (as the LM head); not the norms, not LoRA adapters (< 1% of the FLOPs at r=16). Counted on
    the meta device, so quantized storage does not change it."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    with torch.device("meta"):
        model = Qwen2ForCausalLM(Qwen2Config(**architecture))
    unique = {id(parameter): parameter for parameter in model.parameters() if parameter.ndim >= 2}
    return sum(parameter.numel() for parameter in unique.values())


def flops_per_token(parameters: int, layers: int, hidden: int, seq_len: int) -> dict[str, float]:
    """Model FLOPs per trained token: frozen base (4N) and full fine-tuning (6N) conventions, attention included."""
    attention = 12 * layers * hidden * seq_len
    return {"frozen_base": 4 * parameters + attention, "six_n": 6 * parameters + attention}


def _batch(batch_size: int, seq_len: int, vocab: int, step: int) -> list[Any]:
    import torch

    from resources.student.encoding import EncodedExample

    generator = torch.Generator().manual_seed(step)
    rows = torch.randint(3, vocab, (batch_size, seq_len), generator=generator).tolist()
    return [EncodedExample(ids, list(ids), 0, "pretrain") for ids in rows]


def train_steps(run: Any, args: argparse.Namespace, vocab: int) -> dict[str, float]:
    """Warm-up then timed optimisation steps through `step_loss`; seconds, tokens/s, last loss."""
    import torch

    from resources.student.training import step_loss

    trainable = [p for p in run.model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=1e-4)
    run.model.train()
    seconds, tokens, loss = 0.0, 0, float("nan")
    for step in range(args.warmup + args.steps):
        items = _batch(args.batch_size, args.seq_len, vocab, step)
        _synchronize(run.device)
        started = time.perf_counter()
        value, count = step_loss(run, items, pretraining=True)
        value.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        _synchronize(run.device)
        if step >= args.warmup:
            seconds += time.perf_counter() - started
            tokens += count
        loss = float(value.detach())
    return {"seconds": seconds, "tokens": tokens, "tokens_per_second": tokens / seconds, "last_loss": loss}


def _synchronize(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def measure(method: str, model_dir: Path, architecture: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """One method's numbers: throughput, MFU (both conventions), peak GPU memory, parameters."""
    import torch

    from resources.student.config import StudentTrainingConfig
    from resources.student.modelling import student_model, use_bf16
    from resources.student.training import _Run

    device = "cuda" if torch.cuda.is_available() else "cpu"
    config = StudentTrainingConfig(base=str(model_dir), method=method, gradient_checkpointing=method == "qlora")
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    tokenizer = SimpleNamespace(pad_token_id=PAD_ID)  # random token ids: no text, so no tokenizer
    run = _Run(config, student_model(config, tokenizer, device), tokenizer, device)
    run.bf16 = use_bf16(None, device)
    speed = train_steps(run, args, architecture["vocab_size"])
    parameters = matmul_parameters(architecture)
    trainable = sum(p.numel() for p in run.model.parameters() if p.requires_grad)
    flops = flops_per_token(parameters, architecture["num_hidden_layers"], architecture["hidden_size"], args.seq_len)
    peak = peak_tflops(device, args.peak_tflops)
    achieved = {name: speed["tokens_per_second"] * value / 1e12 for name, value in flops.items()}
    result = {
        "method": method,
        "gradient_checkpointing": config.gradient_checkpointing,
        "matmul_parameters": parameters,
        "trainable_parameters": trainable,
        **{key: round(value, 4) for key, value in speed.items()},
        "achieved_tflops": round(achieved["frozen_base"], 2),
        "mfu": round(achieved["frozen_base"] / peak, 4) if peak else None,
        "mfu_6n": round(achieved["six_n"] / peak, 4) if peak else None,
        "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if device == "cuda" else None,
    }
    del run
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a 2-layer model on the CPU: checks the script")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=1024)
    parser.add_argument("--methods", nargs="+", default=["lora", "qlora"], choices=["lora", "qlora"])
    parser.add_argument("--peak-tflops", type=float, default=None, help="dense bf16 peak; default: by GPU name")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/kodistill-gpu-student"))
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()

    import torch

    if not args.tiny and not torch.cuda.is_available():
        parser.exit(2, "gpu_student.py: no CUDA GPU here; --tiny checks the script on the CPU\n")
    architecture = TINY if args.tiny else QWEN25_15B
    model_dir = save_random_model(architecture, args.work_dir / ("tiny" if args.tiny else "qwen2.5-1.5b-random"))
    results = []
    for method in args.methods:
        try:
            results.append(measure(method, model_dir, architecture, args))
        except (InputDataError, ImportError, RuntimeError, ValueError) as error:  # e.g. QLoRA with no bitsandbytes
            results.append({"method": method, "error": f"{type(error).__name__}: {error}"})
        print(json.dumps(results[-1]), flush=True)
    entry = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"{platform.machine()} CPU",
        "torch": torch.__version__,
        "architecture": "tiny (script check)" if args.tiny else "Qwen2.5-1.5B, random weights",
        "settings": {
            "batch_size": args.batch_size,
            "seq_len": args.seq_len,
            "steps": args.steps,
            "warmup": args.warmup,
        },
        "results": results,
    }
    atomic_write_json(args.out, entry)
    print(json.dumps(entry, indent=1))


if __name__ == "__main__":
    main()
