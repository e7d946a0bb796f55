"""Fuzzing: every generated spec is derived or refused with derive's own one-line error, quickly.

The property ``derive check`` and ``derive batch`` rely on: whatever a spec holds (valid, near-valid
TOML, any key, any expression), processing it either succeeds or raises a DeriveError whose
message is one line naming a key, within 2 s of CPU, never another exception. ``make test`` runs a
few examples (the ``quick`` profile); ``make fuzz`` sets ``DERIVE_FUZZ_PROFILE=fuzz`` for 10,000.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from derive.errors import DeriveError
from derive.numeric.checks import DifferencesOnlyError
from derive.spec.schema import parse_spec

from .conftest import DEFAULT
from .fuzz_strategies import expressions, overrides, smooth_specs, specs, valid_specs

settings.register_profile("quick", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("fuzz", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
PROFILE = settings.get_profile(os.environ.get("DERIVE_FUZZ_PROFILE", "quick"))
RENDERED = settings(PROFILE, max_examples=int(os.environ.get("DERIVE_FUZZ_RENDERED", 0))
                    or max(4, PROFILE.max_examples // 50))
"""Specs also computed (TensorFlow): a fiftieth as many, about 0.5 s each; DERIVE_FUZZ_RENDERED sets it."""
VALID = settings(PROFILE, max_examples=int(os.environ.get("DERIVE_FUZZ_VALID", 0))
                 or (PROFILE.max_examples if PROFILE.max_examples >= 1000 else 8))
"""Valid specs computed (``make fuzz``: as many as the other properties); DERIVE_FUZZ_VALID sets it."""
TIME_LIMIT = 2.0
"""Seconds of CPU one input may take: the work it costs, which does not grow when the machine is
shared (a wall clock does: at nice 15 beside a load of 13, a 5 ms input once took 3.1 s)."""
SLOWEST: list[tuple[float, str]] = []
WALL: list[float] = []
PROGRESS = int(os.environ.get("DERIVE_FUZZ_PROGRESS", "0"))
"""Print a line every this many inputs (``make fuzz`` on a shared machine takes a while)."""


HANG_LIMIT = 10 * TIME_LIMIT
"""Seconds of CPU after which an input is stopped as a hang (else the run would wait forever)."""


def _overran(signum: int, frame: object) -> None:
    raise TimeoutError(f"over {HANG_LIMIT:.0f} s of CPU: a hang")


_WARMED: list[bool] = []


def _warm() -> None:
    """Do once, untimed, what the first input pays alone: SymPy's rules, TensorFlow's import."""
    if not _WARMED:
        _WARMED.append(True)
        from derive.graph.functions import FUNCTIONS
        from derive.render.json import to_json
        from derive.sheet.build import build_worksheet
        from derive.symbolic.derivation import function_rule

        for name, entry in FUNCTIONS.items():
            for index in range(entry.arity - int(entry.axis)):  # an axis is no argument to differentiate in
                function_rule(name, index)
        to_json(build_worksheet(parse_spec(DEFAULT), "warm"))
        to_json(build_worksheet(parse_spec(DEFAULT, ("train.steps=3",)), "warm"))  # a compiled descent


def processed(text: str, extra: tuple[str, ...] = (), render: bool = False) -> None:
    """Check ``text`` as ``derive check`` does (and, with ``render``, compute its JSON): succeed,
    or raise a one-line DeriveError naming a key, in under ``TIME_LIMIT`` seconds."""
    from derive.classset.variants import plan_for
    from derive.graph.dag import build_graph
    from derive.symbolic.derivation import derive

    _warm()
    started, cpu_started = time.perf_counter(), time.process_time()
    signal.signal(signal.SIGPROF, _overran)
    signal.setitimer(signal.ITIMER_PROF, HANG_LIMIT)  # counts CPU: a hang fails with its input
    try:
        spec = parse_spec(text, extra)
        derive(build_graph(spec))
        if spec.variants:
            plan = plan_for(spec, text, "fuzz", None)
            parse_spec(text, (*extra, *plan.draw(1).overrides(plan)))
        if render:
            from derive.render.json import to_json
            from derive.sheet.build import build_worksheet

            sheet = build_worksheet(spec, "fuzz")
            to_json(sheet)
            digits_are_true(sheet, text, extra)
    except DifferencesOnlyError as error:  # SymPy and the tape agree: a smooth spec refused by the check
        raise AssertionError(f"refused by its finite differences alone: {error} ({text[:600]!r})") from error
    except DeriveError as error:
        message = str(error)
        assert "\n" not in message and error.key, message
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    elapsed, wall = time.process_time() - cpu_started, time.perf_counter() - started
    SLOWEST.append((elapsed, text[:200]))
    WALL.append(wall)
    if PROGRESS and len(SLOWEST) % PROGRESS == 0:
        print(f"fuzz: {len(SLOWEST):,} inputs, slowest {max(SLOWEST)[0]:.2f} s of CPU, "
              f"{max(WALL):.2f} s wall", file=sys.stderr, flush=True)
    assert elapsed < TIME_LIMIT, f"{elapsed:.2f} s of CPU for {text[:300]!r}"


def digits_are_true(sheet, text: str, extra: tuple[str, ...]) -> None:
    """Every digit a float32 sheet prints is float64's: each answer, as shown, is within half a
    unit of its last digit of the same sheet computed in float64 (where that sheet computes)."""
    from decimal import Decimal

    import numpy as np

    from derive.numbers import at_precision, held_digits
    from derive.sheet.answers import element, elements
    from derive.sheet.build import build_worksheet

    if sheet.dtype != "float32":
        return
    try:
        twin = build_worksheet(parse_spec(text, (*extra, "display.dtype=float64")), "fuzz")
    except DeriveError:
        return
    reference = {key: element(a.value, index) for key, a, index in elements(twin.answers)}
    for key, answer, index in elements(sheet.answers):
        if key not in reference:
            continue
        printed = at_precision(answer.value, answer.digits)  # an array's noise below its digits is 0
        value = float(printed[index]) if index else float(printed)
        digits = min(answer.digits, held_digits(value))  # a subnormal's digits are fewer (5e-324: one)
        shown = Decimal(f"{value:.{digits}g}")
        scale = shown
        if not shown and index:  # an array's 0 is 0 to the digits of its largest entry (at_precision)
            sizes = np.abs(np.asarray(printed, dtype=np.float64))
            largest = float(np.max(sizes, initial=0.0, where=np.isfinite(sizes)))
            scale = Decimal(f"{largest:.{answer.digits}g}")
        unit = Decimal(1).scaleb(scale.adjusted() - digits + 1) if scale else Decimal(0)
        slack = unit / 2 + Decimal(repr(1e-9 * abs(reference[key])))
        assert abs(shown - Decimal(repr(reference[key]))) <= slack or not np.isfinite(reference[key]), (
            f"{key}: shown {shown}, float64 {reference[key]!r}")


@PROFILE
@given(specs(), overrides())
def test_every_generated_spec_is_checked_or_refused_in_one_line(text, extra):
    processed(text, extra)


@PROFILE
@given(st.lists(expressions(["x", "w", "b"]), min_size=1, max_size=3))
def test_every_generated_expression_is_derived_or_refused_in_one_line(sources):
    graph = "".join(f'A{i} = {source!r}\n'.replace("'", '"') if '"' not in source and "\\" not in source
                    else f"A{i} = '''{source}'''\n" for i, source in enumerate(sources, 1))
    processed(f'title = "t"\n[inputs]\nx = [0.5, 1.5]\n[parameters]\nw = 0.8\nb = 0.1\n[graph]\n{graph}')


@RENDERED
@given(specs())
def test_generated_specs_that_check_also_compute(text):
    processed(text, render=True)


@VALID
@given(st.one_of(valid_specs(), valid_specs(), valid_specs(), smooth_specs()))
def test_no_valid_spec_is_refused_by_its_finite_differences(text):
    """Specs that parse and derive, computed whole: rendered or refused in one line, never by the finite
    differences alone where SymPy and the tape agree (``processed``), and every digit true."""
    from derive.graph.dag import build_graph
    from derive.symbolic.derivation import derive

    signal.signal(signal.SIGPROF, _overran)
    signal.setitimer(signal.ITIMER_PROF, HANG_LIMIT)  # a hang in deriving fails too (it stalled a run)
    try:
        derive(build_graph(parse_spec(text)))
    except DeriveError:
        reject()  # not valid: it does not count among the examples
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    processed(text, render=True)


def teardown_module() -> None:
    if SLOWEST and os.environ.get("DERIVE_FUZZ_PROFILE") == "fuzz":
        worst = max(SLOWEST)
        print(f"\nfuzz: {len(SLOWEST):,} inputs, slowest {worst[0]:.2f} s of CPU ({max(WALL):.2f} s wall at "
              f"most): {worst[1]!r}")


def test_generated_strings_are_valid_toml_and_read_back_as_themselves():
    # JSON's escapes of an emoji are surrogates (\ud83d\ude00), which TOML refuses: every spec with
    # such a title was a TOML error, and its derivation never ran
    import tomllib

    from .fuzz_strategies import toml

    for text in ["σ 😀 中", "tab\tand\x7f", "quote \" and \\", "\x00\x1b"]:
        assert tomllib.loads(f"title = {toml(text)}\n")["title"] == text
