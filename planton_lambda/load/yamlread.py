"""Reading YAML (manifests, Pulumi.yaml, Pulumi.<stack>.yaml, stack inputs) within fixed bounds.

Every file this package reads goes through here, so every one gets the same limits and the
same error format: `<file>: <problem> (line L, column C)`, never the text of the file (a
line of a stack file may hold a secret). The limits:

- regular files only (a FIFO, a device such as /dev/zero or a socket would block or never
  end), or standard input when the caller passes `-`;
- at most MAX_BYTES bytes;
- at most MAX_NODES YAML values in the whole stream, an alias counted at the size of what it
  names (a kilobyte of nested aliases can otherwise stand for billions of values, which every
  consumer that walks the data - validation, JSON encoding - would expand);
- nesting at most MAX_DEPTH levels, aliases expanded (deeper data exhausts Python's stack);
- integers of at most MAX_INT_CHARS characters (Python refuses to convert more than 4300
  digits, and sexagesimal `1:2:3...` integers cost quadratic time in their length);
- no key given twice in one mapping (YAML would silently keep the last);
- no alias to the node that contains it (recursive data has no end).
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

from planton_lambda.errors import ManifestError

STDIN = "-"
STDIN_SOURCE = "<stdin>"
MAX_BYTES = 1024 * 1024
MAX_NODES = 50_000
MAX_DEPTH = 64
MAX_INT_CHARS = 64
_PROBLEM_CHARS = 120

# The characters YAML 1.1 allows in a stream (PyYAML's Reader.NON_PRINTABLE), checked here so
# that libyaml and the pure-Python reader refuse the same text with the same message.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

try:  # libyaml's event parser, when PyYAML was built with it: ~4x faster than pure Python
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML wheels without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


# --- reading bytes ---------------------------------------------------------------------


def read_text(path: str | os.PathLike[str], *, what: str = "file") -> str:
    """The UTF-8 text of a regular file of at most MAX_BYTES, or of stdin for the string `-`.

    `what` names the file in the refusal of a non-regular file (`a manifest`, `a stack file`).
    """
    if isinstance(path, str) and path == STDIN:
        return _decode(_read_stdin(), STDIN_SOURCE)
    name = os.fspath(path)
    # Look before opening: opening a FIFO blocks until a writer appears, and opening some
    # devices has side effects. fstat after opening catches a swap in between.
    _check_regular(_stat(name), name, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(name, flags)
    except OSError as error:
        raise _os_error(name, error) from None
    with os.fdopen(descriptor, "rb") as handle:
        _check_regular(os.fstat(handle.fileno()), name, what)
        # One byte over the limit tells a file that grew (or a /proc file that reports size
        # 0) from one that fits, without reading more than that.
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ManifestError(f"{name}: {_too_large()}")
    return _decode(data, name)


def _stat(name: str) -> os.stat_result:
    try:
        return os.stat(name)
    except (OSError, ValueError) as error:  # ValueError: a NUL character in the path
        raise _os_error(name, error) from None


def _os_error(name: str, error: Exception) -> ManifestError:
    if isinstance(error, FileNotFoundError):
        return ManifestError(f"{name}: no such file")
    if isinstance(error, NotADirectoryError):
        return ManifestError(f"{name}: no such file (a folder on its path is a file)")
    if isinstance(error, PermissionError):
        return ManifestError(f"{name}: permission denied")
    if isinstance(error, OSError) and error.strerror:
        return ManifestError(f"{name}: cannot read: {error.strerror}")
    return ManifestError(f"{name}: cannot read: not a usable path")


_KINDS = {
    stat.S_ISDIR: "a directory",
    stat.S_ISFIFO: "a FIFO (named pipe)",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISSOCK: "a socket",
}


def _check_regular(info: os.stat_result, name: str, what: str) -> None:
    if stat.S_ISREG(info.st_mode):
        if info.st_size > MAX_BYTES:
            raise ManifestError(f"{name}: {_too_large(info.st_size)}")
        return
    kind = next((text for test, text in _KINDS.items() if test(info.st_mode)), "not a file")
    raise ManifestError(
        f"{name}: is {kind}, not a regular file; {what} must be a regular file "
        f"(or {STDIN} for standard input)"
    )


def _read_stdin() -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise ManifestError(f"{STDIN_SOURCE}: standard input is closed")
    data: bytes = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ManifestError(f"{STDIN_SOURCE}: {_too_large()}")
    return data


def _too_large(size: int | None = None) -> str:
    got = f" ({size} bytes)" if size is not None else ""
    return f"too large{got}; at most {MAX_BYTES} bytes (1 MiB) is read"


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_column(data[: error.start].decode("utf-8", "replace"))
        raise ManifestError(
            f"{source}: not UTF-8 text (line {line}, column {column}); save it as UTF-8"
        ) from None


def _line_column(before: str) -> tuple[int, int]:
    """1-based line and column of the character that follows `before`."""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


# --- parsing ---------------------------------------------------------------------------


class _BoundedComposer(Composer):
    """PyYAML's composer, counting values (aliases at their expanded size) and depth."""

    # Provided by the parser the loader mixes in.
    check_event: Callable[..., bool]
    peek_event: Callable[[], Any]

    def __init__(self) -> None:
        super().__init__()
        self._values = 0  # values in the stream so far, aliases expanded
        self._open = 0  # collections open around the node being composed
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) expanded

    def compose_document(self) -> Node | None:
        node = super().compose_document()
        self._sizes.clear()  # anchors do not reach past their document
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            known = self._sizes.get(id(node))
            if known is None:  # the anchor's node is still open: the alias is inside it
                raise ComposerError(None, None, "an alias inside the node it names", mark)
            self._count(known[0], self._open + known[1], mark)
            return node
        mark = self.peek_event().start_mark
        self._count(1, self._open + 1, mark)
        self._open += 1
        node = super().compose_node(parent, index)
        self._open -= 1
        if node is None:  # not produced by the parsers in use; nothing to count
            return None
        children = [self._sizes[id(child)] for child in _children(node)]
        size = 1 + sum(values for values, _ in children)
        depth = 1 + max((levels for _, levels in children), default=0)
        self._sizes[id(node)] = (size, depth)
        return node

    def _count(self, values: int, depth: int, mark: Any) -> None:
        self._values += values
        if self._values > MAX_NODES:
            raise ComposerError(
                None,
                None,
                f"more than {MAX_NODES} values (counting each alias as the values it repeats)",
                mark,
            )
        if depth > MAX_DEPTH:
            raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, SequenceNode):
        yield from node.value
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value


class _BoundedConstructor(SafeConstructor):
    """SafeConstructor that refuses duplicate keys and oversized integers, and turns any
    failure to build a value into a YAML error at the value's position (never its text)."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except Exception:  # e.g. `!!int abc`: Python's message would quote the value
            raise ConstructorError(
                None, None, f"cannot read this value as {_tag_name(node.tag)}", node.start_mark
            ) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may override keys
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the mapping constructor reports it
                continue
            if duplicate:
                raise ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_bounded_int(self, node: Node) -> int:
        text = str(self.construct_scalar(node))  # type: ignore[arg-type]
        if len(text) > MAX_INT_CHARS:
            raise ConstructorError(
                None,
                None,
                f"a number of {len(text)} characters; at most {MAX_INT_CHARS} "
                "(quote it if it is text)",
                node.start_mark,
            )
        value: int = super().construct_yaml_int(node)  # type: ignore[arg-type]
        return value


_BoundedConstructor.yaml_constructors = {
    **SafeConstructor.yaml_constructors,
    "tag:yaml.org,2002:int": _BoundedConstructor.construct_bounded_int,
}


def _tag_name(tag: str | None) -> str:
    short = (tag or "").removeprefix("tag:yaml.org,2002:")
    return f"a YAML {short[:40]}" if short else "YAML"


class _Loader(_BoundedComposer, _Parser, _BoundedConstructor, Resolver):
    """libyaml's (or PyYAML's) event parser, the bounded composer and constructor."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _BoundedComposer.__init__(self)
        _BoundedConstructor.__init__(self)
        Resolver.__init__(self)


def load_documents(text: str, source: str) -> list[Any]:
    """Every document of a YAML stream, or a ManifestError `source: ... (line, column)`."""
    if len(text) > MAX_BYTES:
        raise ManifestError(f"{source}: {_too_large(len(text))}")
    _check_printable(text, source)
    loader = _Loader(text)
    try:
        documents = []
        while loader.check_data():  # type: ignore[no-untyped-call]
            documents.append(loader.get_data())
        return documents
    except yaml.MarkedYAMLError as error:
        raise ManifestError(_yaml_message(error, source)) from None
    except (yaml.YAMLError, RecursionError, ValueError, MemoryError):
        # A reader error or anything past the checks above: name the file, quote nothing.
        raise ManifestError(f"{source}: invalid YAML") from None
    finally:
        loader.dispose()


def load_document(text: str, source: str) -> Any:
    """The one document of a YAML stream (None when it is empty)."""
    documents = load_documents(text, source)
    if len(documents) > 1:
        raise ManifestError(f"{source}: holds {len(documents)} YAML documents, not one")
    return documents[0] if documents else None


def load_file(path: str | os.PathLike[str], *, what: str = "file") -> Any:
    """The one YAML document of a file (see read_text), or None when it is empty."""
    return load_document(read_text(path, what=what), source_name(path))


def source_name(path: str | os.PathLike[str]) -> str:
    """How errors name a file: as given, or `<stdin>` for `-`."""
    return STDIN_SOURCE if isinstance(path, str) and path == STDIN else os.fspath(path)


def _check_printable(text: str, source: str) -> None:
    found = _NON_PRINTABLE.search(text)
    if found:
        line, column = _line_column(text[: found.start()])
        raise ManifestError(
            f"{source}: invalid YAML (line {line}, column {column}): the character "
            f"U+{ord(found.group()):04X} is not allowed in YAML"
        )


def _yaml_message(error: yaml.MarkedYAMLError, source: str) -> str:
    mark = error.problem_mark or error.context_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    problem = " ".join(str(error.problem or error.context or "not valid YAML").split())
    if len(problem) > _PROBLEM_CHARS:  # a tag or alias name is quoted: keep it short
        problem = problem[: _PROBLEM_CHARS - 3] + "..."
    return f"{source}: invalid YAML{where}: {problem}"


# --- JSON text and data from elsewhere -------------------------------------------------


def load_json(text: str, source: str) -> Any:
    """JSON text (as Pulumi passes config objects), within the same bounds as YAML."""
    if len(text) > MAX_BYTES:
        raise ManifestError(f"{source}: {_too_large(len(text))}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ManifestError(
            f"{source}: invalid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    except (RecursionError, ValueError):  # nesting past Python's stack; an enormous integer
        raise ManifestError(
            f"{source}: invalid JSON: nested too deeply or a number too long"
        ) from None
    check_bounds(value, source)
    return value


def check_bounds(value: Any, source: str) -> None:
    """Refuse data nested deeper than MAX_DEPTH or holding more than MAX_NODES values."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    values = 0
    while stack:
        item, depth = stack.pop()
        values += 1
        if values > MAX_NODES:
            raise ManifestError(f"{source}: more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise ManifestError(f"{source}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for pair in item.items() for child in pair)
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)


__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_INT_CHARS",
    "MAX_NODES",
    "STDIN",
    "check_bounds",
    "load_document",
    "load_documents",
    "load_file",
    "load_json",
    "read_text",
    "source_name",
]
