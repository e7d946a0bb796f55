"""The fork server's warm start: everything a worker needs once, and no thread to fork."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_the_warmed_process_has_one_thread_and_tensorflow_imported():
    probe = ("import json, sys, derive.warm as w\n"
             "from derive.outline_text import face, FACES\n"
             "print(json.dumps({'threads': w.threads(), 'tensorflow': 'tensorflow' in sys.modules,\n"
             "                  'fonts': face.cache_info().currsize == len(FACES)}))")
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # as cli_batch starts the fork server
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env=environment)
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state == {"threads": 1, "tensorflow": True, "fonts": True}
