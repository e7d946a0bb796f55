"""Reading a PDF back into its objects, as much as joining PDFs needs.

``PDFDocument`` finds every object of a PDF by number: it reads classic cross-reference
tables and cross-reference streams (following ``/Prev``), unpacks object streams, and
parses an object into Python values (dicts, lists, numbers, ``Name``, ``Ref``, raw bytes for
strings) while keeping the object's bytes as written, so a copy can be written out again
unchanged apart from its references. Streams may be Flate-compressed or plain.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

_WS = b"\x00\t\n\x0c\r "
_TOKEN = re.compile(rb"""
    (?P<ws>[\x00\t\n\x0c\r ]+|%[^\r\n]*)
  | (?P<dict><<|>>)
  | (?P<delim>[\[\]{}])
  | (?P<name>/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)
  | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))
  | (?P<lit>\()
  | (?P<hex><[0-9A-Fa-f\x00\t\n\x0c\r ]*>)
  | (?P<kw>[^\x00\t\n\x0c\r ()<>\[\]{}/%]+)
""", re.X)
_OBJ = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")


class PDFError(ValueError):
    """A PDF this reader cannot take apart."""


@dataclass(frozen=True)
class Ref:
    num: int
    gen: int = 0


class Name(str):
    """A PDF name, without its slash."""


def tokens(data: bytes, pos: int = 0, end: int | None = None):
    """(kind, start, stop) for each token of ``data[pos:end]``, whitespace skipped."""
    end = len(data) if end is None else end
    while pos < end:
        match = _TOKEN.match(data, pos, end)
        if match is None:
            raise PDFError(f"unexpected byte {data[pos:pos + 1]!r} at {pos}")
        kind = match.lastgroup
        stop = _literal_end(data, pos) if kind == "lit" else match.end()
        if kind != "ws":
            yield kind, pos, stop
        pos = stop


def _literal_end(data: bytes, pos: int) -> int:
    depth, i = 0, pos
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash escapes the next byte
            i += 2
            continue
        depth += (c == 0x28) - (c == 0x29)
        i += 1
        if depth == 0:
            return i
    raise PDFError("unterminated string")


class _Lazy:
    """Tokens read on demand, so a value followed by binary stream data parses cleanly."""

    def __init__(self, data: bytes, pos: int, end: int | None) -> None:
        self.source = tokens(data, pos, end)
        self.seen: list[tuple[str, int, int]] = []

    def __getitem__(self, i: int) -> tuple[str, int, int]:
        while len(self.seen) <= i:
            self.seen.append(next(self.source))
        return self.seen[i]

    def has(self, i: int) -> bool:
        try:
            self[i]
        except StopIteration:
            return False
        return True


def _parse(data: bytes, tokens: _Lazy, i: int):
    """The value starting at token ``i`` and the index after it."""
    kind, start, stop = tokens[i]
    text = data[start:stop]
    if kind == "dict" and text == b"<<":
        result, i = {}, i + 1
        while tokens[i][0] != "dict":
            key, i = _parse(data, tokens, i)
            result[key], i = _parse(data, tokens, i)
        return result, i + 1
    if kind == "delim" and text == b"[":
        items, i = [], i + 1
        while data[tokens[i][1]:tokens[i][2]] != b"]":
            item, i = _parse(data, tokens, i)
            items.append(item)
        return items, i + 1
    if kind == "name":
        return Name(text[1:].decode("latin-1")), i + 1
    if kind == "num":
        if (b"." not in text and tokens.has(i + 2) and tokens[i + 1][0] == "num"
                and data[tokens[i + 2][1]:tokens[i + 2][2]] == b"R"):
            return Ref(int(text), int(data[tokens[i + 1][1]:tokens[i + 1][2]])), i + 3
        return (float(text) if b"." in text else int(text)), i + 1
    return text, i + 1


def _refs(value) -> Iterable[Ref]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _value(data: bytes, pos: int = 0, end: int | None = None):
    """Parse one value at ``pos``: (value, its tokens, index of the token after it)."""
    tokens = _Lazy(data, pos, end)
    value, i = _parse(data, tokens, 0)
    return value, tokens, i


def _decode(head: dict, raw: bytes) -> bytes:
    filters = head.get("Filter", [])
    filters = filters if isinstance(filters, list) else [filters]
    if head.get("DecodeParms") or any(f != "FlateDecode" for f in filters):
        raise PDFError(f"unsupported stream encoding {filters} {head.get('DecodeParms')}")
    return zlib.decompress(raw) if filters else raw


@dataclass
class PDFObject:
    head: bytes
    """The object's value as written, or a stream's dictionary."""
    value: object
    stream: bytes | None = None


class PDFDocument:
    """The objects of one PDF by number, and its catalog."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offsets: dict[int, int] = {}
        self.in_streams: dict[int, tuple[int, int]] = {}
        self.objects: dict[int, PDFObject] = {}
        at = data.rfind(b"startxref")
        if at < 0:
            raise PDFError("no startxref: not a PDF")
        trailer = self._read_xref(int(data[at + 9:].split()[0]))
        self.root = trailer["Root"]

    def _read_xref(self, pos: int) -> dict:
        trailer: dict = {}
        seen: set[int] = set()
        while pos not in seen:
            seen.add(pos)
            section = self._xref_table(pos) if self.data[pos:pos + 4] == b"xref" else self._xref_stream(pos)
            trailer = {**section, **trailer}
            if "Prev" not in section:
                break
            pos = section["Prev"]
        return trailer

    def _xref_table(self, pos: int) -> dict:
        lines = iter(self.data[pos:].split(b"trailer", 1)[0].splitlines()[1:])
        for line in lines:
            if not line.strip():
                continue
            start, count = (int(v) for v in line.split())
            for num in range(start, start + count):
                offset, _, kind = next(lines).split()[:3]
                if kind == b"n":
                    self.offsets.setdefault(num, int(offset))
        trailer_at = self.data.index(b"trailer", pos) + 7
        return _value(self.data, trailer_at, self.data.index(b"startxref", trailer_at))[0]

    def _xref_stream(self, pos: int) -> dict:
        obj = self._load_at(pos)
        head, table = obj.value, _decode(obj.value, obj.stream or b"")
        widths = head["W"]
        index = head.get("Index", [0, head["Size"]])
        row = sum(widths)
        k = 0
        for start, count in zip(index[::2], index[1::2], strict=True):
            for num in range(start, start + count):
                fields, at = [], k * row
                for w in widths:
                    fields.append(int.from_bytes(table[at:at + w], "big") if w else None)
                    at += w
                kind = 1 if fields[0] is None else fields[0]
                if kind == 1:
                    self.offsets.setdefault(num, fields[1])
                elif kind == 2 and num not in self.offsets:
                    self.in_streams.setdefault(num, (fields[1], fields[2]))
                k += 1
        return head

    def _load_at(self, pos: int) -> PDFObject:
        match = _OBJ.match(self.data, pos)
        if match is None:
            raise PDFError(f"no object at offset {pos}")
        value, tokens, i = _value(self.data, match.end())
        head = self.data[tokens[0][1]:tokens[i - 1][2]]
        _, start, stop = tokens[i]
        if self.data[start:stop] != b"stream":
            return PDFObject(head, value)
        begin = stop + (2 if self.data[stop:stop + 2] == b"\r\n" else 1)
        length = value["Length"]
        if isinstance(length, Ref):
            length = self.get(length.num).value
        return PDFObject(head, value, self.data[begin:begin + length])

    def get(self, num: int) -> PDFObject:
        if num not in self.objects:
            if num in self.offsets:
                self.objects[num] = self._load_at(self.offsets[num])
            elif num in self.in_streams:
                self._unpack(self.in_streams[num][0])
            if num not in self.objects:
                self.objects[num] = PDFObject(b"null", None)
        return self.objects[num]

    def _unpack(self, stream_num: int) -> None:
        container = self.get(stream_num)
        body = _decode(container.value, container.stream or b"")
        first = container.value["First"]
        header = [int(v) for v in body[:first].split()]
        pairs = list(zip(header[::2], header[1::2], strict=True))
        for n, (num, offset) in enumerate(pairs):
            stop = first + pairs[n + 1][1] if n + 1 < len(pairs) else len(body)
            chunk = body[first + offset:stop].strip(_WS)
            if self.in_streams.get(num, (None,))[0] == stream_num:
                self.objects.setdefault(num, PDFObject(chunk, _value(chunk)[0]))

    def reachable(self, start: int) -> list[int]:
        """Every object number reachable from ``start`` by references, in ascending order."""
        seen, todo = {start}, [start]
        while todo:
            for ref in _refs(self.get(todo.pop()).value):
                if ref.num not in seen:
                    seen.add(ref.num)
                    todo.append(ref.num)
        return sorted(seen)

    def first_page(self, pages: int) -> int:
        node = self.get(pages).value
        while isinstance(node, dict) and node.get("Type") == "Pages" and node.get("Kids"):
            pages = node["Kids"][0].num
            node = self.get(pages).value
        return pages
