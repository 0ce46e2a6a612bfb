"""The import rules between the project's packages, proved by static analysis (``ast``; no project code is imported).

Every ``.py`` file under ``app/``, ``survey/``, ``complaints/`` and ``analytics/`` is parsed and every import is
collected (module level or inside functions, relative imports resolved). ``from x import y`` counts as importing
``x.y``. The rules:

1. ``survey`` never imports ``complaints`` and ``complaints`` never imports ``survey``, except that ``complaints``
   may import ``survey.questionnaire`` (the questionnaire's element list).
2. ``survey`` and ``complaints`` never import ``analytics``.
3. ``app/`` is the shell and the shared pieces: it imports no domain package (``survey``, ``complaints``,
   ``analytics``), except inside the functions named ``register_*`` of the factory ``app/__init__.py``
   (blueprint and command registration).
4. ``analytics`` never writes other packages' tables: (a) it imports no write service (``survey.service``,
   ``survey.importer``, ``complaints.service``) except the read ``survey.service.response_watermark``; (b) it never
   passes a model imported from ``app``, ``survey`` or ``complaints`` to ``session.add/add_all/delete`` (directly or
   instantiated, ``add(Model(...))``) or to SQLAlchemy's ``insert/update/delete``. Names that cannot be resolved to
   an import (local variables, its own models) are not checked.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "survey", "complaints", "analytics")
DOMAINS = ("survey", "complaints", "analytics")
WRITE_SERVICES = ("survey.service", "survey.importer", "complaints.service")
READS_FROM_WRITE_SERVICES = frozenset({"survey.service.response_watermark"})
FOREIGN_OWNERS = ("app", "survey", "complaints")  # packages whose tables analytics must not write
SESSION_WRITES = frozenset({"add", "add_all", "delete"})
SQL_WRITES = frozenset({"insert", "update", "delete"})


@dataclass(frozen=True)
class Import:
    """One import statement: ``targets`` are the dotted names it imports (``from a.b import c`` gives ``a.b.c``)."""

    path: str
    line: int
    targets: tuple[str, ...]
    functions: tuple[str, ...]  # enclosing function names, outermost first; empty at module level


def module_name(path: str) -> str:
    """``survey/views.py`` -> ``survey.views``; ``survey/__init__.py`` -> ``survey``."""
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, path: str) -> str:
    """The absolute module of a ``from`` import, resolving ``from .x import y`` against the file's package."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def under(name: str, prefix: str) -> bool:
    """Whether dotted ``name`` is ``prefix`` or inside it."""
    return name == prefix or name.startswith(prefix + ".")


class _Collector(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.functions: list[str] = []
        self.imports: list[Import] = []
        self.bindings: dict[str, str] = {}  # local name -> dotted origin, over the whole file

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            self.bindings[local] = alias.name if alias.asname else local
        targets = tuple(alias.name for alias in node.names)
        self.imports.append(Import(self.path, node.lineno, targets, tuple(self.functions)))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = _absolute(node, self.path)
        for alias in node.names:
            if alias.name != "*":
                self.bindings[alias.asname or alias.name] = f"{module}.{alias.name}"
        targets = tuple(module if alias.name == "*" else f"{module}.{alias.name}" for alias in node.names)
        self.imports.append(Import(self.path, node.lineno, targets, tuple(self.functions)))


def _collect(source: str, path: str) -> _Collector:
    collector = _Collector(path)
    collector.visit(ast.parse(source, filename=path))
    return collector


def imports_of(source: str, path: str) -> list[Import]:
    """Every import in ``source`` (the file at module path ``path``, e.g. ``survey/views.py``)."""
    return _collect(source, path).imports


def _origin(node: ast.expr, bindings: dict[str, str]) -> str | None:
    """Dotted origin of a name, attribute or instantiation (``Model(...)``), or None when it is not an import."""
    if isinstance(node, ast.Call):
        return _origin(node.func, bindings)
    if isinstance(node, ast.Attribute):
        base = _origin(node.value, bindings)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Name):
        return bindings.get(node.id)
    return None


def _written(call: ast.Call, bindings: dict[str, str]) -> list[ast.expr]:
    """The model expressions a call writes, if it is a session or SQLAlchemy write."""
    func = call.func
    if not call.args:
        return []
    first = call.args[0]
    if isinstance(func, ast.Attribute) and func.attr in SESSION_WRITES:
        owner = func.value
        if (isinstance(owner, ast.Attribute) and owner.attr == "session") or (
            isinstance(owner, ast.Name) and owner.id == "session"
        ):
            if isinstance(first, ast.List | ast.Tuple | ast.Set):
                return list(first.elts)
            if isinstance(first, ast.ListComp | ast.GeneratorExp | ast.SetComp):
                return [first.elt]
            return [first]
    origin = _origin(func, bindings)
    if origin and under(origin, "sqlalchemy") and origin.rsplit(".", 1)[-1] in SQL_WRITES:
        return [first]
    if origin is None and isinstance(func, ast.Name) and func.id in SQL_WRITES:
        return [first]
    return []


def _rules(imp: Import) -> list[str]:
    """The import rules (1-4a) that one import breaks, one message per rule naming the offending targets."""
    package = imp.path.split("/")[0]
    registering = imp.path == "app/__init__.py" and any(f.startswith("register_") for f in imp.functions)
    where = "app/__init__.py outside register_* functions" if imp.path == "app/__init__.py" else "app"
    broken: dict[str, list[str]] = {}
    for target in imp.targets:
        if package == "survey" and under(target, "complaints"):
            broken.setdefault("rule 1: survey must not import complaints", []).append(target)
        if package == "complaints" and under(target, "survey") and not under(target, "survey.questionnaire"):
            broken.setdefault("rule 1: complaints may import only survey.questionnaire from survey", []).append(target)
        if package in ("survey", "complaints") and under(target, "analytics"):
            broken.setdefault(f"rule 2: {package} must not import analytics", []).append(target)
        if package == "app" and not registering and any(under(target, domain) for domain in DOMAINS):
            broken.setdefault(f"rule 3: {where} must not import a domain package", []).append(target)
        if package == "analytics" and target not in READS_FROM_WRITE_SERVICES:
            if any(under(target, service) for service in WRITE_SERVICES):
                broken.setdefault("rule 4: analytics must not import a write service", []).append(target)
    return [f"{rule} ({', '.join(targets)})" for rule, targets in broken.items()]


def violations(files: dict[str, str]) -> list[str]:
    """Every broken rule in ``files`` (module path -> source), as ``path:line: rule text``."""
    found: list[str] = []
    for path, source in sorted(files.items()):
        collector = _collect(source, path)
        for imp in collector.imports:
            found.extend(f"{path}:{imp.line}: {rule}" for rule in _rules(imp))
        if path.split("/")[0] != "analytics":
            continue
        for node in ast.walk(ast.parse(source, filename=path)):
            if not isinstance(node, ast.Call):
                continue
            for model in _written(node, collector.bindings):
                origin = _origin(model, collector.bindings)
                if origin and any(under(origin, owner) for owner in FOREIGN_OWNERS):
                    rule = f"rule 4: analytics must not write another package's table ({origin})"
                    found.append(f"{path}:{node.lineno}: {rule}")
    return found


def tree_files() -> dict[str, str]:
    """The sources of the real tree, keyed by module path."""
    return {
        file.relative_to(ROOT).as_posix(): file.read_text(encoding="utf-8")
        for package in PACKAGES
        for file in sorted((ROOT / package).rglob("*.py"))
        if "__pycache__" not in file.parts
    }


def test_the_tree_follows_the_import_rules() -> None:
    found = violations(tree_files())
    assert not found, "import rules broken:\n" + "\n".join(found)


def test_the_scan_sees_every_package() -> None:
    files = tree_files()
    assert len(files) >= 5
    for package in PACKAGES:
        if not (ROOT / package / "__init__.py").is_file():
            continue
        sources = {path: source for path, source in files.items() if path.split("/")[0] == package}
        assert sources, f"no files scanned in {package}/"
        if len(sources) > 1:  # a package that is still only a docstring (complaints today) has nothing to import
            assert any(imports_of(source, path) for path, source in sources.items()), f"no imports seen in {package}/"
    every = [imp for path, source in files.items() for imp in imports_of(source, path)]
    assert any(under(target, "survey") for imp in every for target in imp.targets)


def test_imports_are_collected_with_lines_functions_and_relative_modules() -> None:
    source = "import survey.models as m\nfrom . import forms\ndef f():\n    from ..app import links\n"
    found = imports_of(source, "survey/views.py")
    assert [(i.line, i.targets, i.functions) for i in found] == [
        (1, ("survey.models",), ()),
        (2, ("survey.forms",), ()),
        (4, ("app.links",), ("f",)),
    ]


def _one(files: dict[str, str], rule: str) -> None:
    found = violations(files)
    assert len(found) == 1 and f": {rule}:" in found[0], found


def test_rule_1_survey_and_complaints_stay_apart() -> None:
    _one({"survey/views.py": "from complaints.models import Complaint"}, "rule 1")
    _one({"complaints/models.py": "from survey.models import Response"}, "rule 1")
    _one({"complaints/views.py": "def f():\n    from survey import service"}, "rule 1")
    assert violations({"complaints/models.py": "from survey.questionnaire import ELEMENTS"}) == []
    assert violations({"complaints/models.py": "from survey import questionnaire"}) == []


def test_rule_2_domains_do_not_import_analytics() -> None:
    _one({"survey/views.py": "from analytics.dashboard import build"}, "rule 2")
    _one({"complaints/views.py": "import analytics.data"}, "rule 2")


def test_rule_3_app_imports_domains_only_to_register_them() -> None:
    _one({"app/admin.py": "from survey.models import Response"}, "rule 3")
    _one({"app/__init__.py": "from survey.views import bp"}, "rule 3")
    _one({"app/__init__.py": "def create_app():\n    from analytics.views import bp"}, "rule 3")
    _one({"app/cli.py": "def register_commands(app):\n    from survey.cli import survey_cli"}, "rule 3")
    assert violations({"app/__init__.py": "def register_blueprints(app):\n    from survey.views import bp"}) == []


def test_rule_4_analytics_does_not_write_other_tables() -> None:
    update = "def x():\n    from survey.models import Response\n    db.session.execute(sa.update(Response))"
    _one({"analytics/data.py": "import sqlalchemy as sa\n" + update}, "rule 4")
    _one({"analytics/data.py": "from survey.models import Response\ndb.session.add(Response(score=1))"}, "rule 4")
    delete = "from survey import models\nfrom sqlalchemy import delete\ndelete(models.Response)"
    _one({"analytics/data.py": delete}, "rule 4")
    _one({"analytics/data.py": "from survey.service import publish_results"}, "rule 4")
    _one({"analytics/data.py": "from survey.service import response_watermark, publish_results"}, "rule 4")
    assert violations({"analytics/data.py": "from survey.service import response_watermark"}) == []
    own = "from analytics.models import Publication\ndb.session.add(Publication())\nsa.update(Publication)"
    assert violations({"analytics/data.py": own}) == []
    reads = "from survey.models import Response\nnames.update(x)\ndb.session.add(row)\nsa.select(Response)"
    assert violations({"analytics/data.py": reads}) == []


def test_analytics_writes_only_its_own_tables_at_run_time(app, demo):
    """The static rule, checked on what analytics' write side really sends to the database."""
    import re
    from datetime import date

    import sqlalchemy as sa

    from analytics.publishing import publish_period, set_population, withdraw_publication
    from app.extensions import db
    from app.periods import month
    from tests.factories import make_response

    make_response(demo, date(2026, 10, 1), (4,) * 9)
    db.session.commit()
    written: set[str] = set()
    dml = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)

    def record(_conn, _cursor, statement, *_args) -> None:
        if match := dml.match(statement):
            written.add(match[1].lower())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        set_population(unit=demo.unit, period_key="2026-10", population=40)
        publish_period(unit=demo.unit, period=month(2026, 10), published_by="admin")
        withdraw_publication(unit=demo.unit, period=month(2026, 10), withdrawn_by="admin", reason="uji penarikan")
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    # Its own tables, and the app's append-only audit trail (app.audit), which every domain's changes append to.
    assert written == {"survey_populations", "publications", "audit_log"}
