"""The tree holds to docs/architecture.md: every module is on the map, none is over 420 lines,
none reaches into Django's private attributes, and imports run one way."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "config",
    "partners",
    "events",
    "invitations",
    "calls",
    "feedback",
    "api",
    "worker",
    "personaldata",
)
MAP = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
MAX_LINES = 420  # "no module over ~400 lines" (issue 11)
PRIVATE_DJANGO = re.compile(
    r"\b(_prefetched_objects_cache|_result_cache|_prefetch_done|atomic_blocks|_from_testcase)\b"
)
# Which domain apps each app may import (DESIGN.md: invitations -> events -> partners, each of
# them -> worker and api; worker and api know no domain; no app imports config).
DOMAIN = {"partners", "events", "invitations", "calls", "feedback"}
MAY_IMPORT = {
    "partners": set(),
    "events": {"partners"},
    "invitations": {"events", "partners"},
    "calls": {"partners", "events", "invitations"},
    "feedback": {"partners", "events"},
    "worker": set(),
    "api": set(),
    "personaldata": set(),
}


def modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_the_walk_finds_the_apps():
    found = {path.relative_to(ROOT).parts[0] for path in modules()}
    assert found == set(APPS)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_not_over_the_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_uses_no_private_django_attribute(path):
    found = PRIVATE_DJANGO.findall(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)} uses {sorted(set(found))}"


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p.name not in ("__init__.py", "apps.py")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_module_is_on_the_map(path):
    """Named in docs/architecture.md by its file name, its name without .py (commands and
    tags), or its package folder (`calendar/`, `views/`)."""
    names = (path.name, path.stem, path.parent.name + "/")
    assert any(name in MAP for name in names), f"{path.relative_to(ROOT)} is not on the map"


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p.relative_to(ROOT).parts[0] in MAY_IMPORT],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_imports_run_one_way(path):
    app = path.relative_to(ROOT).parts[0]
    imported = imported_apps(path)
    wrong = (imported & DOMAIN) - MAY_IMPORT[app] - {app}
    if str(path.relative_to(ROOT)) in CALLS_IMPORTERS:
        wrong -= {"calls"}
    if str(path.relative_to(ROOT)) in FEEDBACK_IMPORTERS:
        wrong -= {"feedback"}
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"
    assert "config" not in imported, f"{path.relative_to(ROOT)} imports config"


# calls may take from events only the one email layout, the one date format, the one PDF writer
# and the spreadsheet cell helpers, and from invitations only the network opt-outs (read, record,
# undo); of the other apps only invitations' commands that run every app (demo data, retention)
# import calls.
CALLS_FROM_EVENTS = {
    "events.email_layout",
    "events.dates",
    "events.uploads",
    "events.pdf",
    "events.exports.spreadsheet_safe",
    "events.exports.spreadsheet_time",
    "events.exports.XLSX_CONTENT_TYPE",
}
CALLS_FROM_INVITATIONS = {
    "invitations.selectors.opted_out_emails",
    "invitations.selectors.opt_out_by_token",
    "invitations.services.answers.record_opt_out",
    "invitations.services.answers.undo_opt_out",
}
CALLS_IMPORTERS = {
    "invitations/management/commands/seed_demo.py",
    "invitations/management/commands/apply_retention.py",
    "invitations/tasks.py",
}


# Of the other apps only invitations' commands that run every app (demo data, retention, and
# the daily task that runs the retention) import feedback.
FEEDBACK_IMPORTERS = {
    "invitations/management/commands/seed_demo.py",
    "invitations/management/commands/apply_retention.py",
    "invitations/tasks.py",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p.relative_to(ROOT).parts[0] == "calls"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_calls_takes_from_events_only_the_layout_and_dates(path):
    from_events = {
        m for m in imported_modules(path) if m.split(".")[0] == "events" and m != "events"
    }
    wrong = {
        m
        for m in from_events
        # allowed: the names listed, and the module a listed name is imported from
        if not any(m.startswith(ok) or ok.startswith(m + ".") for ok in CALLS_FROM_EVENTS)
    }
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p.relative_to(ROOT).parts[0] == "calls"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_calls_takes_from_invitations_only_the_opt_outs(path):
    names = {m for m in imported_modules(path) if m.split(".")[0] == "invitations"}
    # A module a listed name is imported from is allowed too.
    modules_of_names = {name.rsplit(".", 1)[0] for name in CALLS_FROM_INVITATIONS}
    wrong = names - CALLS_FROM_INVITATIONS - modules_of_names
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p.relative_to(ROOT).parts[0] not in ("calls", "config")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_nothing_imports_calls_but_the_commands_that_run_every_app(path):
    if str(path.relative_to(ROOT)) in CALLS_IMPORTERS:
        return
    assert "calls" not in imported_apps(path), f"{path.relative_to(ROOT)} imports calls"


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p.relative_to(ROOT).parts[0] not in ("feedback", "config")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_nothing_imports_feedback_but_the_commands_that_run_every_app(path):
    if str(path.relative_to(ROOT)) in FEEDBACK_IMPORTERS:
        return
    assert "feedback" not in imported_apps(path), f"{path.relative_to(ROOT)} imports feedback"
