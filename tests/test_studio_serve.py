"""`storykit studio` serves the Studio page on 127.0.0.1 and Ctrl-C stops it cleanly; unknown options show help."""

import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from storykit.testing import sigint_as_in_a_terminal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unknown_option_shows_that_commands_help():
    proc = subprocess.run([sys.executable, "-m", "storykit", "cache", "info", "--bogus"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("usage: storykit cache") and "prune" in proc.stderr
    assert proc.stderr.strip().endswith("storykit cache: error: unrecognized arguments: --bogus")


def test_storykit_studio_serves_the_page_and_ctrl_c_stops_it(tmp_path):
    pytest.importorskip("voila", reason="pip install -e '.[notebook]' (voila)")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "storykit", "studio", "--port", str(port), "--backend", "animatic",
                             "--output-dir", str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=sigint_as_in_a_terminal)
    try:
        line = proc.stdout.readline()  # printed once the page answers
        assert f"http://127.0.0.1:{port}/" in line and "Ctrl-C" in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120) as page:
            body = page.read().decode()
        assert page.status == 200 and "studio_from_environment" not in body  # no code cells on the page
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "stopped" in out and "Traceback" not in err
    with pytest.raises(OSError):  # nothing listens any more: Voilà went with it
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
