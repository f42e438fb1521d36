"""Helpers for tests that start real processes: a clean environment, a server that is waited for, its log.

Every process a test starts gets only what the test sets (never the developer's shell or `.env`: it runs in a
folder of its own), and its output goes to a log file that is shown when the test fails.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")  # what a process needs to run at all
LOGS = pytest.StashKey[list[Path]]()


def clean_env(**values: str) -> dict[str, str]:
    """A minimal environment: how to run a process, plus ``values``; no setting of the developer's leaks in."""
    env = {key: os.environ[key] for key in KEEP if key in os.environ}
    env.update(values)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def remember_log(request: pytest.FixtureRequest, path: Path) -> None:
    """Show ``path`` in the report of the test if it fails (see ``pytest_runtest_makereport`` in conftest)."""
    request.node.stash.setdefault(LOGS, []).append(path)


def run_cli(*args: str, env: dict[str, str], cwd: Path, stdin: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in ``cwd`` with exactly ``env``."""
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=timeout)


def start_process(command: str, env: dict[str, str], cwd: Path, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log_file:
        return subprocess.Popen([sys.executable, "-m", "bot", command], env=env, cwd=cwd, stdout=log_file,
                                stderr=subprocess.STDOUT)


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 30) -> None:
    wait_answering(base + "/healthz", proc, log_path, timeout=timeout)


def wait_answering(url: str, proc: subprocess.Popen[bytes], log_path: Path, *, timeout: float = 30,
                   verify: ssl.SSLContext | bool = True) -> None:
    """Until ``url`` answers 200; if ``proc`` ends or ``timeout`` passes first, RuntimeError with its log's end."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2, verify=verify).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def collecting_handler(*filters: logging.Filter) -> tuple[logging.Handler, list[str]]:
    """A log handler that keeps each formatted message (``%(message)s``), after ``filters``."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(logging.Formatter("%(message)s"))
    for f in filters:
        handler.addFilter(f)
    return handler, lines
