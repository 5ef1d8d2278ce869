"""A lexical stance model, the second signal of the `support` checker: logistic regression over
TF-IDF features of the passage chosen for the headline (words and word pairs), of the headline,
and of the whole body (words). It learns the cue words of reporting without asserting
("reportedly", "claims", "unconfirmed", "according to") and of refuting ("hoax", "denied"),
which a small cross-encoder trained for minutes on 2 cores picks up only partly.

Stored as JSON (vocabularies, idf weights, coefficients): no pickle, readable, ~1-2 MB.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

FIELDS = {"passage": (1, 2), "headline": (1, 2), "body": (1, 1)}  # field -> n-gram range


def _vectorizer(ngrams, max_features: int | None = None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=ngrams, min_df=3, sublinear_tf=True, max_features=max_features
    )


class LexicalStance:
    def __init__(self, vectorizers: dict, coef, intercept: float):
        self.vectorizers, self.coef, self.intercept = vectorizers, coef, intercept

    @classmethod
    def fit(
        cls, examples: list[dict], labels: list[int], max_features: int = 30000, C: float = 1.0
    ):
        """`examples`: dicts with passage, headline, body; labels 1 = supported."""
        from scipy.sparse import hstack
        from sklearn.linear_model import LogisticRegression

        vectorizers, blocks = {}, []
        for name, ngrams in FIELDS.items():
            vectorizers[name] = _vectorizer(ngrams, max_features)
            blocks.append(vectorizers[name].fit_transform([e[name] for e in examples]))
        model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        model.fit(hstack(blocks).tocsr(), labels)
        return cls(vectorizers, model.coef_[0], float(model.intercept_[0]))

    def logits(self, examples: list[dict]):
        from scipy.sparse import hstack

        x = hstack(
            [self.vectorizers[n].transform([e[n] for e in examples]) for n in FIELDS]
        ).tocsr()
        return x @ self.coef + self.intercept

    def save(self, path: Path) -> None:
        data = {
            "fields": {
                n: {
                    "ngrams": list(FIELDS[n]),
                    "vocabulary": {k: int(v) for k, v in self.vectorizers[n].vocabulary_.items()},
                    "idf": [round(float(x), 6) for x in self.vectorizers[n].idf_],
                }
                for n in FIELDS
            },
            "coef": [round(float(x), 6) for x in self.coef],
            "intercept": self.intercept,
        }
        path.write_text(json.dumps(data, separators=(",", ":")))

    @classmethod
    def load(cls, path: Path) -> LexicalStance:
        import numpy as np

        data = json.loads(Path(path).read_text())
        vectorizers = {}
        for name, spec in data["fields"].items():
            vec = _vectorizer(tuple(spec["ngrams"]))
            vec.vocabulary_ = spec["vocabulary"]
            vec.idf_ = np.array(spec["idf"])
            vectorizers[name] = vec
        return cls(vectorizers, np.array(data["coef"]), float(data["intercept"]))


def combine(ce_logit: float, lexical_logit: float, weights: dict) -> float:
    """P(supported) from the cross-encoder's agree log-odds and the lexical log-odds, with
    weights fitted on dev_fit (eval/consistency/training/support.py)."""
    z = weights["ce"] * ce_logit + weights["lexical"] * lexical_logit + weights["bias"]
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
