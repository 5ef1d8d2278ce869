"""Per-example score cache: key = sha256(metric signature, prediction, references, article).
Re-scoring a run after one row of a thousand changed recomputes that one row, and a killed
run resumes from the last committed batch. SQLite (stdlib, atomic commits, safe to kill);
values are JSON, never pickle.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path


def example_key(signature: str, row: dict, fields=("prediction", "references", "article")) -> str:
    # task and the length cap change what some metrics report (consistency kind, hl_hit_length_cap)
    values = [row.get(f) for f in fields] + [
        row[k] for k in ("task", "hit_length_cap") if row.get(k) is not None
    ]
    payload = json.dumps([signature] + values, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ScoreCache:
    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS scores (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        self.hits = self.misses = 0

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        found = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):  # SQLite's bound-parameter limit
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self._db.execute(
                f"SELECT key, value FROM scores WHERE key IN ({marks})", chunk
            ):
                found[key] = json.loads(value)
        self.hits += sum(k in found for k in keys)
        self.misses += sum(k not in found for k in keys)
        return found

    def put_many(self, items: dict[str, dict]) -> None:
        with self._db:  # one transaction per batch: a kill loses at most the batch in flight
            self._db.executemany(
                "INSERT OR REPLACE INTO scores VALUES (?, ?)",
                [(k, json.dumps(v, ensure_ascii=False)) for k, v in items.items()],
            )

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
