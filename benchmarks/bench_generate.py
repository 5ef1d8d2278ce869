"""Generation speed and quality of the default model, with baselines measured in the same run.

Speed (Reuters dev articles, the shipped headline settings: the adapter's prompt with a 64-token
article lead, greedy, <= 24 new tokens, stop at newline):
  baseline   plain `model.generate`, bfloat16, batch 1           (per headline)
  variants   transformers float32; CTranslate2 float32 and int8 (summarizer/ct2.py), batch 1
             (latency) and batched (amortized, length-sorted), each with a count of greedy
             outputs identical to the baseline on the same articles.
Quality: ROUGE (eval.rouge.RougeScorer, bootstrap 95% intervals) of the default model on the
Reuters and BBC dev headlines next to a lead-N-words baseline; --rouge-int8 adds the int8
engine with a paired bootstrap test against float32.

    python benchmarks/bench_generate.py --speed-n 64 --baseline-n 8 --batch-size 32 --rouge-n 0
    python benchmarks/bench_generate.py --speed-n 0 --rouge-n 100 --rouge-int8
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def plain_generate(summarizer, articles, dtype):
    """The baseline: one article at a time through `model.generate`, nothing else."""
    import torch

    model = summarizer.model
    texts, began = [], time.perf_counter()
    for article in articles:
        job = summarizer._plan(article)[0]
        inputs = summarizer.tokenizer(job.prompt, return_tensors="pt")
        with torch.inference_mode():
            out = model.generate(
                **inputs,
                do_sample=False,
                eos_token_id=summarizer._stop_ids,
                max_new_tokens=24,
                pad_token_id=summarizer.tokenizer.pad_token_id,
                **summarizer._begin_suppress,
            )
        texts.append(summarizer._decode(out[0, inputs["input_ids"].shape[1] :].tolist(), 24)[0])
    return texts, (time.perf_counter() - began) / len(articles)


def timed(summarizer, articles, batch_size, **options):
    began = time.perf_counter()
    results = summarizer.generate(articles, batch_size=batch_size, **options)
    return [r.text for r in results], (time.perf_counter() - began) / len(articles), results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--speed-n",
        type=int,
        default=64,
        help="articles for amortized (batched) timing (0 = skip speed)",
    )
    parser.add_argument("--baseline-n", type=int, default=8, help="articles for batch-1 timings")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--rouge-n", type=int, default=100, help="rows per dev set (0 = skip ROUGE)"
    )
    parser.add_argument("--lead-words", type=int, default=10)
    parser.add_argument(
        "--rouge-int8", action="store_true", help="also score the int8 engine, with a paired test"
    )
    parser.add_argument(
        "--rouge-bf16",
        action="store_true",
        help="also score a bfloat16 copy (the baseline's precision)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--model",
        default=None,
        help="hub id, folder or adapter folder (default: bundled Gemma-3-270M)",
    )
    parser.add_argument("--skip", default="", help="comma list of variants to skip: ct2")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    import torch

    torch.set_num_threads(args.threads)
    from eval.headline_data import load_headlines
    from summarizer import Summarizer

    began = time.perf_counter()
    summarizer = Summarizer.from_pretrained(args.model, dtype="float32")
    print(
        f"load (cached safetensors): {time.perf_counter() - began:.1f} s   {summarizer.signature}"
    )
    if args.speed_n == 0:  # quality only
        rouge_table(summarizer, args)
        return
    dev = load_headlines("reuters", "dev")
    speed = [row["article"] for row in dev[: args.speed_n]]
    small = speed[: args.baseline_n]
    prompt_tokens = [j.input_tokens for a in small for j in summarizer._plan(a)]
    print(
        f"speed set: Reuters dev, {len(speed)} articles; prompt tokens mean {sum(prompt_tokens) / len(prompt_tokens):.0f}"
    )

    rows = []  # (variant, seconds per headline, identical-to-baseline count, n)
    # The baseline runs a separate bf16 copy: casting the fp32 model to bf16 and back would
    # round its weights for every later variant.
    same_setup = {"prompt": summarizer.prompt, "max_input_tokens": summarizer.max_input_tokens}
    bf16 = Summarizer(
        dataclasses.replace(
            summarizer.loaded, model=copy.deepcopy(summarizer.model).to(torch.bfloat16)
        ),
        engine="transformers",
        **same_setup,
    )
    base_texts, base_s = plain_generate(bf16, small, torch.bfloat16)
    rows.append(("baseline: plain generate, bf16, batch 1", base_s, len(small), len(small)))
    print(f"  measured {rows[-1][0]}: {base_s:.3f} s/headline", flush=True)
    del bf16

    def add(name, texts, seconds, n):
        same = sum(a == b for a, b in zip(texts, base_texts))
        rows.append((name, seconds, same, min(n, len(base_texts))))
        print(
            f"  measured {name}: {seconds:.3f} s/headline", flush=True
        )  # long runs: partial figures

    engines = {
        "transformers fp32": Summarizer(summarizer.loaded, engine="transformers", **same_setup)
    }
    if "ct2" not in skip:
        engines["ctranslate2 fp32"] = Summarizer(
            summarizer.loaded, engine="ctranslate2", **same_setup
        )
        engines["ctranslate2 int8"] = Summarizer(
            summarizer.loaded, engine="ctranslate2", quantize="int8", **same_setup
        )
    batched = {}
    for name, engine in engines.items():
        engine.generate(small[:1])  # warm-up
        texts, s, _ = timed(engine, small, 1)
        add(f"{name}, batch 1", texts, s, len(small))
        texts, s, results = timed(engine, speed, args.batch_size)
        add(f"{name}, batch {args.batch_size} of {len(speed)}", texts, s, len(small))
        batched[name] = (texts, results)
    reference = batched["transformers fp32"][0]
    for name, (texts, _) in batched.items():
        print(
            f"{name} batched vs transformers fp32 batched: {sum(a != b for a, b in zip(texts, reference))}"
            f"/{len(speed)} headlines differ"
        )
    fp32_results = batched["transformers fp32"][1]

    print(f"\n{'variant':50} {'s/headline':>10} {'speedup':>8} {'= baseline':>11}")
    for name, seconds, same, n in rows:
        print(f"{name:50} {seconds:10.3f} {base_s / seconds:7.2f}x {same:>5}/{n}")
    caps = sum(r.hit_length_cap for r in fp32_results)
    print(
        f"(fp32 batched: {caps}/{len(speed)} hit the 24-token cap; "
        f"{sum(r.truncated for r in fp32_results)} truncated to the prompt budget)"
    )

    if args.rouge_n:
        rouge_table(summarizer, args)


def rouge_table(summarizer, args) -> None:
    import numpy as np

    from eval.headline_data import load_headlines
    from eval.rouge import RougeScorer
    from eval.stats import paired_bootstrap
    from summarizer import Summarizer

    scorer = RougeScorer(rouge_types=("rouge1", "rouge2", "rougeL"), use_stemmer=True)
    same_setup = {"prompt": summarizer.prompt, "max_input_tokens": summarizer.max_input_tokens}
    variants = {
        f"{summarizer.model_name} ({summarizer.engine}, {dict(summarizer.signature.settings)['dtype']})": summarizer
    }
    if args.rouge_bf16:
        import torch

        bf16_model = copy.deepcopy(summarizer.model).to(torch.bfloat16)
        variants["same, bfloat16 (transformers)"] = Summarizer(
            dataclasses.replace(summarizer.loaded, model=bf16_model),
            engine="transformers",
            **same_setup,
        )
    if args.rouge_int8:
        variants["same, int8 (ctranslate2)"] = Summarizer(
            summarizer.loaded, engine="ctranslate2", quantize="int8", **same_setup
        )
    print(f"\nROUGE F1 x100 (mean [95% bootstrap CI]), first {args.rouge_n} dev rows per source")
    pooled = {}  # system -> per-row ROUGE-1 F over both sources, for the paired test
    for source in ("reuters", "bbc"):
        rows = load_headlines(source, "dev")[: args.rouge_n]
        refs, articles = [row["headline"] for row in rows], [row["article"] for row in rows]
        systems = {
            f"lead-{args.lead_words} words": [
                " ".join(a.split()[: args.lead_words]) for a in articles
            ]
        }
        for name, variant in variants.items():
            began = time.perf_counter()
            systems[name] = [r.text for r in variant.generate(articles, batch_size=args.batch_size)]
            print(
                f"{'':8} {name}: generation {(time.perf_counter() - began) / len(rows):.3f} s/headline"
            )
        for name, preds in systems.items():
            per_row = scorer.score_batch(preds, refs)
            pooled.setdefault(name, []).extend(r["rouge1"].fmeasure for r in per_row)
            scores = scorer.aggregate(per_row, bootstrap=1000, seed=12345)
            cells = "  ".join(
                f"{t} {100 * c.mid.fmeasure:5.1f} [{100 * c.low.fmeasure:4.1f},{100 * c.high.fmeasure:4.1f}]"
                for t, c in scores.items()
            )
            print(f"{source:8} n={len(rows):4}  {name:44} {cells}")
    print(f"signature {scores['rouge1'].signature}")
    names = list(variants)
    for other in names[1:]:
        test = paired_bootstrap(
            np.array(pooled[names[0]]), np.array(pooled[other]), n_resamples=1000, seed=12345
        )
        print(
            f"paired bootstrap, ROUGE-1 F x100, {other} minus {names[0]} over {len(pooled[other])} rows: "
            f"{100 * test.diff:+.2f} [{100 * test.low:+.2f}, {100 * test.high:+.2f}], p = {test.p_value:.3f}"
        )


if __name__ == "__main__":
    main()
