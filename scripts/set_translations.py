"""Set msgstr for given msgids in one catalogue and clear their fuzzy flags: used for small
follow-up batches after `make messages` (large batches go through a translator)."""

import json
import re
import sys
from pathlib import Path


def po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def apply(po: Path, translations: dict[str, str]) -> int:
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    done = 0
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        msgid_lines, on = [], False
        for line in lines:
            if line.startswith("msgid "):
                on = True
                msgid_lines.append(line[6:])
            elif on and line.startswith('"'):
                msgid_lines.append(line)
            elif on:
                break
        if not msgid_lines:
            continue
        msgid = "".join(json.loads(part) for part in msgid_lines)
        if msgid not in translations or re.search(r"^msgctxt ", block, re.M):
            continue
        kept = []
        in_msgstr = False
        for line in lines:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [
                    f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"
                ]
                if flags:
                    kept.append("#, " + ", ".join(flags))
                continue
            if line.startswith("msgstr"):
                in_msgstr = True
                continue
            if in_msgstr and line.startswith('"'):
                continue
            in_msgstr = False
            kept.append(line)
        kept.append("msgstr " + po_quote(translations[msgid]))
        blocks[index] = "\n".join(kept)
        done += 1
    po.write_text("\n\n".join(blocks), encoding="utf-8")
    return done


if __name__ == "__main__":
    path, data = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    print(apply(path, data), "set")
