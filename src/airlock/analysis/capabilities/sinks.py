"""Sinks: what calling a value means. Builtins called are reported; `eval`, `Function`, `vm` and
`Module#_compile` compile their argument (analysed as code when it folds, a `CodeSink` with its likely
origins when it does not); `child_process` calls have their command lines captured for the shell rules."""

from __future__ import annotations

import re
import shlex

from tree_sitter import Node

from airlock.analysis.capabilities.state import MAX_CLIMB, CodeSink, ScanBase
from airlock.analysis.resolve import (
    UNKNOWN,
    Applied,
    Arr,
    Binding,
    Code,
    Ref,
    Space,
    Str,
    Value,
    as_text,
)

# vm entry points that compile a string argument as code.
_VM_COMPILERS = frozenset(
    {
        "vm.runInNewContext",
        "vm.runInThisContext",
        "vm.runInContext",
        "vm.compileFunction",
        "vm.Script",
        "vm.SourceTextModule",
    }
)
EXEC_FUNCTIONS = frozenset(
    {
        "child_process.exec",
        "child_process.execSync",
        "child_process.spawn",
        "child_process.spawnSync",
        "child_process.execFile",
        "child_process.execFileSync",
        "child_process.fork",
    }
)
_SHELL_PROGRAMS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "cmd", "cmd.exe", "powershell"})
FUNCTION_TYPES = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "function", "generator_function"}
)
_ORIGIN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("decode", re.compile(r"base64|['\"]hex['\"]|\batob\b|fromCharCode|\bunescape\(|\binflate|gunzip")),
    ("decipher", re.compile(r"createDecipher|\.final\(")),
    (
        "network",
        re.compile(
            r"\b(?:https?|http2|net|tls)\.(?:get|request|connect)\b|\bfetch\(|\baxios\b|"
            r"\.on\(\s*['\"](?:data|end|message)['\"]|\.text\(\)|\bXMLHttpRequest\b|responseText"
        ),
    ),
    ("file", re.compile(r"readFileSync|readFile\(|createReadStream")),
    ("env", re.compile(r"process\.env")),
)


class SinksMixin(ScanBase):
    def _on_call(self, callee: Value, args: list[Value], call: Node) -> None:
        """Record what calling `callee` means: a capability, a dynamic load, or code compiled from a string."""
        target = callee.target if isinstance(callee, Applied) else callee
        if isinstance(callee, Applied) and callee.mode in {"call", "apply"}:
            args = args[1:] if callee.mode == "call" else []
        if isinstance(target, Code):
            return
        if not isinstance(target, Ref):
            return
        if target.space is Space.REQUIRE:
            if not args or as_text(args[0]) is None:
                self._dynamic(call)
            return
        if target.space is Space.BUILTIN:
            self._report(target, call)
            if target.path in _VM_COMPILERS:
                self._compile(args[0] if args else UNKNOWN, call)
            elif target.path in EXEC_FUNCTIONS:
                command = _command_line(target.path, args)
                if command is not None:
                    self.out.commands.append((self.text.evidence(call), command))
            elif target.path.endswith("_compile") or "._compile." in target.path:
                self._sink(target.path, call, args, argument=0)
            if target.path in {"module._load"} and (not args or as_text(args[0]) is None):
                self._dynamic(call)
            return
        path = target.path
        if path == "eval":
            self.out.add("globals", "eval", self.text.evidence(call))
            self._compile(args[0] if args else UNKNOWN, call)
        elif path == "Function":
            self.out.add("globals", "Function", self.text.evidence(call))
            self._compile(args[-1] if args else Str(""), call)
        elif path == "process.getBuiltinModule" and (not args or as_text(args[0]) is None):
            self._dynamic(call)
        else:
            self._report(target, call)
            if path.endswith("._compile"):
                self._sink(path, call, args, argument=0)

    def _compile(self, code: Value, call: Node) -> None:
        text = as_text(code)
        if text is not None:
            # Folded, so analysed as code below; still a sink when the text had to be decoded first.
            arguments = call.child_by_field_name("arguments")
            shown = self._origin_text(arguments, hops=2) if arguments is not None else ""
            if _ORIGIN_PATTERNS[0][1].search(shown):
                self.out.sinks.append(CodeSink(self.text.evidence(call), "eval", frozenset({"decode"})))
        else:
            self._dynamic(call)
            callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
            name = self.resolver.text(callee, 200) if callee is not None else "eval"
            self._sink(name, call, [code], argument=-1 if name.endswith("Function") else 0)
            return
        self.resolver.call(Ref(Space.GLOBAL, "eval"), [Str(text)], call)

    def _sink(self, kind: str, call: Node, args: list[Value], *, argument: int) -> None:
        if args and as_text(args[argument]) is not None:
            return
        arguments = call.child_by_field_name("arguments")
        nodes = [c for c in arguments.named_children if c.type != "comment"] if arguments is not None else []
        context: list[str] = []
        if nodes:
            chosen = nodes[argument] if -len(nodes) <= argument < len(nodes) else nodes[-1]
            context.append(self._origin_text(chosen, hops=2))
        context.extend(self._enclosing_callees(call))
        joined = "\n".join(context)
        origins = frozenset(tag for tag, pattern in _ORIGIN_PATTERNS if pattern.search(joined))
        self.out.sinks.append(CodeSink(self.text.evidence(call), kind[:60], origins))

    def _origin_text(self, node: Node, *, hops: int) -> str:
        """The expression's text plus, `hops` deep, the initialisers (or function bodies) of the names in it."""
        parts = [self.resolver.text(node, 600)]
        if hops <= 0:
            return parts[0]
        stack = [node]
        seen = 0
        while stack and seen < 64:
            self._tick()
            current = stack.pop()
            seen += 1
            if current.type == "identifier":
                binding = self.resolver.lookup(current)
                if binding is None:
                    continue
                if binding.value is not None:
                    parts.append(self._origin_text(binding.value, hops=hops - 1))
                else:
                    declaration = self.resolver.parent(binding.site)
                    if declaration is not None and declaration.type in FUNCTION_TYPES:
                        parts.append(self.resolver.text(declaration, 600))
                parts.extend(self._assigned_texts(binding, hops=hops - 1))
                continue
            stack.extend(current.named_children)
        return "\n".join(parts)

    def _assigned_texts(self, binding: Binding, *, hops: int) -> list[str]:
        """Right-hand sides of `name = …` / `name += …` in the function around `use` (accumulated data)."""
        scope = self.resolver.scope_of(binding)
        word = binding.name.encode()
        texts: list[str] = []
        src = self.source
        self.steps.search(scope.end_byte - scope.start_byte)
        i = src.find(word, scope.start_byte, scope.end_byte)
        while i != -1 and len(texts) < 4:
            self._tick()
            node = self.root.descendant_for_byte_range(i, i + len(word))
            parent = self.resolver.parent(node) if node is not None else None
            if (
                parent is not None
                and parent.type in {"assignment_expression", "augmented_assignment_expression"}
                and parent.child_by_field_name("left") == node
            ):
                right = parent.child_by_field_name("right")
                if right is not None:
                    texts.append(self._origin_text(right, hops=hops)[:600])
            i = src.find(word, i + len(word), scope.end_byte)
        return texts

    def _enclosing_callees(self, node: Node) -> list[str]:
        """Callees of the calls whose callback contains `node` (`https.get(u, r => … eval(d))`)."""
        texts: list[str] = []
        current = self.resolver.parent(node)
        climbed = 0
        while current is not None and climbed < MAX_CLIMB and len(texts) < 6:
            self._tick()
            climbed += 1
            if current.type in FUNCTION_TYPES:
                holder = self.resolver.parent(current)
                call = self.resolver.parent(holder) if holder is not None else None
                if holder is not None and holder.type == "arguments" and call is not None:
                    callee = call.child_by_field_name("function")
                    if callee is not None:
                        texts.append(self.resolver.text(callee, 200) + self.resolver.text(holder, 40))
            current = self.resolver.parent(current)
        return texts


def _command_line(function: str, args: list[Value]) -> str | None:
    """The command line a child_process call runs, as shell text, when its parts fold to constants."""
    if not args:
        return None
    program = as_text(args[0])
    if program is None:
        return None
    if function in {"child_process.exec", "child_process.execSync"}:
        return program
    words: list[str] = []
    if len(args) > 1 and isinstance(args[1], Arr):
        words = [as_text(item) or "?" for item in args[1].items]
    if function == "child_process.fork":
        return shlex.join(["node", program, *words])
    if (
        program.lower() in _SHELL_PROGRAMS
        and len(words) >= 2
        and words[0].lower() in {"-c", "/c", "-command"}
    ):
        return words[1]
    return shlex.join([program, *words])
