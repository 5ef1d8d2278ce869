"""Training the `trained` consistency backend (eval/consistency/trained.py): synthetic
corruptions of real article sentences, human-labelled train data, and a MiniLM fine-tune."""


def read_config(path, required: tuple[str, ...]) -> dict:
    """A training YAML config, with a one-line error naming the file for bad YAML or a missing
    top-level key."""
    from pathlib import Path

    import yaml

    from eval.base.errors import InputError

    path = Path(path)
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InputError(f"invalid YAML: {err}", path=path) from None
    for key in required:
        if not isinstance(config, dict) or key not in config:
            raise InputError("missing", path=path, field=key)
    return config
