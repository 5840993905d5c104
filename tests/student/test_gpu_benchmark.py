"""benchmarks/gpu_student.py, the prepared GPU measurement, checked on the CPU with its tiny architecture: the
FLOPs count, a real LoRA run through the project's training step, and QLoRA refused clearly without CUDA."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import gpu_student  # noqa: E402


def test_matmul_parameters_count_every_weight_matrix_and_the_tied_embedding_once() -> None:
    tiny = gpu_student.TINY
    hidden, kv = tiny["hidden_size"], tiny["hidden_size"] // tiny["num_attention_heads"] * tiny["num_key_value_heads"]
    per_layer = 2 * hidden * hidden + 2 * hidden * kv + 3 * hidden * tiny["intermediate_size"]
    expected = tiny["num_hidden_layers"] * per_layer + tiny["vocab_size"] * hidden
    assert gpu_student.matmul_parameters(tiny) == expected
    assert gpu_student.matmul_parameters(gpu_student.QWEN25_15B) == pytest.approx(1.54e9, rel=0.01)  # Qwen2.5-1.5B


def test_flops_per_token_follow_the_frozen_base_and_six_n_conventions() -> None:
    flops = gpu_student.flops_per_token(1000, layers=2, hidden=8, seq_len=16)
    assert flops == {"frozen_base": 4000 + 12 * 2 * 8 * 16, "six_n": 6000 + 12 * 2 * 8 * 16}


def test_tiny_run_trains_lora_through_the_project_step_and_reports_qlora_refusal(tmp_path: Path) -> None:
    out = tmp_path / "gpu_student.json"
    command = [sys.executable, str(ROOT / "benchmarks/gpu_student.py"), "--tiny", "--steps", "2", "--warmup", "1"]
    command += ["--batch-size", "2", "--seq-len", "32", "--work-dir", str(tmp_path), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    report = json.loads(out.read_text(encoding="utf-8"))
    lora, qlora = report["results"]
    assert lora["method"] == "lora" and lora["tokens"] == 2 * 2 * 32
    assert lora["tokens_per_second"] > 0 and math.isfinite(lora["last_loss"])
    assert 0 < lora["trainable_parameters"] < lora["matmul_parameters"]
    if "error" in qlora:  # no CUDA here: refused with the reason, and LoRA's numbers were still written
        assert "CUDA" in qlora["error"]


def test_without_cuda_the_full_size_run_exits_2_naming_the_tiny_option() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present: the full-size run would start")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/gpu_student.py")], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "--tiny" in done.stderr
