"""The Prometheus alert rules of deploy/prometheus: valid for Prometheus' own checker, each alert firing when it
should and not before (promtool's rule unit tests), and every metric they use is one the service exports."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from bot import metrics
from bot.dashboard.gauges import Snapshot
from bot.web.metrics import families
from tests.conftest import need

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    need(tool is not None, "promtool (Debian package prometheus)")
    return subprocess.run([str(tool), *args], cwd=RULES, capture_output=True, text=True, timeout=60)


def test_the_rules_are_valid() -> None:
    checked = _promtool("check", "rules", "dinsos-bot-rules.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_alert_fires_when_it_should_and_not_before() -> None:
    tested = _promtool("test", "rules", "dinsos-bot-rules.test.yml")
    assert tested.returncode == 0 and "SUCCESS" in tested.stdout, tested.stdout + tested.stderr


def test_the_rules_use_only_metrics_the_service_exports() -> None:
    exported = {family.name for family in families(Snapshot(heartbeat_age=1.0), [])}
    for counter in (metrics.INBOUND, metrics.REPLIES, metrics.SENT, metrics.SEND_FAILURES, metrics.MEDIA,
                    metrics.HTTP):
        exported.add(counter._name + "_total")
    exported.add(metrics.ANSWER_SECONDS._name + "_bucket")
    rules = yaml.safe_load((RULES / "dinsos-bot-rules.yml").read_text())
    used = {name for group in rules["groups"] for rule in group["rules"]
            for name in re.findall(r"\bdinsos_[a-z_]+", rule["expr"])}
    assert len(used) >= 5 and used <= exported, used - exported
