"""Write the hostile-input corpus: ``python tests/hostile/make_corpus.py DEST``.

Imports every ``tests/hostile/gen_*.py`` module and calls its
``build(DEST / <name>)`` (``gen_tables`` → ``DEST/tables``), then lists what
was written.  The tests build the same files in temporary folders; this
script is for looking at them by hand (or trying them on another program).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def main(argv: list[str]) -> int:
    """Build every corpus under the folder given; 2 on a usage error."""
    if len(argv) != 1:
        print("usage: python tests/hostile/make_corpus.py DEST", file=sys.stderr)
        return 2
    dest = Path(argv[0])
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the generators import tests.form_builder
    for path in sorted(HERE.glob("gen_*.py")):
        name = path.stem.removeprefix("gen_")
        module = importlib.import_module(f"tests.hostile.{path.stem}")
        written = module.build(dest / name)
        size = sum(p.stat().st_size for p in written if p.is_file())
        print(f"{name}: {len(written)} file(s), {size:,} bytes in {dest / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
