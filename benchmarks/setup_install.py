"""Benchmark: installing kodistill's dependencies into a fresh virtual environment with pip vs with uv.

Usage: python3 benchmarks/setup_install.py [--work /tmp/kodistill-install]
Clones the repository's HEAD twice under --work and, in each clone, creates `.venv` and installs
`torch==2.13.0` and `-e .[dev]`: once with pip as the set-up script did before (pip upgraded, torch, then the
project) and once as `scripts/setup.sh` does now (uv installed with pip, then one `uv pip install
--compile-bytecode` with the pip configuration passed on by `scripts/uv_pip_args.py`) with an empty uv cache,
so that uv downloads and unpacks everything itself. pip keeps its own cache as the machine has it, which
favours pip. Reports the seconds of each and whether the two environments hold the same packages. Run it on a
quiet machine; it is shared, so compare the ratio. Writes benchmarks/results/setup_install.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402

RESULT = ROOT / "benchmarks/results/setup_install.json"
PACKAGES = ["torch==2.13.0", "-e", ".[dev]"]


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _clone(work: Path, name: str) -> Path:
    target = work / name
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    subprocess.run([sys.executable, "-m", "venv", str(target / ".venv")], check=True)
    return target


def with_pip(work: Path) -> tuple[float, Path]:
    clone = _clone(work, "pip")
    python = str(clone / ".venv/bin/python")
    seconds = _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], clone)
    seconds += _run([python, "-m", "pip", "install", "--quiet", "torch==2.13.0"], clone)
    seconds += _run([python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"], clone)
    return seconds, clone


def with_uv(work: Path) -> tuple[float, Path]:
    clone = _clone(work, "uv")
    python = str(clone / ".venv/bin/python")
    cache = work / "uv-cache"
    shutil.rmtree(cache, ignore_errors=True)
    started = time.perf_counter()
    _run([python, "-m", "pip", "install", "--quiet", "uv>=0.9,<1"], clone)
    lines = subprocess.run(
        [python, "scripts/uv_pip_args.py"], cwd=clone, check=True, capture_output=True, text=True
    ).stdout.splitlines()
    env = dict(os.environ, UV_CACHE_DIR=str(cache))
    env.update(line.split("=", 1) for line in lines if line.startswith("SSL_CERT_FILE="))
    arguments = [line for line in lines if line and not line.startswith("SSL_CERT_FILE=")]
    uv = [str(clone / ".venv/bin/uv"), "pip", "install", "--quiet", "--python", python, "--compile-bytecode"]
    _run(uv + ["--index-strategy", "unsafe-best-match", *arguments, *PACKAGES], clone, env)
    return time.perf_counter() - started, clone


def _packages(clone: Path) -> set[str]:
    frozen = subprocess.run(
        [str(clone / ".venv/bin/python"), "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {line for line in frozen.splitlines() if line and not line.startswith("uv==")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/kodistill-install"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    pip_seconds, pip_clone = with_pip(args.work)
    uv_seconds, uv_clone = with_uv(args.work)
    only_pip, only_uv = _packages(pip_clone) - _packages(uv_clone), _packages(uv_clone) - _packages(pip_clone)
    entry = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, shared 2-core box",
        "pip_seconds": round(pip_seconds, 1),
        "uv_seconds_empty_cache": round(uv_seconds, 1),
        "speed_ratio": round(pip_seconds / uv_seconds, 2),
        "packages": len(_packages(uv_clone)),
        "only_with_pip": sorted(only_pip),
        "only_with_uv": sorted(only_uv),
    }
    atomic_write_json(RESULT, entry)
    print(json.dumps(entry, indent=1))


if __name__ == "__main__":
    main()
