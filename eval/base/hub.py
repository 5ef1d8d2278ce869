"""Names of models and data sets that may live on the Hugging Face hub, resolved without a hang.

Everything this project ships is on disk (eval.base.assets); a user with the hub may still name a
hub id. `resolve` turns such a name into something a loader can open, or fails at once with one
line (an InputError) naming it:

- a local folder or file: used as is;
- HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) set: the copy in the local hub cache, else an error;
- otherwise the hub is asked (one request, `HUB_TIMEOUT` seconds at most): the id itself when
  the hub has it (the loader downloads or refreshes it), an error when it does not; when the hub
  cannot be reached, the cached copy, else an error.
"""

from __future__ import annotations

import os
from pathlib import Path

from eval.base.errors import InputError

HUB_TIMEOUT = 10.0  # seconds for the one availability request
_TRUE = {"1", "on", "yes", "true"}


def offline() -> bool:
    """True when the user asked for no network (the variables huggingface_hub and transformers read)."""
    if any(
        os.environ.get(v, "").strip().lower() in _TRUE
        for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    ):
        return True
    try:
        from huggingface_hub import constants
    except ImportError:
        return False
    return bool(getattr(constants, "HF_HUB_OFFLINE", False))


def resolve(name: str, repo_type: str = "model", what: str | None = None) -> str:
    """A local path or hub id a loader can open for `name` (see the module docstring)."""
    what = what or repo_type
    if Path(name).expanduser().exists():
        return str(Path(name).expanduser())
    if str(name).startswith((".", "/", "~")) or "\\" in str(name) or str(name).count("/") > 1:
        raise InputError(
            f"{what} {name!r}: no such folder (and not a Hugging Face hub id like org/name)"
        )
    try:
        from huggingface_hub import HfApi, snapshot_download
        from huggingface_hub.errors import (
            GatedRepoError,
            HfHubHTTPError,
            HFValidationError,
            RepositoryNotFoundError,
        )
    except ImportError:  # no hub client: nothing but local folders can be loaded
        raise InputError(
            f"{what} {name!r}: no such folder (huggingface_hub is not installed)"
        ) from None

    def cached() -> str | None:
        try:
            return snapshot_download(name, repo_type=repo_type, local_files_only=True)
        except (OSError, HFValidationError):  # LocalEntryNotFoundError is a FileNotFoundError
            return None

    def unreachable(reason: str) -> InputError:
        return InputError(
            f"{what} {name!r} is not available offline and the Hugging Face hub cannot be reached "
            f"({reason}): pass a local folder, or connect and unset HF_HUB_OFFLINE"
        )

    if offline():
        local = cached()
        if local is None:
            raise unreachable("HF_HUB_OFFLINE is set and the local hub cache does not hold it")
        return local
    try:
        HfApi().repo_info(name, repo_type=repo_type, timeout=HUB_TIMEOUT)
    except HFValidationError:
        raise InputError(
            f"{what} {name!r}: no such folder, and not a valid Hugging Face hub id"
        ) from None
    except GatedRepoError:
        raise InputError(
            f"{what} {name!r} is gated on the Hugging Face hub: accept its terms on the hub "
            "and log in (`hf auth login`)"
        ) from None
    except RepositoryNotFoundError:
        raise InputError(
            f"{what} {name!r}: no such folder, and the Hugging Face hub has no such "
            "repository (or it is private: log in with `hf auth login`)"
        ) from None
    except HfHubHTTPError as err:  # the hub answered, with an error
        local = cached()
        if local is None:
            raise InputError(
                f"{what} {name!r}: the Hugging Face hub answered {_first_line(err)}"
            ) from None
        return local
    except Exception as err:  # noqa: BLE001 - httpx/requests transport errors, OfflineModeIsEnabled
        if not _is_network_error(err):
            raise
        local = cached()
        if local is None:
            raise unreachable(f"{type(err).__name__}: {_first_line(err)}") from None
        return local
    return name


def _is_network_error(err: BaseException) -> bool:
    names = {c.__name__ for c in type(err).__mro__}
    return isinstance(err, (OSError, TimeoutError)) or bool(
        names & {"TransportError", "RequestError", "RequestException", "ConnectionError", "Timeout"}
    )


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
