"""Training the checkers fine-tuned here: the `trained` consistency backend (synthetic
corruptions of real article sentences plus human-labelled train data, train.py) and the
`support` headline checker (FNC-1 stance labels, support.py). Run through
`python -m summarizer train-consistency` and `python -m summarizer train-support`."""


def read_config(path, required: tuple[str, ...]) -> dict:
    """A training YAML config, with a one-line error naming the file for bad YAML or a missing
    top-level key."""
    from eval.base.errors import InputError
    from eval.base.io import load_yaml

    config = load_yaml(path)
    for key in required:
        if key not in config:
            raise InputError("missing", path=path, field=key)
    return config
