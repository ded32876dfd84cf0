"""Install-time code: lifecycle scripts, the shell they run, `node` files they start, `binding.gyp` expansions.

Shell is parsed with bashlex (a real bash grammar); what bashlex cannot read (cmd.exe syntax such as
`start /B x & y`, unbalanced quotes) falls back to splitting on control operators with shlex. Either way the
result is a flat list of `ShellCommand`s, each knowing what it pipes into and what it substitutes, from which
`describe_shell` derives the facts rules need. Nothing here runs anything.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import bashlex.ast

MAX_SCRIPT_CHARS = 64 * 1024

_SHELLS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "csh", "tcsh", "pwsh", "powershell", "powershell.exe", "cmd",
     "cmd.exe", "iex", "invoke-expression"}
)  # fmt: skip
_INTERPRETERS = _SHELLS | {"node", "python", "python3", "perl", "ruby", "php", "deno", "bun"}
_DOWNLOADERS = frozenset(
    {"curl", "wget", "invoke-webrequest", "iwr", "invoke-restmethod", "irm", "certutil", "bitsadmin", "fetch", "aria2c",
     "lwp-download", "tftp", "ftp", "scp", "start-bitstransfer"}
)  # fmt: skip
_DNS_TOOLS = frozenset({"nslookup", "dig", "host", "ping", "drill", "resolvectl"})
_IDENTITY_COMMANDS = frozenset(
    {"whoami", "hostname", "id", "uname", "pwd", "ifconfig", "ip", "cat", "env", "printenv"}
)
_NETCAT = frozenset({"nc", "ncat", "netcat", "socat", "telnet"})
_LOLBINS = frozenset(
    {"regsvr32", "rundll32", "mshta", "wscript", "cscript", "installutil", "msiexec", "regasm", "odbcconf"}
)
_ENV_DUMPERS = frozenset({"env", "printenv", "set", "export"})
_NODE_EVAL_FLAGS = frozenset({"-e", "--eval", "-p", "--print"})
_URL = re.compile(r"(?:https?|ftp)://[^\s'\"`<>|;&)]+", re.IGNORECASE)
PERSISTENCE_TARGETS = re.compile(
    r"(?:\.bashrc|\.bash_profile|\.bash_login|\.zshrc|\.zprofile|\.profile\b|/etc/profile|/etc/rc\.local|crontab|"
    r"/etc/cron|/var/spool/cron|systemd/system|\.config/systemd|LaunchAgents|LaunchDaemons|"
    r"Start Menu\\Programs\\Startup|CurrentVersion\\Run|\.config/autostart)",
    re.IGNORECASE,
)
# Recursive-deletion targets that are the filesystem root, the home directory, a system tree or a drive, with
# or without a trailing `/*` (`rm -rf ~/*`, `rm -rf "$HOME"/*` arrives here as `$HOME/*`).
_DESTRUCTIVE = re.compile(
    r"^(?:(?:/|~/?|\$HOME/?|\$\{HOME(?::\?)?\}/?|/(?:home|Users|etc|usr|var|root|opt|boot|lib|bin)/?)(?:\*|\.\*)?"
    r"|(?:[A-Za-z]:|%USERPROFILE%|%HOMEDRIVE%%HOMEPATH%|\$env:USERPROFILE)(?:[\\/]\*?)?)$",
    re.IGNORECASE,
)
_CWD_WILDCARD = re.compile(r"^(?:\*|\./\*|\.|\./|\.\*|\*\.\*)$")
_DELETERS = frozenset({"rm", "del", "rmdir", "rd", "remove-item", "shred", "erase", "rimraf", "trash"})
# Prefixes that run the rest of the words as the command (`sudo rm -rf /`): the rules judge the command.
_WRAPPER_ARG_FLAGS = {
    "sudo": frozenset({"-u", "-g", "-U", "-C", "-D", "-R", "-T", "-p", "-h", "-r", "-t"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir"}),
    "nice": frozenset({"-n"}),
    "time": frozenset({"-f", "-o"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "exec": frozenset({"-a"}),
    "xargs": frozenset({"-I", "-n", "-P", "-d", "-L", "-s", "-E"}),
}
# Runners that fetch a package and run its bin: `npx X`, `pnpm dlx X`, `yarn dlx X`, `bunx X`, `npm exec X`.
_RUNNER_ARG_FLAGS = frozenset({"-p", "--package", "-c", "--call", "--cache", "--registry", "--userconfig"})
_RUNNER_SUBCOMMANDS = frozenset(
    {("pnpm", "dlx"), ("yarn", "dlx"), ("npm", "exec"), ("npm", "x"), ("bun", "x")}
)
# Runners of TypeScript (or transpiled) files: their first non-flag word is a file that runs.
_FILE_RUNNERS = frozenset(
    {"tsx", "ts-node", "ts-node-esm", "ts-node-script", "esno", "esrun", "vite-node", "jiti", "babel-node",
     "sucrase-node", "swc-node", "node-ts", "tsm"}
)  # fmt: skip
_CONFIG_REFERENCE = re.compile(
    r"\$\{npm_package_config_(\w+)\}|\$npm_package_config_(\w+)|%npm_package_config_(\w+)%"
)
_PROPAGATION = re.compile(
    r"\bnpm\s+(?:publish|adduser|token\s+create|whoami)\b|\bgh\s+(?:auth\s+token|repo\s+create)"
)


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """One simple command: its words (quotes removed), where its output goes, what it embeds."""

    argv: tuple[str, ...]
    redirects: tuple[tuple[str, str], ...] = ()
    pipes_to: tuple[str, ...] = ()
    """argv[0] of every command later in the same pipeline."""
    substitutions: tuple[str, ...] = ()
    """The text of every `$(…)` / backtick substitution in its words."""
    background: bool = False

    @property
    def program(self) -> str:
        if not self.argv:
            return ""
        return _basename(self.argv[0])


def _basename(word: str) -> str:
    return re.split(r"[\\/]", word.strip().lower())[-1]


def parse_shell(text: str) -> list[ShellCommand]:
    """Every simple command in a shell script or lifecycle script, including inside `$(…)`."""
    text = text[:MAX_SCRIPT_CHARS]
    # Imported here: bashlex builds its LALR tables at import (~0.1-0.2 s), which every CLI start would
    # pay although most runs (a warm check, --version) parse no shell at all.
    import bashlex
    import bashlex.errors

    try:
        trees = bashlex.parse(text)
    except (bashlex.errors.ParsingError, NotImplementedError, IndexError, AttributeError, TypeError, ValueError,
            AssertionError, RecursionError):  # fmt: skip
        return _fallback(text)
    commands: list[ShellCommand] = []
    for tree in trees:
        _collect(tree, text, commands)
    return commands


def _fallback(text: str) -> list[ShellCommand]:
    commands: list[ShellCommand] = []
    for line in text.splitlines():
        segments = re.split(r"(\|\||&&|[|;&])", line)
        pending: list[tuple[list[str], bool]] = []
        for i in range(0, len(segments), 2):
            chunk = segments[i].strip()
            op = segments[i + 1] if i + 1 < len(segments) else ""
            if not chunk:
                continue
            try:
                words = shlex.split(chunk, posix=True)
            except ValueError:
                words = chunk.split()
            pending.append((words, op == "|"))
            if op != "|":
                _flush_pipeline(pending, commands, background=op == "&")
                pending = []
        _flush_pipeline(pending, commands, background=False)
    return commands


def _flush_pipeline(
    pending: list[tuple[list[str], bool]], out: list[ShellCommand], *, background: bool
) -> None:
    for index, (words, _) in enumerate(pending):
        later = tuple(_basename(w[0]) for w, _ in pending[index + 1 :] if w)
        subs = tuple(
            m.group(1) for w in words for m in re.finditer(r"\$\(([^)]*)\)|`([^`]*)`", w) if m.group(1)
        )
        out.append(ShellCommand(tuple(words), pipes_to=later, substitutions=subs, background=background))


def _collect(node: bashlex.ast.node, text: str, out: list[ShellCommand], *, background: bool = False) -> None:
    kind = node.kind
    if kind == "pipeline":
        commands = [p for p in node.parts if p.kind == "command"]
        for index, command in enumerate(commands):
            later = tuple(_basename(_first_word(c)) for c in commands[index + 1 :] if _first_word(c))
            _command(command, text, out, pipes_to=later, background=background)
        for part in node.parts:
            if part.kind not in {"command", "pipe"}:
                _collect(part, text, out)
        return
    if kind == "command":
        _command(node, text, out, pipes_to=(), background=background)
        return
    if kind == "list":
        parts = list(node.parts)
        for index, part in enumerate(parts):
            nxt = parts[index + 1] if index + 1 < len(parts) else None
            is_bg = nxt is not None and nxt.kind == "operator" and getattr(nxt, "op", "") == "&"
            if part.kind != "operator":
                _collect(part, text, out, background=is_bg)
        return
    for child in _children(node):
        _collect(child, text, out, background=background)


def _children(node: bashlex.ast.node) -> Iterator[bashlex.ast.node]:
    from bashlex.ast import node as ast_node  # loaded by parse_shell already

    for attr in ("parts", "list"):
        for child in getattr(node, attr, None) or ():
            if isinstance(child, ast_node):
                yield child
    for attr in ("command", "output"):
        child = getattr(node, attr, None)
        if isinstance(child, ast_node):
            yield child


def _first_word(command: bashlex.ast.node) -> str:
    for part in command.parts:
        if part.kind == "word":
            return str(part.word)
    return ""


def _command(
    node: bashlex.ast.node, text: str, out: list[ShellCommand], *, pipes_to: tuple[str, ...], background: bool
) -> None:
    argv: list[str] = []
    redirects: list[tuple[str, str]] = []
    substitutions: list[str] = []
    for part in node.parts:
        if part.kind == "word":
            argv.append(str(part.word))
            for sub in getattr(part, "parts", None) or ():
                if sub.kind in {"commandsubstitution", "processsubstitution"}:
                    start, end = sub.pos
                    substitutions.append(text[start:end].strip("$()`<>"))
                    _collect(sub.command, text, out)
        elif part.kind == "redirect":
            target = part.output
            redirects.append((str(part.type), str(target.word) if hasattr(target, "word") else str(target)))
        elif part.kind == "assignment":
            argv_prefix = str(part.word)
            for sub in getattr(part, "parts", None) or ():
                if sub.kind == "commandsubstitution":
                    substitutions.append(text[sub.pos[0] : sub.pos[1]].strip("$()`"))
                    _collect(sub.command, text, out)
            del argv_prefix
    out.append(ShellCommand(tuple(argv), tuple(redirects), pipes_to, tuple(substitutions), background))


# ---- facts derived from commands -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShellFacts:
    """What a shell script does, as far as its text shows. Each list holds the offending command text."""

    downloads: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    pipe_to_interpreter: tuple[str, ...] = ()
    executes_download: tuple[str, ...] = ()
    reverse_shell: tuple[str, ...] = ()
    dns_beacon: tuple[str, ...] = ()
    env_dump: tuple[str, ...] = ()
    persistence: tuple[str, ...] = ()
    destructive: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    lolbins: tuple[str, ...] = ()
    encoded: tuple[str, ...] = ()
    propagation: tuple[str, ...] = ()
    wipes_cwd: tuple[str, ...] = ()
    """Recursive deletion of everything in the working directory (`rm -rf *`, `rm -rf ./*`) with no `cd`
    before it: at install, the package's own directory (a rule judges it by when the script runs)."""
    remote_packages: tuple[tuple[str, str], ...] = ()
    """(package spec, command) for every package a runner fetches and runs (`npx X`, `pnpm dlx X`, `yarn dlx
    X`, `bunx X`, `npm exec X`) or an install command fetches from a URL or git (`npm install <url>`)."""
    deletes: tuple[tuple[str, str], ...] = ()
    """(target, command) for every file a command deletes (`rm -f x`, `del x`): anti-forensics when the
    target is a file the script ran."""
    renames: tuple[tuple[str, str], ...] = ()
    """(destination, command) for every file a command moves, copies or redirects onto (`mv a b`, `ren a b`,
    `cp a b`, `> b`): anti-forensics when the destination is the package's own package.json."""
    node_inline: tuple[str, ...] = ()
    """JavaScript given to `node -e/-p`: analysed as install-time code."""
    runs_files: tuple[str, ...] = ()
    """Package-relative paths the script runs (`node x.js`, `sh x.sh`, `./x`)."""
    commands: tuple[str, ...] = field(default=())

    @property
    def fetches_and_runs(self) -> bool:
        return bool(self.pipe_to_interpreter or self.executes_download)


_PAIR_FIELDS = ("remote_packages", "deletes", "renames")


def _render(command: ShellCommand) -> str:
    redirects = " ".join(f"{kind} {target}" for kind, target in command.redirects)
    return " ".join([*command.argv, redirects] if redirects else command.argv)[:200]


# Facts gathering asks for the same command twice (to follow install-time files, then to judge it).
@lru_cache(maxsize=1024)
def describe_shell(text: str) -> ShellFacts:
    return _describe(text, 0)


def _describe(text: str, depth: int) -> ShellFacts:
    commands = parse_shell(text)
    acc: dict[str, list[str]] = {
        name: []
        for name in ShellFacts.__dataclass_fields__
        if name not in _PAIR_FIELDS and name != "commands"
    }
    pairs: dict[str, list[tuple[str, str]]] = {name: [] for name in _PAIR_FIELDS}
    downloaded_files: set[str] = set()
    changed_dir: str | None = None
    for index, original in enumerate(commands):
        rendered = _render(original)
        command = _unwrapped(original)
        program = command.program
        argv = command.argv
        joined = " ".join(argv)
        lowered = joined.lower()
        acc["urls"].extend(m.group(0) for m in _URL.finditer(joined))
        is_download = program in _DOWNLOADERS or (
            program in {"powershell", "powershell.exe", "pwsh"}
            and re.search(r"downloadstring|downloadfile|invoke-webrequest|iwr |net\.webclient", lowered)
            is not None
        )
        if is_download:
            acc["downloads"].append(rendered)
            if any(p in _INTERPRETERS for p in command.pipes_to):
                acc["pipe_to_interpreter"].append(rendered)
            downloaded_files.update(_output_files(command))
        if program in _SHELLS and any(s for s in command.substitutions if _mentions_downloader(s)):
            acc["pipe_to_interpreter"].append(rendered)
        if program == "eval" and any(_mentions_downloader(s) or "base64" in s for s in command.substitutions):
            acc["pipe_to_interpreter"].append(rendered)
        if downloaded_files and index > 0 and _runs_any(command, downloaded_files):
            acc["executes_download"].append(rendered)
        if (
            "/dev/tcp/" in joined
            or "/dev/udp/" in joined
            or any("/dev/tcp/" in t for _, t in command.redirects)
        ):
            acc["reverse_shell"].append(rendered)
        if program in _NETCAT and (
            {"-e", "-c", "--exec", "--sh-exec"} & set(argv)
            or any(p in _SHELLS for p in command.pipes_to)
            or "exec:" in lowered
        ):
            acc["reverse_shell"].append(rendered)
        if program in _DNS_TOOLS and (
            command.substitutions or re.search(r"\$\{?(?:HOSTNAME|USER|HOME|PWD|npm_package_name)", joined)
        ):
            acc["dns_beacon"].append(rendered)
        if program in _ENV_DUMPERS and len(argv) == 1 and (command.pipes_to or command.redirects):
            acc["env_dump"].append(rendered)
        if program in _DOWNLOADERS and any(
            s.strip().split()[:1] in (["env"], ["printenv"]) for s in command.substitutions
        ):
            acc["env_dump"].append(rendered)
        targets = [t for kind, t in command.redirects if kind in {">", ">>", ">|"}]
        if program in {"tee", "cp", "mv", "ln", "install"}:
            targets.extend(argv[1:])
        if program == "crontab" or any(PERSISTENCE_TARGETS.search(t) for t in targets):
            acc["persistence"].append(rendered)
        if program in {"cd", "pushd", "set-location", "sl", "chdir"}:
            changed_dir = argv[1] if len(argv) > 1 else "~"
        targets_deleted = [
            a for a in argv[1:] if not a.startswith("-") and not re.match(r"^/[a-z]$", a, re.I)
        ]
        if program.removesuffix(".exe") in _DELETERS:
            dangerous_cwd = changed_dir is not None and _DESTRUCTIVE.match(changed_dir) is not None
            if (
                any(_DESTRUCTIVE.match(a) for a in argv[1:])
                or "--no-preserve-root" in argv
                or (dangerous_cwd and any(_CWD_WILDCARD.match(a) for a in targets_deleted))
            ):
                acc["destructive"].append(rendered)
            elif (
                changed_dir is None
                and _recursive(argv)
                and any(_CWD_WILDCARD.match(a) for a in targets_deleted)
            ):
                acc["wipes_cwd"].append(rendered)
            pairs["deletes"].extend((t, rendered) for t in targets_deleted)
        if (
            program == "find"
            and len(argv) > 1
            and _DESTRUCTIVE.match(argv[1])
            and ("-delete" in argv or any(_basename(a) in _DELETERS for a in argv[2:]))
            and not {"-name", "-iname", "-path", "-ipath", "-regex", "-newer", "-user"} & set(argv)
        ):
            acc["destructive"].append(rendered)
        if program in {"mv", "move", "ren", "rename", "cp", "copy", "move-item", "rename-item", "copy-item"}:
            words = [a for a in argv[1:] if not a.startswith("-") and not re.match(r"^/[a-z]$", a, re.I)]
            if len(words) >= 2:
                pairs["renames"].append((words[-1], rendered))
        pairs["renames"].extend((t, rendered) for kind, t in command.redirects if kind in {">", ">>", ">|"})
        if (
            (program == "start" and any(a.lower() == "/b" for a in argv[1:]))
            or program in {"nohup", "setsid", "disown"}
            or (command.background and program not in {"wait"})
            or re.search(r"-windowstyle\s+hidden|-w\s+hidden", lowered)
        ):
            acc["hidden"].append(rendered)
        if program.removesuffix(".exe") in _LOLBINS or (program == "certutil" and "-decode" in lowered):
            acc["lolbins"].append(rendered)
        if (
            program == "base64"
            and ("-d" in argv or "--decode" in argv)
            and any(p in _INTERPRETERS for p in command.pipes_to)
        ) or (
            program in {"powershell", "powershell.exe", "pwsh"}
            and re.search(r"\s-e(?:nc|ncodedcommand)?\s", f" {lowered} ")
        ):
            acc["encoded"].append(rendered)
        if _PROPAGATION.search(joined):
            acc["propagation"].append(rendered)
        runner = _runner_spec(argv)
        if runner is not None:
            spec, inner = runner
            if spec:
                pairs["remote_packages"].append((spec, rendered))
            if inner and _basename(inner[0]) in _FILE_RUNNERS | {"node", "bun", "deno"}:
                argv = inner
                program = _basename(inner[0])
        installed = _installed_specs(argv)
        pairs["remote_packages"].extend((spec, rendered) for spec in installed)
        if program in _FILE_RUNNERS:
            acc["runs_files"].extend(_first_operand(argv))
        elif program in {"node", "nodejs", "bun", "deno"}:
            code, files = _node_invocation(argv)
            acc["node_inline"].extend(code)
            acc["runs_files"].extend(files)
        elif program in _SHELLS and len(argv) > 1:
            acc["runs_files"].extend(a for a in argv[1:] if _looks_like_path(a) and not a.startswith("-"))
        elif argv and (argv[0].startswith("./") or argv[0].startswith("bin/")):
            acc["runs_files"].append(argv[0])
        if program == "start" and len(argv) > 2 and argv[1].lower() == "/b" and _basename(argv[2]) == "node":
            code, files = _node_invocation(argv[2:])
            acc["node_inline"].extend(code)
            acc["runs_files"].extend(files)
    rendered_all = [_render(c) for c in commands]
    # `sh -c 'curl … | sh'`, `bash -c "…"`, `cmd /c "…"`: the string is shell too (two levels deep at most).
    for shell_command in commands if depth < 2 else ():
        wrapped = _unwrapped(shell_command)
        if wrapped.program in _SHELLS and len(wrapped.argv) > 2:
            flags = {"-c", "/c", "/k", "-command"}
            flag = next((i for i, a in enumerate(wrapped.argv[1:-1], 1) if a.lower() in flags), 0)
            if flag:
                nested = _describe(wrapped.argv[flag + 1], depth + 1)
                for name, values in acc.items():
                    values.extend(getattr(nested, name))
                for name, found in pairs.items():
                    found.extend(getattr(nested, name))
                rendered_all.extend(nested.commands)
    fields: dict[str, Any] = {k: tuple(dict.fromkeys(v)) for k, v in acc.items()}
    fields.update({k: tuple(dict.fromkeys(v)) for k, v in pairs.items()})
    return ShellFacts(
        **fields,
        commands=tuple(rendered_all),
    )


def expand_package_config(text: str, config: Mapping[str, str]) -> str:
    """`$npm_package_config_x`, `${npm_package_config_x}` and `%npm_package_config_x%` replaced by the
    manifest's `config` values, as npm sets them in the environment of the script (unknown names stay)."""
    if "npm_package_config_" not in text or not config:
        return text

    def value(match: re.Match[str]) -> str:
        key = match.group(1) or match.group(2) or match.group(3)
        return config.get(key, match.group(0))

    return _CONFIG_REFERENCE.sub(value, text[:MAX_SCRIPT_CHARS])[: MAX_SCRIPT_CHARS * 2]


def _unwrapped(command: ShellCommand) -> ShellCommand:
    """The command that `sudo`, `env VAR=x`, `nice`, `exec`… run, so rules judge `sudo rm -rf /` as `rm`."""
    argv = list(command.argv)
    for _ in range(4):
        if not argv:
            break
        wrapper = _basename(argv[0])
        flags = _WRAPPER_ARG_FLAGS.get(wrapper)
        if flags is None or (wrapper in {"command", "builtin"} and {"-v", "-V"} & set(argv)):
            break  # `command -v curl` asks whether curl exists
        i = 1
        while i < len(argv):
            word = argv[i]
            if word in flags:
                i += 2
            elif (
                word.startswith("-")
                or (wrapper == "env" and "=" in word)
                or (wrapper == "nice" and word.isdigit())
            ):
                i += 1
            else:
                break
        if i >= len(argv):  # `env` alone prints the environment; `sudo -v` runs nothing
            break
        argv = argv[i:]
    if len(argv) == len(command.argv):
        return command
    return ShellCommand(
        tuple(argv), command.redirects, command.pipes_to, command.substitutions, command.background
    )


def _recursive(argv: tuple[str, ...]) -> bool:
    flags = " ".join(a.lower() for a in argv[1:] if a.startswith(("-", "/")))
    return (
        _basename(argv[0]) in {"rimraf", "rd", "rmdir", "del", "erase", "remove-item"}
        or re.search(r"(?:^|\s)-[a-z]*r|--recursive|/s\b|-recurse", flags) is not None
    )


def _runner_spec(argv: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """For `npx [flags] X args`, `pnpm dlx X`, `yarn dlx X`, `bunx X`, `npm exec [--] X`: the package spec
    fetched (`-p X` wins over the command word) and the command it then runs (`tsx file.ts`)."""
    if not argv:
        return None
    program = _basename(argv[0]).removesuffix(".cmd").removesuffix(".exe")
    rest: tuple[str, ...]
    if program in {"npx", "bunx", "pnpx"}:
        rest = argv[1:]
    elif len(argv) > 1 and (program, argv[1]) in _RUNNER_SUBCOMMANDS:
        rest = argv[2:]
    else:
        return None
    package = ""
    i = 0
    while i < len(rest):
        word = rest[i]
        if word == "--":
            i += 1
            break
        if word in {"-p", "--package"} and i + 1 < len(rest):
            package = rest[i + 1]
            i += 2
            continue
        if word.startswith("--package="):
            package = word.split("=", 1)[1]
        elif word in _RUNNER_ARG_FLAGS:
            i += 1
        elif not word.startswith("-"):
            break
        i += 1
    inner = rest[i:]
    if {"--no-install", "--no", "--offline"} & set(rest[:i]):
        return "", inner  # npx refuses to fetch: only an installed bin runs
    return (package or (inner[0] if inner else "")), inner


def _installed_specs(argv: tuple[str, ...]) -> list[str]:
    """URL, git and tarball specs of `npm install X`, `pnpm add X`, `yarn add X` (their scripts run too)."""
    if len(argv) < 3 or _basename(argv[0]).removesuffix(".cmd") not in {"npm", "pnpm", "yarn", "bun"}:
        return []
    if argv[1] not in {"install", "i", "add", "isntall", "in", "ins", "inst", "insta", "instal"}:
        return []
    return [
        a for a in argv[2:] if re.match(r"(?:https?://|git\+|git://|github:|gitlab:|bitbucket:)", a, re.I)
    ]


def _first_operand(argv: tuple[str, ...]) -> list[str]:
    for word in argv[1:]:
        if not word.startswith("-"):
            return [word]
    return []


def _mentions_downloader(text: str) -> bool:
    return any(
        word in text.lower() for word in ("curl", "wget", "iwr", "invoke-webrequest", "downloadstring")
    )


def _output_files(command: ShellCommand) -> set[str]:
    files: set[str] = set()
    argv = command.argv
    for flag_index, word in enumerate(argv):
        if word in {
            "-o",
            "-O",
            "--output",
            "--output-document",
            "-OutFile",
            "-outfile",
        } and flag_index + 1 < len(argv):
            files.add(_basename(argv[flag_index + 1]))
    if command.program == "wget" and "-O" not in argv and "-qO-" not in argv:
        for word in argv[1:]:
            if _URL.match(word):
                files.add(_basename(word.split("?")[0]))
    for kind, target in command.redirects:
        if kind in {">", ">>"}:
            files.add(_basename(target))
    return {f for f in files if f and f != "-"}


def _runs_any(command: ShellCommand, files: set[str]) -> bool:
    words = [_basename(w) for w in command.argv]
    if not words:
        return False
    if words[0] in files:
        return True
    if command.program.removesuffix(".exe") in _INTERPRETERS | _LOLBINS | {
        "chmod",
        "start",
        "nohup",
        "setsid",
        "exec",
    }:
        return any(w in files for w in words[1:])
    return False


def _looks_like_path(word: str) -> bool:
    return bool(re.search(r"\.(?:sh|bash|bat|cmd|ps1|js|cjs|mjs|ts|mts|cts|py)$", word)) or word.startswith(
        ("./", "bin/")
    )


def _node_invocation(argv: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Inline code of `node -e CODE` and the script file of `node [flags] file.js args`."""
    code: list[str] = []
    files: list[str] = []
    i = 1
    if _basename(argv[0]) in {"deno", "bun"} and len(argv) > 1 and argv[1] == "run":
        i = 2  # `deno run [flags] x.ts`, `bun run x.ts`
    while i < len(argv):
        word = argv[i]
        if word in _NODE_EVAL_FLAGS and i + 1 < len(argv):
            code.append(argv[i + 1])
            return code, files
        if word.startswith("--eval=") or word.startswith("--print="):
            code.append(word.split("=", 1)[1])
            return code, files
        if word in {"-r", "--require", "--import", "--loader", "--experimental-loader"} and i + 1 < len(argv):
            files.append(argv[i + 1])
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        files.append(word)
        return code, files
    return code, files


# ---- binding.gyp ---------------------------------------------------------------------------------------------

_GYP_EXPANSION = re.compile(r"<!@?\(((?:[^()]|\([^()]*\))*)\)")


_GYP_ACTION = re.compile(r"""['"]action['"]\s*:\s*\[([^\]]*)\]""")
_GYP_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def gyp_commands(text: str) -> list[str]:
    """Shell commands a binding.gyp runs: the `<!(cmd)` and `<!@(cmd)` expansions node-gyp runs while it
    reads the file, then every target's `actions[].action` argv (run by the build at install), as a command
    line with gyp's own `<(var)` / `<@(list)` references left as words."""
    text = text[:MAX_SCRIPT_CHARS]
    commands = [m.group(1).strip() for m in _GYP_EXPANSION.finditer(text)]
    for action in _GYP_ACTION.finditer(text):
        words = [
            m.group(1) if m.group(1) is not None else m.group(2)
            for m in _GYP_STRING.finditer(action.group(1))
        ]
        if words:
            commands.append(shlex.join(words))
    return commands
