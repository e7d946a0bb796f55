"""The worksheet spec (format 1): load TOML, apply ``--set`` overrides, validate.

The schema is declarative (pydantic), one field per key of the spec format, each with its
docstring under it: ``derive keys`` prints them (pydantic reads them as the fields'
descriptions), so a key without a docstring fails its test. Validation errors are turned into
one ``key: what was expected, got what`` line, so an instructor can fix a spec without
reading a traceback.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import SpecError, quoted
from ..notation import check_notation
from .limits import MAX_ELEMENTS, MAX_STEPS, check_sizes, check_text_size, read_text
from .optimizers import DECAY, HYPERPARAMETERS, KEYS, Optimizer, takers, takes
from .overrides import apply_overrides

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Vector = Annotated[list[Number], Field(min_length=1, max_length=MAX_ELEMENTS)]
Matrix = Annotated[list[Vector], Field(min_length=1, max_length=MAX_ELEMENTS)]
Value = Number | Vector | Matrix
"""A scalar, an array x = [-1, 0, 1], or a matrix w = [[1, 2], [3, 4]] (rows of equal length)."""
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_characters(text: str) -> str:
    """``text``, if XML 1.0 can hold each of its characters: the quiz files are XML."""
    found = _NOT_XML.search(text)
    if found:
        raise ValueError(f"holds U+{ord(found.group()):04X} (character {found.start() + 1}), which the "
                         "quizzes' XML cannot hold (a control character other than tab or a line break, "
                         "U+FFFE, U+FFFF or a lone surrogate)")
    return text


Text = Annotated[str, AfterValidator(_xml_characters)]
"""Free text (a title, an intro): any character the quizzes' XML can hold."""


def _optimizer_name(name: str) -> str:
    """``name``, if an optimizer has it (the choices listed, since the type shows only text)."""
    if name not in HYPERPARAMETERS:
        raise ValueError("expected one of " + ", ".join(f"'{choice}'" for choice in HYPERPARAMETERS))
    return name


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Train(_Section):
    """Gradient descent on the parameters; without it the sheet shows gradients only."""

    loss: str | None = None
    """The [graph] node to minimise, by name; default: the last node of [graph]."""
    learning_rate: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
    """The step size gamma in w <- w - gamma dL/dw; required in [train]."""
    steps: Annotated[int, Field(strict=True, ge=1, le=MAX_STEPS)] = 1
    """Gradient-descent steps; more than one adds a step table and a loss plot."""
    optimizer: Annotated[str, AfterValidator(_optimizer_name)] = "sgd"
    """How a step moves the parameters, as tf.keras.optimizers does: "sgd" (w <- w - gamma dL/dw),
    "momentum" and "nesterov" (SGD with momentum), "rmsprop", "adam", "adamw"; each takes only its
    own hyperparameters below."""
    momentum: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    """"momentum" and "nesterov": how much of the velocity a step keeps, in [0, 1); default 0.9
    (Keras's SGD defaults to 0, which is "sgd")."""
    beta_1: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    """"adam" and "adamw": decay of the first moment m, in [0, 1); default 0.9."""
    beta_2: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    """"adam" and "adamw": decay of the second moment v, in [0, 1); default 0.999."""
    epsilon: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] | None = None
    """"rmsprop", "adam", "adamw": the small constant that keeps a division finite, > 0; default
    1e-7 (Keras's; where Keras adds it is stated on the sheet)."""
    rho: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    """"rmsprop": decay of the mean square of the gradient, in [0, 1); default 0.9."""
    weight_decay: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)] | None = None
    """Any optimizer: decoupled weight decay lambda, w <- w - gamma lambda w before each step, as
    Keras's weight_decay, >= 0; default 0.004 for "adamw", none for the others."""

    @property
    def settings(self) -> Optimizer:
        """The optimizer with every hyperparameter it takes: the spec's value, else the default."""
        given = {key: getattr(self, key) for key in KEYS if getattr(self, key) is not None}
        values = {**HYPERPARAMETERS[self.optimizer], **given}
        keys = [*HYPERPARAMETERS[self.optimizer]]
        keys += [DECAY] if DECAY in given and DECAY not in keys else []
        return Optimizer(self.optimizer, tuple((key, float(values[key])) for key in keys))


class Display(_Section):
    """How numbers are shown and computed."""

    precision: Annotated[int, Field(strict=True, ge=1, le=15)] = 7
    """Significant digits shown on the sheet (the JSON keeps the unrounded numbers)."""
    dtype: Literal["float32", "float64"] = "float32"
    """TensorFlow dtype of the tape: float32 as in the seeds, or float64; the three ways of computing
    a gradient must agree to 1e-4 or 1e-7."""


class Parameter(_Section):
    """A parameter written as a table: ``x1 = { value = 3.0, trainable = false }``."""

    value: Value
    """Its starting value: a number, an array or a matrix, as a plain parameter is written."""
    trainable: bool = True
    """false makes it a tf.Variable(trainable=False): not watched (unless [gradient] watches it),
    not updated."""


class Gradient(_Section):
    """A pure differentiation sheet: d^order(of)/d(wrt)^order as the tape computes it."""

    of: str | None = None
    """The [graph] node to differentiate, by name; default: the loss (train.loss, else the last node)."""
    wrt: list[str] | None = None
    """Sources, as in tape.gradient(of, [...]): inputs, parameters or nodes above the node
    ``of``; default: the trainable parameters."""
    order: Annotated[int, Field(strict=True, ge=1, le=4)] = 1
    """1 for gradients, 2 for second derivatives (nested tapes), up to 4."""
    watch: list[str] = []
    """Inputs (constants) and untrainable parameters to tape.watch(), by name."""
    watch_accessed_variables: bool = True
    """false: the tape watches only the names in ``watch`` (the tf.GradientTape argument)."""
    forward_difference: Annotated[float, Field(strict=True, gt=0, lt=1)] | None = None
    """Also show the one-sided difference (f(x + h) - f(x)) / h with this h, as seed 002 does."""


class VariantRule(_Section):
    """How one input or parameter is drawn: a grid ``min..max`` by ``step``, or ``choices``."""

    min: Number | None = None
    """The grid's first value; goes with max and step."""
    max: Number | None = None
    """The grid's last value (the grid stops at the last step not past it); at least min."""
    step: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] | None = None
    """The grid's spacing: min, min + step, min + 2 step, ... each equally likely (decimal steps
    stay decimal)."""
    choices: list[Number] | None = None
    """The values to draw from, each equally likely, in place of min, max and step."""

    @model_validator(mode="after")
    def _one_kind(self) -> VariantRule:
        grid = (self.min, self.max, self.step)
        if self.choices is not None and any(v is not None for v in grid):
            raise ValueError("give either min/max/step or choices, not both")
        if self.choices is None and any(v is None for v in grid):
            raise ValueError("expected min, max and step, or choices")
        if self.choices is not None and not self.choices:
            raise ValueError("choices must not be empty")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


class Spec(_Section):
    """One worksheet: the model, how to train it, how to show it."""

    title: Annotated[Text, Field(min_length=1, max_length=300)]
    """The sheet's heading; plain text."""
    intro: Annotated[Text, Field(max_length=5000)] = ""
    """A paragraph under the title; plain text."""
    inputs: dict[str, Value] = {}
    """Constants (tf.constant), never updated: name = a number, an array (worked element by
    element) or a matrix (rows of equal length)."""
    parameters: dict[str, Value | Parameter] = {}
    """Trained by gradient descent (tf.Variable): name = a value as in [inputs], or a table
    { value = ..., trainable = false } for one the tape does not watch."""
    graph: dict[str, str]
    """Named nodes, in order: name = an expression over inputs, parameters and nodes above it
    (derive keys expressions); the last node is the loss unless train.loss names another."""
    train: Train | None = None
    """Gradient descent on the parameters; without it the sheet shows gradients only, no update."""
    display: Display = Display()
    """How numbers are shown and computed."""
    notation: dict[str, Annotated[str, Field(max_length=200)]] = {}
    """How a name prints: name = its TeX, e.g. out_h1 = '\\mathrm{out}_{h1}' (a whitelist: letters,
    digits, Greek letters, _ and ^, accents and fonts); default: SymPy's, w1 as w_1."""
    variants: dict[str, Any] = {}
    """Class sets (derive batch): how each student's values are drawn: name = a rule for a scalar
    input or parameter (the rest keep their value), and seed = the set's default seed. One draw
    gives a student sheet and its key."""
    gradient: Gradient | list[Gradient] = []
    """A differentiation sheet: [gradient], or several [[gradient]] tables, each a derivative
    the tape computes."""

    @property
    def gradients(self) -> tuple[Gradient, ...]:
        """``[gradient]`` or ``[[gradient]]`` as a tuple (empty without one)."""
        return (self.gradient,) if isinstance(self.gradient, Gradient) else tuple(self.gradient)

    def parameter_values(self) -> dict[str, float]:
        """Every parameter's starting value, tables unwrapped."""
        return {name: p.value if isinstance(p, Parameter) else p for name, p in self.parameters.items()}

    @property
    def trainable(self) -> tuple[str, ...]:
        """The parameters gradient descent updates and the tape watches by default."""
        return tuple(name for name, p in self.parameters.items()
                     if not isinstance(p, Parameter) or p.trainable)

    @property
    def loss(self) -> str:
        """The node whose gradients the sheet shows."""
        if self.train is not None and self.train.loss is not None:
            return self.train.loss
        return list(self.graph)[-1]


def load_spec(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Spec:
    """Read, override and validate the spec at ``path`` (a ``Path`` or a str)."""
    path = Path(path)
    return parse_spec(read_text(path), overrides, source=str(path))


def parse_spec(text: str, overrides: list[str] | tuple[str, ...] = (), source: str = "spec") -> Spec:
    """Validate spec text (TOML) after applying ``--set`` overrides."""
    check_text_size(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(source, f"TOML syntax error: {error}") from None
    except RecursionError:
        raise SpecError(source, "TOML nests arrays or tables too deeply") from None
    except ValueError as error:  # an integer of over 4300 digits: Python refuses to convert it
        raise SpecError(source, f"TOML value out of range: {str(error).split(':')[0].lower()}") from None
    return validate(apply_overrides(data, overrides))


def validate(data: dict[str, Any]) -> Spec:
    """Check the schema, then the names and cross-references the schema cannot see."""
    if "graph" not in data:
        raise SpecError("graph", "missing: every worksheet needs a [graph] table of named nodes")
    check_sizes(data)
    try:
        spec = Spec.model_validate(data)
    except ValidationError as error:
        raise _one_line(error) from None
    _check_names(spec)
    _check_references(spec)
    return spec


def _one_line(error: ValidationError, within: tuple[str, ...] = ()) -> SpecError:
    """The first of pydantic's errors as one line; ``within`` is where the validated table sits
    in the spec (``("variants", "x1")`` for a rule validated on its own)."""
    errors = error.errors(include_url=False)
    # a misspelt key is reported as unknown (with a suggestion), not as the right key missing
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    # a union's branch appears in the location by type name (gradient.Gradient.order): drop it
    parts = [*within, *(part for part in first["loc"] if not _is_type_name(part))]
    key = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in parts).replace(".[", "[")
    key = key or "spec"
    kind, got = first["type"], first.get("input")
    if kind == "missing":
        return SpecError(key, "missing: this key is required")
    if kind == "extra_forbidden":
        section = f" {parts[0]}" if len(parts) > 1 else ""
        return SpecError(key, f"unknown key{_did_you_mean(parts)}; `derive keys{section}` lists the keys")
    if kind in ("float_type", "int_type", "finite_number"):
        what = "a whole number" if kind == "int_type" else "a finite number"
        return SpecError(key, f"expected {what}, got {quoted(got)}")
    message = first["msg"].removeprefix("Value error, ")
    return SpecError(key, f"{message[0].lower()}{message[1:]} (got {quoted(got)})")


def _did_you_mean(location: list) -> str:
    """`` (did you mean 'learning_rate'?)`` for a misspelt key, from the keys of its table."""
    *table, typed = [str(part) for part in location]
    model: type[BaseModel] | None = {(): Spec, ("train",): Train, ("display",): Display,
                                     ("gradient",): Gradient}.get(tuple(table[:1]))
    if len(table) == 2 and table[0] in ("parameters", "variants"):  # an entry written as a table
        model = Parameter if table[0] == "parameters" else VariantRule
    if model is None:
        return ""
    hint = difflib.get_close_matches(typed, list(model.model_fields), n=1, cutoff=0.6)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


_UNION_TAGS = {"float", "int", "str", "bool", "list", "constrained-float",
               Gradient.__name__, Parameter.__name__}
"""What pydantic puts in an error's location for the branch of a union (Number | Parameter)."""


def _is_type_name(part: object) -> bool:
    return isinstance(part, str) and (part in _UNION_TAGS or "[" in part)


def _check_matrices(spec: Spec) -> None:
    values = {**spec.inputs, **spec.parameter_values()}
    for name, value in values.items():
        if isinstance(value, list) and value and isinstance(value[0], list):
            if len({len(row) for row in value}) != 1:
                section = "inputs" if name in spec.inputs else "parameters"
                raise SpecError(f"{section}.{name}", "a matrix needs rows of equal length, got lengths "
                                f"{[len(row) for row in value]}")


def _check_gradients(spec: Spec) -> None:
    nodes = list(spec.graph)
    for index, gradient in enumerate(spec.gradients):
        key = "gradient" if isinstance(spec.gradient, Gradient) else f"gradient[{index}]"
        of = gradient.of or spec.loss
        if of not in spec.graph:
            raise SpecError(f"{key}.of", f"expected the name of a [graph] node, got {quoted(of)}")
        before = {*spec.inputs, *spec.parameters, *nodes[: nodes.index(of)]}
        for name in gradient.wrt or ():
            if name not in before:
                raise SpecError(f"{key}.wrt",
                                f"{quoted(name)} is not an input, parameter or node before {of}")
        for name in gradient.watch:
            if name not in spec.inputs and name not in spec.parameters:
                raise SpecError(f"{key}.watch", f"{quoted(name)} is not an input or parameter: only those "
                                "can be watched")


def _check_optimizer(spec: Spec) -> None:
    """A hyperparameter the chosen optimizer does not take is refused, naming it and its takers."""
    if spec.train is None:
        return
    name = spec.train.optimizer
    for key in KEYS:
        if getattr(spec.train, key) is not None and not takes(name, key):
            own = ", ".join(k for k in KEYS if takes(name, k))
            raise SpecError(f"train.{key}", f"optimizer = {quoted(name)} does not take {key} (its "
                            f"hyperparameters: {own}); {key} belongs to {' and '.join(takers(key))}")


def _check_names(spec: Spec) -> None:
    from ..graph.functions import FUNCTIONS  # SymPy loads only once the schema has held

    seen: dict[str, str] = {}
    for section in ("inputs", "parameters", "graph"):
        for name in getattr(spec, section):
            key = f"{section}.{name}"
            if not name.isidentifier() or not name.isascii():
                raise SpecError(key, "a name must be letters, digits and _ (not starting with a digit)")
            if name in FUNCTIONS:
                raise SpecError(key, f"'{name}' is a function name and cannot name a value")
            if name in seen:
                raise SpecError(key, f"'{name}' is already defined in [{seen[name]}]")
            seen[name] = section


def _check_references(spec: Spec) -> None:
    defined = {*spec.inputs, *spec.parameters, *spec.graph}
    if not spec.graph:
        raise SpecError("graph", "empty: expected at least one node such as A1 = \"x1*w1 + b\"")
    if spec.loss not in spec.graph:
        raise SpecError("train.loss", f"expected the name of a [graph] node, got {quoted(spec.loss)}")
    _check_matrices(spec)
    _check_gradients(spec)
    _check_optimizer(spec)
    for name, value in spec.notation.items():
        if name not in defined:
            raise SpecError(f"notation.{name}", "no input, parameter or node has this name")
        check_notation(f"notation.{name}", value)
    for name in spec.variants:
        if name == "seed":
            if not isinstance(spec.variants[name], int) or isinstance(spec.variants[name], bool):
                raise SpecError("variants.seed",
                                f"expected a whole number, got {quoted(spec.variants[name])}")
            continue
        if name not in spec.inputs and name not in spec.parameters:
            raise SpecError(f"variants.{name}", "expected the name of an input or parameter")
        try:
            VariantRule.model_validate(spec.variants[name])
        except ValidationError as error:
            raise SpecError(f"variants.{name}", _one_line(error, ("variants", name)).message) from None
