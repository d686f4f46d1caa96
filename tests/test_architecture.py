"""The architecture as tests: the import contracts of pyproject.toml (run by import-linter), no
import cycle among the modules of analysis/ and appkit/, and pages that leave the build and the
model to the command line.

The cycle check reads every import statement of a file, those inside functions included: an
import moved into a function to dodge a cycle is still a cycle.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analysis", "appkit")
CONTRACTS = {"analysis-layers", "analysis-without-app", "model-in-extraction"}
# Pages and app.py start builds and model runs as command-line jobs (appkit.jobs), never in
# the app's own process.
NOT_FOR_PAGES = ("analysis.extraction", "analysis.pipeline")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def own_modules(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    return {module_name(path, root): path for package in packages for path in sorted((root / package).rglob("*.py"))}


def _imported_base(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The module a `from ... import` statement names, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    package = importer if is_package else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _ours(dotted: str, known: set[str]) -> str | None:
    """The module of ours that `dotted` (a module, or a name in one) lies in, if any."""
    while dotted and dotted not in known:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def imports_of(importer: str, path: Path, known: set[str]) -> dict[str, int]:
    """The modules of ours that `importer` imports, anywhere in its file, with the line of the first."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [_ours(alias.name, known) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _imported_base(node, importer, path.name == "__init__.py")
            # `from package import module` imports that module; `from module import name`, the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else _ours(base, known) for alias in node.names]
        for target in targets:
            if target is not None and target != importer:
                found.setdefault(target, node.lineno)
    return found


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, dict[str, int]]:
    modules = own_modules(root, packages)
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, {})))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_import_contracts_hold() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert {contract.get("id") for contract in contracts} >= CONTRACTS
    lint = Path(sys.executable).with_name("lint-imports")
    assert lint.is_file(), "import-linter is not installed: pip install -r requirements-dev.txt"
    result = subprocess.run(
        [str(lint), "--no-cache", "--no-logo"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]


def test_no_module_of_analysis_or_appkit_is_in_an_import_cycle() -> None:
    graph = import_graph()
    assert "appkit.state" in graph["appkit.nav"]  # the scan sees the imports it must
    found = cycles(graph)
    described = [
        "; ".join(f"{a} -> {b} (line {graph[a][b]})" for a in component for b in component if b in graph[a])
        for component in found
    ]
    assert found == [], "\n".join(described)


def test_the_scan_resolves_relative_imports_and_reads_function_bodies(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import leaf\n")
    (package / "sub" / "leaf.py").write_text("def later():\n    from ..top import helper\n    return helper\n")
    (package / "top.py").write_text("import pkg.sub.leaf as leaf\n\ndef helper():\n    return leaf\n")
    graph = import_graph(tmp_path, ("pkg",))
    assert graph["pkg.sub"] == {"pkg.sub.leaf": 1}
    assert graph["pkg.sub.leaf"] == {"pkg.top": 2}  # inside a function, relative, two levels up
    assert graph["pkg.top"] == {"pkg.sub.leaf": 1}
    assert cycles(graph) == [["pkg.sub.leaf", "pkg.top"]]


def test_pages_leave_the_build_and_the_model_to_the_command_line() -> None:
    offenders = []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}:{node.lineno}: pages are scripts, not a package"
                names = [node.module or "", *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            if any(name == room or name.startswith(f"{room}.") for name in names for room in NOT_FOR_PAGES):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
