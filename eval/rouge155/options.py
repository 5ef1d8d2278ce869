"""ROUGE-1.5.5 command-line options (Perl Getopt::Std spec 'ahHb:c:de:f:l:mMn:p:st:r:2:3:w:uUvxz:')."""

from __future__ import annotations

import getopt
import shlex
from dataclasses import dataclass

from eval.base.errors import InputError
from eval.rouge155.text import TextOptions

_SPEC = "ahHb:c:de:f:l:mMn:p:st:r:2:3:w:uUvxz:"
# Options that only change what the Perl prints or where it looks for files, not the scores.
_IGNORED = {"-a", "-d", "-e", "-v", "-h", "-H"}
_UNSUPPORTED = {
    "-3": "Basic Element scoring",
    "-M": "stemming models only",
    "-z": "file-list configs (pass the texts directly)",
}


@dataclass(frozen=True)
class Options:
    text: TextOptions
    max_n: int = 0  # -n (0: no ROUGE-N, as in the Perl when -n is absent)
    lcs: bool = True  # not -x
    weight: float | None = None  # -w
    skip_distance: int | None = None  # -2 (negative: no gap limit)
    skip_unigrams: bool = False  # -u: only ROUGE-SU
    skip_both: bool = False  # -U: ROUGE-S and ROUGE-SU
    best_model: bool = False  # -f B
    alpha: float = 0.5  # -p
    confidence: float = 95.0  # -c
    resamples: int = 1000  # -r
    args: str = ""

    @property
    def rouge_types(self) -> list[str]:
        types = [f"rouge{n}" for n in range(1, self.max_n + 1)]
        if self.lcs:
            types.append("rougeL")
        if self.weight is not None:
            types.append("rougeW")
        if self.skip_distance is not None:
            d = str(self.skip_distance) if self.skip_distance >= 0 else "*"
            # As the Perl: -u alone wins over -U; -U gives both.
            if not self.skip_unigrams:
                types.append(f"rougeS{d}")
            if self.skip_unigrams or self.skip_both:
                types.append(f"rougeSU{d}")
        return types


def parse_options(args: str) -> Options:
    """Parse a Perl-style option string such as "-n 2 -m" or "-c 95 -2 4 -U -r 1000 -n 4 -w 1.2 -a"."""
    try:
        pairs, rest = getopt.getopt(shlex.split(args), _SPEC)
    except (getopt.GetoptError, ValueError) as err:
        raise InputError(
            f"bad ROUGE-1.5.5 options {args!r}: {err}", field="rouge155-args"
        ) from None
    if rest:
        raise InputError(
            f"unexpected arguments {rest} in {args!r}: pass only options, not config files",
            field="rouge155-args",
        )
    values: dict[str, str] = {}
    for flag, value in pairs:
        if flag in _UNSUPPORTED:
            raise InputError(
                f"{flag} ({_UNSUPPORTED[flag]}) is not supported", field="rouge155-args"
            )
        if flag not in _IGNORED:
            values[flag] = value

    def number(flag, kind, low=None, high=None):
        raw = values[flag]
        try:
            value = kind(raw)
        except ValueError:
            raise InputError(
                f"{flag} needs a {kind.__name__}, got {raw!r}", field="rouge155-args"
            ) from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise InputError(
                f"{flag} must be within [{low}, {high}], got {raw!r}", field="rouge155-args"
            )
        return value

    if "-l" in values and "-b" in values:
        raise InputError(
            "give a length limit in words (-l) or bytes (-b), not both", field="rouge155-args"
        )
    if "-t" in values and values["-t"] in ("1", "2"):
        raise InputError("-t 1/2 (token-level counting) is not supported", field="rouge155-args")
    text = TextOptions(
        stem="-m" in values,
        remove_stopwords="-s" in values,
        word_limit=number("-l", int, 0) if "-l" in values else 0,
        byte_limit=number("-b", int, 0) if "-b" in values else 0,
    )
    score_mode = values.get("-f", "A")
    if score_mode not in ("A", "B"):
        raise InputError(
            f"-f must be A (model average) or B (best model), got {score_mode!r}",
            field="rouge155-args",
        )
    weight = number("-w", float) if "-w" in values else None
    if weight is not None and weight <= 0:
        raise InputError("-w (ROUGE-W weight) must be greater than 0", field="rouge155-args")
    return Options(
        text=text,
        max_n=number("-n", int, 0) if "-n" in values else 0,
        lcs="-x" not in values,
        weight=weight,
        skip_distance=number("-2", int) if "-2" in values else None,
        skip_unigrams="-u" in values,
        skip_both="-U" in values,
        best_model=score_mode == "B",
        alpha=number("-p", float, 0, 1) if "-p" in values else 0.5,
        confidence=number("-c", float, 0, 100) if "-c" in values else 95.0,
        resamples=number("-r", int, 1) if "-r" in values else 1000,
        args=" ".join(args.split()),
    )
