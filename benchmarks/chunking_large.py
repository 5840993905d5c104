"""Benchmark: chunking one large single-paragraph Korean document vs Kiwi tokenizing the same text.

Usage: .venv/bin/python benchmarks/chunking_large.py [--mb 8] [--seed 0]
The text is sentences from data/raw_docs/*.md, shuffled and repeated, joined with spaces (no newline
at all), cut to `--mb` megabytes (10^6 bytes) of UTF-8. Two fresh subprocesses on the same text:
`tokenize` runs `kiwi.tokenize` once over the text, window by window (the linear lower bound of
analysing it once; one call on the whole text is itself superlinear), and `chunk` runs
`chunk_document` with the default budget (256 tokens, 48 overlap). Reports wall and CPU seconds of
both, the ratio (target <= 1.5; the CPU-time ratio is the one to read on a shared machine, where
other processes steal wall time from one child and not the other) and each child's peak RSS and
RSS before the timed work (Kiwi's model). Writes benchmarks/results/chunking_large.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_MARKUP = re.compile(r"^[#>*\-|\s\d.]+")

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from assets.knowledge.chunking import chunk_document, paragraph_windows
from resources.korean import KoreanTokenizer
mode, path = sys.argv[1], sys.argv[2]
text = Path(path).read_text(encoding="utf-8")
tokenizer = KoreanTokenizer()
tokenizer.count_tokens("워밍업 문장입니다.")  # build Kiwi before timing
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu_started = time.perf_counter(), time.process_time()
if mode == "tokenize":
    count = sum(len(tokenizer.kiwi.tokenize(text[a:b])) for a, b in paragraph_windows(text, 0, len(text)))
else:
    count = len(chunk_document("large-txt", text, tokenizer))
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "count": count, "peak_rss_mb": peak / 1024,
                  "rss_before_mb": rss_before / 1024}))
"""


def make_text(target_bytes: int, seed: int) -> str:
    """Shuffled, repeated sentences of the shipped markdown documents, joined by spaces, no newline."""
    sentences = []
    for path in sorted((ROOT / "data" / "raw_docs").glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = _MARKUP.sub("", line).strip()
            if len(line) > 10 and "|" not in line:
                sentences.append(line)
    rng = random.Random(seed)
    pieces, size = [], 0
    while size < target_bytes:
        rng.shuffle(sentences)
        for sentence in sentences:
            pieces.append(sentence)
            size += len(sentence.encode("utf-8")) + 1
            if size >= target_bytes:
                break
    return " ".join(pieces)


def _measure(mode: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=8.0, help="text size in megabytes (10^6 bytes of UTF-8)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "chunking_large.json")
    args = parser.parse_args()
    text = make_text(int(args.mb * 1_000_000), args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.txt"
        path.write_text(text, encoding="utf-8")
        tokenize = _measure("tokenize", path)
        chunk = _measure("chunk", path)
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "text_bytes": len(text.encode("utf-8")),
        "text_chars": len(text),
        "newlines": text.count("\n"),
        "kiwi_tokenize_seconds": round(tokenize["seconds"], 2),
        "kiwi_tokenize_cpu_seconds": round(tokenize["cpu_seconds"], 2),
        "kiwi_tokens": tokenize["count"],
        "chunking_seconds": round(chunk["seconds"], 2),
        "chunking_cpu_seconds": round(chunk["cpu_seconds"], 2),
        "chunks": chunk["count"],
        "ratio_chunking_to_tokenize": round(chunk["seconds"] / tokenize["seconds"], 3),
        "ratio_chunking_to_tokenize_cpu": round(chunk["cpu_seconds"] / tokenize["cpu_seconds"], 3),
        "chunk_chars_per_s": round(len(text) / chunk["seconds"]),
        "peak_rss_mb": {"tokenize": round(tokenize["peak_rss_mb"], 1), "chunk": round(chunk["peak_rss_mb"], 1)},
        "rss_before_timed_work_mb": {
            "tokenize": round(tokenize["rss_before_mb"], 1),
            "chunk": round(chunk["rss_before_mb"], 1),
        },
        "command": f"python benchmarks/chunking_large.py --mb {args.mb:g} --seed {args.seed}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
