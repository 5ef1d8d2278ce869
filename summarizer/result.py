"""What a generator returns for one article, whichever model wrote it."""

from __future__ import annotations

from dataclasses import dataclass

from eval.base.errors import InputError


@dataclass
class GenerationResult:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    truncated: bool = False
    hit_length_cap: bool = (
        False  # the token cap cut the answer short of its end (or, for summaries, of its target)
    )
    seconds: float = 0.0  # this row's share of its batch's wall time
    error: str | None = None
    repeated: bool = False  # a repeated sentence was found and cut (summaries)
    # candidate selection: how many were generated and the consistency checker's verdict on the kept one
    candidates: int = 1
    consistency: float | None = None
    consistent: bool | None = None

    def as_row(self, row_id, task: str, model: str, signature: str) -> dict:
        """The one JSONL row of a generated text (`summarizer generate`, `eval run`, on Ray too)."""
        return {
            "id": row_id,
            "prediction": self.text,
            "task": task,
            "model": model,
            "truncated": self.truncated,
            "hit_length_cap": self.hit_length_cap,
            "error": self.error,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "seconds": round(self.seconds, 4),
            "repeated": self.repeated,
            "candidates": self.candidates,
            **(
                {"consistency": self.consistency, "consistent": self.consistent}
                if self.candidates > 1
                else {}
            ),
            "signature": signature,
        }


def check_same_run(rows: list[dict], model: str, task: str, path) -> None:
    """Rows already in an output file must come from this model and task: resuming with other
    settings would mix two runs in one file."""
    for row in rows:
        if (row.get("model"), row.get("task")) != (model, task):
            raise InputError(
                f"holds rows from model {row.get('model')!r}, task {row.get('task')!r}; this run "
                f"is model {model!r}, task {task!r}: use another --output",
                path=path,
                field="model",
            )
