"""Machine facts printed with every benchmark, so figures can be compared with the run that made them."""

import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":" if ":" in line else "=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def machine_facts(packages: tuple[str, ...]) -> dict[str, str]:
    """CPUs, CPU model, RAM, OS, Python and the versions of `packages` (absent ones are said so)."""
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout.strip()
    except OSError:
        nproc = str(os.cpu_count())
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    versions = []
    for name in packages:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return {
        "CPUs (`nproc`)": nproc,
        "CPU": _first("/proc/cpuinfo", "model name"),
        "RAM": f"{int(mem_kb) / 1024 / 1024:.1f} GiB" if mem_kb.isdigit() else "?",
        "OS / kernel": f"{_first('/etc/os-release', 'PRETTY_NAME')} / {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Packages": ", ".join(versions),
    }
