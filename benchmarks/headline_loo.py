"""Leave-one-outlet-out for a headline training recipe (issue 13): for each training source of
CONFIG, the same recipe is trained without it (`python -m summarizer train`, resumable) and its
kept steps are scored on that source's dev rows (a seeded sample; Reuters without its
table-bodied items), through benchmarks/headline_adapter.py. Prints ROUGE-1 per held-out
outlet and step and the mean over outlets: a setting is chosen on outlets its run never saw.

  python benchmarks/headline_loo.py --config configs/train/gemma3-270m-headline-lead.yaml \
      --steps 300 --keep-every 100 --dev-rows 80

Each run writes under <out>/<config stem>/without-<source>/ (train/ and bench/); re-running
resumes training and reuses the cached generations.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def loo_config(
    config_path: Path,
    specs: list[dict],
    held: int,
    folder: Path,
    steps: int,
    keep_every: int,
    dev_rows: int,
    threads: int,
) -> Path:
    """A config file: CONFIG as its base, without source `held`, with that source's dev as dev."""
    spec = specs[held]
    dev = {"recipe": spec["recipe"], "split": "dev", "max_examples": dev_rows}
    if spec.get("skip_table_items"):
        dev["skip_table_items"] = True
    body = {
        "base": str(config_path.resolve()),
        "output_dir": str(folder / "train"),
        "data": {"train": [s for i, s in enumerate(specs) if i != held], "dev": [dev]},
        "train": {
            "max_steps": steps,
            "keep_every": keep_every,
            "max_minutes": 0,
            "num_threads": threads,
        },
        "eval": {"every": 0},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", required=True)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--keep-every", type=int, default=100)
    parser.add_argument("--dev-rows", type=int, default=80)
    parser.add_argument("--lead-words", type=int, default=10)
    parser.add_argument(
        "--threads", type=int, default=2, help="torch threads for training and generation"
    )
    parser.add_argument("--out", default="runs/loo")
    args = parser.parse_args(argv)

    import headline_adapter

    from summarizer.train_config import load_config

    config_path = Path(args.config)
    specs = load_config(config_path)["data"]["train"]
    table: dict[str, dict[str, float]] = {}
    for held, spec in enumerate(specs):
        outlet = spec["recipe"] if "recipe" in spec else spec.get("name", f"source{held}")
        folder = Path(args.out) / config_path.stem / f"without-{outlet}"
        path = loo_config(
            config_path,
            specs,
            held,
            folder,
            args.steps,
            args.keep_every,
            args.dev_rows,
            args.threads,
        )
        steps = list(range(args.keep_every, args.steps + 1, args.keep_every))
        kept = {s: folder / "train" / "steps" / f"step-{s:05d}" for s in steps}
        if not all(p.exists() for p in kept.values()):
            print(f"== training without {outlet}: {path}", flush=True)
            subprocess.run(
                [sys.executable, "-m", "summarizer", "train", "--config", str(path)], check=True
            )
        adapters = [f"--adapter=s{s}={p}" for s, p in kept.items()]
        headline_adapter.main(
            [
                "--config",
                str(path),
                "--dev-set",
                "config",
                "--lead-words",
                str(args.lead_words),
                *adapters,
                "--systems",
                ",".join(["lead", *(f"s{s}" for s in steps)]),
                "--threads",
                str(args.threads),
                "--out",
                str(folder / "bench"),
            ]
        )
        report = json.loads((folder / "bench" / "report.json").read_text())
        table[outlet] = {
            name: report[name]["rouge1"]["f"]
            for name in report
            if isinstance(report[name], dict) and "rouge1" in report[name]
        }
    names = list(next(iter(table.values())))
    print(
        f"\nleave-one-outlet-out, {args.config}: ROUGE-1 F x100 on the held-out outlet's dev rows"
    )
    print(f"{'held out':<12} " + " ".join(f"{n:>16}" for n in names))
    for outlet, scores in table.items():
        print(f"{outlet:<12} " + " ".join(f"{scores[n]:16.2f}" for n in names))
    means = {n: statistics.mean(scores[n] for scores in table.values()) for n in names}
    print(f"{'mean':<12} " + " ".join(f"{means[n]:16.2f}" for n in names))
    summary = Path(args.out) / config_path.stem / "loo.json"
    summary.write_text(
        json.dumps({"config": args.config, "by_outlet": table, "mean": means}, indent=1) + "\n"
    )
    print(f"wrote {summary}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
