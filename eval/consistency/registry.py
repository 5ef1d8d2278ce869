"""Single consistency backends by name. Modules load lazily, by the name in the table, so
`--help` stays fast and a backend whose extra is not installed breaks only when chosen.
Combining backends (the ensemble) build their members through this table; the checker's table
(`eval.consistency.BACKENDS`) adds them on top."""

from __future__ import annotations

import importlib

from eval.consistency.backend import Backend

MEMBERS = {
    "entities": "eval.consistency.entities:EntityBackend",
    "ngram": "eval.consistency.ngram:NgramBackend",
    "align": "eval.consistency.align:AlignBackend",
    "nli": "eval.consistency.nli:NliBackend",
    "trained": "eval.consistency.trained:TrainedBackend",
    "support": "eval.consistency.support:SupportBackend",
    "lm": "eval.consistency.lm:LMBackend",
}
_REGISTERED: dict[str, type[Backend]] = {}


def register(name: str):
    """Add a backend of your own under `name` (it then works everywhere a name is taken)."""

    def decorate(cls):
        cls.name = name
        _REGISTERED[name] = cls
        return cls

    return decorate


def backend_class(name: str, table: dict[str, str] = MEMBERS) -> type[Backend]:
    if name in _REGISTERED:
        return _REGISTERED[name]
    if name not in table:
        raise ValueError(
            f"unknown consistency backend {name!r}; known: {', '.join(available_backends(table))}"
        )
    module, _, cls = table[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def available_backends(table: dict[str, str] = MEMBERS) -> list[str]:
    """Backends whose module imports here (a backend whose extra is not installed is left out)."""
    names = []
    for name in table:
        try:
            backend_class(name, table)
        except ImportError:
            continue
        names.append(name)
    return names
