"""Spec-size limits: refused before the work they bound, in a moment, naming the key and the limit."""

from __future__ import annotations

import time

import pytest

from derive.errors import SpecError
from derive.spec.limits import MAX_ELEMENTS, MAX_NODES, MAX_SPEC_CHARS, MAX_STEPS
from derive.spec.schema import parse_spec

BASE = 'title = "t"\n[inputs]\n{inputs}\n[parameters]\nw = 0.8\n[graph]\n{graph}\n{extra}'


def refused(text: str, *overrides: str) -> SpecError:
    started = time.perf_counter()
    with pytest.raises(SpecError) as caught:
        parse_spec(text, overrides)
    assert time.perf_counter() - started < 1.0
    assert "\n" not in str(caught.value)
    return caught.value


def spec(inputs: str = "x = 0.5", graph: str = 'A = "w*x"', extra: str = "") -> str:
    return BASE.format(inputs=inputs, graph=graph, extra=extra)


def test_a_1000_by_1000_matrix_is_refused_naming_its_key():
    row = "[" + ", ".join(["1.0"] * 1000) + "]"
    text = spec(inputs="x = [" + ", ".join([row] * 1000) + "]")
    error = refused(text)
    assert error.key == "inputs.x"
    assert f"the spec has {len(text):,} characters; the limit is {MAX_SPEC_CHARS:,}" in error.message


def test_a_matrix_past_the_element_limit_is_refused_with_its_shape():
    row = "[" + ", ".join(["1.0"] * 40) + "]"
    error = refused(spec(inputs="x = [" + ", ".join([row] * 30) + "]"))
    assert str(error) == f"inputs.x: a 30x40 matrix holds 1,200 numbers; the limit is {MAX_ELEMENTS:,}"


def test_a_parameter_table_array_counts_too():
    text = spec().replace("w = 0.8", "w = { value = [" + ", ".join(["0.5"] * 1001) + "], trainable = false }")
    assert refused(text).key == "parameters.w"


def test_too_many_nodes_and_steps():
    nodes = "\n".join(f'A{i} = "w*x"' for i in range(MAX_NODES + 1))
    assert str(refused(spec(graph=nodes))) == f"graph: {MAX_NODES + 1} nodes; the limit is {MAX_NODES}"
    error = refused(spec(extra="[train]\nlearning_rate = 0.1\nsteps = 100000\n"))
    assert error.key == "train.steps" and f"{MAX_STEPS}" in error.message and "100000" in error.message


@pytest.mark.parametrize(("inputs", "fragment"), [
    ("x = " + "9" * 5000, "TOML value out of range"),
    ("x = " + "[" * 3000 + "]" * 3000, "nests arrays or tables too deeply"),
    ("x = " + "9" * 400, "expected a finite number"),
])
def test_numbers_python_cannot_read_are_one_line_errors(inputs, fragment):
    assert fragment in str(refused(spec(inputs=inputs)))


def test_set_when_inputs_is_not_a_table():
    text = 'title = "t"\ninputs = 3\n[parameters]\nw = 0.8\n[graph]\nA = "w*w"\n'
    assert str(refused(text, "x1=2")) == "inputs: expected a table of names and values, got 3"


def test_a_1_gb_spec_file_is_refused_by_its_size_before_it_is_read(tmp_path):
    from derive.spec.limits import read_text
    from derive.spec.schema import load_spec

    path = tmp_path / "huge.toml"
    with open(path, "wb") as stream:
        stream.truncate(2**30)  # sparse: nothing is written, the size is 1 GB (once read whole: 9 s)
    for load in (read_text, load_spec):
        with pytest.raises(SpecError) as caught:
            load(path)
        assert caught.value.key == str(path)
        assert caught.value.message.startswith(f"the spec has {2**30:,} bytes; the limit is "
                                               f"{MAX_SPEC_CHARS:,} characters")


def test_a_spec_whose_size_stat_does_not_tell_is_read_no_further_than_the_limit(tmp_path):
    import os
    import threading

    from derive.spec.limits import MAX_SPEC_BYTES, read_text

    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    total, written = 4 * MAX_SPEC_BYTES, [0]

    def feed() -> None:
        try:
            with open(path, "wb", buffering=0) as stream:
                for _ in range(total // 4096):
                    written[0] += stream.write(b"#" * 4096)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed)
    writer.start()
    with pytest.raises(SpecError) as caught:
        read_text(path)
    writer.join(timeout=60)
    assert caught.value.message.startswith(f"the spec has {MAX_SPEC_BYTES + 1:,} or more bytes")
    assert written[0] < total / 2  # the reader stopped at the limit; the writer's pipe broke


def test_a_spec_file_that_is_not_utf8_is_one_line(tmp_path):
    from derive.spec.limits import read_text

    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "Übung"\n'.encode("latin-1"))
    with pytest.raises(SpecError, match="the spec is not UTF-8 text"):
        read_text(path)
