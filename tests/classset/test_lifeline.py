"""Every process a batch or a cold render starts ends with it: after ``kill -9`` at any moment
(the fork server starting or importing TensorFlow, the workers just forked or at work; the
render's TensorFlow child just forked), on a machine whose every core is busy; and Ctrl-C is
one line.

A run's processes are found by a marker in their environment, which every process they start
inherits, never by name; a zombie counts as gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from derive.classset.lifeline import ENVIRONMENT

from ..classsets import CLASS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="PR_SET_PDEATHSIG and /proc are Linux's")

MARKER = "DERIVE_TEST_RUN"
DERIVE = str(Path(sys.executable).with_name("derive"))
HANG_GUARD = 180.0
"""Seconds a moment may take to come (the fork server warms up in about 8 s on an idle machine)."""
GONE_WITHIN = 30.0
"""Seconds the run's processes may take to end after the kill (a hang guard)."""


def _marked(token: str) -> dict[int, int]:
    """{pid: parent's pid} of the live processes whose environment holds ``MARKER=token``."""
    needle = f"\0{MARKER}={token}\0".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:  # gone meanwhile, or another user's
            continue
        if needle in b"\0" + environment and state != "Z":
            found[int(entry.name)] = int(parent)
    return found


def _has_tensorflow(pid: int) -> bool:
    """Whether the process has loaded TensorFlow's library (its import is under way, or done)."""
    try:
        return "libtensorflow" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:  # unlinked meanwhile
        return None


def _threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


class Run:
    """A ``derive`` command in a session of its own, with a marker of its own."""

    def __init__(self, arguments: list[str], cwd: Path):
        self.token = uuid.uuid4().hex
        self.cwd = cwd
        self.process = subprocess.Popen([DERIVE, *arguments], cwd=cwd, env={**os.environ, MARKER: self.token},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)

    def processes(self) -> dict[int, int]:
        return _marked(self.token)

    def children(self) -> list[int]:
        return [pid for pid, parent in self.processes().items() if parent == self.process.pid]

    def workers(self) -> list[int]:
        """The fork server's children that share its TensorFlow: the workers (its other children,
        earlier, are the compilers and ldconfig that ``ctypes.util.find_library`` runs while it
        imports the renderers)."""
        processes = self.processes()
        fork_servers = {pid for pid, parent in processes.items() if parent == self.process.pid}
        return [pid for pid, parent in processes.items() if parent in fork_servers and _has_tensorflow(pid)]

    def wait_for(self, moment: Callable[[], object], what: str) -> None:
        """Poll every 10 ms (to catch short moments) until ``moment()`` is true."""
        deadline = time.monotonic() + HANG_GUARD
        while not moment():
            assert self.process.poll() is None, f"derive ended before {what}: {self.process.stderr.read()}"
            assert time.monotonic() < deadline, f"no {what} within {HANG_GUARD:.0f} s"
            time.sleep(0.01)

    def semaphores(self) -> set[int]:
        """The inodes of the named semaphores (multiprocessing's locks: files in /dev/shm) the
        command has mapped; by inode, since glibc maps a file it then renames."""
        try:
            maps = Path(f"/proc/{self.process.pid}/maps").read_text()
        except OSError:
            return set()
        return {int(fields[4]) for fields in map(str.split, maps.splitlines())
                if len(fields) > 5 and fields[5].startswith("/dev/shm/sem.")}

    def kill_and_time_the_end(self) -> float:
        """``kill -9`` the command; seconds until none of its processes is left."""
        os.kill(self.process.pid, signal.SIGKILL)
        killed = time.monotonic()
        self.process.wait()
        return self.time_the_end(killed)

    def time_the_end(self, since: float) -> float:
        """Seconds from ``since`` until none of the run's processes is left; fails if any is
        left after ``GONE_WITHIN`` seconds, or if one goes on to load TensorFlow meanwhile (a
        fork server or a tape child that lives on to finish its warm-up, then ends by itself)."""
        loaded = {pid for pid in self.processes() if _has_tensorflow(pid)}
        went_on = set()
        while (left := self.processes()) and time.monotonic() - since < GONE_WITHIN:
            went_on |= {pid for pid in left if pid not in loaded and _has_tensorflow(pid)}
            time.sleep(0.05)
        assert left == {}, f"{len(left)} processes alive {GONE_WITHIN:.0f} s after the end: {left}"
        assert went_on == set(), f"processes that loaded TensorFlow after the end: {went_on}"
        return time.monotonic() - since

    def clean_up(self) -> None:
        """Kill what is left (after a failure), so as not to burden the rest of the suite."""
        for pid in [self.process.pid, *self.processes()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        self.process.stderr.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[[list[str]], Run]]:
    """``start(arguments)``: a ``Run`` in tmp_path, killed with all its processes at the end."""
    runs: list[Run] = []

    def starting(arguments: list[str]) -> Run:
        runs.append(Run(arguments, tmp_path))
        return runs[-1]

    yield starting
    for run in runs:
        run.clean_up()


def start_batch(start: Callable[[list[str]], Run], tmp_path: Path) -> Run:
    """A batch in 2 workers that does not finish within the test."""
    (tmp_path / "class.toml").write_text(CLASS)
    return start(["batch", "class.toml", "--count", "2000", "--format", "json", "--out", "out",
                  "--workers", "2"])


def test_ctrl_c_during_a_batch_is_one_line_in_every_process(start, tmp_path):
    run = start_batch(start, tmp_path)
    run.wait_for(lambda: any(_threads(pid) > 1 for pid in run.workers()), "worker at work")
    os.killpg(run.process.pid, signal.SIGINT)  # what a terminal sends: the whole process group
    interrupted = time.monotonic()
    _, stderr = run.process.communicate(timeout=60)
    assert run.process.returncode == 130
    assert stderr == ("derive: interrupted; every file written is whole (a class set: rerun the same "
                      "command to finish it)\n")
    run.time_the_end(interrupted)


@pytest.fixture(scope="module")
def loaded_machine() -> Iterator[None]:
    """One CPU-bound process per core, for the rest of the module: the machine CI runs on."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
               for _ in range(len(os.sched_getaffinity(0)))]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


MOMENTS: dict[str, Callable[[Run], object]] = {
    # the resource tracker and the fork server are there: the fork server's Python is starting
    "the fork server starting": lambda run: len(run.children()) >= 2,
    # TensorFlow's import is the fork server's warm-up's last and longest part; no worker yet
    "the fork server importing TensorFlow": lambda run: any(_has_tensorflow(pid) for pid in run.children()),
    # both workers forked, still setting up (unpickling their task, importing derive.cli as __main__)
    "the workers just forked": lambda run: len(run.workers()) >= 2,
    # a worker has run TensorFlow (which starts its thread pools): mid-batch
    "a worker at work": lambda run: any(_threads(pid) > 1 for pid in run.workers()),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_9_of_a_batch_at_any_moment_leaves_no_process_behind(moment, start, tmp_path, loaded_machine,
                                                                   record_property):
    run = start_batch(start, tmp_path)
    run.wait_for(lambda: MOMENTS[moment](run), moment)
    semaphores = run.semaphores()  # the pool's queues', once it has them
    record_property("processes", len(run.processes()))
    record_property("semaphores", len(semaphores))
    record_property("gone_after_s", run.kill_and_time_the_end())
    # the resource tracker, whose pipe the batch and its workers held, unlinked them as it ended
    assert [path for path in Path("/dev/shm").glob("sem.*") if _inode(path) in semaphores] == []


def test_kill_9_of_a_cold_render_leaves_no_tensorflow_child_behind(start, loaded_machine, record_property):
    """The child forked to import TensorFlow (``numeric.tape_process``), its parent killed at
    once after the fork, while the child is tying itself to it."""
    run = start(["render", "--format", "json", "--out", "out"])
    run.wait_for(run.children, "TensorFlow child")
    record_property("gone_after_s", run.kill_and_time_the_end())


PDEATHSIG = textwrap.dedent("""
    import ctypes, os, sys
    import derive.classset.lifeline as lifeline

    def report(who):
        signal = ctypes.c_int(0)
        ctypes.CDLL(None).prctl(2, ctypes.byref(signal), 0, 0, 0)  # PR_GET_PDEATHSIG
        print(who, signal.value, os.environ.get(lifeline.ENVIRONMENT), flush=True)

    report("server")
    if os.fork() == 0:
        report("worker")
        os._exit(0)
    os.wait()
""")


def test_the_fork_server_and_each_child_it_forks_are_tied_at_once():
    """Tied: the kernel will send SIGKILL (9) when the parent dies; the batch's pid is not
    passed on to the workers."""
    environment = {**os.environ, ENVIRONMENT: str(os.getpid())}
    done = subprocess.run([sys.executable, "-c", PDEATHSIG], env=environment, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout) == (0, f"server {int(signal.SIGKILL)} None\n"
                                                 f"worker {int(signal.SIGKILL)} None\n")
    assert done.stderr == ""


def test_a_fork_server_whose_batch_died_before_it_was_tied_ends_at_once():
    """Its parent is not the pid it was given (here: the test runs it, not process 1), as when
    the batch died while it started: it ends before its warm-up, with status 1."""
    environment = {**os.environ, ENVIRONMENT: "1"}
    done = subprocess.run([sys.executable, "-c", "import derive.classset.lifeline; print('warming up')"],
                          env=environment, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "")
