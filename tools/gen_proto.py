"""Regenerate the Python code for proto/ into snakebridge_rules/_pb (deterministic).

Run: python tools/gen_proto.py [--check]   (--check exits 1 when the files are stale)
"""

from __future__ import annotations

import filecmp
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
OUT = ROOT / "snakebridge_rules" / "_pb"


def generate(out: Path) -> list[Path]:
    """Run protoc over every .proto file and return the files written, relative to out."""
    sources = sorted(PROTO_ROOT.rglob("*.proto"))
    args = ["protoc", f"-I{PROTO_ROOT}", f"--python_out={out}", f"--pyi_out={out}"]
    if protoc.main(args + [str(p.relative_to(PROTO_ROOT)) for p in sources]) != 0:
        sys.exit("protoc failed")
    return sorted(p.relative_to(out) for p in out.rglob("*_pb2.py*"))


def main() -> int:
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        existing = sorted(p.relative_to(OUT) for p in OUT.rglob("*_pb2.py*"))
        stale = [p for p in fresh if not (OUT / p).exists()
                 or not filecmp.cmp(Path(tmp) / p, OUT / p, shallow=False)]
        stale += [p for p in existing if p not in fresh]
        if check:
            for p in stale:
                print(f"stale: snakebridge_rules/_pb/{p}", file=sys.stderr)
            if stale:
                print("fix: python tools/gen_proto.py", file=sys.stderr)
            return 1 if stale else 0
        generate(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
