"""Training the checkers fine-tuned here: the `trained` consistency backend (synthetic
corruptions of real article sentences plus human-labelled train data, train.py) and the
`support` headline checker (FNC-1 stance labels, support.py). Run through
`python -m summarizer train-consistency` and `python -m summarizer train-support`; each
trainer's config schema (TrainedConfig, SupportConfig) is read with eval.base.config."""
