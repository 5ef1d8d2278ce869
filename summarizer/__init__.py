"""Headline and summary generation with any Hugging Face model; Gemma-3-270M as the offline
default."""

__version__ = "0.1.0"
