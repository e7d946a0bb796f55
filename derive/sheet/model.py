"""The worksheet model: frozen, hashable dataclasses of strings, floats, tuples and formulas.

Every renderer reads this and only this; ``--format json`` writes it. Every formula and name
is a part (``formula.Symbolic``: a SymPy expression under the sheet's notation; ``Number``: a
value and its digits) or a ``formula.Formula`` of parts, printed on demand by a printer style
(TeX or MathML) for the key or a student sheet, so templates neither compute nor format nor
cut formulas apart. Arrays are nested tuples, never ndarrays. The ``*_tex`` properties are
the TeX printer's text, for the .tex template, JSON and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..numbers import MATRIX_COLUMNS, MATRIX_ROWS, VECTOR_ENTRIES
from ..numbers import shown as _shown
from .formula import Formula, Number, Numbers, Symbolic, part_tex


@dataclass(frozen=True)
class Quantity:
    """A named number: an input, a parameter, or a node's forward value."""

    name: str
    symbol: Symbolic
    value: float | tuple
    shown: str
    role: str
    digits: int = 0
    """The significant digits ``shown`` has."""

    @property
    def tex(self) -> str:
        return part_tex(self.symbol)

    @property
    def matrix(self) -> Number | None:
        """An array small enough to print whole as a matrix (a vector as a row), for a table's
        cell; None for a scalar, or an array a formula would print only in part (its text stays)."""
        shape = np.shape(self.value)
        if not shape or len(shape) > 2:
            return None
        rows, columns = (1, shape[0]) if len(shape) == 1 else shape
        if rows > MATRIX_ROWS or columns > (VECTOR_ENTRIES if len(shape) == 1 else MATRIX_COLUMNS):
            return None
        return Number(self.value, self.digits, given=True)


@dataclass(frozen=True)
class Equation:
    """A graph node as the instructor wrote it: ``A_1 = x_1 w_1 + x_2 w_2 + b``."""

    name: str
    source: str
    formula: Formula


@dataclass(frozen=True)
class GeneralRule:
    """A function's derivative in general form, with the steps from its definition."""

    function: str
    title: str
    """How the sheet names it: 'the sigmoid', 'binary cross-entropy, with respect to p'."""
    formula: Formula
    """The rule: derivative = textbook form."""
    steps: tuple[Formula, ...]
    """From the definition to the textbook form; the first ``definitions`` state the definition."""
    definitions: int = 0

    def lines(self, blank_steps: bool = False) -> tuple[Formula, ...]:
        """Its lines: the steps; with ``blank_steps`` (a steps-mode student sheet) the definition,
        then the rule to derive."""
        return (*self.steps[:self.definitions], self.formula) if blank_steps else self.steps


@dataclass(frozen=True)
class LocalDerivative:
    """d(node)/d(input) for one edge."""

    key: str
    node: str
    input: str
    symbol: Symbolic
    formula: Formula
    """symbol = d/d(input) of the expression = its derivative = in node names = the value."""
    value: float | tuple
    shown: str
    rules: tuple[GeneralRule, ...]
    relevant: bool = True
    """On a path from what is trained (or asked for) to the loss: derived on the sheet. The
    others (with respect to data, labels, constants) are only arrows of the graph's picture."""

    @property
    def symbol_tex(self) -> str:
        return part_tex(self.symbol)


@dataclass(frozen=True)
class Answer:
    """One number a student produces: what is asked, at which step, its value and how it is marked.

    The sheet's ordered ``answers`` are the one list behind the student sheet's boxes, the key's
    numbers, answers.csv/json and both quizzes: each answer has exactly one box on the student
    sheet (its *site*, a ``Number`` whose ``answer`` is this ``key``)."""

    key: str
    """``forward:A2``, ``local:A2/A1``, ``gradient:w1``, ``updated:w1`` (``updated:w1@2`` on a
    sheet of several steps), ``loss:after`` (``loss:after@2``): the answers.csv column."""
    asks: Symbolic
    """The quantity as math: A_2, a partial derivative, w_1, L."""
    step: int
    """0 for the first forward and backward pass; k for a value after k descent steps."""
    value: float | tuple
    digits: int
    """Significant digits shown: the sheet's precision, or fewer for a number of a later step whose
    float32 and float64 values agree on fewer (``sheet.digits``)."""
    spread: float | tuple
    """How far a careful student's answer may land from the exact value, working from the sheet's
    shown (rounded) numbers: half a unit of each shown input's last digit carried through the step."""
    label: str = ""
    """What it asks in plain words (``∂L/∂w1 after step 1``), where math cannot be typeset (a
    quiz's feedback, a spreadsheet)."""

    @property
    def shown(self) -> str:
        return _shown(self.value, self.digits)

    @property
    def asks_tex(self) -> str:
        return part_tex(self.asks)


@dataclass(frozen=True)
class PathTerm:
    """One path's product of local derivatives."""

    path: tuple[str, ...]
    route: Symbolic
    """The path as names joined by arrows."""
    symbols: Symbolic
    """The product of the path's partials."""
    expression: Symbolic
    simplified: Symbolic | None
    numbers: Formula
    """The local derivatives' numbers = their product."""
    value: float | tuple
    shown: str

    @property
    def path_tex(self) -> str:
        return part_tex(self.route)

    @property
    def symbols_tex(self) -> str:
        return part_tex(self.symbols)


@dataclass(frozen=True)
class ChainRule:
    """dL/d(parameter) as a sum over paths."""

    parameter: str
    parameter_symbol: Symbolic
    symbol: Symbolic
    symbols: Symbolic
    """The sum over paths of products of local derivatives."""
    numbers: Number | Numbers
    formula: Formula
    """symbol = the symbolic sum = ... = the numbers = the value."""
    paths: tuple[PathTerm, ...]
    simplifications: tuple[Formula, ...]
    value: float | tuple
    shown: str

    @property
    def parameter_tex(self) -> str:
        return part_tex(self.parameter_symbol)

    @property
    def symbol_tex(self) -> str:
        return part_tex(self.symbol)


@dataclass(frozen=True)
class CheckRow:
    """One term computed three ways."""

    term: str
    term_symbol: Symbolic
    symbolic: float | tuple
    tape: float | tuple
    finite_difference: float | tuple
    disagreement: float | tuple
    shown_symbolic: str
    shown_tape: str
    shown_finite_difference: str
    shown_disagreement: str

    @property
    def term_tex(self) -> str:
        return part_tex(self.term_symbol)


@dataclass(frozen=True)
class Update:
    """w <- w - lr dL/dw for one parameter, with numbers."""

    name: str
    symbol: Symbolic
    old: float | tuple
    gradient: float | tuple
    new: float | tuple
    shown_old: str
    shown_new: str
    rule: Formula
    numbers: Formula
    """w <- w - rate dL/dw = old - rate * gradient = new: the rule and its numbers on one line (old and
    rate given; ``rule`` alone for the JSON)."""

    @property
    def tex(self) -> str:
        return part_tex(self.symbol)


@dataclass(frozen=True)
class OptimizerStep:
    """One worked step of an optimizer: for each trained parameter its gradient (after the first
    step), each state and the parameter after the step, each row ending in its answer's site."""

    step: int
    rows: tuple[Formula, ...]


@dataclass(frozen=True)
class OptimizerWork:
    """The update of an optimizer other than plain SGD (momentum, Nesterov, RMSprop, Adam, AdamW)."""

    name: str
    """How the sheet names it: 'Adam', 'SGD with momentum'."""
    keras: str
    """The tf.keras.optimizers call it equals: 'tf.keras.optimizers.Adam()'."""
    rule: tuple[Formula, ...]
    """The update rule in general form, one row a state, the parameter last."""
    legend: tuple[tuple[Symbolic, str], ...]
    """Each letter of the rule and what it is."""
    hyperparameters: tuple[Formula, ...]
    """beta_1 = 0.9, ...: given."""
    note: str
    """Where Keras puts epsilon, for Adam; else empty."""
    steps: tuple[OptimizerStep, ...]
    trained: tuple[str, ...] = ()
    """The parameters it moves."""
    keras_step: Formula | None = None
    """Adam's step as Keras computes it, beside ``note``."""


@dataclass(frozen=True)
class Step:
    """The loss and parameters after ``step`` descent steps."""

    step: int
    loss: float | tuple
    parameters: tuple[tuple[str, float | tuple], ...]
    shown_loss: str
    shown_parameters: tuple[str, ...]
    digits: tuple[int, ...] = ()
    """The significant digits of the loss, then of each parameter, as shown (a float32 step past the
    first may show fewer than the sheet's precision, ``sheet.digits``); empty: the sheet's precision."""


@dataclass(frozen=True)
class GradientEntry:
    """One source of a [gradient] table: the tape's answer (or None, and why) beside SymPy's."""

    wrt: str
    wrt_symbol: Symbolic
    symbol: Symbolic
    formula: Formula
    """The derivation: chain rule (order 1) or the derivative of the written-out node."""
    tape: float | tuple | None
    shown_tape: str
    symbolic: float | tuple
    shown_symbolic: str
    finite_difference: float | tuple | None
    shown_finite_difference: str
    watched: bool
    reason: str
    forward_difference: float | None
    shown_forward_difference: str

    @property
    def wrt_tex(self) -> str:
        return part_tex(self.wrt_symbol)

    @property
    def symbol_tex(self) -> str:
        return part_tex(self.symbol)


@dataclass(frozen=True)
class GradientTable:
    """tape.gradient(of, [wrt...]) under one tape's watch rules."""

    of: str
    of_symbol: Symbolic
    order: int
    code: str
    """The TensorFlow code this table runs, for the sheet."""
    entries: tuple[GradientEntry, ...]
    notes: tuple[str, ...]

    @property
    def of_tex(self) -> str:
        return part_tex(self.of_symbol)


@dataclass(frozen=True)
class Worksheet:
    """Everything one sheet shows."""

    stem: str
    title: str
    intro: str
    dtype: str
    precision: int
    loss: str
    loss_symbol: Symbolic
    learning_rate: float | None
    shown_learning_rate: str
    rate: Formula | None
    """gamma = the learning rate, as the problem states it (None without training)."""
    steps: int
    inputs: tuple[Quantity, ...]
    parameters: tuple[Quantity, ...]
    equations: tuple[Equation, ...]
    forward: tuple[Quantity, ...]
    local: tuple[LocalDerivative, ...]
    rules: tuple[GeneralRule, ...]
    """Each non-linear function's general rule once, in order of first use."""
    chains: tuple[ChainRule, ...]
    checks: tuple[CheckRow, ...]
    tolerance: float
    symbolic_vs_tape: float
    finite_difference_vs_tape: float
    updates: tuple[Update, ...]
    loss_before: float
    """The loss as the tape differentiates it: an array loss's sum (``loss_terms`` elements)."""
    loss_after: float | None
    loss_terms: int
    shown_loss_before: str
    shown_loss_after: str
    shown_decrease: str
    loss_decreased: bool
    history: tuple[Step, ...]
    history_table: tuple[Step, ...]
    """About ten evenly spaced rows of the history, first and last included."""
    gradient_tables: tuple[GradientTable, ...] = ()
    backward_pass: tuple[Equation, ...] = ()
    """With matrix products: d(loss)/d(node) for each node, from the loss backwards."""
    notes: tuple[str, ...] = ()
    """Cross-checks worth a sentence on the sheet (a Keras layer giving the same gradients)."""
    """The [gradient] tables: pure differentiation as the tape computes it."""
    variant: str = ""
    """The class-set variant ID printed on the sheet (empty for a single sheet)."""
    student: bool = False
    """True on a student sheet, whose blank answers ('' in a shown field) are boxes."""
    blanks: str = "numbers"
    """On a student sheet: 'numbers' boxes every computed number, 'steps' the derivations too."""
    answers: tuple[Answer, ...] = ()
    """Every number the sheet asks of a student, in the sheet's order (see ``Answer``)."""
    optimizer: OptimizerWork | None = None
    """The update of an optimizer other than plain SGD, in place of ``updates`` (None for SGD)."""

    @property
    def worked_steps(self) -> int:
        """How many steps the update works with numbers: the optimizer's worked steps, else the first."""
        return len(self.optimizer.steps) if self.optimizer is not None else 1

    @property
    def derivatives(self) -> tuple[LocalDerivative, ...]:
        """The local derivatives the sheet derives: the relevant ones."""
        return tuple(d for d in self.local if d.relevant)

    @property
    def loss_tex(self) -> str:
        return part_tex(self.loss_symbol)

    def __repr__(self) -> str:
        """A line for a REPL (the whole sheet is kilobytes of text): title, stem, the graph's size."""
        def count(n: int, word: str) -> str:
            return f"{n} {word}" if n == 1 else f"{n} {word}s"
        extra = f", variant {self.variant!r}" if self.variant else ""
        extra += ", student" if self.student else ""
        return (f"<Worksheet {self.title!r} stem={self.stem!r}, {count(len(self.forward), 'node')}, "
                f"{count(len(self.parameters), 'parameter')}{extra}>")
