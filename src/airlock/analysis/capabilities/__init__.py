"""What a file can reach, in LavaMoat's vocabulary: builtin module paths and powerful globals, with evidence.

The scan is demand-driven: it starts only from the places where authority can enter a file (the words
`require`, `import`, `process`, `eval`, `constructor`, `fetch`, … found in the bytes), evaluates each with
the `Resolver`, and follows the value forward — through member chains, calls, destructuring and variable
bindings — to where it is used. Everything else in the file is never visited, which is why the analysis
costs little more than the parse.

A value we cannot follow is reported as `dynamic` with its evidence: that is a result, not a failure.

The package, by job (the vocabulary itself is `airlock.analysis.vocabulary`):
- `driver`: `analyze_source`, `Budget`, `FileCapabilities` — one file's bytes in, its capabilities out;
- `scanner`: `FileScanner`, the parts below put together, and code compiled from strings;
- `seeds`: where a walk starts;
- `flow`: following a value forward to where it is used;
- `sinks`: eval/Function/vm code and child_process command lines;
- `state`: what a scan collects and the base class the parts share;
- `inventory`: the complete globals inventory (every non-intrinsic global at LavaMoat's depth, issue 12).
  Unlike the scan it is not demand-driven: a policy needs every global, so it reads every identifier, in
  one tree-sitter query walk with scopes as byte intervals.
"""

from airlock.analysis.capabilities.driver import DEFAULT_BUDGET, Budget, FileCapabilities, analyze_source
from airlock.analysis.capabilities.state import CodeSink
from airlock.analysis.resolve import GLOBAL_OBJECT, REQUIRE
from airlock.analysis.vocabulary import (
    BUILTIN_MODULES,
    CALL_ONLY_GLOBALS,
    GLOBAL_CAPABILITIES,
    POWERFUL_GLOBALS,
    builtin_name,
    global_key,
)

__all__ = [
    "BUILTIN_MODULES",
    "CALL_ONLY_GLOBALS",
    "DEFAULT_BUDGET",
    "GLOBAL_CAPABILITIES",
    "GLOBAL_OBJECT",
    "POWERFUL_GLOBALS",
    "REQUIRE",
    "Budget",
    "CodeSink",
    "FileCapabilities",
    "analyze_source",
    "builtin_name",
    "global_key",
]
