"""The servers of the survey benchmark: gunicorn process groups on 127.0.0.1, plain HTTP requests, server CPU."""

import http.client
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.survey_config import HOST, REPO, WORKERS, BenchError


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def shm_dir(fallback: Path) -> str:
    """RAM-backed directory for gunicorn's worker heartbeat files."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else str(fallback)


class Gunicorn:
    """One gunicorn process group on 127.0.0.1; stop() always ends it."""

    def __init__(self, name: str, app_spec: str, env: dict[str, str], workdir: Path, *, worker_args=None):
        self.name = name
        self.worker_args: tuple[str, ...] = tuple(worker_args or ("-k", "sync", "-w", str(WORKERS)))
        self.app_spec = app_spec
        self.env = env
        self.workdir = workdir
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = workdir / f"gunicorn-{name}.log"
        self.argv: list[str] = []

    def gunicorn_args(self, port: int | str) -> list[str]:
        return [
            "-b",
            f"{HOST}:{port}",
            "-c",  # an empty config file: a gunicorn.conf.py in the repository must not change either server
            str(self.workdir / "gunicorn.conf.py"),
            *self.worker_args,
            "--worker-tmp-dir",
            shm_dir(self.workdir),
            "--log-level",
            "warning",
            self.app_spec,
        ]

    def start(self, ready_path: str, timeout: float = 60.0) -> None:
        self.port = free_port()
        self.argv = [sys.executable, "-m", "gunicorn", *self.gunicorn_args(self.port)]
        (self.workdir / "gunicorn.conf.py").touch()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() ends master and workers together
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _, _ = http_request(self.port, "GET", ready_path, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn ({self.name}) did not answer 200 on {ready_path} within {timeout:.0f} s")

    @property
    def pgid(self) -> int:
        return self.proc.pid if self.proc else -1

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)  # the group this script created for this gunicorn only
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def http_request(
    port: int, method: str, path: str, *, body: str | None = None, headers: dict[str, str] | None = None, timeout=10
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if body is not None:
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body.encode() if body is not None else None, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, resp.msg, resp.read()
    finally:
        conn.close()


def _proc_stats():
    """(pid, the fields of /proc/<pid>/stat after the command name) for every live process (Linux)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for name in entries:
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        yield int(name), stat.rsplit(")", 1)[1].split()


def child_pids(pid: int) -> set[int]:
    """The live child processes of `pid`: a gunicorn master's workers."""
    return {child for child, fields in _proc_stats() if int(fields[1]) == pid and fields[0] != "Z"}  # [1] = ppid


_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of the live processes of a process group (Linux /proc), or NaN."""
    ticks = [int(f[11]) + int(f[12]) for _pid, f in _proc_stats() if int(f[2]) == pgid]  # pgrp, utime, stime
    return sum(ticks) / _CLK_TCK if ticks else math.nan
