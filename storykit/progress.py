"""Progress bars: tqdm's widget bar inside a Jupyter kernel, its text bar anywhere else.

What `tqdm.auto` would pick, without its import of asyncio (15 ms of every command's start).
"""

from __future__ import annotations

import sys

__all__ = ["in_a_notebook", "tqdm"]


def in_a_notebook() -> bool:
    """A Jupyter kernel runs this: not merely a process that imported ipykernel (ipywidgets does)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def tqdm(*args, **kwargs):
    """A tqdm bar: the notebook one in a Jupyter kernel, else the text one."""
    if in_a_notebook():
        from tqdm.auto import tqdm as bar
    else:
        from tqdm.std import tqdm as bar
    return bar(*args, **kwargs)
