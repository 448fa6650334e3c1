"""Every schema the API answers with has a name of its own in the OpenAPI document.

django-ninja keys components by the class name: two apps' `QuestionOut` became one, and the
document described event questions with the calls' fields (schemathesis caught it).
"""

import importlib
import inspect
from collections import defaultdict
from pathlib import Path

from ninja import Schema

from config.api import api

ROOT = Path(__file__).resolve().parents[2]


def _schema_classes() -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", ".venv", "var", "bench", "scripts"}:
            continue
        if "schemas" not in relative.stem and relative.stem not in {"api", "router"}:
            continue
        module = importlib.import_module(".".join(relative.with_suffix("").parts))
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and value is not Schema:
                if value.__module__ == module.__name__:
                    names[name].add(value.__module__)
    return names


def test_no_two_schemas_share_a_name():
    shared = {name: mods for name, mods in _schema_classes().items() if len(mods) > 1}
    assert shared == {}


def test_the_document_lists_each_schema_class():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert "CallQuestionOut" in components and "QuestionOut" in components
    assert "order" not in components["QuestionOut"]["properties"]
