"""`storykit studio`: the Studio as a web page for workshops, served by Voilà on this machine only.

Voilà (voila-dashboards/voila) runs a notebook and shows its widgets without any code
cells. `serve()` writes a one-cell notebook that builds the Studio into a temporary
folder, starts Voilà on 127.0.0.1, prints the address once the page answers, and on
Ctrl-C stops Voilà (and its kernel) cleanly.

The notebook reads its settings from the environment, so the page and a test see the
same Studio: STORYKIT_STUDIO_OUT (where Export writes), STORYKIT_STUDIO_BACKEND and
STORYKIT_STUDIO_SIZE (frame height and width).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..errors import InvalidInput, require

__all__ = ["serve", "studio_from_environment", "start"]

DEFAULT_PORT = 8866  # Voilà's own
_APP_CELL = """from storykit.studio.serve import studio_from_environment

studio_from_environment()"""


def studio_from_environment():
    """The Studio the page shows, from STORYKIT_STUDIO_OUT, STORYKIT_STUDIO_BACKEND and STORYKIT_STUDIO_SIZE."""
    from .widgets import Studio

    size = os.environ.get("STORYKIT_STUDIO_SIZE", "").strip()
    side = int(size) if size.isdigit() else None
    return Studio(backend=os.environ.get("STORYKIT_STUDIO_BACKEND") or "auto", height=side, width=side,
                  output_dir=os.environ.get("STORYKIT_STUDIO_OUT") or "storykit-out")


def _app_notebook(folder: Path) -> Path:
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "studio", "metadata": {}, "outputs": [],
                   "source": _APP_CELL}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = folder / "storykit-studio.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def start(*, port: int = DEFAULT_PORT, backend: str = "auto", output_dir="storykit-out", size: int | None = None,
          timeout: float = 120.0) -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory]:
    """Starts Voilà on 127.0.0.1:`port` and returns (process, url, its folder) once the page answers."""
    if importlib.util.find_spec("voila") is None:  # Voilà runs in its own process: importing it here took 2 s
        require("voila", "notebook")  # raises MissingDependency, with the install command
    if not 1 <= port <= 65535:
        raise InvalidInput(f"port must be between 1 and 65535, got {port}")
    if _port_open(port):
        raise InvalidInput(f"port {port} on 127.0.0.1 is already in use; choose another port")
    if backend not in ("auto", "animatic", "lightning"):
        raise InvalidInput(f"backend must be auto, animatic or lightning, got {backend!r}")
    if size is not None and (size < 64 or size % 8):
        raise InvalidInput(f"size must be a multiple of 8, at least 64, got {size}")
    folder = tempfile.TemporaryDirectory(prefix="storykit-studio-")
    notebook = _app_notebook(Path(folder.name))
    env = {**os.environ, "STORYKIT_STUDIO_OUT": str(Path(output_dir).resolve()), "STORYKIT_STUDIO_BACKEND": backend,
           "STORYKIT_STUDIO_SIZE": str(size or "")}
    log = open(Path(folder.name) / "voila.log", "wb")
    # Its own session: Ctrl-C reaches storykit only, which then stops Voilà in order (no half-dead kernels).
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
         "--strip_sources=True", "--show_tracebacks=False", "--Voila.port_retries=0"],
        cwd=folder.name, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while not _port_open(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            tail = (Path(folder.name) / "voila.log").read_text(errors="replace").strip().splitlines()[-3:]
            folder.cleanup()
            raise InvalidInput("Voilà did not start: " + (" | ".join(tail) or "no output"))
        time.sleep(0.05)
    return proc, url, folder


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Asks Voilà to shut down (SIGTERM: it stops its kernels first), then makes sure it has."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def serve(*, port: int = DEFAULT_PORT, backend: str = "auto", output_dir="storykit-out", size: int | None = None) -> int:
    """Serves the Studio until Ctrl-C; prints the address to open."""
    proc, url, folder = start(port=port, backend=backend, output_dir=output_dir, size=size)
    print(f"storykit studio: open {url} in a browser (this machine only). Exports go to {Path(output_dir).resolve()}. "
          "Ctrl-C stops it.", flush=True)
    try:
        while proc.poll() is None:
            time.sleep(0.5)
        print(f"storykit studio: Voilà stopped by itself (exit {proc.returncode})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstorykit studio: stopping…", flush=True)
        stop(proc)
        print("storykit studio: stopped", flush=True)
        return 0
    finally:
        folder.cleanup()
