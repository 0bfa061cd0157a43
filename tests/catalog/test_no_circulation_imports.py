"""The catalogue is the base circulation builds on: it must never import circulation (not even
inside a function), or the two apps grow back into an import cycle. Circulation answers the
catalogue through catalog.hooks instead."""

import ast
from pathlib import Path

import catalog

CATALOG = Path(catalog.__file__).parent


def circulation_imports(source: str) -> list[int]:
    """Line numbers of the imports of circulation (or anything in it) in a module's source."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "circulation" or name.startswith("circulation.") for name in names):
            lines.append(node.lineno)
    return lines


def test_no_module_under_catalog_imports_circulation():
    modules = sorted(CATALOG.rglob("*.py"))
    assert len(modules) > 20  # the walk really found the catalogue, views and commands included
    offenders = [
        f"{path.relative_to(CATALOG.parent)}:{line}"
        for path in modules
        for line in circulation_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_sees_imports_inside_functions():
    source = (
        "import os\n\ndef f():\n    from circulation.services import loan_checkout\n    import circulation.models\n"
    )
    assert circulation_imports(source) == [4, 5]
