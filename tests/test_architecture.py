"""The layers, checked on the source: imports run one way and never in a circle.

web/cli/runtime (top) -> channels -> messaging -> cases -> handlers -> domain/knowledge, and cases/messaging/web -> db.
Every import counts: at module level, inside functions, and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "knowledge")

# What each layer may import (besides itself and the standard library / third parties).
ALLOWED: dict[str, set[str]] = {
    "knowledge": set(),
    "bot": set(),  # the package itself (its __init__)
    "bot.domain": {"knowledge"},
    "handlers": {"knowledge", "bot.domain"},
    "bot.db": {"bot.domain"},
    "bot.cases": {"handlers", "knowledge", "bot.domain", "bot.db"},
    "bot.messaging": {"bot.cases", "bot.inbox", "handlers", "knowledge", "bot.domain", "bot.db", "bot.settings",
                      "bot.logs", "bot.errors", "bot.metrics"},
    "bot.channels": {"bot.messaging", "handlers", "knowledge", "bot.domain", "bot.settings", "bot.logs",
                     "bot.errors"},
    "bot.officers": {"bot.db", "bot.domain"},
    "bot.ops": {"bot.db", "bot.domain", "bot.settings", "bot.logs"},  # backups, key rotation (the CLI's)
    "bot.inbox": {"handlers", "knowledge", "bot.domain", "bot.db"},
    "bot.dashboard": {"bot.cases", "knowledge", "bot.domain", "bot.db"},
    "bot.broadcasts": {"bot.messaging", "bot.cases", "handlers", "knowledge", "bot.domain", "bot.db", "bot.settings",
                       "bot.logs"},
    "bot.web": {"bot.broadcasts", "bot.dashboard", "bot.cases", "bot.inbox", "bot.officers", "bot.channels",
                "bot.messaging", "handlers", "knowledge", "bot.domain", "bot.db", "bot.settings", "bot.logs",
                "bot.errors", "bot.runtime", "bot.metrics"},
    "bot.runtime": {"bot.cases", "bot.channels", "bot.messaging", "handlers", "knowledge", "bot.domain", "bot.db",
                    "bot.settings", "bot.logs"},
    "bot.cli": {"bot"},  # the command line may use everything
    "bot.cli_cases": {"bot"},
    "bot.__main__": {"bot.cli"},
    "bot.settings": {"knowledge", "bot.domain"},  # agency slugs come from the knowledge registry
    "bot.logs": {"bot.settings"},
    "bot.errors": set(),
    "bot.metrics": set(),  # counters every layer may add to (prometheus-client only)
    "bot.migrations": {"bot.db"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")[: -node.level] if path.name != "__init__.py" else module.split(".")
                name = ".".join([*base, node.module or ""]).strip(".")
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return {n for n in found if n.split(".")[0] in PACKAGES}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path, name):
            while imported and imported not in modules:  # "pkg.mod.Name" -> "pkg.mod"
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        # "from bot import metrics" names the package only to reach its module: the module is the dependency
        graph[name] = {t for t in targets if not any(other.startswith(t + ".") for other in targets)}
    return graph


def _layer(module: str) -> str:
    return max((layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")), key=len,
               default=module)


def test_imports_run_one_way() -> None:
    wrong = []
    for module, targets in _graph().items():
        layer = _layer(module)
        allowed = ALLOWED.get(layer)
        assert allowed is not None, f"{module} belongs to no layer: add it to ALLOWED"
        for target in targets:
            other = _layer(target)
            top = layer in ("bot.cli", "bot.cli_cases")
            if other == layer or any(other == a or other.startswith(a + ".") for a in allowed) or top:
                continue
            wrong.append(f"{module} -> {target}")
    assert wrong == [], "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target):], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_nothing_in_channels_or_messaging_imports_the_web() -> None:
    for module, targets in _graph().items():
        if module.startswith(("bot.channels", "bot.messaging")):
            assert not [t for t in targets if t.startswith("bot.web")], module
