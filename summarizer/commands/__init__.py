"""One module per `python -m summarizer` command."""
