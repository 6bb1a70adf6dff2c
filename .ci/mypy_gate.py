#!/usr/bin/env python3
"""Run mypy (configured in pyproject.toml) and fail only on findings not in .ci/mypy-baseline.txt.

The baseline holds today's findings without line numbers ("path: message  [code]"), so edits that
move code do not count as new; a finding fixed for good can be dropped with --update. Usage:
    python .ci/mypy_gate.py            # exit 1 on a new finding, listing it
    python .ci/mypy_gate.py --update   # rewrite the baseline from the current findings
"""
from __future__ import annotations

import collections
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
FINDING = re.compile(r"^(?P<path>[^:\s]+\.py):\d+: error: (?P<message>.*)$")


def findings() -> tuple[collections.Counter, int]:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"],
                          cwd=ROOT, capture_output=True, text=True)
    out = collections.Counter()
    for line in proc.stdout.splitlines():
        match = FINDING.match(line)
        if match:
            out[f"{match['path']}: {match['message']}"] += 1
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not out):  # mypy itself failed
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(2)
    return out, proc.returncode


def main() -> int:
    current, _code = findings()
    if "--update" in sys.argv:
        BASELINE.write_text("".join(f"{line}\n" for line in sorted(current.elements())))
        print(f"mypy baseline: {sum(current.values())} findings written to {BASELINE.relative_to(ROOT)}")
        return 0
    known = collections.Counter(BASELINE.read_text().splitlines()) if BASELINE.exists() else collections.Counter()
    new = current - known
    if new:
        print("mypy: new findings (fix them, or if a move changed their text: python .ci/mypy_gate.py --update)")
        for line in sorted(new.elements()):
            print("  " + line)
        return 1
    print(f"mypy: no new findings ({sum(current.values())} known in the baseline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
