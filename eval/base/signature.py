"""Signatures: every score carries a compact, ordered record of the settings that produced it
(in the spirit of sacrebleu), e.g.
`rouge1|tok:default|stem:porter|lsum:newline|refs:1|multiref:max|boot:1000|seed:12345|impl:rouge-score-rs-0.2.1|v:0.1.0`.
A metric's signature is a `Signatures`: one `Signature` per part it reports (ROUGE: per type;
consistency: per kind of text), shown as one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from eval import __version__


@dataclass(frozen=True)
class Signature:
    name: str
    settings: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def make(cls, name: str, **settings) -> Signature:
        """Settings keep their keyword order; the package version is appended last."""
        items = [(k, _fmt(v)) for k, v in settings.items()]
        items.append(("v", __version__))
        return cls(name, tuple(items))

    def replace(self, name: str | None = None, **settings) -> Signature:
        """A copy with some settings changed or added (before the version)."""
        items = dict(self.settings)
        version = items.pop("v", __version__)
        items.update({k: _fmt(v) for k, v in settings.items()})
        items["v"] = version
        return Signature(name or self.name, tuple(items.items()))

    def as_dict(self) -> dict[str, str]:
        return dict(self.settings)

    def __str__(self) -> str:
        return "|".join([self.name] + [f"{k}:{v}" for k, v in self.settings])

    @classmethod
    def parse(cls, text: str) -> Signature:
        name, *rest = text.split("|")
        return cls(name, tuple(tuple(item.split(":", 1)) for item in rest))


class Signatures(Mapping[str, Signature]):
    """Part name -> Signature, in order; str() joins the parts with `sep`."""

    def __init__(self, parts: Mapping[str, Signature], sep: str = " "):
        self._parts = dict(parts)
        self.sep = sep

    @classmethod
    def one(cls, signature: Signature) -> Signatures:
        return cls({signature.name: signature})

    def with_bootstrap(self, bootstrap: int | None, seed: int | None) -> Signatures:
        """The signature of corpus numbers: `boot` and, with resamples, `seed` added to each part
        (unchanged when bootstrap is None)."""
        if bootstrap is None:
            return self
        settings = {"boot": bootstrap, **({"seed": seed} if bootstrap else {})}
        return Signatures({k: s.replace(**settings) for k, s in self._parts.items()}, self.sep)

    def combine(self, subsets: Iterable[Signatures]) -> Signatures:
        """The signature of a metric's inputs from the signatures of disjoint subsets of them
        (Ray shards), each taken with something scored; `self` is its signature without inputs
        (every part it may use, in order; also the answer for no subsets). A part any subset
        used is kept (consistency: the kinds judged); a count that differs is the largest (ROUGE
        `refs`: the most references of one example). Any other difference, e.g. workers that
        fell back to different backends, is a ValueError: no setting is dropped silently."""
        subsets = list(subsets)
        unknown = {part for s in subsets for part in s} - set(self._parts)
        if unknown:
            raise ValueError(f"parts {sorted(unknown)} are not in {self}")
        if not subsets:
            return self
        parts = {part: [s[part] for s in subsets if part in s] for part in self._parts}
        return Signatures(
            {part: _combined(found) for part, found in parts.items() if found}, self.sep
        )

    def __getitem__(self, part: str) -> Signature:
        return self._parts[part]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __str__(self) -> str:
        return self.sep.join(str(s) for s in self._parts.values())

    def __repr__(self) -> str:
        return f"Signatures({str(self)!r})"


def _combined(signatures: list[Signature]) -> Signature:
    first = signatures[0]
    keys = [key for key, _ in first.settings]
    if any(s.name != first.name or [key for key, _ in s.settings] != keys for s in signatures):
        raise ValueError(f"signatures differ: {', '.join(sorted({str(s) for s in signatures}))}")
    settings = []
    for i, (key, value) in enumerate(first.settings):
        values = {s.settings[i][1] for s in signatures}
        if len(values) > 1:
            if not all(v.isdigit() for v in values):
                raise ValueError(
                    f"{first.name}: setting {key} differs: {', '.join(sorted(values))}"
                )
            value = str(max(map(int, values)))
        settings.append((key, value))
    return Signature(first.name, tuple(settings))


def _fmt(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
