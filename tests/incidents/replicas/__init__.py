"""Replicas and look-alikes by attack class, one module each. Every module defines `INCIDENTS` and `BENIGN`
(lists of `Replica`) and `LOOKALIKES` (rule id → ids of benign replicas on which the rule must stay silent);
this package gathers them in module-name order, so adding a class is adding a module."""

from __future__ import annotations

import importlib
import pkgutil

from tests.incidents.replica import Replica

MORE_INCIDENTS: list[Replica] = []
MORE_BENIGN: list[Replica] = []
MORE_LOOKALIKES: dict[str, tuple[str, ...]] = {}

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    _loaded = importlib.import_module(f"{__name__}.{_module.name}")
    MORE_INCIDENTS.extend(getattr(_loaded, "INCIDENTS", ()))
    MORE_BENIGN.extend(getattr(_loaded, "BENIGN", ()))
    for _rule, _ids in getattr(_loaded, "LOOKALIKES", {}).items():
        MORE_LOOKALIKES[_rule] = (*MORE_LOOKALIKES.get(_rule, ()), *_ids)
