"""A local derivative's array read the way an instructor states it: which entries are zero,
what they do not depend on, and the few matrices that remain.

A node of shape (5, 3) read from an input of shape (5, 1) has a Jacobian of shape
(5, 3, 5, 1), one entry per (i, j; k, l). Printed as a nested list it says nothing; stated
as "0 unless k = i, and the same for every i", its non-zero entries are one 3 x 1 matrix.
``pattern`` finds that from the numbers alone: axes of length 1 go (their index is fixed),
an output axis and an input axis of one length whose entries are zero off their diagonal are
paired (the entry is 0 unless the indices are equal), and an axis along which nothing changes
is stated as "for every". What is left is one matrix, or one per leading index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OUT_LETTERS, IN_LETTERS = "ijmn", "klpq"
"""Index letters of the node's entries and of the input's entries."""


@dataclass(frozen=True)
class Pattern:
    """A local derivative's entries: index letters, zero pattern, and what remains to print."""

    out: str
    """Letters of the node's entry (one per axis longer than 1), e.g. ``ij``."""
    input: str
    """Letters of the input's entry; empty for an entry-wise derivative."""
    equal: tuple[tuple[str, str], ...]
    """(input letter, node letter) pairs: the entry is 0 unless they are equal."""
    every: str
    """Letters the remaining entries do not depend on."""
    letters: str
    """The letters of ``values``' axes, in order (the last two are rows and columns)."""
    values: np.ndarray
    entrywise: bool


def pattern(value, out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> Pattern:
    """The pattern of the local derivative ``value`` of a node of ``out_shape`` with respect
    to an input of ``in_shape``: a whole Jacobian (shape ``out_shape + in_shape``) or an
    entry-wise array shaped like the node (or like the input, for a scalar node)."""
    array = np.asarray(value, dtype=np.float64)
    entrywise = array.shape != tuple(out_shape) + tuple(in_shape) or not in_shape
    if entrywise:
        shape = array.shape
        kept = [n for n in shape if n > 1]
        letters = (OUT_LETTERS if out_shape else IN_LETTERS)[:len(kept)]
        squeezed = array.reshape(kept)
        return Pattern(letters if out_shape else "", "" if out_shape else letters, (), "", letters,
                       squeezed, True)
    outs = [n for n in out_shape if n > 1]
    ins = [n for n in in_shape if n > 1]
    array = array.reshape(outs + ins)
    letters = list(OUT_LETTERS[:len(outs)] + IN_LETTERS[:len(ins)])
    out_letters, in_letters = "".join(letters[:len(outs)]), "".join(letters[len(outs):])
    equal = []
    for a in out_letters:
        for b in [b for b in in_letters if b in letters and b not in {x for x, _ in equal}]:
            ia, ib = letters.index(a), letters.index(b)
            if array.shape[ia] != array.shape[ib] or not _zero_off_diagonal(array, ia, ib):
                continue
            array = np.moveaxis(np.diagonal(array, axis1=ia, axis2=ib), -1, ia)
            letters.pop(ib)
            equal.append((b, a))
            break
    every = ""
    for letter in list(letters):
        axis = letters.index(letter)
        if len(letters) > 1 and array.shape[axis] > 1 and np.all(array == np.take(array, [0], axis)):
            array = np.take(array, 0, axis)
            letters.remove(letter)
            every += letter
    return Pattern(out_letters, in_letters, tuple(equal), every, "".join(letters), array, False)


def _zero_off_diagonal(array: np.ndarray, ia: int, ib: int) -> bool:
    """Whether every entry whose indices on axes ``ia`` and ``ib`` differ is zero."""
    n = array.shape[ia]
    shape = [1] * array.ndim
    shape[ia], shape[ib] = n, n
    off = ~np.eye(n, dtype=bool).reshape(shape)
    return bool(np.all(np.where(np.broadcast_to(off, array.shape), array, 0.0) == 0.0))


def blocks(p: Pattern) -> list[tuple[tuple[tuple[str, int], ...], np.ndarray]]:
    """The matrices to print: (the leading letters' 1-based values, a 2-D array) each; one
    2-D array for two letters or fewer (a row for one letter, 1 x 1 for none)."""
    values = p.values
    if values.ndim <= 2:
        return [((), np.atleast_2d(values))]
    lead = p.letters[:-2]
    out = []
    for index in np.ndindex(*values.shape[:-2]):
        out.append((tuple(zip(lead, (i + 1 for i in index), strict=True)), values[index]))
    return out
