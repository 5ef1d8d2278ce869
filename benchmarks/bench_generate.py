"""Generation speed and quality of the default model, with baselines measured in the same run.

Speed (Reuters dev articles, the shipped headline settings: few-shot prompt, 320-token budget,
greedy, <= 24 new tokens, stop at newline):
  baseline   plain `model.generate`, bfloat16, batch 1           (per headline)
  variants   float32 / bfloat16 / static KV cache / int8 dynamic quantization, batch 1 and
             batched (length-sorted, left padding), each checked for greedy outputs identical
             to the baseline on the same articles.
Quality: ROUGE (eval.rouge.RougeScorer, bootstrap 95% intervals) of the default model on the
Reuters and BBC dev headlines next to a lead-N-words baseline.

    python benchmarks/bench_generate.py --speed-n 64 --baseline-n 8 --rouge-n 100
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
            out = model.generate(**inputs, do_sample=False, eos_token_id=summarizer._stop_ids,
                                 max_new_tokens=24, pad_token_id=summarizer.tokenizer.pad_token_id,
                                 **summarizer._begin_suppress)
        texts.append(summarizer._decode(out[0, inputs["input_ids"].shape[1]:].tolist(), 24)[0])
    return texts, (time.perf_counter() - began) / len(articles)


def timed(summarizer, articles, batch_size, **options):
    began = time.perf_counter()
    results = summarizer.generate(articles, batch_size=batch_size, **options)
    return [r.text for r in results], (time.perf_counter() - began) / len(articles), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed-n", type=int, default=64, help="articles for amortized (batched) timing (0 = skip speed)")
    parser.add_argument("--baseline-n", type=int, default=8, help="articles for batch-1 timings")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rouge-n", type=int, default=100, help="rows per dev set (0 = skip ROUGE)")
    parser.add_argument("--lead-words", type=int, default=10)
    parser.add_argument("--rouge-int8", action="store_true", help="also score the int8-quantized model")
    parser.add_argument("--rouge-bf16", action="store_true", help="also score a bfloat16 copy (the baseline's precision)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=None, help="hub id, folder or adapter folder (default: bundled Gemma-3-270M)")
    parser.add_argument("--skip", default="", help="comma list of variants to skip: static,int8,bf16batch")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    import torch

    torch.set_num_threads(args.threads)
    from eval.headline_data import load_headlines
    from summarizer import Summarizer

    began = time.perf_counter()
    summarizer = Summarizer.from_pretrained(args.model, dtype="float32")
    print(f"load (cached safetensors): {time.perf_counter() - began:.1f} s   {summarizer.signature}")
    if args.speed_n == 0:  # quality only
        rouge_table(summarizer, args)
        return
    dev = load_headlines("reuters", "dev")
    speed = [row["article"] for row in dev[: args.speed_n]]
    small = speed[: args.baseline_n]
    prompt_tokens = [j.input_tokens for a in small for j in summarizer._plan(a)]
    print(f"speed set: Reuters dev, {len(speed)} articles; prompt tokens mean {sum(prompt_tokens) / len(prompt_tokens):.0f}")

    rows = []  # (variant, seconds per headline, identical-to-baseline count, n)
    # bf16 runs use a separate bf16 model: casting the fp32 model to bf16 and back would round
    # its weights and silently turn every later "fp32" variant into bf16 weights.
    fp32_model = summarizer.model
    same_setup = {"prompt": summarizer.prompt, "max_input_tokens": summarizer.max_input_tokens}
    bf16 = Summarizer(dataclasses.replace(summarizer.loaded, model=copy.deepcopy(fp32_model).to(torch.bfloat16)),
                      **same_setup)
    base_texts, base_s = plain_generate(bf16, small, torch.bfloat16)
    rows.append(("baseline: plain generate, bf16, batch 1", base_s, len(small), len(small)))
    print(f"  measured {rows[-1][0]}: {base_s:.3f} s/headline", flush=True)

    def add(name, texts, seconds, n):
        same = sum(a == b for a, b in zip(texts, base_texts))
        rows.append((name, seconds, same, min(n, len(base_texts))))
        print(f"  measured {name}: {seconds:.3f} s/headline", flush=True)  # long runs: partial figures

    texts, s, _ = timed(bf16, small, 1)
    add("ours bf16, batch 1", texts, s, len(small))
    texts, s, _ = timed(summarizer, small, 1)
    add("ours fp32, batch 1", texts, s, len(small))
    if "static" not in skip:
        texts, s, _ = timed(summarizer, small, 1, cache_implementation="static")
        add("ours fp32, batch 1, static KV cache", texts, s, len(small))
    texts, s, fp32_results = timed(summarizer, speed, args.batch_size)
    add(f"ours fp32, batch {args.batch_size} of {len(speed)}", texts, s, len(small))
    fp32_texts = texts
    if "bf16batch" not in skip:
        texts, s, _ = timed(bf16, speed, args.batch_size)
        add(f"ours bf16, batch {args.batch_size} of {len(speed)}", texts, s, len(small))
    if "int8" not in skip:
        int8 = Summarizer(summarizer.loaded, quantize="int8", **same_setup)
        texts, s, _ = timed(int8, speed, args.batch_size)
        add(f"ours int8 dynamic, batch {args.batch_size} of {len(speed)}", texts, s, len(small))
        changed = sum(a != b for a, b in zip(texts, fp32_texts))
        print(f"int8 vs fp32 batched: {changed}/{len(speed)} headlines differ")

    print(f"\n{'variant':50} {'s/headline':>10} {'speedup':>8} {'= baseline':>11}")
    for name, seconds, same, n in rows:
        print(f"{name:50} {seconds:10.3f} {base_s / seconds:7.2f}x {same:>5}/{n}")
    caps = sum(r.hit_length_cap for r in fp32_results)
    print(f"(fp32 batched: {caps}/{len(speed)} hit the 24-token cap; "
          f"{sum(r.truncated for r in fp32_results)} truncated to the prompt budget)")

    if args.rouge_n:
        rouge_table(summarizer, args)


def rouge_table(summarizer, args) -> None:
    from eval.headline_data import load_headlines
    from eval.rouge import RougeScorer

    scorer = RougeScorer(rouge_types=("rouge1", "rouge2", "rougeL"), use_stemmer=True)
    print(f"\nROUGE F1 x100 (mean [95% bootstrap CI]), first {args.rouge_n} dev rows per source")
    for source in ("reuters", "bbc"):
        rows = load_headlines(source, "dev")[: args.rouge_n]
        refs = [row["headline"] for row in rows]
        began = time.perf_counter()
        results = summarizer.generate([row["article"] for row in rows], batch_size=args.batch_size)
        seconds = time.perf_counter() - began
        systems = {
            f"lead-{args.lead_words} words": [" ".join(row["article"].split()[: args.lead_words]) for row in rows],
            f"{summarizer.model_name} ({summarizer.prompt.name if summarizer.prompt else 'seq2seq'})": [r.text for r in results],
        }
        if args.rouge_bf16:
            import torch

            from summarizer import Summarizer

            bf16 = Summarizer(dataclasses.replace(summarizer.loaded, model=copy.deepcopy(summarizer.model).to(torch.bfloat16)),
                              prompt=summarizer.prompt, max_input_tokens=summarizer.max_input_tokens)
            systems["same, bfloat16"] = [r.text for r in bf16.generate([row["article"] for row in rows],
                                                                       batch_size=args.batch_size)]
        if args.rouge_int8:
            from summarizer import Summarizer

            int8 = Summarizer(summarizer.loaded, quantize="int8", prompt=summarizer.prompt,
                              max_input_tokens=summarizer.max_input_tokens)
            systems["same, int8 dynamic"] = [r.text for r in int8.generate([row["article"] for row in rows],
                                                                           batch_size=args.batch_size)]
        for name, preds in systems.items():
            scores = scorer.corpus_score(preds, refs, bootstrap=1000, seed=12345)
            cells = "  ".join(f"{t} {100 * c.mid.fmeasure:5.1f} [{100 * c.low.fmeasure:4.1f},{100 * c.high.fmeasure:4.1f}]"
                              for t, c in scores.items())
            print(f"{source:8} n={len(rows):4}  {name:44} {cells}")
        print(f"{'':8} generation {seconds / len(rows):.3f} s/headline; signature {scores['rouge1'].signature}")


if __name__ == "__main__":
    main()
