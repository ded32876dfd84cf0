"""Sinks: what calling a value means. Builtins called are reported; `eval`, `Function`, `vm` and
`Module#_compile` compile their argument (analysed as code when it folds, a `CodeSink` with its likely
origins when it does not); `child_process` calls have their command lines captured for the shell rules,
and the code of `node -e` / `process.execPath -e` spawns is analysed like eval's. Files written are
recorded with their folded paths (`FileWrite`), and what is written under a `.js`/`.cjs`/`.mjs` name (or
anything that reads as code) is analysed as code; code compiled from the text of one of the package's own
files is recorded as a `CompiledFile` for `facts.gather` to analyse."""

from __future__ import annotations

import re
import shlex

from tree_sitter import Node

from airlock.analysis.capabilities.state import (
    MAX_CLIMB,
    CodeSink,
    CompiledFile,
    FileWrite,
    PlantedShell,
    ScanBase,
)
from airlock.analysis.resolve import (
    UNKNOWN,
    Applied,
    Arr,
    Binding,
    Bytes,
    Code,
    Ref,
    Resolver,
    Space,
    Str,
    Value,
    as_text,
)
from airlock.analysis.resolve.paths import UNKNOWN_PART, fold_path, fold_paths
from airlock.analysis.resolve.syntax import strip_transparent
from airlock.analysis.scripts import PERSISTENCE_TARGETS

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
# fs functions that write a file: (path argument, content argument or None).
_FILE_WRITERS: dict[str, tuple[int, int | None]] = {
    **{f"fs.{p}{name}": (0, 1) for p in ("", "promises.") for name in ("writeFile", "appendFile")},
    "fs.writeFileSync": (0, 1),
    "fs.appendFileSync": (0, 1),
    "fs.createWriteStream": (0, None),
    "fs.copyFile": (1, None),
    "fs.copyFileSync": (1, None),
    "fs.promises.copyFile": (1, None),
    "fs.cp": (1, None),
    "fs.cpSync": (1, None),
    "fs.promises.cp": (1, None),
    "fs.rename": (1, None),
    "fs.renameSync": (1, None),
    "fs.promises.rename": (1, None),
}
_CODE_SUFFIXES = (".js", ".cjs", ".mjs")
_PATH_BUILDERS = frozenset({"path.join", "path.resolve", "path.win32.join", "path.posix.join"})
# Cheap test before folding a path.join: does it name something an application is made of?
_APPLICATION_WORDS = re.compile(rb"asar|Applications|Programs|extensions|Extensions")
_FILE_READERS = frozenset({"fs.readFileSync", "fs.readFile", "fs.promises.readFile"})
# `node -e <code>` and friends: the flags whose next word is code (`-pe` is -p and -e together).
_EVAL_FLAGS = frozenset({"-e", "--eval", "-p", "--print", "-pe", "-ep"})
_NODE_PROGRAMS = frozenset({"node", "node.exe", "nodejs"})
# What a compiled value is wrapped in on its way from a file read: `.toString()`, `String(…)`, `.trim()`.
_TEXT_WRAPPERS = frozenset(
    {"toString", "trim", "trimStart", "trimEnd", "slice", "substring", "substr", "replace", "replaceAll"}
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
    # An image named where the compiled value comes from (`readFileSync(join(__dirname, 'logo.png'))`).
    ("image", re.compile(r"(?i)\.(?:png|jpe?g|gif|bmp|ico|webp)['\"`]")),
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
                    self._command(command, call)
                code = _node_eval_code(target.path, args)
                if code is not None:
                    self._spawned_code(
                        code, call, argument=0 if target.path.endswith(("exec", "execSync")) else 1
                    )
            elif target.path in _FILE_WRITERS:
                self._write(target.path, args, call)
            elif target.path in _PATH_BUILDERS:
                self._named_application_path(call)
            elif target.path == "worker_threads.Worker" and self._worker_eval(call):
                # `new Worker(code, { eval: true })` runs its first argument as a script.
                self._spawned_code(args[0] if args else UNKNOWN, call, argument=0, kind="Worker eval")
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
        elif path in _BINDING_SPAWNS:
            # process.binding('spawn_sync').spawn({file, args}): child_process without child_process.
            self._report(target, call)
            fields = self._object_fields(call)
            words = fields.get("args", UNKNOWN)
            command = (
                shlex.join([as_text(w) or "?" for w in words.items])
                if isinstance(words, Arr) and words.items
                else as_text(fields.get("file", UNKNOWN))
            )
            if command is not None:
                self._command(_unwrap_shell(command), call)
        else:
            self._report(target, call)
            if path.endswith("._compile"):
                self._sink(path, call, args, argument=0)

    def _command(self, command: str, call: Node) -> None:
        evidence = self.text.evidence(call)
        self.out.commands.append((evidence, command))
        if self.runs_on_load(call):
            self.out.commands_on_load.append(evidence)

    def _spawned_code(self, code: Value, call: Node, *, argument: int, kind: str = "node -e") -> None:
        """`spawn('node', ['-e', code])`: the code runs as a script, analysed as eval's would be."""
        text = as_text(code)
        if text is not None:
            self._on_code(text, call)
            return
        self._dynamic(call)
        self._sink(kind, call, [], argument=argument)

    def _object_fields(self, call: Node) -> dict[str, Value]:
        """The folded values of the first argument's properties, when it is an object literal."""
        nodes = self._argument_nodes(call)
        if not nodes or nodes[0].type != "object":
            return {}
        fields: dict[str, Value] = {}
        for pair in nodes[0].named_children:
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if pair.type == "pair" and key is not None and value is not None:
                fields[self.resolver.text(key, 40).strip("'\"")] = self.resolver.evaluate(value)
        return fields

    def _worker_eval(self, call: Node) -> bool:
        nodes = self._argument_nodes(call)
        if len(nodes) < 2 or nodes[1].type != "object":
            return False
        for pair in nodes[1].named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            value = pair.child_by_field_name("value") if pair.type == "pair" else None
            if key is not None and value is not None and self.resolver.text(key).strip("'\"") == "eval":
                return self.resolver.text(value).replace(" ", "") in {"true", "!0", "!![]", "1"}
        return False

    def _write(self, function: str, args: list[Value], call: Node) -> None:
        """A file written: its folded path recorded; its content analysed as code when it is code."""
        at, content_at = _FILE_WRITERS[function]
        nodes = self._argument_nodes(call)
        if at >= len(nodes):
            return
        paths = fold_paths(self.resolver, nodes[at])
        path = paths[0]
        content = args[content_at] if content_at is not None and content_at < len(args) else UNKNOWN
        text = content.value.decode("utf-8", "replace") if isinstance(content, Bytes) else as_text(content)
        named_code = path.lower().endswith(_CODE_SUFFIXES)
        code = False
        if function == "fs.createWriteStream":
            # What the stream is given: `s.write(code)`, `s.end(code)`, on the stream or its variable.
            for part in self._stream_writes(call):
                if named_code or _reads_as_code(part):
                    self._on_code(part, call)
                    code = True
        if text is not None and text.strip():
            if named_code or _reads_as_code(text):
                self._on_code(text, call)
                code = True
        elif content_at is not None and content_at < len(nodes):
            # `original + patch`: the constant parts of what is written, where the whole does not fold.
            for part in self._constant_parts(nodes[content_at]):
                if _reads_as_code(part):
                    self._on_code(part, call)
                    code = True
        evidence = self.text.evidence(call)
        self.out.writes.extend(FileWrite(evidence, alternative, code) for alternative in paths)
        if PERSISTENCE_TARGETS.search(path):
            planted = text
            if planted is None and content_at is not None and content_at < len(nodes):
                planted = " ".join(self._constant_parts(nodes[content_at]))
            if planted is not None and planted.strip():
                self.out.planted.append(PlantedShell(evidence, path, planted[:4096], self.runs_on_load(call)))

    def _named_application_path(self, call: Node) -> None:
        """`path.join(local, 'Programs', 'atomic', 'resources', 'app.asar')`: an application location named,
        recorded for the tampering rule (which wants a write in the same file too)."""
        text = self.source[call.start_byte : call.end_byte]
        if not _APPLICATION_WORDS.search(text):
            return
        path = fold_path(self.resolver, call)
        if UNKNOWN_PART not in path[:3]:
            self.out.writes.append(FileWrite(self.text.evidence(call), path, code=False, named=True))

    def _stream_writes(self, call: Node) -> list[str]:
        """Constant texts passed to `.write`/`.end` of the stream `call` opens (bounded)."""
        receivers = [call]
        parent = self.resolver.parent(call)
        if parent is not None and parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
            binding = self.resolver.lookup(name) if name is not None and name.type == "identifier" else None
            if binding is not None and name is not None:
                scope = self.resolver.scope_of(binding)
                word = binding.name.encode()
                self.steps.search(scope.end_byte - scope.start_byte)
                i = self.source.find(word, scope.start_byte, scope.end_byte)
                while i != -1 and len(receivers) < 32:
                    self._tick()
                    node = self.root.descendant_for_byte_range(i, i + len(word))
                    if node is not None and node.type == "identifier" and node.id != name.id:
                        found = self.resolver.lookup(node)
                        if found is not None and found.identity == binding.identity:
                            receivers.append(node)
                    i = self.source.find(word, i + len(word), scope.end_byte)
        texts: list[str] = []
        for receiver in receivers:
            member_node = self.resolver.parent(receiver)
            invoked = self.resolver.parent(member_node) if member_node is not None else None
            if (
                member_node is None
                or member_node.type != "member_expression"
                or invoked is None
                or invoked.type != "call_expression"
                or self.resolver.property_name(member_node) not in {"write", "end"}
            ):
                continue
            nodes = self._argument_nodes(invoked)
            if nodes:
                value = self.resolver.evaluate(nodes[0])
                text = value.value.decode("utf-8", "replace") if isinstance(value, Bytes) else as_text(value)
                if text is not None and text.strip():
                    texts.append(text)
        return texts

    def _constant_parts(self, node: Node) -> list[str]:
        """The operands of a `+` chain or template literal that fold to text (bounded)."""
        parts: list[str] = []
        stack = [node]
        while stack and len(parts) < 8:
            self._tick()
            current = strip_transparent(stack.pop())
            if current.type == "binary_expression":
                op = current.child_by_field_name("operator")
                if op is not None and op.type == "+":
                    stack.extend(
                        c
                        for c in (current.child_by_field_name("right"), current.child_by_field_name("left"))
                        if c
                    )
                    continue
            if current.type == "template_string":
                stack.extend(
                    c.named_children[0]
                    for c in reversed(current.named_children)
                    if c.type == "template_substitution" and c.named_child_count
                )
                continue
            text = as_text(self.resolver.evaluate(current))
            if text is not None:
                parts.append(text)
        return parts

    def _argument_nodes(self, call: Node) -> list[Node]:
        arguments = call.child_by_field_name("arguments")
        if arguments is None or arguments.type != "arguments":
            return []
        return [c for c in arguments.named_children if c.type != "comment"]

    def _compiled_file(self, node: Node, call: Node, hops: int = 2) -> bool:
        """Record `call` compiling the text of a package file, when `node` (its code argument) reads one:
        `fs.readFileSync(path.join(__dirname, 'x.txt'), 'utf8')` (through `.toString()`, `.slice(…)`, a
        local variable), or `require('./data.json').code`."""
        self._tick()
        node = strip_transparent(node)
        field: list[str] = []
        for _ in range(8):
            if node.type == "call_expression":
                callee = node.child_by_field_name("function")
                if callee is not None and callee.type == "member_expression":
                    prop = callee.child_by_field_name("property")
                    name = self.resolver.text(prop) if prop is not None else ""
                    obj = callee.child_by_field_name("object")
                    if name in _TEXT_WRAPPERS and obj is not None:
                        node = strip_transparent(obj)
                        continue
                break
            if node.type in {"member_expression", "subscript_expression"}:
                key = self.resolver.property_name(node)
                obj = node.child_by_field_name("object")
                if key is None or obj is None:
                    return False
                field.insert(0, key)
                node = strip_transparent(obj)
                continue
            if node.type == "identifier" and hops > 0:
                binding = self.resolver.lookup(node)
                if binding is None or binding.value is None:
                    return False
                if binding.key is not None:
                    field.insert(0, binding.key)
                if field:
                    return False  # a field of a variable: not followed further
                return self._compiled_file(binding.value, call, hops - 1)
            break
        if node.type != "call_expression":
            return False
        callee = node.child_by_field_name("function")
        args = self._argument_nodes(node)
        if callee is None or not args:
            return False
        target = self.resolver.evaluate(callee)
        if target == Ref(Space.REQUIRE) or (isinstance(target, Ref) and target.space is Space.REQUIRE):
            spec = as_text(self.resolver.evaluate(args[0]))
            if spec is None or not spec.startswith("."):
                return False
            self.out.compiles.append(
                CompiledFile(self.text.evidence(call), spec, ".".join(field) or None, "dir")
            )
            return True
        if isinstance(target, Ref) and target.space is Space.BUILTIN and target.path in _FILE_READERS:
            if field:
                return False
            path = fold_path(self.resolver, args[0])
            if UNKNOWN_PART in path or path.startswith(("/", "~", "%", "<tmp>", "<pkg:")):
                return False
            base = "dir" if path.startswith("<dir>") else "cwd"
            path = path.removeprefix("<dir>").removeprefix("<cwd>").lstrip("/") or "."
            self.out.compiles.append(CompiledFile(self.text.evidence(call), path, None, base))
            return True
        return False

    def _compile(self, code: Value, call: Node) -> None:
        text = as_text(code)
        if text is not None:
            # Folded, so analysed as code below; still a sink when the text had to be decoded first.
            arguments = call.child_by_field_name("arguments")
            literal = arguments is not None and all(
                _plain_literal(c) for c in arguments.named_children if c.type != "comment"
            )
            shown = self._origin_text(arguments, hops=2) if arguments is not None and not literal else ""
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
        caller_input = False
        if nodes:
            chosen = nodes[argument] if -len(nodes) <= argument < len(nodes) else nodes[-1]
            if _plain_literal(chosen):
                # Literal code (a webpack eval-devtool module): its own words (`atob`, `base64`) are what the
                # code does, not where it came from; it is analysed as code where the budget allows.
                self.out.sinks.append(CodeSink(self.text.evidence(call), kind[:60], frozenset()))
                return
            context.append(self._origin_text(chosen, hops=2))
            self._compiled_file(chosen, call)
            caller_input = self._caller_input(chosen, call)
        context.extend(self._enclosing_callees(call))
        joined = "\n".join(context)
        origins = frozenset(tag for tag, pattern in _ORIGIN_PATTERNS if pattern.search(joined))
        if caller_input:
            # A compiler of its caller's input (a template engine, CoffeeScript.eval, a worker's data: URL,
            # a function-name shim): decoding there is the library's job, not a payload being unpacked.
            origins -= _PAYLOAD_ORIGINS
        self.out.sinks.append(CodeSink(self.text.evidence(call), kind[:60], origins))

    def _caller_input(self, node: Node, call: Node) -> bool:
        """Whether the compiled value is built from a parameter of an enclosing function (or `arguments`), as
        far as its expression and its variables' initialisers show, and no call in this file hands that
        function a long string literal (a payload passed in by the package itself)."""
        stack = [node]
        seen = 0
        found = False
        while stack and seen < 64 and not found:
            self._tick()
            current = stack.pop()
            seen += 1
            if current.type == "identifier":
                if self.resolver.text(current, 16) == "arguments":
                    found = True
                    break
                binding = self.resolver.lookup(current)
                if binding is None:
                    continue
                if binding.parameter:
                    found = True
                elif seen < 32:
                    if binding.value is not None:
                        stack.append(binding.value)
                    elif binding.specifier is None:
                        stack.extend(self._assigned_values(binding))
                continue
            stack.extend(current.named_children)
        if not found:
            return False
        owner = self.resolver.parent(call)
        while owner is not None and owner.type not in FUNCTION_TYPES:
            owner = self.resolver.parent(owner)
        name = _function_name(self.resolver, owner) if owner is not None else None
        if name is None:
            return True
        self.steps.search(len(self.source))
        return re.search(re.escape(name).encode() + rb"\s*\(\s*['\x22`][^'\x22`]{32,}", self.source) is None

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
        return [self._origin_text(right, hops=hops)[:600] for right in self._assigned_values(binding)]

    def _assigned_values(self, binding: Binding) -> list[Node]:
        """The right-hand sides of up to four `name = …` / `name += …` in the binding's scope."""
        scope = self.resolver.scope_of(binding)
        word = binding.name.encode()
        values: list[Node] = []
        src = self.source
        self.steps.search(scope.end_byte - scope.start_byte)
        i = src.find(word, scope.start_byte, scope.end_byte)
        while i != -1 and len(values) < 4:
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
                    values.append(right)
            i = src.find(word, i + len(word), scope.end_byte)
        return values

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


_PAYLOAD_ORIGINS = frozenset({"decode", "decipher"})


def _plain_literal(node: Node) -> bool:
    return node.type == "string" or (
        node.type == "template_string"
        and not any(c.type == "template_substitution" for c in node.named_children)
    )


def _function_name(resolver: Resolver, fn: Node) -> str | None:
    """`function f(){}`, `const f = () => …`, `obj.f = function(){}`, `{ f() {} }` → "f"."""
    named = fn.child_by_field_name("name")
    if named is not None:
        return resolver.text(named, 80)
    holder = resolver.parent(fn)
    if holder is None:
        return None
    if holder.type == "variable_declarator":
        name = holder.child_by_field_name("name")
    elif holder.type == "assignment_expression":
        name = holder.child_by_field_name("left")
        if name is not None and name.type == "member_expression":
            name = name.child_by_field_name("property")
    elif holder.type == "pair":
        name = holder.child_by_field_name("key")
    else:
        name = None
    if name is None or name.type not in {"identifier", "property_identifier"}:
        return None
    return resolver.text(name, 80)


def _reads_as_code(text: str) -> bool:
    """Whether written text is a script (calls, requires) rather than data: cheap tests before a parse."""
    if len(text) > 1 << 20 or "(" not in text:
        return False
    head = text.lstrip()[:1]
    if head in {"{", "[", "<", "#"}:  # JSON, markup, shell or markdown
        return False
    return any(word in text for word in ("require(", "import(", "import ", "eval(", "Function(", "process."))


def _node_program(value: Value) -> bool:
    if isinstance(value, Ref):
        return value.space is Space.GLOBAL and value.path in {"process.execPath", "process.argv0"}
    text = as_text(value)
    if text is None:
        return False
    return text.replace("\\", "/").rsplit("/", 1)[-1].lower() in _NODE_PROGRAMS


def _node_eval_code(function: str, args: list[Value]) -> Value | None:
    """The code a spawn of `node -e <code>` (or `process.execPath --eval …`, `-p`) runs, when it is one."""
    if not args:
        return None
    if function in {"child_process.exec", "child_process.execSync"}:
        line = as_text(args[0])
        if line is None or ("-e" not in line and "--eval" not in line and "-p" not in line):
            return None
        try:
            words = shlex.split(line)
        except ValueError:
            return None
        if not words or not _node_program(Str(words[0])):
            return None
        items: list[Value] = [Str(w) for w in words[1:]]
    elif function == "child_process.fork" or not _node_program(args[0]):
        return None
    elif len(args) > 1 and isinstance(args[1], Arr):
        items = list(args[1].items)
    else:
        return None
    for i, item in enumerate(items[:-1]):
        flag = as_text(item)
        if flag in _EVAL_FLAGS:
            return items[i + 1]
        if flag is None or not flag.startswith("-"):
            return None  # a script name: what follows are its arguments
    return None


_BINDING_SPAWNS = frozenset(
    {"process.binding.spawn_sync.spawn", "process.binding.process_wrap.Process.spawn"}
)


def _unwrap_shell(command: str) -> str:
    """`/bin/sh -c 'x'` → `x`, as child_process's own shells are read."""
    try:
        words = shlex.split(command)
    except ValueError:
        return command
    if (
        len(words) >= 3
        and words[0].rsplit("/", 1)[-1].lower() in {"sh", "bash", "cmd", "cmd.exe"}
        and words[1] in {"-c", "/c"}
    ):
        return words[2]
    if len(words) >= 4 and words[1].rsplit("/", 1)[-1].lower() in {"sh", "bash"} and words[2] == "-c":
        return words[3]
    return command


def _command_line(function: str, args: list[Value]) -> str | None:
    """The command line a child_process call runs, as shell text, when its parts fold to constants."""
    if not args:
        return None
    # `process.execPath` is not written as `node` here: following `spawn(process.execPath, [file])` into the
    # install-time closure is left for later (deasync's quick test would make its addon load an install-time
    # finding); its `-e` code is analysed all the same (`_node_eval_code`).
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
