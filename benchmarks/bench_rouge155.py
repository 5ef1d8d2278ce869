"""Check the pure-Python ROUGE-1.5.5 mode against the official Perl outputs in shared data.

    python benchmarks/bench_rouge155.py [--data DIR]

Prints, per option set, the % of pairs whose R, P and F all equal the Perl's printed 5 decimals
(and per measure, with the mean |delta|), the corpus averages against the Perl's, and a baseline
measured in the same run: rouge-score (google-research) with the closest settings, rounded to 5
decimals, on the same XSumFaith pairs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.base.paths import data_dir  # noqa: E402
from eval.rouge155 import Rouge155, perl_average, read_rouge_config, read_see  # noqa: E402

_EVAL_LINE = re.compile(r"^(\S+) (ROUGE-\S+) Eval (\S+) R:([0-9.]+) P:([0-9.]+) F:([0-9.]+)$")
_AVG_LINE = re.compile(
    r"^(\S+) (ROUGE-\S+) Average_([RPF]): ([0-9.]+) \(\S+ ([0-9.]+) - ([0-9.]+)\)$"
)


def key_of(perl_name: str) -> str:
    """'ROUGE-1' -> 'rouge1', 'ROUGE-W-1.2' -> 'rougeW', 'ROUGE-SU*' -> 'rougeSU*'."""
    name = perl_name.removeprefix("ROUGE-")
    return "rougeW" if name.startswith("W-") else "rouge" + name


def triple(score) -> tuple[float, float, float]:
    return (score.recall, score.precision, score.fmeasure)


def parse_perl_output(path: Path):
    """(options, {(peer, measure, test id): (R, P, F)}, {(peer, measure): {R/P/F: (avg, low, high)}})"""
    lines = path.read_text().splitlines()
    options = re.match(r"# perl ROUGE-1.5.5.pl -e \S+ (.*) -d \S+$", lines[0]).group(1)
    per_pair, averages = {}, defaultdict(dict)
    for line in lines[1:]:
        if m := _EVAL_LINE.match(line):
            peer, measure, test_id, *rpf = m.groups()
            per_pair[(peer, measure, test_id)] = tuple(float(x) for x in rpf)
        elif m := _AVG_LINE.match(line):
            peer, measure, which, avg, low, high = m.groups()
            averages[(peer, measure)][which] = (float(avg), float(low), float(high))
    return options, per_pair, averages


class Tally:
    """Per measure: pairs compared, pairs with R/P/F all equal, summed |delta| of R, P, F."""

    def __init__(self):
        self.n = defaultdict(int)
        self.equal = defaultdict(int)
        self.delta = defaultdict(lambda: [0.0, 0.0, 0.0])
        self.pairs_all_equal = defaultdict(lambda: True)

    def add(self, measure, pair, got, expected):
        self.n[measure] += 1
        same = tuple(got) == tuple(expected)
        self.equal[measure] += same
        self.pairs_all_equal[pair] &= same
        for k in range(3):
            self.delta[measure][k] += abs(got[k] - expected[k])

    def report(self, title):
        pairs = len(self.pairs_all_equal)
        ok = sum(self.pairs_all_equal.values())
        print(
            f"  {title}: pairs with every measure's R/P/F equal: {ok}/{pairs} = {100 * ok / pairs:.2f}%"
        )
        for m in self.n:
            d = [x / self.n[m] for x in self.delta[m]]
            print(
                f"    {m:<12} equal {self.equal[m]:>5}/{self.n[m]} = {100 * self.equal[m] / self.n[m]:6.2f}%"
                f"   mean|dR| {d[0]:.2e} |dP| {d[1]:.2e} |dF| {d[2]:.2e}"
            )
        return ok, pairs


def bench_xsum(folder: Path, baseline: bool) -> list[tuple[str, float]]:
    rows = [json.loads(line) for line in (folder / "xsumfaith_system_vs_gold.jsonl").open()]
    summary = json.loads((folder / "xsumfaith_system_vs_gold_summary.json").read_text())
    peers = [r["peer_lines"] for r in rows]
    models = [[r["model_lines"]] for r in rows]
    results = []
    print(f"XSumFaith: {len(rows)} single-reference pairs")
    for option_set, args in summary["options"].items():
        scorer = Rouge155(args)
        start = time.perf_counter()
        scores = scorer.score_batch(peers, models, progress=False)
        seconds = time.perf_counter() - start
        tally = Tally()
        for row, got in zip(rows, scores):
            for measure, exp in row["scores"][option_set].items():
                tally.add(
                    measure,
                    row["eval_id"],
                    triple(got[key_of(measure)]),
                    (exp["R"], exp["P"], exp["F"]),
                )
        ok, pairs = tally.report(
            f"[{option_set}] {args!r} ({seconds:.1f} s, {len(rows) / seconds:.0f} pairs/s)"
        )
        results.append((f"xsum/{option_set}", 100 * ok / pairs))
        worst = worst_ci = 0.0
        out_file = folder / f"xsumfaith_system_vs_gold_{option_set}.out"
        perl_cis = parse_perl_output(out_file)[2] if out_file.exists() else {}
        for measure, expected in summary["corpus_average"][option_set].items():
            key = key_of(measure)
            ids = [f"{r['eval_id']}.1" for r in rows]
            perl = perl_average(
                [s[key] for s in scores], ids, scorer.options.resamples, scorer.options.confidence
            )
            plain = [sum(triple(s[key])[k] for s in scores) / len(scores) for k in range(3)]
            for k, letter in enumerate("RPF"):
                worst = max(worst, abs(triple(perl.mid)[k] - expected[letter]))
                if (peer_measure := ("1", measure)) in perl_cis:
                    _, low, high = perl_cis[peer_measure][letter]
                    worst_ci = max(
                        worst_ci, abs(triple(perl.low)[k] - low), abs(triple(perl.high)[k] - high)
                    )
            print(
                f"    average {measure:<12} Perl R/P/F {expected['R']:.5f} {expected['P']:.5f} {expected['F']:.5f}"
                f" | ours (Perl bootstrap mean) {perl.mid.recall:.5f} {perl.mid.precision:.5f} {perl.mid.fmeasure:.5f}"
                f" | plain mean {plain[0]:.5f} {plain[1]:.5f} {plain[2]:.5f}"
            )
        print(
            f"    max |average delta| {worst:.1e};"
            f" 95% CI bounds max |delta| {worst_ci:.1e}"
            + ("" if perl_cis else " (no .out file: CIs not checked)")
        )
        if baseline and option_set in ("plain", "stem"):
            rouge_score_baseline(rows, option_set)
    return results


def rouge_score_baseline(rows, option_set) -> None:
    """rouge-score with the nearest settings (Lsum on sentence lines = summary-level LCS)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(
        ["rouge1", "rouge2", "rougeLsum"], use_stemmer=option_set == "stem"
    )
    equal, n = defaultdict(int), 0
    start = time.perf_counter()
    for row in rows:
        got = scorer.score("\n".join(row["model_lines"]), "\n".join(row["peer_lines"]))
        n += 1
        for ours, perl in (("rouge1", "ROUGE-1"), ("rouge2", "ROUGE-2"), ("rougeLsum", "ROUGE-L")):
            s, e = got[ours], row["scores"][option_set][perl]
            rounded = (round(s.recall, 5), round(s.precision, 5), round(s.fmeasure, 5))
            equal[perl] += rounded == (e["R"], e["P"], e["F"])
    seconds = time.perf_counter() - start
    figures = ", ".join(f"{m} {100 * equal[m] / n:.2f}%" for m in equal)
    print(
        f"    baseline rouge-score 0.1.2 ({seconds:.1f} s): R/P/F equal to the Perl's 5 decimals: {figures}"
    )


def bench_sl2003(folder: Path) -> list[tuple[str, float]]:
    evals = read_rouge_config(folder / "ROUGE-test.xml")
    texts = {}
    for e in evals:
        for path in list(e.peers.values()) + [p for _, p in e.models]:
            texts.setdefault(path, read_see(path))
    peer_ids = sorted({p for e in evals for p in e.peers})
    print(
        f"SL2003 sample (DUC 2003 very short summaries): {len(evals)} evaluations x {len(peer_ids)} peers, 4 models each"
    )
    results = []
    for out_file in sorted(folder.glob("config_*.out")):
        args, per_pair, averages = parse_perl_output(out_file)
        scorer = Rouge155(args)
        tally = Tally()
        worst_avg = worst_ci = 0.0
        for peer in peer_ids:
            ids, scores = [], []
            for e in evals:
                got = scorer.score(texts[e.peers[peer]], [texts[p] for _, p in e.models])
                test_id = f"{e.eval_id}.{peer}"
                ids.append(test_id)
                scores.append(got)
                for measure in scorer.rouge_types:
                    perl_measure = _perl_name(measure, scorer)
                    tally.add(
                        perl_measure,
                        test_id,
                        triple(got[measure]),
                        per_pair[(peer, perl_measure, test_id)],
                    )
            for measure in scorer.rouge_types:
                perl_measure = _perl_name(measure, scorer)
                avg = perl_average(
                    [s[measure] for s in scores],
                    ids,
                    scorer.options.resamples,
                    scorer.options.confidence,
                )
                for k, letter in enumerate("RPF"):
                    exp_avg, exp_low, exp_high = averages[(peer, perl_measure)][letter]
                    worst_avg = max(worst_avg, abs(triple(avg.mid)[k] - exp_avg))
                    worst_ci = max(
                        worst_ci,
                        abs(triple(avg.low)[k] - exp_low),
                        abs(triple(avg.high)[k] - exp_high),
                    )
        ok, pairs = tally.report(f"[{out_file.stem}] {args!r}")
        print(
            f"    averages: max |delta| {worst_avg:.1e} over {len(peer_ids)} peers x {len(scorer.rouge_types)} measures x R/P/F;"
            f" 95% CI bounds max |delta| {worst_ci:.1e}"
        )
        results.append((f"sl2003/{out_file.stem}", 100 * ok / pairs))
        results.append((f"sl2003/{out_file.stem} max avg delta", worst_avg))
    return results


def _perl_name(key: str, scorer: Rouge155) -> str:
    if key == "rougeW":
        return f"ROUGE-W-{_perl_number(scorer.options.weight)}"
    return "ROUGE-" + key.removeprefix("rouge")


def _perl_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=None, help="shared data folder (default: $SUMM_DATA_DIR)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the rouge-score baseline")
    args = parser.parse_args()
    folder = (args.data or data_dir()) / "rouge155"
    results = bench_xsum(folder, baseline=not args.no_baseline)
    results += bench_sl2003(folder / "sl2003_sample")
    print("summary:")
    for name, value in results:
        print(f"  {name:<40} " + (f"{value:.1e}" if "delta" in name else f"{value:.2f}%"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
