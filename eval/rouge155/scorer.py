"""ROUGE-1.5.5 scores in pure Python: ROUGE-N, summary-level union-LCS ROUGE-L, ROUGE-W,
ROUGE-S/SU, with the Perl's model-average (-f A) or best-model (-f B) formulas.

Each per-pair figure is what the Perl prints with -d: recall and precision rounded to 5
decimals, and F computed from those rounded values, then rounded again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from eval.base.errors import InputError
from eval.base.metric import CorpusScore, Metric
from eval.base.signature import Signature, Signatures
from eval.rouge import corpus_intervals, field_scores, score_fields, warn_empty_texts
from eval.rouge155.options import Options, parse_options
from eval.rouge155.text import file_lines, limited_sentences, limited_text, tokens
from eval.types import Score


def _r5(x: float) -> float:
    """sprintf("%7.5f", x) read back as a number (both round the exact binary value)."""
    return float(f"{x:.5f}")


@dataclass(frozen=True)
class _Text:
    tokens: list[str]  # readText: all sentences, for ROUGE-N/S and the LCS unigram clipping
    sentences: list[list[str]]  # readText_LCS: per sentence, for ROUGE-L/W


@dataclass(frozen=True)
class _Counts:
    hit: float
    model: float
    peer: float
    score: float  # the per-model score the best-model formula (-f B) compares


class Rouge155(Metric):
    """ROUGE-1.5.5.pl-compatible scorer.

    >>> Rouge155("-n 2 -m").score(["the cats sat ."], [["the cat sat on the mat ."]])["rouge1"]
    Score(precision=1.0, recall=0.5, fmeasure=0.66667)

    As a Metric (eval.base.metric) it takes texts whose lines are their sentences and gives the
    fields of eval.rouge.RougeScorer (`rouge1` F, `rouge1_p`, `rouge1_r`, ...).
    """

    name = "rouge155"
    needs = ("references",)

    def __init__(self, args: str = "-n 2 -m"):
        self.options: Options = parse_options(args)
        self.rouge_types = self.options.rouge_types
        if not self.rouge_types:
            raise InputError(f"options {args!r} enable no ROUGE measure", field="rouge155-args")

    # -- Metric protocol --------------------------------------------------------------------

    def sentence_scores(
        self, predictions, references=None, articles=None, *, tasks=None, hit_length_caps=None
    ) -> list[dict]:
        return [
            {"scores": score_fields(s, self.rouge_types)}
            for s in self._score_texts(predictions, references)
        ]

    def signature(
        self,
        *,
        predictions=None,
        references=None,
        articles=None,
        tasks=None,
        hit_length_caps=None,
        bootstrap=None,
        seed=None,
    ) -> Signatures:
        """Without resamples (bootstrap 0) the signature names no bootstrap at all."""
        signature = Signatures(
            {
                t: Signature.make(t, impl="rouge155", args=self.options.args)
                for t in self.rouge_types
            }
        )
        return signature.with_bootstrap(bootstrap or None, seed)

    def corpus_score(
        self,
        predictions,
        references=None,
        articles=None,
        *,
        tasks=None,
        hit_length_caps=None,
        bootstrap: int = 1000,
        seed: int = 12345,
        confidence: float = 0.95,
        results: list[dict] | None = None,
    ) -> dict[str, CorpusScore]:
        if results is None:
            per_example = self._score_texts(predictions, references)
        else:
            per_example = [field_scores(r["scores"], self.rouge_types) for r in results]
        signature = self.signature(bootstrap=bootstrap, seed=seed)
        return {
            rouge_type: CorpusScore(mid, low, high, Signatures.one(signature[rouge_type]))
            for rouge_type, (mid, low, high) in corpus_intervals(
                per_example, bootstrap, seed, confidence
            ).items()
        }

    def _score_texts(self, predictions, references) -> list[dict[str, Score]]:
        references = [[r] if isinstance(r, str) else list(r) for r in references]
        warn_empty_texts(predictions, references)
        return self.score_batch(
            [p.split("\n") for p in predictions],
            [[r.split("\n") for r in refs] for refs in references],
        )

    # -- ROUGE-1.5.5's own API: texts as lists of sentence lines ----------------------------

    def score(
        self, peer_lines: Sequence[str], model_lines_list: Sequence[Sequence[str]]
    ) -> dict[str, Score]:
        """One peer summary (its sentence lines) against one or more models (each its lines)."""
        _check_lines(peer_lines, "peer")
        if isinstance(model_lines_list, str) or not model_lines_list:
            raise InputError("need at least one model (reference) summary", field="models")
        for k, model in enumerate(model_lines_list):
            _check_lines(model, f"models[{k}]")
        peer = self._prepare(peer_lines)
        models = [self._prepare(m) for m in model_lines_list]
        o = self.options
        result: dict[str, Score] = {}
        for n in range(1, o.max_n + 1):
            peer_grams = _ngrams(peer.tokens, n)
            result[f"rouge{n}"] = self._combine(
                [_overlap(_ngrams(m.tokens, n), peer_grams) for m in models]
            )
        if o.lcs:
            result["rougeL"] = self._combine([_lcs_counts(m, peer) for m in models])
        if o.weight is not None:
            w = o.weight
            result["rougeW"] = self._combine(
                [_wlcs_counts(m, peer, w) for m in models], inverse=lambda r: r ** (1 / w)
            )
        for name in self.rouge_types:
            if name.startswith("rougeS"):
                unigrams = name.startswith("rougeSU")
                peer_grams = _skip_bigrams(peer.tokens, o.skip_distance, unigrams)
                result[name] = self._combine(
                    [
                        _overlap(_skip_bigrams(m.tokens, o.skip_distance, unigrams), peer_grams)
                        for m in models
                    ]
                )
        return result

    def score_batch(
        self,
        peers: Sequence[Sequence[str]],
        models: Sequence[Sequence[Sequence[str]]],
        progress: bool | None = None,
    ) -> list[dict[str, Score]]:
        """`peers[i]` (lines) against `models[i]` (a list of models, each a list of lines)."""
        if len(peers) != len(models):
            raise InputError(
                f"{len(peers)} peer summaries but {len(models)} model sets", field="models"
            )
        from tqdm import tqdm

        show = len(peers) >= 2000 if progress is None else progress
        out = []
        for i, (peer, model_set) in enumerate(
            tqdm(list(zip(peers, models)), desc="rouge155", disable=not show)
        ):
            try:
                out.append(self.score(peer, model_set))
            except InputError as err:
                raise InputError(str(err), line=i + 1) from None
        return out

    # -- internals --------------------------------------------------------------------------

    def _prepare(self, lines: Sequence[str]) -> _Text:
        sentences = file_lines(list(lines))
        t = self.options.text
        return _Text(
            tokens=tokens(limited_text(sentences, t), t),
            sentences=[tokens(s, t) for s in limited_sentences(sentences, t)],
        )

    def _combine(self, per_model: list[_Counts], inverse=None) -> Score:
        if self.options.best_model:
            best, best_score = per_model[0], -1.0
            for counts in per_model:
                if (
                    counts.score > best_score
                ):  # strict: the first of equal models wins, as in the Perl
                    best, best_score = counts, counts.score
            hit, model, peer = best.hit, best.model, best.peer
        else:
            # Model average (-f A): hits and counts summed over models, i.e. each model clips
            # the peer separately (ROUGE-1.5.5 has no jackknifing since version 1.4).
            hit = model = peer = 0
            for counts in per_model:
                hit += counts.hit
                model += counts.model
                peer += counts.peer
        inverse = inverse or (lambda r: r)
        recall = _r5(inverse(hit / model)) if model != 0 else 0.0
        precision = _r5(inverse(hit / peer)) if peer != 0 else 0.0
        alpha = self.options.alpha
        denominator = (1 - alpha) * precision + alpha * recall
        f = _r5(precision * recall / denominator) if denominator > 0 else 0.0
        return Score(precision, recall, f)


def _check_lines(lines, field: str) -> None:
    if isinstance(lines, str) or not all(isinstance(x, str) for x in lines):
        raise InputError("expected a list of sentence strings", field=field)


def _ngrams(toks: list[str], n: int) -> Counter:
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def _skip_bigrams(toks: list[str], distance: int, unigrams: bool) -> Counter:
    # As createSkipBigram: the last token starts no pair and (with -u) is not counted as a unigram.
    grams: Counter = Counter()
    last = len(toks) - 1
    for i in range(last):
        if unigrams:
            grams[toks[i]] += 1
        stop = last if distance < 0 else min(last, i + distance + 1)
        for j in range(i + 1, stop + 1):
            grams[(toks[i], toks[j])] += 1
    return grams


def _overlap(model: Counter, peer: Counter) -> _Counts:
    hit = sum(min(count, peer[g]) for g, count in model.items() if g in peer)
    model_total, peer_total = sum(model.values()), sum(peer.values())
    return _Counts(hit, model_total, peer_total, _r5(hit / model_total) if model_total else 0.0)


def _lcs_hit_mask(model: list[str], peer: list[str], mask: list[bool]) -> None:
    """Mark in `mask` the model positions on the LCS the Perl's backtrack finds."""
    m, n = len(model), len(peer)
    if not m or not n:
        return
    c = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        ci, cp, word = c[i], c[i - 1], model[i - 1]
        for j in range(1, n + 1):
            if word == peer[j - 1]:
                ci[j] = cp[j - 1] + 1
            else:
                ci[j] = cp[j] if cp[j] >= ci[j - 1] else ci[j - 1]
    _backtrack(model, peer, c, mask)


def _backtrack(model, peer, c, mask) -> None:
    # Perl's markLCS: diagonal on a match, else up when c[i-1][j] >= c[i][j-1], else left.
    i, j = len(model), len(peer)
    while i and j:
        if model[i - 1] == peer[j - 1]:
            i, j = i - 1, j - 1
            mask[i] = True
        elif c[i - 1][j] >= c[i][j - 1]:
            i -= 1
        else:
            j -= 1


def _wlcs_hit_mask(model: list[str], peer: list[str], mask: list[bool], weight: float) -> None:
    m, n = len(model), len(peer)
    if not m or not n:
        return
    c = [[0.0] * (n + 1) for _ in range(m + 1)]
    run = [[0] * (n + 1) for _ in range(m + 1)]  # length of the consecutive match ending here
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            if model[i - 1] == peer[j - 1]:
                k = run[i - 1][j - 1]
                c[i][j] = c[i - 1][j - 1] + (k + 1) ** weight - k**weight
                run[i][j] = k + 1
            elif c[i - 1][j] >= c[i][j - 1]:
                c[i][j] = c[i - 1][j]
            else:
                c[i][j] = c[i][j - 1]
    _backtrack(model, peer, c, mask)


def _clipped_hits(model: _Text, peer: _Text, mark):
    """Union-LCS hits per model sentence, each token counted at most as often as it occurs in
    both texts (the Perl's unigram clipping). Yields (sentence, hit mask after clipping)."""
    model_left, peer_left = Counter(model.tokens), Counter(peer.tokens)
    for sentence in model.sentences:
        mask = [False] * len(sentence)
        for peer_sentence in peer.sentences:
            mark(sentence, peer_sentence, mask)
        counted = []
        for j, word in enumerate(sentence):
            ok = mask[j] and model_left[word] > 0 and peer_left[word] > 0
            if ok:
                model_left[word] -= 1
                peer_left[word] -= 1
            counted.append(ok)
        yield sentence, mask, counted


def _lcs_counts(model: _Text, peer: _Text) -> _Counts:
    hit = base = 0
    for sentence, _mask, counted in _clipped_hits(model, peer, _lcs_hit_mask):
        base += len(sentence)
        hit += sum(counted)
    return _Counts(hit, base, len(peer.tokens), hit / base if base > 0 else 0.0)


def _wlcs_counts(model: _Text, peer: _Text, weight: float) -> _Counts:
    hit, base = 0.0, 0.0
    mark = lambda s, p, mask: _wlcs_hit_mask(s, p, mask, weight)  # noqa: E731
    for sentence, mask, counted in _clipped_hits(model, peer, mark):
        base += len(sentence) ** weight
        run = 0
        for j in range(len(sentence)):
            if counted[j]:
                run += 1
                # A run ends at a position whose successor is off the LCS, or at the sentence end
                # (a successor on the LCS but clipped away does not end it: Perl behaviour).
                if (j + 1 < len(sentence) and not mask[j + 1]) or j + 1 == len(sentence):
                    hit += run**weight
                    run = 0
    score = (hit / base) ** (1 / weight) if base > 0 else 0.0
    # The Perl weights the model and peer totals once more (wlcsWeight of an already weighted
    # base): reproduced because its published figures carry it.
    return _Counts(hit, base**weight, len(peer.tokens) ** weight, score)
