"""Numbers from TensorFlow: forward pass, local and total gradients, gradient descent.

The validated expression trees are evaluated with TensorFlow ops in source order, as the
seed notebooks write them, on a ``GradientTape``. Each local derivative d(node)/d(input)
comes from a tape over that node alone (inputs watched as separate tensors, so it is the
partial derivative even where other paths exist); the total gradients come from one tape
over the whole forward pass. Updates use ``assign_sub``; more than one step runs a step
compiled with ``tf.function``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np

from ..graph.axes import axis_of
from ..graph.dag import Graph
from ..graph.evaluate import Value, as_value
from ..graph.functions import FUNCTIONS
from ..spec.optimizers import Optimizer
from .quiet_tensorflow import tensorflow
from .tape_result import TapeResult

tf = tensorflow()

_FUNCTIONS: dict[str, Callable[..., tf.Tensor]] = {
    name: entry.tensorflow(tf) for name, entry in FUNCTIONS.items()
}
"""The registry's TensorFlow ops, by the name a spec calls them."""


def _matmul(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    """a @ b with NumPy's meaning for vectors too (tf.matmul wants two matrices)."""
    if a.shape.rank == 2 and b.shape.rank == 2:
        return tf.linalg.matmul(a, b)
    return tf.tensordot(a, b, axes=1)


def value_of(tensor: tf.Tensor) -> Value:
    """A tensor's numbers as a float (scalar) or a float64 array."""
    return as_value(tensor.numpy())


def evaluate_tree(tree: ast.expr, values: Mapping[str, tf.Tensor], dtype: tf.DType) -> tf.Tensor:
    """Evaluate a validated expression tree with TensorFlow ops."""
    if isinstance(tree, ast.Constant):
        return tf.constant(tree.value, dtype=dtype)
    if isinstance(tree, ast.Name):
        return values[tree.id]
    if isinstance(tree, ast.UnaryOp):
        operand = evaluate_tree(tree.operand, values, dtype)
        return -operand if isinstance(tree.op, ast.USub) else operand
    if isinstance(tree, ast.Call):
        entry = FUNCTIONS[tree.func.id]
        if entry.axis and len(tree.args) == entry.arity:  # a literal integer axis, as TensorFlow takes it
            arguments = [evaluate_tree(arg, values, dtype) for arg in tree.args[:-1]]
            return _FUNCTIONS[tree.func.id](*arguments, axis_of(tree.args[-1]))
        arguments = [evaluate_tree(arg, values, dtype) for arg in tree.args]
        return _FUNCTIONS[tree.func.id](*arguments)
    left = evaluate_tree(tree.left, values, dtype)
    right = evaluate_tree(tree.right, values, dtype)
    operations = {ast.Add: tf.add, ast.Sub: tf.subtract, ast.Mult: tf.multiply,
                  ast.Div: tf.divide, ast.Pow: tf.pow, ast.MatMult: _matmul}
    return operations[type(tree.op)](left, right)


def forward_pass(graph: Graph, sources: Mapping[str, tf.Tensor], dtype: tf.DType) -> dict[str, tf.Tensor]:
    """Every node's tensor, given the inputs' and parameters' tensors by name."""
    values = dict(sources)
    for node in graph.nodes:
        if node.name not in sources:  # a node given in sources is held at that value
            values[node.name] = evaluate_tree(node.expression.tree, values, dtype)
    return values


def run_tape(graph: Graph, dtype_name: str, learning_rate: float | None, steps: int,
             optimizer: Optimizer | None = None) -> TapeResult:
    """Forward pass, every local and total gradient, and ``steps`` descent steps (``optimizer``:
    plain SGD unless given another, whose worked steps' states come back too)."""
    dtype = tf.float32 if dtype_name == "float32" else tf.float64
    constants = {name: tf.constant(value, dtype=dtype) for name, value in graph.inputs.items()}
    variables = make_variables(graph, dtype)
    trained = {name: variables[name] for name in graph.trainable}
    with tf.GradientTape() as tape:
        values = forward_pass(graph, {**constants, **variables}, dtype)
    totals = tape.gradient(values[graph.loss], list(trained.values()),
                           unconnected_gradients=tf.UnconnectedGradients.ZERO)
    gradients = {name: value_of(g) for name, g in zip(trained, totals, strict=True)}
    forward = {node.name: value_of(values[node.name]) for node in graph.nodes}
    local = _local_gradients(graph, values, dtype)
    loss_before = forward[graph.loss]
    start = {name: value_of(v) for name, v in variables.items()}
    history: list[tuple[float, dict[str, float]]] = [(loss_before, start)]
    if learning_rate is None:
        return TapeResult(forward, local, gradients, start, loss_before, None, tuple(history))
    if optimizer is not None and not optimizer.plain:
        return _optimized(graph, dtype, optimizer, learning_rate, steps, constants, variables,
                          TapeResult(forward, local, gradients, start, loss_before, None, tuple(history)))
    rate = tf.constant(learning_rate, dtype=dtype)
    descend, fresh_step = _make_step(graph, constants, variables, trained, rate, dtype, compiled=steps > 1)
    descend(totals)
    for _ in range(steps - 1):
        parameters = {name: value_of(v) for name, v in variables.items()}
        history.append((value_of(fresh_step()), parameters))
    updated = {name: value_of(v) for name, v in variables.items()}
    loss_after = _loss(graph, constants, variables, dtype)
    history.append((loss_after, updated))
    return TapeResult(forward, local, gradients, updated, loss_before, loss_after, tuple(history))


def _optimized(graph: Graph, dtype: tf.DType, optimizer: Optimizer, rate: float, steps: int, constants,
               variables, before: TapeResult) -> TapeResult:
    """``before`` (the forward and backward pass) with ``steps`` steps of ``optimizer``."""
    from .optimizer_tape import run_optimizer

    trained = {name: variables[name] for name in graph.trainable}

    def gradients_now():
        with tf.GradientTape() as tape:
            loss = forward_pass(graph, {**constants, **variables}, dtype)[graph.loss]
        return loss, tape.gradient(loss, list(trained.values()),
                                   unconnected_gradients=tf.UnconnectedGradients.ZERO)

    def snapshot():
        return {name: value_of(v) for name, v in variables.items()}

    middle, worked = run_optimizer(optimizer, trained, rate, steps, gradients_now, snapshot, value_of)
    updated = snapshot()
    loss_after = _loss(graph, constants, variables, dtype)
    history = (*before.history, *middle, (loss_after, updated))
    return replace(before, updated=updated, loss_after=loss_after, history=history, states=worked)


def _local_gradients(graph: Graph, values: Mapping[str, tf.Tensor],
                     dtype: tf.DType) -> dict[str, Value | None]:
    """d(node)/d(input) for every edge, holding the node's other inputs fixed.

    For an array node this is the element-wise partial: the Jacobian itself for a scalar
    input, its diagonal for an input of the node's own shape. A node that mixes elements
    (``@``, softmax) has a whole Jacobian, or None where it would hold more than
    ``checks.MAX_JACOBIAN`` entries: never computed, checked or printed (the sheet writes its
    backward rule, and the gradients it feeds are checked), so the work grows with the arrays,
    not with their squares.
    """
    from ..spec.limits import MAX_JACOBIAN
    from ..symbolic.backprop import mixing_edges

    mixing = mixing_edges(graph)
    local: dict[str, Value | None] = {}
    for node in graph.nodes:
        inputs = {name: tf.identity(tf.convert_to_tensor(values[name])) for name in node.inputs}
        with tf.GradientTape(persistent=True) as tape:
            for tensor in inputs.values():
                tape.watch(tensor)
            output = evaluate_tree(node.expression.tree, inputs, dtype)
        for name, tensor in inputs.items():
            key = f"{node.name}/{name}"
            entries = output.shape.num_elements() * tensor.shape.num_elements()
            local[key] = None if key in mixing and entries > MAX_JACOBIAN else _partial(
                tape, output, tensor, full=key in mixing)
    return local


def _partial(tape: tf.GradientTape, output: tf.Tensor, source: tf.Tensor, full: bool = False) -> Value:
    """The element-wise partial, or with ``full`` (a node that mixes elements) the whole Jacobian."""
    zero = tf.UnconnectedGradients.ZERO
    if full and output.shape.rank > 0:
        return value_of(tape.jacobian(output, source, unconnected_gradients=zero))
    if output.shape.rank == 0 or source.shape.rank == 0:
        if output.shape.rank == 0:
            return value_of(tape.gradient(output, source, unconnected_gradients=zero))
        return value_of(tape.jacobian(output, source, unconnected_gradients=zero))
    if output.shape == source.shape:  # element-wise: the Jacobian is diagonal, and its diagonal is
        return value_of(tape.gradient(output, source, unconnected_gradients=zero))  # the gradient
    jacobian = tape.jacobian(output, source, unconnected_gradients=zero).numpy()
    out_shape, in_shape = tuple(output.shape), tuple(source.shape)
    try:
        broadcasts = np.broadcast_shapes(out_shape, in_shape) == out_shape
    except ValueError:
        broadcasts = False
    if not broadcasts:
        return as_value(jacobian)  # e.g. through a matrix product: the whole Jacobian
    # each output element against the input element broadcast into it (the diagonal when
    # the shapes are equal)
    partial = np.empty(out_shape)
    for index in np.ndindex(out_shape):
        trailing = index[len(out_shape) - len(in_shape):]
        source_index = tuple(0 if size == 1 else i for i, size in zip(trailing, in_shape, strict=True))
        partial[index] = jacobian[index + source_index]
    return as_value(partial)


def _loss(graph: Graph, constants, variables, dtype: tf.DType) -> float:
    return value_of(forward_pass(graph, {**constants, **variables}, dtype)[graph.loss])


def make_variables(graph: Graph, dtype: tf.DType) -> dict[str, tf.Variable]:
    """A tf.Variable per parameter, trainable or not as the spec says."""
    return {name: tf.Variable(value, dtype=dtype, name=name, trainable=name in graph.trainable)
            for name, value in graph.parameters.items()}


def _make_step(graph: Graph, constants, variables, trained, rate: tf.Tensor, dtype: tf.DType,
               compiled: bool):
    """``descend(gradients)`` applies w <- w - rate * dL/dw; ``fresh_step()`` computes the
    gradients first and returns the loss before its update (compiled when ``compiled``)."""
    sources = list(trained.values())

    def descend(gradients) -> None:
        for variable, gradient in zip(sources, gradients, strict=True):
            variable.assign_sub(rate * gradient)

    def fresh_step() -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = forward_pass(graph, {**constants, **variables}, dtype)[graph.loss]
        descend(tape.gradient(loss, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO))
        return loss

    return descend, (tf.function(fresh_step) if compiled else fresh_step)
