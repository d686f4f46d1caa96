"""Rules about the code itself: no fallbacks for this repository's own modules."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN_PACKAGES = ("analysis", "appkit", "pages")


def _imports_own_module(node: ast.AST) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and (child.level > 0 or (child.module or "").split(".")[0] in OWN_PACKAGES):
            return True
        if isinstance(child, ast.Import) and any(alias.name.split(".")[0] in OWN_PACKAGES for alias in child.names):
            return True
    return False


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(name, ast.Name) and name.id in ("ImportError", "ModuleNotFoundError") for name in names)


def _python_files() -> list[Path]:
    """The app, its helpers, its pages and the whole library, subpackages included."""
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    for package in ("analysis", "appkit"):
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def test_no_import_error_fallback_for_this_repository():
    """The app ships with its library: a fallback for it is dead code that hides real errors."""
    offenders = []
    files = _python_files()
    assert any(path.is_relative_to(ROOT / "analysis" / "pipeline") for path in files)  # subpackages are read
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            fallback = isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers)
            if fallback and any(_imports_own_module(statement) for statement in node.body):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_declared_marker_is_used() -> None:
    """A marker nobody puts on a test selects nothing: `-m "not slow"` would then run everything."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]["markers"]
    sources = "\n".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "tests").glob("*.py")))
    unused = [line.split(":")[0] for line in declared if f"pytest.mark.{line.split(':')[0]}" not in sources]
    assert unused == []
