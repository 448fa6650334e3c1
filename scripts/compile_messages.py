"""Compile locale/*/LC_MESSAGES/django.po to .mo without needing GNU gettext on the machine."""

import ast
import re
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_po_entries(path: Path) -> Iterator[tuple[str, str, bool]]:
    """Yield (msgid, msgstr, fuzzy) for each entry but the header; plural forms joined by NUL,
    a context prefixed as msgctxt + EOT (the .mo convention)."""
    entry: dict[str, list[str]] = {}
    key = None
    fuzzy = False

    def finish() -> tuple[str, str, bool] | None:
        if "msgid" not in entry:
            return None
        msgid = "".join(entry["msgid"])
        if "msgid_plural" in entry:
            msgid += "\0" + "".join(entry["msgid_plural"])
            forms = sorted(k for k in entry if k.startswith("msgstr["))
            msgstr = "\0".join("".join(entry[k]) for k in forms)
        else:
            msgstr = "".join(entry.get("msgstr", []))
        if "msgctxt" in entry:
            msgid = "".join(entry["msgctxt"]) + "\x04" + msgid
        return msgid, msgstr, fuzzy

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line or (line.startswith(("msgid ", "msgctxt ")) and "msgid" in entry):
            done = finish()
            if done and done[0]:
                yield done
            entry, key, fuzzy = {}, None, False
            if not line:
                continue
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if key is not None:
                entry[key].append(ast.literal_eval(line))
            continue
        key, _, rest = line.partition(" ")
        entry[key] = [ast.literal_eval(rest)]


def parse_po(path: Path) -> dict[str, str]:
    """The translated, non-fuzzy messages plus the header, ready for a .mo file."""
    messages = {"": _header(path)}
    for msgid, msgstr, fuzzy in parse_po_entries(path):
        if not fuzzy and msgstr.replace("\0", ""):
            messages[msgid] = msgstr
    return messages


def _header(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    match = re.search(r'^msgid ""\nmsgstr ""\n((?:".*"\n)*)', text, re.MULTILINE)
    if not match:
        return "Content-Type: text/plain; charset=UTF-8\n"
    return "".join(ast.literal_eval(line) for line in match.group(1).splitlines())


def write_mo(messages: dict[str, str], path: Path) -> None:
    keys = sorted(messages)
    ids = b""
    strs = b""
    offsets = []
    for k in keys:
        kb, vb = k.encode("utf-8"), messages[k].encode("utf-8")
        offsets.append((len(ids), len(kb), len(strs), len(vb)))
        ids += kb + b"\0"
        strs += vb + b"\0"
    n = len(keys)
    keystart = 7 * 4 + 16 * n
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    output += struct.pack("%di" % len(koffsets), *koffsets)
    output += struct.pack("%di" % len(voffsets), *voffsets)
    output += ids + strs
    path.write_bytes(output)


def main() -> int:
    for po in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        write_mo(parse_po(po), mo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
