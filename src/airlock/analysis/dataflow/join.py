"""The package-level join: flows that cross files through relative modules.

Each file's pass leaves symbolic ends — an exported function that sends its parameter (`ParamSink`), a
sink fed by what a relative module exports (`ImportSink`), a call passing labelled data to a relative
module's export (`CallOut`), what an export returns (`ExportValue`). Joining them is one lookup per end:
A's `CallOut(./send, default, 0)` meets send.js's `ParamSink(default, 0)`; A's `ImportSink(./collect,
default)` meets collect.js's `ExportValue(default)`. One hop, so the work is linear in the ends.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping

from airlock.analysis.dataflow.labels import FileFlows, Flow, Kind, Sink

Resolve = Callable[[str, str], str | None]
"""(specifier, importing file's directory) → the package path it loads, or None."""
MAX_JOINED = 64


def join(per_file: Mapping[str, FileFlows], resolve: Resolve) -> tuple[Flow, ...]:
    """Every flow: the files' own and the cross-file ones, deterministic order, bounded."""
    flows: list[Flow] = []
    for path in sorted(per_file):
        flows.extend(per_file[path].flows)
    joined: list[Flow] = []
    for path in sorted(per_file):
        flows_of = per_file[path]
        base = posixpath.dirname(path)
        for out in flows_of.call_outs:
            target = resolve(out.specifier, base)
            other = per_file.get(target) if target is not None else None
            if other is None:
                continue
            for param in other.param_sinks:
                if param.export != out.export or param.index != out.index:
                    continue
                for label in out.labels:
                    step = f"{out.specifier} {out.export}() in {target}"
                    sink = Sink(param.sink.what, param.sink.evidence, param.sink.destination, out.load_time)
                    joined.append(Flow(label.through(step), sink, target or path, path))
        for sink_end in flows_of.import_sinks:
            target = resolve(sink_end.specifier, base)
            other = per_file.get(target) if target is not None else None
            if other is None:
                continue
            for value in other.exports:
                if value.export != sink_end.export:
                    continue
                for label in value.labels:
                    if label.kind in {Kind.PARAM, Kind.IMPORT, Kind.SECRET_PATH}:
                        continue
                    step = f"{sink_end.specifier} {sink_end.export} from {target}"
                    joined.append(Flow(label.through(step), sink_end.sink, path, path))
        if len(joined) >= MAX_JOINED:
            break
    return (*flows, *joined[:MAX_JOINED])
