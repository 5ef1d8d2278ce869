"""User-facing errors: each names the file, row and field at fault, so the CLI can print one
clear line instead of a traceback."""


class InputError(ValueError):
    """Bad user input. `where` is e.g. 'preds.jsonl line 12, field "text"'."""

    def __init__(
        self, message: str, *, path=None, line: int | None = None, field: str | None = None
    ):
        parts = [str(p) for p in (path,) if p is not None]
        if line is not None:
            parts.append(f"line {line}")
        if field is not None:
            parts.append(f'field "{field}"')
        self.where = " ".join(parts)
        super().__init__(f"{self.where}: {message}" if self.where else message)
