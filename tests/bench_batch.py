"""``make bench``, class sets: batch wall time, per-variant time and peak memory, in one run.

Every figure is measured here, on this machine, in this run, with cold ``derive`` processes:

- a 100-variant batch (student sheet and key, html, pdf, tex, json) against 100 single cold
  renders of one variant pair (``derive render --variant``), extrapolated from one;
- the per-variant time of a batch of 100 and of 1000 variants, html and json only;
- the peak memory (resident, summed over the process and its workers) of the 100-variant
  batch against the single render.

The batches use ``--workers`` at its default, one process per core. Timings are printed,
never asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .classsets import CLASS

BIN = Path(sys.executable).parent
SPEC = CLASS
"""The class-set tests' spec: seed 003's neuron with four values drawn per student."""
FULL = "html,pdf,tex,json"
LIGHT = "html,json"


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (Linux /proc), 0 elsewhere."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        grown = tree | {pid for pid, parent in parents.items() if parent in tree}
        grew, tree = grown != tree, grown
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(command: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory of ``command`` and its child processes."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {err.decode()[-2000:]}")
    return elapsed, peak


def main() -> None:
    derive = str(BIN / "derive")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        spec = tmp / "class.toml"
        spec.write_text(SPEC)

        def batch(count: int, formats: str) -> tuple[float, int]:
            out = tmp / f"batch-{count}-{formats.replace(',', '-')}"
            return measure([derive, "batch", str(spec), "--count", str(count), "--format", formats,
                            "--out", str(out)])

        single, single_peak = measure([derive, "render", str(spec), "--variant", "class-2026-01", "--format",
                                       FULL, "--out", str(tmp / "single")])
        full, full_peak = batch(100, FULL)
        light_100, _ = batch(100, LIGHT)
        light_1000, _ = batch(1000, LIGHT)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"class sets ({cores} cores, --workers {cores}):")
    print(f"  one variant pair, {FULL} (cold)    {single:7.2f} s")
    print(f"  100 variants, {FULL}              {full:7.2f} s   (aim: under 20 s) "
          f"= {full / (100 * single):.2f} x 100 cold renders ({100 * single:.0f} s extrapolated)")
    for count, seconds in ((100, light_100), (1000, light_1000)):
        each = seconds / count
        print(f"  per variant at {count:4d}, {LIGHT}          {each:7.3f} s   ({seconds:.1f} s in all)")
    print(f"  each variant past the first 100, {LIGHT}  {(light_1000 - light_100) / 900:7.3f} s   "
          "(the cost a variant adds once the set is under way: flat if it matches the per-variant time)")
    if single_peak:
        print(f"  peak memory: 100-variant batch {full_peak / 2**20:.0f} MiB, one render "
              f"{single_peak / 2**20:.0f} MiB   ({full_peak / single_peak:.2f} x)")


if __name__ == "__main__":
    main()
