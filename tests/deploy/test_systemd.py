"""The systemd units of ``deploy/systemd/`` as systemd reads them (``systemd-analyze verify``: every key known,
every value valid, the program there), and what they promise: the commands, the settings file, the sandbox,
the same user and settings as the operator's wrapper ``deploy/dinsos-bot-admin``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bot.cli import build_parser
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
WEB, WORKER = UNITS / "dinsos-bot.service", UNITS / "dinsos-bot-worker@.service"
INSTALLED = "/opt/dinsos-bot/.venv/bin/dinsos-bot"  # where docs/deploy.md puts the program
ANALYZE = shutil.which("systemd-analyze", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/bin"]))


def settings_of(unit: Path) -> dict[str, list[str]]:
    """``Key=value`` lines of a unit, every value of a key repeated (SystemCallFilter=)."""
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if re.match(r"[A-Za-z]+=", line):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd itself reads the units. ``verify`` also wants the program to exist, so the copies point
    ExecStart at this checkout's own `dinsos-bot`; nothing else changes. A warning (an unknown key, a value
    systemd cannot parse) fails the test: systemd would ignore that line and run the service without it."""
    need(ANALYZE is not None, "systemd-analyze (Debian's systemd package)")
    assert ANALYZE is not None
    program = Path(sys.executable).parent / "dinsos-bot"
    assert program.exists(), program
    for unit in (WEB, WORKER):
        text = unit.read_text()
        assert f"ExecStart={INSTALLED} " in text, unit.name
        (tmp_path / unit.name).write_text(text.replace(INSTALLED, str(program)))
    units = [str(tmp_path / WEB.name), str(tmp_path / "dinsos-bot-worker@1.service")]  # an instance of the template
    result = subprocess.run([ANALYZE, "verify", *units], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    said = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and not said, said


def test_the_units_run_the_right_commands_as_the_service_user_in_a_sandbox() -> None:
    media = "/var/lib/dinsos-bot"
    for unit, command in ((WEB, "serve"), (WORKER, "worker")):
        found = settings_of(unit)
        assert found["ExecStart"] == [f"{INSTALLED} {command}"], unit.name
        build_parser().parse_args([command])  # the command exists
        assert found["User"] == found["Group"] == ["dinsos-bot"]
        assert found["EnvironmentFile"] == ["/etc/dinsos-bot/env"]
        assert found["Restart"] == ["on-failure"]
        assert found["ProtectSystem"] == ["strict"] and found["ReadWritePaths"] == [media]
        assert found["StateDirectory"] == ["dinsos-bot"] and found["WorkingDirectory"] == [media]
        for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
            assert found[key] == ["yes"], (unit.name, key)
    assert "%i" in settings_of(WORKER)["Description"][0]  # each worker named in the logs


def test_the_operators_wrapper_runs_commands_as_the_services_do() -> None:
    wrapper = (ROOT / "deploy" / "dinsos-bot-admin").read_text()
    web = settings_of(WEB)
    assert f"--uid={web['User'][0]}" in wrapper and f"--gid={web['Group'][0]}" in wrapper
    assert f"-p EnvironmentFile={web['EnvironmentFile'][0]}" in wrapper
    assert f"-p WorkingDirectory={web['WorkingDirectory'][0]}" in wrapper
    assert f'{INSTALLED} "$@"' in wrapper
    assert os.access(ROOT / "deploy" / "dinsos-bot-admin", os.X_OK)
    assert subprocess.run(["sh", "-n", str(ROOT / "deploy" / "dinsos-bot-admin")]).returncode == 0


def test_the_web_and_the_worker_units_share_their_sandbox() -> None:
    """A hardening line added to one unit only would be a hole in the other."""
    differ = {"Description", "ExecStart"}
    web = {k: v for k, v in settings_of(WEB).items() if k not in differ}
    worker = {k: v for k, v in settings_of(WORKER).items() if k not in differ}
    assert web == worker
