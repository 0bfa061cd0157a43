"""The apps build on each other in one direction: catalog <- circulation <- reports. The catalogue
must never import circulation (not even inside a function), or the two apps grow back into an import
cycle; circulation answers the catalogue through catalog.hooks instead. Likewise reports only read:
neither the catalogue nor circulation imports reports. The periodicals (serials) build on the catalogue
and read the 规程 standards table of reports; the semester summary reads their figures."""

import ast
from pathlib import Path

import pytest

import catalog
import circulation

CATALOG = Path(catalog.__file__).parent


def imports_of(source: str, app: str) -> list[int]:
    """Line numbers of the imports of `app` (or anything in it) in a module's source."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == app or name.startswith(app + ".") for name in names):
            lines.append(node.lineno)
    return lines


def test_no_module_under_catalog_imports_circulation():
    modules = sorted(CATALOG.rglob("*.py"))
    assert len(modules) > 20  # the walk really found the catalogue, views and commands included
    offenders = [
        f"{path.relative_to(CATALOG.parent)}:{line}"
        for path in modules
        for line in imports_of(path.read_text(encoding="utf-8"), "circulation")
    ]
    assert offenders == []


def test_the_check_sees_imports_inside_functions():
    source = (
        "import os\n\ndef f():\n    from circulation.services import loan_checkout\n    import circulation.models\n"
    )
    assert imports_of(source, "circulation") == [4, 5]


# Apps built on the catalogue and circulation, which neither may import: reports only read; stocktake
# is asked through catalog.hooks (write-off checks); a 合订本 of serials is a Record and a Copy; the
# reading app's shelves come through catalog.hooks and its daily rankings through library.daily;
# self-service kiosks call the circulation services.
BUILT_ON_TOP = ["reports", "stocktake", "serials", "reading", "selfcheck"]


@pytest.mark.parametrize("app", BUILT_ON_TOP)
def test_neither_catalog_nor_circulation_imports(app):
    modules = sorted(CATALOG.rglob("*.py")) + sorted(Path(circulation.__file__).parent.rglob("*.py"))
    offenders = [
        f"{path.relative_to(CATALOG.parent)}:{line}"
        for path in modules
        for line in imports_of(path.read_text(encoding="utf-8"), app)
    ]
    assert offenders == []


TEMPLATES = Path(catalog.__file__).parent.parent / "templates"


@pytest.mark.parametrize("app", BUILT_ON_TOP)
def test_neither_catalog_nor_circulation_templates_name_the_apps_built_on_them(app):
    """Their menus show the other apps' items through library/nav.py's slots, not by name."""
    templates = sorted((TEMPLATES / "catalog").rglob("*.html")) + sorted((TEMPLATES / "circulation").rglob("*.html"))
    assert len(templates) > 20
    offenders = [str(path.relative_to(TEMPLATES)) for path in templates if f'"{app}/' in path.read_text("utf-8")]
    assert offenders == []


@pytest.mark.django_db
def test_the_menus_show_the_stocktake_and_serials_items(client):
    from library import roles
    from tests.conftest import make_user

    client.force_login(make_user("cataloguer", roles.LIBRARIAN))
    html = client.get("/dashboard/").content.decode()
    assert html.count('href="/stocktake/"') == 1 and 'href="/serials/checkin/"' in html
    client.force_login(make_user("helper", roles.ASSISTANT))
    html = client.get("/circulation/desk/").content.decode()
    assert html.count('href="/stocktake/"') == 1 and "/serials/" not in html
