"""The plan of the house: imports follow the data flow, ground at the bottom, CLI on top.

Every module's imports are read with ``ast`` (imports inside functions included) and each edge
between the project's packages must be one the plan allows.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "archive", "index", "ingest", "service", "web", "findbuch")
# What each package may import of the project's packages (besides itself).
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "archive": {"common"},
    "index": {"common"},
    "ingest": {"common", "archive", "index"},
    "service": {"common", "archive", "index", "ingest"},
    "web": {"common", "archive", "index", "ingest", "service"},
    "findbuch": {"common", "archive", "index", "ingest", "service", "web"},
}
# Libraries that only one place may use: the search engine and the OCR engine.
ONLY_IN = {"whoosh": "index/", "pytesseract": "ingest/ocr.py"}


def imported_modules(source: str) -> set[str]:
    """Every module a source imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def violations(relative: str, source: str) -> list[str]:
    """The imports of one module (path relative to the project) that the plan forbids."""
    package = relative.split("/")[0]
    found = []
    for module in sorted(imported_modules(source)):
        top = module.split(".")[0]
        if top in PACKAGES and top != package and top not in ALLOWED[package]:
            found.append(f"{relative} importiert {module}")
        if top in ONLY_IN and not relative.startswith(ONLY_IN[top]):
            found.append(f"{relative} importiert {module} (nur {ONLY_IN[top]} darf das)")
    return found


def project_modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_every_import_follows_the_plan() -> None:
    found = [
        v
        for path in project_modules()
        for v in violations(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_forbidden_import_is_caught_even_inside_a_function() -> None:
    lazy = "def f():\n    from index.search import SearchIndex\n"
    assert violations("archive/catalog.py", lazy) == ["archive/catalog.py importiert index.search"]
    assert violations("common/settings.py", "import service.home") == [
        "common/settings.py importiert service.home"
    ]
    assert violations("ingest/pipeline.py", "from service.home import DataHome") != []
    assert violations("web/search.py", "import whoosh.query") != []
    assert violations("ingest/pdf.py", "import pytesseract") != []


def test_allowed_imports_pass() -> None:
    assert violations("service/home.py", "from ingest import ingest_paths") == []
    assert violations("index/queries.py", "from whoosh import query") == []
    assert violations("findbuch/cli.py", "from web import create_app") == []
