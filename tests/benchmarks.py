"""``make bench``: what derive costs on this machine, measured in one run, never asserted in tests.

Every command runs cold, as its own process tree, and is measured whole:

- wall seconds, from start to the end of its last process;
- CPU seconds (user + system) of every process of the tree, workers and fork server included:
  this process is made their subreaper (Linux ``prctl``), so each one, orphaned or not, is
  reaped here or by a parent reaped here, and ``getrusage(RUSAGE_CHILDREN)`` counts it;
- the peak of the tree's summed proportional set size (``/proc/PID/smaps_rollup``), sampled.

It prints a 100-variant class set (student sheets and keys) in every format and in pdf only,
the CPU a variant costs within the first 100 and past them (a set of 200 less the set of 100),
a cold ``derive render`` against a bare ``import tensorflow`` (the import it cannot avoid),
paired run by run, on a quiet machine and beside one CPU-bound process, and the time to refuse
a misspelt key. The load average is printed first: on a shared machine, figures are only as
quiet as it says.
"""

from __future__ import annotations

import ctypes
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .classsets import CLASS
from .conftest import DEFAULT

BIN = Path(sys.executable).parent
DERIVE = str(BIN / "derive")
FULL = "html,pdf,tex,json"
PAIRS = 5
"""Cold renders paired with bare imports, alternating, for each ratio's median."""
SAMPLE_SECONDS = 0.1
_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Run:
    """One command's whole process tree: wall and CPU seconds, peak summed PSS in bytes."""

    wall: float
    cpu: float
    pss: int


def subreaper() -> None:
    """Make this process the reaper of every orphan below it (Linux), so their CPU is counted."""
    if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _children() -> dict[int, int]:
    """Every process's parent, by pid."""
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _tree(root: int, parents: dict[int, int]) -> set[int]:
    tree, grew = {root}, True
    while grew:
        grown = tree | {pid for pid, parent in parents.items() if parent in tree}
        grew, tree = grown != tree, grown
    return tree


def _pss(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def measure(command: list[str], keep: frozenset[int] = frozenset(), status: int = 0) -> Run:
    """Run ``command``, which must exit with ``status``, and measure its whole tree; ``keep``:
    children of ours not to reap (a load running beside it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            parents = _children()
            mine = {pid for pid, parent in parents.items() if parent == os.getpid()} - keep
            peak = max(peak, _pss(set().union(*(_tree(pid, parents) for pid in mine))))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    while orphans := {pid for pid, parent in _children().items() if parent == os.getpid()} - keep:
        for pid in orphans:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != status:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {err.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Run(wall, cpu, peak)


def class_set(spec: Path, count: int, formats: str) -> Run:
    with tempfile.TemporaryDirectory() as out:
        return measure([DERIVE, "batch", str(spec), "--count", str(count), "--format", formats, "--out", out])


def render_ratio(keep: frozenset[int] = frozenset()) -> tuple[float, float, float]:
    """Median wall seconds of a cold ``derive render`` (every format) and of ``import tensorflow``,
    and the median of their ratios, over PAIRS alternating pairs."""
    renders, imports = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(PAIRS):
            renders.append(measure([DERIVE, "render", "--out", out], keep).wall)
            imports.append(measure([sys.executable, "-c", "import tensorflow"], keep).wall)
    ratios = [r / i for r, i in zip(renders, imports, strict=True)]
    return statistics.median(renders), statistics.median(imports), statistics.median(ratios)


def spec_error(folder: Path) -> float:
    """Median wall seconds of a render refused for a misspelt key, over three runs."""
    spec = folder / "bad.toml"
    spec.write_text(DEFAULT.replace("learning_rate", "learning_rat"))
    command = [DERIVE, "render", str(spec), "--out", str(folder)]
    return statistics.median(measure(command, status=2).wall for _ in range(3))


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    subreaper()
    cores = len(os.sched_getaffinity(0))
    print(f"derive on {cores} cores; {load()}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "class.toml"
        spec.write_text(CLASS)
        full = class_set(spec, 100, FULL)
        print(f"100 variants, html,pdf,tex,json  {full.wall:6.1f} s wall  {full.cpu:6.1f} s CPU  "
              f"peak PSS {full.pss / 2**30:.2f} GB   ({load()})", flush=True)
        pdf = class_set(spec, 100, "pdf")
        print(f"100 variants, pdf                {pdf.wall:6.1f} s wall  {pdf.cpu:6.1f} s CPU  "
              f"peak PSS {pdf.pss / 2**30:.2f} GB   ({load()})", flush=True)
        more = class_set(spec, 200, FULL)
        print(f"200 variants, html,pdf,tex,json  {more.wall:6.1f} s wall  {more.cpu:6.1f} s CPU   ({load()})")
        print(f"CPU per variant, all formats: {full.cpu / 100:.3f} s at 100 (start-up included), "
              f"{(more.cpu - full.cpu) / 100:.3f} s past 100 (200 less 100)", flush=True)
        print(f"a misspelt key refused in {spec_error(Path(folder)):.2f} s wall", flush=True)
    render, bare, ratio = render_ratio()
    print(f"cold derive render, all formats {render:5.2f} s; import tensorflow {bare:5.2f} s; "
          f"ratio {ratio:.2f}, alone   ({load()})", flush=True)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        render, bare, ratio = render_ratio(frozenset({busy.pid}))
    finally:
        busy.kill()
        busy.wait()
    print(f"cold derive render, all formats {render:5.2f} s; import tensorflow {bare:5.2f} s; "
          f"ratio {ratio:.2f}, beside one CPU-bound process   ({load()})", flush=True)


if __name__ == "__main__":
    main()
