"""Rules about the code itself: no fallbacks for this repository's own modules."""

from __future__ import annotations

import ast
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


def test_no_import_error_fallback_for_this_repository():
    """The app ships with its library: a fallback for it is dead code that hides real errors."""
    offenders = []
    for path in [ROOT / "app.py", *sorted((ROOT / "appkit").glob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            fallback = isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers)
            if fallback and any(_imports_own_module(statement) for statement in node.body):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
