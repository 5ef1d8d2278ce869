"""The base layer: what every other room uses and nothing here imports from above - errors, file
IO (JSONL, YAML, atomic writes), signatures, the score cache, paths, hub ids and model assets."""
