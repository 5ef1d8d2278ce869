"""Signatures: every score carries a compact, ordered record of the settings that produced it
(in the spirit of sacrebleu), e.g.
`rouge1|tok:default|stem:porter|lsum:newline|refs:1|multiref:max|boot:1000|seed:12345|impl:rouge-score-rs-0.2.1|v:0.1.0`.
"""

from __future__ import annotations

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


def _fmt(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
