"""Headline and summary generation with any Hugging Face model; Gemma-3-270M as the offline
default."""

__version__ = "0.1.0"


def __getattr__(name):
    # Lazy, so `python -m summarizer --help` does not import torch/transformers.
    if name in ("Summarizer", "GenerationResult"):
        from summarizer import generate

        return getattr(generate, name)
    raise AttributeError(name)
