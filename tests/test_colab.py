"""Colab: every badge and install cell is made from pyproject's one repository URL (tools/sync_colab.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from storykit.testing import lazy_module

nbformat = lazy_module("nbformat")

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("sync_colab", ROOT / "tools" / "sync_colab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebooks_and_readme_match_the_repository_url():
    tool = _tool()
    stale = [str(p.relative_to(ROOT)) for p, text in tool.targets().items() if p.read_text(encoding="utf-8") != text]
    assert not stale, f"run `python tools/sync_colab.py` after changing [project.urls] Repository: {stale}"


def test_install_cell_installs_only_what_colab_lacks_and_is_overridable():
    tool = _tool()
    url = tool.repository_url()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert tool.badge_url(url, path.name) in nb.cells[0].source
        (cell,) = [c for c in nb.cells if "colab" in c.metadata.get("tags", [])]
        src = cell.source
        assert f'STORYKIT_REPO = "{url}"  # @param' in src and 'os.environ.get("STORYKIT_REPO")' in src
        assert "storykit[gen] @ git+" in src and 'if "google.colab" in sys.modules' in src
        for never in ("jupyterlab", "ipykernel", "notebook]", "torch"):
            assert never not in src.split("subprocess.run", 1)[1], (path.name, never)


def test_the_tool_rewrites_another_url(tmp_path):
    tool = _tool()
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.read(ROOT / "notebooks" / "01_planning.ipynb", as_version=4)
    nbformat.write(nb, tmp_path / "notebooks" / "01_planning.ipynb")
    (tmp_path / "README.md").write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(text.replace(tool.repository_url(), "https://github.com/someone/storykit-fork"))
    out = {p.name: t for p, t in tool.targets(tmp_path).items()}
    assert "colab.research.google.com/github/someone/storykit-fork/blob/main/notebooks/01_planning.ipynb" in out["01_planning.ipynb"]
    assert 'STORYKIT_REPO = \\"https://github.com/someone/storykit-fork\\"' in out["01_planning.ipynb"]
    assert "github/someone/storykit-fork/blob/main/notebooks/05_studio.ipynb" in out["README.md"]


def test_the_default_address_is_one_no_stranger_can_own():
    tool = _tool()
    owner = tool.repository_owner(tool.repository_url())
    assert tool.owner_is_safe(owner), (
        f"[project.urls] Repository's owner {owner!r} is a name anyone could register on GitHub: every install cell "
        "would install their code; keep YOUR_GITHUB_USER until published, then add the owner to PUBLISHED_OWNERS"
    )
    # GitHub names are case-insensitive and allow letters, digits and single hyphens only.
    for registrable in ("storykit", "Storykit", "story-kit", "a1"):
        assert not tool.owner_is_safe(registrable), registrable
    for impossible in ("YOUR_GITHUB_USER", "-storykit", "story--kit", "x" * 40):
        assert tool.owner_is_safe(impossible), impossible


def _run_install_cell(source: str, monkeypatch, env_repo=None):
    import subprocess
    import sys
    import types

    calls = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", lambda args, **k: calls.append(args))
    if env_repo is None:
        monkeypatch.delenv("STORYKIT_REPO", raising=False)
    else:
        monkeypatch.setenv("STORYKIT_REPO", env_repo)
    exec(compile(source, "install-cell", "exec"), {})
    return calls


def test_unpublished_install_cell_stops_with_one_line_until_a_fork_is_named(monkeypatch):
    import pytest

    tool = _tool()
    source = tool.INSTALL_CELL.format(url="https://github.com/YOUR_GITHUB_USER/storykit", placeholder=tool.PLACEHOLDER_OWNER)
    with pytest.raises(SystemExit) as e:
        _run_install_cell(source, monkeypatch)
    message = str(e.value.code)
    assert "\n" not in message and "STORYKIT_REPO" in message and "fork" in message
    calls = _run_install_cell(source, monkeypatch, env_repo="https://github.com/someone/storykit-fork")
    assert calls and calls[0][-1] == "storykit[gen] @ git+https://github.com/someone/storykit-fork"
    # A published address installs straight away.
    calls = _run_install_cell(tool.INSTALL_CELL.format(url="https://github.com/someone/sk", placeholder=tool.PLACEHOLDER_OWNER), monkeypatch)
    assert calls[0][-1] == "storykit[gen] @ git+https://github.com/someone/sk"
    # And every committed notebook carries that stop.
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        (cell,) = [c for c in nbformat.read(path, as_version=4).cells if "colab" in c.metadata.get("tags", [])]
        with pytest.raises(SystemExit):
            _run_install_cell(cell.source, monkeypatch)



def test_setup_skips_importing_torch_where_no_gpu_driver_is_present(tmp_path, monkeypatch):
    """A CPU machine (no GPU device files): "cpu" at once, torch never imported; a driver present: torch decides."""
    import os
    import subprocess
    import sys

    from storykit.generate import device
    from storykit.studio import notebook

    if importlib.util.find_spec("torch") is None or not sys.platform.startswith("linux"):
        return  # the check is Linux's; without torch the device is "none" either way
    code = ("import sys\nfrom storykit.generate import device\nfrom storykit.studio import notebook\n"
            f"device.GPU_DEVICE_FILES = ({str(tmp_path / 'no-such-driver')!r},)\n"
            "r = notebook.setup(verbose=False)\nprint(r.device, 'torch' in sys.modules)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STORYKIT_DEVICE": ""}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["cpu", "False"]

    # Where a driver's file is, or torch is loaded already, or STORYKIT_DEVICE names a device, torch is asked.
    monkeypatch.delitem(sys.modules, "torch", raising=False)  # restored afterwards
    marker = tmp_path / "nvidiactl"
    monkeypatch.setattr(device, "GPU_DEVICE_FILES", (str(tmp_path / "none"), str(marker)))
    assert not device.gpu_possible()
    marker.write_text("")
    assert device.gpu_possible()
    monkeypatch.setattr(device, "gpu_possible", lambda: False)
    monkeypatch.setattr("storykit.generate.device.resolve_device", lambda device: "cuda")  # what torch would say
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STORYKIT_DEVICE", "cuda")
    assert notebook.setup(verbose=False).device == "cuda"
    monkeypatch.setenv("STORYKIT_DEVICE", "")
    assert notebook.setup(verbose=False).device == "cpu"
