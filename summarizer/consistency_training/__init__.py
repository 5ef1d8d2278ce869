"""Training the `trained` consistency backend (eval/consistency/trained.py): synthetic
corruptions of real article sentences, human-labelled train data, and a MiniLM fine-tune."""
