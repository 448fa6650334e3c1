"""Fill the English catalogue: the source strings are English, so msgstr = msgid (plural: both forms)."""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main() -> int:
    text = PO.read_text(encoding="utf-8")
    blocks = text.strip("\n").split("\n\n")
    out = []
    for block in blocks:
        lines = block.split("\n")
        if not any(line.startswith("msgid ") for line in lines):
            out.append(block)
            continue

        # Collect msgid / msgid_plural text lines.
        def grab(key: str, lines: list[str] = lines) -> list[str]:
            grabbed, on = [], False
            for line in lines:
                if line.startswith(key + " "):
                    grabbed.append(line[len(key) + 1 :])
                    on = True
                elif on and line.startswith('"'):
                    grabbed.append(line)
                elif on:
                    on = False
            return grabbed

        msgid = grab("msgid")
        if msgid == ['""']:
            out.append(block)  # header
            continue
        plural = grab("msgid_plural")
        kept = [
            line
            for line in lines
            if not line.startswith("msgstr")
            and not (line.startswith('"') and _in_msgstr(lines, line))
        ]
        kept = [line.replace(", fuzzy", "") if line.startswith("#,") else line for line in kept]
        kept = [line for line in kept if line != "#"]
        if plural:
            kept += ["msgstr[0] " + msgid[0], *msgid[1:], "msgstr[1] " + plural[0], *plural[1:]]
        else:
            kept += ["msgstr " + msgid[0], *msgid[1:]]
        out.append("\n".join(kept))
    header = out[0].replace("#, fuzzy\n", "").replace('"Language: \\n"', '"Language: en\\n"')
    PO.write_text("\n\n".join([header, *out[1:]]) + "\n", encoding="utf-8")
    return 0


def _in_msgstr(lines: list[str], target: str) -> bool:
    current = None
    for line in lines:
        if re.match(r"^(msgid|msgid_plural|msgstr(\[\d\])?|msgctxt) ", line):
            current = line.split(" ", 1)[0]
        if line is target:
            return current is not None and current.startswith("msgstr")
    return False


if __name__ == "__main__":
    sys.exit(main())
