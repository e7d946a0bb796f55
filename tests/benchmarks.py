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
    print(f"ratio render / import tensorflow  {render / baseline:6.2f}   (aim: 1.3 or below)")
    print(f"spec error (a misspelt key)       {spec_error_time():6.2f} s   (aim: under 1 s, exit 2)")
    from .bench_batch import main as class_sets

    class_sets()
    print(f"1000 variants, html+json, dask LocalCluster (2 workers) {dask_batch(1000):7.1f} s")


def spec_error_time() -> float:
    """A render of a spec with a misspelt key: refused before TensorFlow is imported."""
    from .conftest import DEFAULT

    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "bad.toml"
        spec.write_text(DEFAULT.replace("learning_rate", "learning_rat"))
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            run = subprocess.run([str(BIN / "derive"), "render", str(spec), "--out", folder],
                                 capture_output=True)
            times.append(time.perf_counter() - start)
            assert run.returncode == 2, run.stderr
        return statistics.median(times)


def dask_batch(count: int) -> float:
    """A class set of ``count`` variants (html, json) through a dask.distributed executor."""
    import distributed

    from derive.classset.batch import Settings, run_batch

    from .classsets import CLASS

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as client, \
            tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run_batch(CLASS, "class.toml", "class", Path(out), Settings(count, formats=("html", "json")),
                  client.get_executor())
        return time.perf_counter() - start


if __name__ == "__main__":
    main()
