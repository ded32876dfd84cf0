"""Static evaluation of JavaScript expressions: what an attacker hides, folded back to constants.

`Resolver.evaluate(node)` computes an abstract value for an expression: a constant string/number/array,
a reference to something with authority (`require`, a builtin module, a global such as `process.env`),
a function built from a string, or `UNKNOWN`. It sees through string concatenation, template literals,
escapes, `String.fromCharCode`, `Buffer.from(…, 'base64'|'hex')`, `atob`, array `join`/`reverse`,
`split('')`, local constants, aliases of `require` and the global object, and `Function('return this')`.

Scopes are looked up lazily: only identifiers that matter are ever resolved, which keeps the analysis
within a small factor of the parse itself (see bench/scan_throughput.py).

The package, by job:
- `values`: the abstract value types and JavaScript's string conversion of constants;
- `syntax`: node types, literal escapes and numbers, binding patterns;
- `scopes`: bindings, scope tables and lookups;
- `steps`: the per-file step budget;
- `builtins`: tables of what globals and builtin modules do (members, calls, arithmetic);
- `methods`: tables of string, array and Buffer methods, and the encodings they use;
- `evaluate`: the `Resolver` that folds expressions, using all of the above.
"""

from airlock.analysis.resolve.builtins import import_value, member, require_value
from airlock.analysis.resolve.evaluate import CodeHandler, Resolver
from airlock.analysis.resolve.scopes import Binding
from airlock.analysis.resolve.steps import StepBudgetExhaustedError, Steps
from airlock.analysis.resolve.syntax import INTEROP_HELPER, strip_transparent
from airlock.analysis.resolve.values import (
    GLOBAL_OBJECT,
    MAX_ARRAY,
    MAX_STRING,
    REQUIRE,
    UNKNOWN,
    AnyConstructor,
    Applied,
    Arr,
    Bytes,
    Code,
    Imported,
    Num,
    Promised,
    Ref,
    Space,
    Str,
    Unknown,
    Value,
    as_text,
)

__all__ = [
    "GLOBAL_OBJECT",
    "INTEROP_HELPER",
    "MAX_ARRAY",
    "MAX_STRING",
    "REQUIRE",
    "UNKNOWN",
    "AnyConstructor",
    "Applied",
    "Arr",
    "Binding",
    "Bytes",
    "Code",
    "CodeHandler",
    "Imported",
    "Num",
    "Promised",
    "Ref",
    "Resolver",
    "Space",
    "StepBudgetExhaustedError",
    "Steps",
    "Str",
    "Unknown",
    "Value",
    "as_text",
    "import_value",
    "member",
    "require_value",
    "strip_transparent",
]
