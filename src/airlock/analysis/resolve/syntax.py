"""Tree shapes and literal syntax the resolver reads: which node types open scopes or are functions, the
wrappers that do not change a value (parentheses, TypeScript assertions), escape sequences, number
literals, the identifiers a binding pattern introduces, and the names an import clause binds."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from tree_sitter import Node

# Interop helpers from Babel, TypeScript, SWC and esbuild return their argument (or wrap it as .default).
INTEROP_HELPER = re.compile(
    r"^_*(?:interopRequire(?:Default|Wildcard)|interop_require_(?:default|wildcard)|importDefault|importStar|"
    r"toESM|toCommonJS|esModuleInterop|requireDefault)\d*$",
    re.IGNORECASE,
)

SCOPE_TYPES = frozenset(
    {
        "program",
        "statement_block",
        "class_body",
        "switch_body",
        "function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "generator_function_declaration",
        "arrow_function",
        "method_definition",
        "for_statement",
        "for_in_statement",
        "catch_clause",
    }
)
FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "generator_function_declaration",
        "arrow_function",
        "method_definition",
    }
)
INLINE_FUNCTION_TYPES = frozenset({"arrow_function", "function_expression", "function"})
IDENTIFIER_TYPES = frozenset(
    {
        "identifier",
        "property_identifier",
        "shorthand_property_identifier",
        "shorthand_property_identifier_pattern",
    }
)
IDENTIFIER_ESCAPE = re.compile(r"\\u(?:\{[0-9a-fA-F]+\}|[0-9a-fA-F]{4})")
TRANSPARENT = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
    }
)


def decode_escape(seq: str) -> str:
    body = seq[1:]
    if not body:
        return ""
    head = body[0]
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    if head in simple and not (head == "0" and len(body) > 1):
        return simple[head]
    try:
        if head == "x" and len(body) >= 3:
            return chr(int(body[1:3], 16))
        if head == "u":
            if body.startswith("u{"):
                return chr(int(body[2:-1], 16))
            return chr(int(body[1:5], 16))
        if head.isdigit():
            return chr(int(body, 8) if all(c in "01234567" for c in body) else int(body))
    except (ValueError, OverflowError):
        return ""
    if head in "\r\n\u2028\u2029":
        return ""  # line continuation
    return body


def parse_number(text: str) -> float | None:
    t = text.replace("_", "").rstrip("n")
    try:
        lower = t.lower()
        if lower.startswith("0x"):
            return float(int(t[2:], 16))
        if lower.startswith("0o"):
            return float(int(t[2:], 8))
        if lower.startswith("0b"):
            return float(int(t[2:], 2))
        if len(t) > 1 and t.startswith("0") and t.isdigit():
            return float(int(t, 8)) if all(c in "01234567" for c in t) else float(t)
        return float(t)
    except ValueError:
        return None


def strip_transparent(node: Node) -> Node:
    """Skip parentheses and TypeScript type wrappers around an expression."""
    while node.type in TRANSPARENT:
        inner = first_named(node, skip_types=True)
        if inner is None:
            break
        node = inner
    return node


def first_named(node: Node, *, skip_types: bool) -> Node | None:
    for child in node.named_children:
        if skip_types and child.type in {
            "type_arguments",
            "predefined_type",
            "type_identifier",
            "generic_type",
        }:
            continue
        if child.type == "comment":
            continue
        return child
    return None


def pattern_identifiers(node: Node) -> Iterator[Node]:
    """Every identifier a binding pattern (or parameter list) introduces."""
    stack = [node]
    while stack:
        n = stack.pop()
        kind = n.type
        if kind in {"identifier", "shorthand_property_identifier_pattern"}:
            yield n
            continue
        if kind in {"pair_pattern"}:
            value = n.child_by_field_name("value")
            if value is not None:
                stack.append(value)
            continue
        if kind in {"assignment_pattern", "object_assignment_pattern"}:
            left = n.child_by_field_name("left")
            if left is not None:
                stack.append(left)
            continue
        if kind in {"required_parameter", "optional_parameter"}:
            pattern = n.child_by_field_name("pattern")
            if pattern is not None:
                stack.append(pattern)
            continue
        if kind in {
            "formal_parameters",
            "object_pattern",
            "array_pattern",
            "rest_pattern",
            "variable_declarator",
        }:
            stack.extend(reversed(n.named_children))


class ImportBinding(NamedTuple):
    local: Node
    """The identifier the import declares."""
    imported: str | None
    """The export it names, or None for the module itself (a default or namespace import, `default as x`)."""
    site: Node
    """The specifier that binds it (`exec as run`), or the local name for default and namespace imports."""


def import_bindings(clause: Node, name_of: Callable[[Node], str | None]) -> Iterator[ImportBinding]:
    """Each name an `import_clause` binds. `name_of` reads an imported name node: an identifier, or the
    string of `import { "a-b" as c }`."""
    for part in clause.named_children:
        if part.type == "identifier":
            yield ImportBinding(part, None, part)
        elif part.type == "namespace_import":
            for ident in part.named_children:
                yield ImportBinding(ident, None, ident)
        elif part.type == "named_imports":
            for specifier in part.named_children:
                if specifier.type != "import_specifier":
                    continue
                name = specifier.child_by_field_name("name")
                alias = specifier.child_by_field_name("alias") or name
                if name is None or alias is None:
                    continue
                imported = name_of(name)
                yield ImportBinding(alias, None if imported == "default" else imported, specifier)
