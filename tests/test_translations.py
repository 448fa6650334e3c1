"""All three catalogues are complete: every message has a translation, none fuzzy, placeholders kept."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}|%[sd]")


def _entries(po: Path):
    """Yield (msgid, msgstr, fuzzy) for every non-header entry (plural forms joined)."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from compile_messages import parse_po_entries  # type: ignore[import-not-found]

    yield from parse_po_entries(po)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_catalogue_is_complete(language):
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"missing catalogue {po}"
    missing, fuzzy, broken = [], [], []
    count = 0
    for msgid, msgstr, is_fuzzy in _entries(po):
        count += 1
        if is_fuzzy:
            fuzzy.append(msgid)
        if not msgstr.replace("\0", "").strip():
            missing.append(msgid)
        elif sorted(PLACEHOLDER.findall(msgid.split("\0")[0])) != sorted(
            PLACEHOLDER.findall(msgstr.split("\0")[0])
        ):
            broken.append(msgid)
    assert count > 50
    assert missing == [], f"{len(missing)} untranslated in {language}"
    assert fuzzy == []
    assert broken == [], "placeholders differ"
