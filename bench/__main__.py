"""`python -m bench [name ...]`: run every bench module's main(), or only the named ones."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not info.name.startswith("_")
    )
    if argv:
        names = [name for name in names if name in argv]
    failed = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"== bench.{name} ==", flush=True)
        result = module.main()
        # A module's main() returns an exit status, or its figures (a dict) when it has no
        # target to fail.
        failed += isinstance(result, int) and result != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
