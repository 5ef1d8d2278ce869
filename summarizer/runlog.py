"""The training log: one JSONL row per event (log.jsonl, resumable), and the same numbers as
TensorBoard scalars when `train.report_to: tensorboard` and the `tensorboard` package is
installed (otherwise one warning, and the JSONL log alone)."""

from __future__ import annotations

import logging
from pathlib import Path

from eval.base.io import ResumableJsonl

log = logging.getLogger(__name__)
REPORT_TO = ("none", "tensorboard")


class RunLog:
    def __init__(self, path: Path, report_to: str = "none"):
        if report_to not in REPORT_TO:
            raise ValueError(f"train.report_to must be one of {REPORT_TO}, got {report_to!r}")
        self.jsonl = ResumableJsonl(path, key="step")
        self.rows = self.jsonl.rows
        self.board = None
        if report_to == "tensorboard":
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                log.warning(
                    "report_to: tensorboard, but tensorboard is not installed "
                    "(pip install tensorboard); writing log.jsonl only"
                )
            else:
                self.board = SummaryWriter(str(Path(path).parent / "tensorboard"))

    def write(self, row: dict) -> None:
        self.jsonl.write(row)
        if self.board is None:
            return
        prefix = row.get("event", "train")
        for key, value in row.items():
            if key in ("step", "event"):
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.board.add_scalar(f"{prefix}/{key}", value, row["step"])
            elif (
                isinstance(value, (list, tuple))
                and len(value) == 2
                and all(isinstance(v, (int, float)) for v in value)
            ):  # an interval
                self.board.add_scalar(f"{prefix}/{key}_low", value[0], row["step"])
                self.board.add_scalar(f"{prefix}/{key}_high", value[1], row["step"])

    def close(self) -> None:
        self.jsonl.close()
        if self.board is not None:
            self.board.close()
