"""File paths as the code builds them, folded leniently for the rules that judge where a write goes.

`fold_path(resolver, node)` gives the path an expression names, as text with placeholders where a part
is not a constant but its *kind* is known: `<dir>` (`__dirname`), `<file>` (`__filename`), `<cwd>`
(`process.cwd()`), `~` (`os.homedir()`), `<tmp>` (`os.tmpdir()`), `%NAME%` (`process.env.NAME`),
`<pkg:NAME>` (the directory of the installed package NAME, from `require.resolve('NAME')`), and `<?>` for
anything else. `path.join`/`resolve`/`dirname`/`basename`, `+`, template literals and local constants are
followed; everything is bounded by MAX_PATH_HOPS and the file's step budget. The text is for judging
(which directory, which file name), never for touching the file system.
"""

from __future__ import annotations

import posixpath

from tree_sitter import Node

from airlock.analysis.resolve.evaluate import Resolver
from airlock.analysis.resolve.syntax import strip_transparent
from airlock.analysis.resolve.values import Ref, Space, as_text

UNKNOWN_PART = "<?>"
MAX_PATH_HOPS = 4
MAX_PATH_TEXT = 1024
_JOINERS = frozenset({"path.join", "path.posix.join", "path.win32.join"})
_RESOLVERS = frozenset({"path.resolve", "path.posix.resolve", "path.win32.resolve"})
_PLACES: dict[str, str] = {
    "os.homedir": "~",
    "os.tmpdir": "<tmp>",
}


def fold_path(resolver: Resolver, node: Node, hops: int = MAX_PATH_HOPS) -> str:
    """The path `node` names, with placeholders for what is known only by kind (see the module doc)."""
    return _fold(resolver, node, hops)[:MAX_PATH_TEXT]


def fold_paths(resolver: Resolver, node: Node) -> list[str]:
    """The paths `node` may name: its folded path, or where it is a call of a local function with several
    `return`s (a per-platform path helper) or a ternary, each alternative (at most MAX_ALTERNATIVES)."""
    node = strip_transparent(node)
    choices: list[Node] = []
    if node.type == "ternary_expression":
        choices = [
            c for c in (node.child_by_field_name("consequence"), node.child_by_field_name("alternative")) if c
        ]
    elif node.type == "call_expression":
        callee = node.child_by_field_name("function")
        fn = resolver.local_function(callee) if callee is not None and callee.type == "identifier" else None
        if fn is not None:
            choices = _returns(resolver, fn)
    if not choices:
        return [fold_path(resolver, node)]
    return list(dict.fromkeys(fold_path(resolver, c) for c in choices[:MAX_ALTERNATIVES]))


MAX_ALTERNATIVES = 4


def _returns(resolver: Resolver, fn: Node) -> list[Node]:
    """The expressions a function's own `return` statements give (not those of nested functions)."""
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block" or body.end_byte - body.start_byte > 4096:
        return []
    found: list[Node] = []
    stack = list(body.named_children)
    while stack and len(found) < MAX_ALTERNATIVES:
        resolver.steps.tick()
        current = stack.pop(0)
        if current.type in {"function_declaration", "function_expression", "arrow_function", "function"}:
            continue
        if current.type == "return_statement":
            if current.named_child_count:
                found.append(current.named_children[0])
            continue
        stack.extend(current.named_children)
    return found


def _fold(resolver: Resolver, node: Node, hops: int) -> str:
    resolver.steps.tick()
    node = strip_transparent(node)
    kind = node.type
    if kind == "identifier":
        name = resolver.text(node)
        if name == "__dirname":
            return "<dir>"
        if name == "__filename":
            return "<dir>/<file>"
        binding = resolver.lookup(node)
        if binding is not None and binding.value is not None and binding.key is None and hops > 0:
            value = as_text(resolver.evaluate(binding.value))
            return value if value is not None else _fold(resolver, binding.value, hops - 1)
    elif kind == "binary_expression":
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op is not None and op.type == "+" and left is not None and right is not None:
            return _fold(resolver, left, hops) + _fold(resolver, right, hops)
        if op is not None and op.type in {"||", "??"} and left is not None and right is not None:
            # `process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local')`: the first choice, else the
            # fallback.
            first = _fold(resolver, left, hops)
            return first if first != UNKNOWN_PART else _fold(resolver, right, hops)
    elif kind == "template_string":
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "template_substitution":
                inner = child.named_children[0] if child.named_child_count else None
                parts.append(_fold(resolver, inner, hops) if inner is not None else UNKNOWN_PART)
            else:
                parts.append(resolver.text(child))
        return "".join(parts)
    elif kind == "member_expression":
        ref = resolver.evaluate(node)
        if isinstance(ref, Ref) and ref.space is Space.GLOBAL and ref.path.startswith("process.env."):
            return f"%{ref.path.removeprefix('process.env.')}%"
    elif kind == "call_expression":
        folded = _call(resolver, node, hops)
        if folded is not None:
            return folded
    value = as_text(resolver.evaluate(node))
    return value if value is not None else UNKNOWN_PART


def _call(resolver: Resolver, call: Node, hops: int) -> str | None:
    callee = call.child_by_field_name("function")
    args_node = call.child_by_field_name("arguments")
    if callee is None or args_node is None:
        return None
    args = [c for c in args_node.named_children if c.type != "comment"]
    if resolver.text(callee, 40).replace(" ", "") == "require.resolve":
        spec = as_text(resolver.evaluate(args[0])) if args else None
        if spec is None:
            return UNKNOWN_PART
        if spec.startswith((".", "/")):
            return posixpath.join("<dir>", spec)
        parts = spec.split("/")
        package = "/".join(parts[:2] if spec.startswith("@") else parts[:1])
        rest = "/".join(parts[2:] if spec.startswith("@") else parts[1:])
        return f"<pkg:{package}>/" + (rest or "<entry>")
    target = resolver.evaluate(callee)
    if not isinstance(target, Ref):
        return None
    path = target.path
    if target.space is Space.GLOBAL and path == "process.cwd":
        return "<cwd>"
    if target.space is not Space.BUILTIN:
        return None
    if path in _PLACES:
        return _PLACES[path]
    if path in _JOINERS or path in _RESOLVERS:
        pieces = [_fold(resolver, a, hops).replace("\\", "/") for a in args]
        if path in _RESOLVERS:
            # The last absolute piece wins, as in path.resolve.
            for i in range(len(pieces) - 1, -1, -1):
                if pieces[i].startswith(("/", "<", "~", "%")) or pieces[i][1:3] == ":/":
                    pieces = pieces[i:]
                    break
        joined = "/".join(p for p in pieces if p)
        return _normalise(joined)
    if path in {"path.dirname", "path.posix.dirname", "path.win32.dirname"} and args:
        inner = _fold(resolver, args[0], hops).replace("\\", "/").rstrip("/")
        head, sep, _ = inner.rpartition("/")
        return head if sep else "."
    if path in {"path.basename", "path.posix.basename", "path.win32.basename"} and args:
        inner = _fold(resolver, args[0], hops).replace("\\", "/").rstrip("/")
        return inner.rpartition("/")[2]
    return None


def _normalise(joined: str) -> str:
    """Collapse `a/../b` and `./` without losing the leading placeholder (posixpath would eat `<dir>/..`)."""
    head, sep, tail = joined.partition("/")
    if head.startswith(("<", "~", "%")) and sep:
        normal = posixpath.normpath(tail) if tail else ""
        return head + "/" + normal if normal not in {"", "."} else head
    return posixpath.normpath(joined) if joined else joined
