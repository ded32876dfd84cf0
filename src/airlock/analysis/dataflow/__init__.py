"""Source → sink data flow: where secrets (the environment, credential files, shell history, key material,
secret-named variables) reach the network, and when that code runs.

- `labels`: what is tracked (labels, sources' vocabulary) and the frozen per-file results;
- `file`: the per-file pass (`FileFlowPass`), backwards from network sinks, sharing the capability
  scanner's tree, resolver and step budget;
- `join`: flows across relative modules, at package level;
- `judge`: whether a flow is exfiltration (destination and credential kind).
"""

from airlock.analysis.dataflow.file import FileFlowPass
from airlock.analysis.dataflow.join import join
from airlock.analysis.dataflow.labels import EMPTY, FileFlows, Flow, Kind, Label, Sink

__all__ = ["EMPTY", "FileFlowPass", "FileFlows", "Flow", "Kind", "Label", "Sink", "join"]
