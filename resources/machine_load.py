"""How busy the machine is: CPU and memory through psutil, GPU utilisation through NVML when present.

`read_machine_load()` returns a `MachineLoad`; `gpu_percent` is None when there is no NVIDIA driver
or the `nvidia-ml-py` package (the `gpu` extra) is not installed. CPU is the system-wide share since
the previous call (the first call samples for 0.1 s), so a sensor ticking every 30 s sees the
average over its interval rather than one instant.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import psutil

FIRST_SAMPLE_SECONDS = 0.1
_cpu_primed = False


@dataclass(frozen=True)
class MachineLoad:
    """Utilisation in percent; `gpu_percent` is the busiest GPU's, or None when no GPU can be read."""

    cpu_percent: float
    memory_percent: float
    gpu_percent: float | None = None


def _cpu_percent() -> float:
    global _cpu_primed
    if not _cpu_primed:
        _cpu_primed = True
        return psutil.cpu_percent(interval=FIRST_SAMPLE_SECONDS)
    return psutil.cpu_percent(interval=None)


def gpu_utilisation() -> float | None:
    """The highest utilisation among NVIDIA GPUs, or None when NVML is not available."""
    try:
        import pynvml
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return None
    try:
        count = pynvml.nvmlDeviceGetCount()
        rates = [pynvml.nvmlDeviceGetUtilizationRates(pynvml.nvmlDeviceGetHandleByIndex(i)).gpu for i in range(count)]
        return float(max(rates)) if rates else None
    except pynvml.NVMLError:
        return None
    finally:
        with contextlib.suppress(pynvml.NVMLError):
            pynvml.nvmlShutdown()


def read_machine_load() -> MachineLoad:
    return MachineLoad(
        cpu_percent=_cpu_percent(),
        memory_percent=psutil.virtual_memory().percent,
        gpu_percent=gpu_utilisation(),
    )
