"""One module per `python -m eval` command."""
