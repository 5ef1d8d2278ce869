"""`lm` consistency backend: summaries of the same article scored from one pass over it (a copy
of its key/value cache) against each pair scored alone, on real data where several systems
summarised each article (SummEval: 16 per article; FRANK: 4-9), with the largest score
difference between the two.

    python benchmarks/bench_lm_sharing.py [--articles 4] [--format summeval|frank]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.consistency import datasets as ds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--format", default="summeval", choices=("summeval", "frank"))
    parser.add_argument("--articles", type=int, default=4)
    parser.add_argument(
        "--model", help="causal LM folder or hub id (default: the bundled Gemma-3-270M)"
    )
    args = parser.parse_args(argv)
    from eval.consistency.lm import LMBackend

    rows = ds.load(args.format, "dev_eval")
    chosen = list(dict.fromkeys(r["article"] for r in rows))[: args.articles]
    pairs = [
        (r["article"], r["summary"])
        for r in rows
        if r["article"] in chosen and r["summary"].strip()
    ]
    backend = LMBackend(model=args.model)
    backend.score_pairs(*map(list, zip(*pairs[:1])))  # warm-up
    t0 = time.perf_counter()
    alone = [backend.score_pairs([a], [s])[0] for a, s in pairs]
    t_alone = time.perf_counter() - t0
    t0 = time.perf_counter()
    shared = backend.score_pairs([a for a, _ in pairs], [s for _, s in pairs])
    t_shared = time.perf_counter() - t0
    diff = max(abs(x.score - y.score) for x, y in zip(shared, alone))
    same_spans = sum(x.spans == y.spans for x, y in zip(shared, alone))
    print(
        f"{len(pairs)} {args.format} dev_eval pairs over {len(chosen)} articles "
        f"(mean article {sum(len(a) for a, _ in pairs) / len(pairs):.0f} chars), model {backend.settings()['model']}"
    )
    print(f"one pair at a time (baseline): {len(pairs) / t_alone:.2f} pairs/s")
    print(
        f"shared article pass:           {len(pairs) / t_shared:.2f} pairs/s ({t_alone / t_shared:.1f}x)"
    )
    print(
        f"largest score difference {diff:.2e}; identical spans {same_spans}/{len(pairs)}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
