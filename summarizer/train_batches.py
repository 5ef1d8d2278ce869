"""From rows to batches: the prompt and target token ids of a row, padded batches, and the
order rows are taken in - a pure function of (seed, position), so a resumed run takes the
same batches as an uninterrupted one."""

from __future__ import annotations


def encode_prompt(tokenizer, prompt_cfg: dict, article: str) -> list[int]:
    """Prompt ids: the template around the article's first `max_article_tokens` tokens. The
    article is cut in token space and decoded back, so the prompt is a plain string that
    generation can rebuild from prompt.yaml alone."""
    limit = prompt_cfg["max_article_tokens"]
    # Tokenising whole long articles to keep 64 tokens is slow: tokenise a generous prefix cut at
    # a space far past the kept tokens (so the cut cannot change them), and the whole article
    # only if that prefix falls short.
    head = article[: 16 * limit].rsplit(" ", 1)[0] if len(article) > 16 * limit else article
    article_ids = tokenizer(head, add_special_tokens=False)["input_ids"]
    if len(article_ids) <= limit and head is not article:
        article_ids = tokenizer(article, add_special_tokens=False)["input_ids"]
    article_ids = article_ids[:limit]
    text = prompt_cfg["template"].replace(
        "{article}", tokenizer.decode(article_ids)
    )  # articles hold braces
    if prompt_cfg["instruction"]:
        text = prompt_cfg["instruction"] + "\n\n" + text
    return tokenizer(text)["input_ids"]  # with BOS for Gemma, EOS for T5, as each model expects


def encode_target(tokenizer, prompt_cfg: dict, headline: str, family: str) -> list[int]:
    prefix = prompt_cfg["target_prefix"] if family == "causal" else ""
    ids = tokenizer(prefix + headline, add_special_tokens=False)["input_ids"][
        : prompt_cfg["max_target_tokens"]
    ]
    return ids + [tokenizer.eos_token_id]


class EncodedRows:
    """(prompt ids, target ids) of row i, tokenised on first use: a short CPU run touches a
    few hundred of 14k rows, and tokenising them all up front took minutes."""

    def __init__(self, rows, tokenizer, prompt_cfg, family):
        self.rows, self.tokenizer, self.prompt_cfg, self.family = (
            rows,
            tokenizer,
            prompt_cfg,
            family,
        )
        self._cache: dict[int, tuple[list[int], list[int]]] = {}

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i: int) -> tuple[list[int], list[int]]:
        if i not in self._cache:
            row = self.rows[i]
            self._cache[i] = (
                encode_prompt(self.tokenizer, self.prompt_cfg, row["article"]),
                encode_target(self.tokenizer, self.prompt_cfg, row["headline"], self.family),
            )
        return self._cache[i]


def collate(pairs, pad_id: int, family: str):
    """Right-padded tensors. causal: input = prompt + target, labels -100 on prompt and padding;
    seq2seq: input = prompt, labels = target."""
    import torch

    if family == "seq2seq":
        inputs = [p for p, _ in pairs]
        labels = [t for _, t in pairs]
    else:
        inputs = [p + t for p, t in pairs]
        labels = [[-100] * len(p) + t for p, t in pairs]
    width, label_width = max(map(len, inputs)), max(map(len, labels))
    return {
        "input_ids": torch.tensor([x + [pad_id] * (width - len(x)) for x in inputs]),
        "attention_mask": torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in inputs]),
        "labels": torch.tensor([y + [-100] * (label_width - len(y)) for y in labels]),
    }


def sample_order(position: int, count: int, n: int, seed: int) -> list[int]:
    """Rows `position .. position+count-1` of the endless stream of per-epoch permutations."""
    import torch

    out = []
    while count > 0:
        epoch, offset = divmod(position, n)
        order = torch.randperm(
            n, generator=torch.Generator().manual_seed(seed * 100_003 + epoch)
        ).tolist()
        take = order[offset : offset + count]
        out.extend(take)
        position += len(take)
        count -= len(take)
    return out


class BucketedOrder:
    """The stream of `sample_order`, with each window of `window` batches re-ordered so that a
    batch holds rows of similar length (less padding), and the batches of a window shuffled.
    Still a pure function of (seed, position); only the rows of the windows used get
    tokenised (`length_of(i)`)."""

    def __init__(self, n: int, seed: int, batch_size: int, window: int, length_of):
        self.n, self.seed, self.batch_size, self.length_of = n, seed, batch_size, length_of
        self.window_rows = batch_size * window
        self._windows: dict[tuple[int, int], list[int]] = {}

    def rows(self, position: int, count: int) -> list[int]:
        out = []
        while count > 0:
            epoch, offset = divmod(position, self.n)
            index, inner = divmod(offset, self.window_rows)
            take = self._window(epoch, index)[inner : inner + count]
            out.extend(take)
            position += len(take)
            count -= len(take)
        return out

    def _window(self, epoch: int, index: int) -> list[int]:
        import torch

        key = (epoch, index)
        if key not in self._windows:
            if len(self._windows) > 4:  # the stream only moves forward: keep a few windows
                self._windows.clear()
            start = index * self.window_rows
            rows = sample_order(
                epoch * self.n + start, min(self.window_rows, self.n - start), self.n, self.seed
            )
            rows.sort(key=lambda i: (self.length_of(i), i))
            batches = [rows[i : i + self.batch_size] for i in range(0, len(rows), self.batch_size)]
            shuffle = torch.Generator().manual_seed((self.seed * 100_003 + epoch) * 100_003 + index)
            self._windows[key] = [
                i
                for b in torch.randperm(len(batches), generator=shuffle).tolist()
                for i in batches[b]
            ]
        return self._windows[key]
