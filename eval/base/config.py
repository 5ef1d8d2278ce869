"""Settings files read with OmegaConf structured configs. A run's settings are a dataclass
schema (every setting with its type and default; MISSING = required) <- the `base:` files of a
YAML config (relative to it, recursively) <- the config <- overrides like `train.lr=1e-4`.
The schema is closed: a key it does not have, a value of the wrong type or a required setting
left out is a one-line InputError naming the file and the setting, not a silent typo."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigKeyError, MissingMandatoryValue, OmegaConfBaseException

from eval.base.errors import InputError
from eval.base.io import load_yaml


def flag_overrides(given: dict) -> list[str]:
    """Dotted overrides (`train.max_steps=5`) for the command-line flags that were given (not None).
    Values go as JSON, which is YAML too: a path is read back as the same string."""
    return [f"{key}={json.dumps(value)}" for key, value in given.items() if value is not None]


def load_settings(schema: type, path=None, overrides: list[str] = ()) -> dict:
    """The settings as a plain dict: `schema` (a dataclass) <- `path` with its `base:` chain <-
    `overrides` (`a.b=value` or `--a.b=value`, values parsed as YAML). Dataclass sections
    take only their fields; `dict[...]` fields take any key (values still type-checked)."""
    # No struct mode: dataclass nodes already refuse unknown keys, and struct mode would close
    # dict[...] fields too (data.synthetic.articles: {source: count}).
    config = OmegaConf.structured(schema)
    if path is not None:
        config = _merge_file(config, Path(path), seen=())
    for item in overrides:
        key, sep, _ = item.lstrip("-").partition("=")
        if not sep or not key:
            raise InputError(f"override {item!r} is not KEY=VALUE (e.g. train.lr=1e-4)")
        new = OmegaConf.to_container(OmegaConf.from_dotlist([item.lstrip("-")]))
        config = _merge(config, new, "command line")
    try:
        return OmegaConf.to_container(config, resolve=True, throw_on_missing=True)
    except MissingMandatoryValue as err:
        raise InputError("required setting not given", path=path, field=err.full_key) from None
    except OmegaConfBaseException as err:  # a bad ${...} interpolation
        raise InputError(str(err).splitlines()[0], field=getattr(err, "full_key", None)) from None


def _merge_file(config: DictConfig, path: Path, seen: tuple) -> DictConfig:
    """`config` <- the files `path` names as `base:` (in order) <- `path` itself."""
    if path.resolve() in seen:
        raise InputError("config `base:` chain loops back to this file", path=path)
    data = load_yaml(path)
    bases = data.pop("base", None) or []
    for base in [bases] if isinstance(bases, str) else bases:
        config = _merge_file(config, path.parent / base, seen + (path.resolve(),))
    return _merge(config, data, path)


def _merge(config: DictConfig, new: dict, source) -> DictConfig:
    """`new` over `config` (lists replaced whole); OmegaConf's errors become one-line InputErrors
    naming `source` and the setting."""
    try:
        return OmegaConf.merge(config, new)
    except ConfigKeyError as err:  # the section's dataclass has no such field
        known = ", ".join(sorted(f.name for f in dataclasses.fields(err.object_type)))
        raise InputError(
            f"unknown setting {err.full_key!r} (known here: {known})", path=source
        ) from None
    except OmegaConfBaseException as err:
        section = _section_given_a_value(config, new)
        if section:
            raise InputError(
                f"{section[0]!r} must be a mapping, got {section[1]!r}", path=source
            ) from None
        raise InputError(
            str(err).splitlines()[0], path=source, field=err.full_key or None
        ) from None


def _section_given_a_value(config: DictConfig, new: dict, prefix: str = ""):
    """(name, value) of the first setting in `new` that is a section of `config` (a mapping)
    but is given a plain value, e.g. `train: 3`; OmegaConf's error does not name it."""
    for key, value in new.items():
        name = f"{prefix}{key}"
        section = OmegaConf.select(config, name)
        if isinstance(section, DictConfig):
            if not isinstance(value, dict):
                return name, value
            found = _section_given_a_value(config, value, prefix=f"{name}.")
            if found:
                return found
    return None
