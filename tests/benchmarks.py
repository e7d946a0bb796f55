"""``make bench``: timings as ratios measured in one run, never asserted in tests.

A cold ``derive render`` of the default sheet to every format is compared with a bare
``python -c "import tensorflow"`` on the same machine in the same run, so the ratio says
what derive adds on top of the one import it cannot avoid.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 3
BIN = Path(sys.executable).parent


def wall_time(command: list[str]) -> float:
    """Median wall time of ``command`` over REPEATS cold runs."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    baseline = wall_time([sys.executable, "-c", "import tensorflow"])
    with tempfile.TemporaryDirectory() as out:
        render = wall_time([str(BIN / "derive"), "render", "--out", out])
        files = sorted(p.name for p in Path(out).iterdir())
    print(f"import tensorflow (bare)          {baseline:6.2f} s")
    print(f"derive render, all formats (cold) {render:6.2f} s   -> {', '.join(files)}")
    print(f"ratio render / import tensorflow  {render / baseline:6.2f}   (aim: 1.5 or below)")
    from .bench_batch import main as class_sets

    class_sets()


if __name__ == "__main__":
    main()
