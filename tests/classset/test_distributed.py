"""A class set on a distributed engine: dask.distributed's executor, byte-identical to a local run.

``run_batch`` takes any ``concurrent.futures.Executor``; a dask ``Client.get_executor()`` is
one, so a LocalCluster here (two worker processes) stands for a real cluster.
"""

from __future__ import annotations

import pytest

from ..classsets import CLASS
from .test_batch import SETTINGS, files, run


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as local, \
            distributed.Client(local) as client:
        yield client


def test_a_set_on_a_dask_cluster_is_byte_identical_to_a_local_run(cluster, tmp_path):
    assert len(cluster.scheduler_info()["workers"]) == 2
    run(tmp_path / "local", SETTINGS, CLASS)
    run(tmp_path / "dask", SETTINGS, CLASS, executor=cluster.get_executor())
    assert files(tmp_path / "dask") == files(tmp_path / "local")
    ran = cluster.run(lambda: "derive.classset.variant_job" in __import__("sys").modules)
    assert set(ran.values()) == {True}  # the variants were made on the workers
