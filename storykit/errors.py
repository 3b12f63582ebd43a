"""Errors storykit raises on purpose: short, one line, saying what to do.

Everything a user can cause (bad text, impossible sizes, missing weights or
ffmpeg, a corrupt file) raises a `StorykitError` subclass; the CLI prints its
message on one line and exits with status 2. Anything else is a bug.
"""

from __future__ import annotations

__all__ = ["StorykitError", "InvalidInput", "MissingDependency", "MissingWeights"]


class StorykitError(Exception):
    """Base class: a one-line, actionable message meant for the user."""


class InvalidInput(StorykitError, ValueError):
    """An argument, a field or a file's content is not allowed."""


class MissingDependency(StorykitError, ImportError):
    """An optional package or program is not installed; the message says how."""


class MissingWeights(StorykitError, FileNotFoundError):
    """Model weights are neither at the given path nor in the local cache."""


def require(module: str, extra: str, package: str | None = None):
    """Imports `module`, or raises MissingDependency naming the install command."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        pkg = package or module.split(".")[0]
        raise MissingDependency(
            f"{pkg} is needed for this but could not be imported ({e}); install it with "
            f"`pip install 'storykit[{extra}]'` (on a CPU machine add `-c constraints.txt` to keep torch==2.13.0)"
        ) from None
