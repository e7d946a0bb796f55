"""The tape child loads only what the tape needs (``numeric.tape_process.UNUSED``)."""

from __future__ import annotations

import subprocess
import sys

CHILD = ("from derive.numeric.tape_process import TapeProcess\n"
         "with TapeProcess.start() as tape:  # first, as derive render does\n"
         "    assert tape.forked\n"
         "    from derive.spec.examples import example_path\n"
         "    from derive.spec.schema import load_spec\n"
         "    from derive.symbolic.prepare import shaped_graph\n"
         "    graph = shaped_graph(load_spec(example_path('softmax-cross-entropy'), ()))\n"
         "    tape.run_tape(graph, 'float32', 0.1, 1)\n"
         "    assert tape.forked  # it answered\n"
         "    with open(f'/proc/{tape._process.pid}/maps') as maps:\n"
         "        print(maps.read())\n")


def test_the_child_has_run_a_tape_without_matplotlib_or_h5py():
    run = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "tensorflow" in run.stdout  # the maps are the child's, TensorFlow loaded
    assert "matplotlib" not in run.stdout and "h5py" not in run.stdout
