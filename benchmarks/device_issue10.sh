#!/usr/bin/env bash
# Issue 10's GPU measurements as one prepared run for the device tool (15 minutes of device time in all).
# Run from the repository root on the GPU machine, whose python3 holds PyTorch, transformers, PEFT and
# accelerate but not bitsandbytes: carry its wheel in .whl/ (docs/benchmarks.md, "GPU targets"). Each part has
# its own time limit (540 s together, inside the tool's 600 s per command), so one that hangs cannot take the
# others' time; results and logs go to $OUT.
set -uo pipefail
OUT="${OUT:-/tmp/kodistill-device-out}"
mkdir -p "$OUT"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
export PYTHONUNBUFFERED=1
timeout 180 python3 benchmarks/gpu_student.py --work-dir /tmp/gpu-student --out "$OUT/gpu_student.json" \
  2>&1 | tee "$OUT/gpu_student.log"
timeout 90 python3 benchmarks/gpu_student.py --methods lora --batch-size 16 --work-dir /tmp/gpu-student \
  --out "$OUT/gpu_student_batch16.json" 2>&1 | tee "$OUT/gpu_student_batch16.log"
timeout 270 python3 benchmarks/hf_throughput.py --gpu --repeats 1 --work-dir /tmp/hf-gpu \
  --out "$OUT/hf_throughput_gpu.json" 2>&1 | tee "$OUT/hf_throughput_gpu.log"
