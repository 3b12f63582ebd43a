"""Every notebook runs top to bottom, offline, in place (Colab-, GPU- and LLM-only cells skipped), quietly,
and leaves the repository as it found it."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storykit.testing import lazy_module

nbformat = lazy_module("nbformat")
nbclient = lazy_module("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SKIP_TAGS = {"colab", "gpu", "llm"}  # llm: needs a language model's weights (notebook 01's LLM writer)
# stderr outputs a notebook may show, each one intended: notebook 01 shows the LLM writer's one-line fallback.
STDERR_BUDGET = {"01_planning": 1}


def _untracked() -> set[str]:
    """Files git does not track: in the whole repository, and also those it ignores under notebooks/."""
    status = ["git", "status", "--porcelain", "--untracked-files=all"]
    out = subprocess.run(status, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    out += subprocess.run([*status, "--ignored", "--", "notebooks"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    return {line[3:] for line in out.splitlines() if line.startswith(("??", "!!"))}


def test_the_stderr_budget_is_three_outputs_at_most():
    assert sum(STDERR_BUDGET.values()) <= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_offline_in_place_quietly_and_leaves_nothing_behind(path, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("STORYKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("STORYKIT_NOTEBOOK_SIZE", "128")  # same cells, a quarter of the side: the suite stays fast
    # A reader's run fills notebooks/storykit-out (git ignores it); the suite's runs must not pile up there.
    monkeypatch.setenv("STORYKIT_NOTEBOOK_OUT", str(tmp_path / "storykit-out"))
    nb = nbformat.read(path, as_version=4)
    skipped = [c for c in nb.cells if SKIP_TAGS & set(c.metadata.get("tags", []))]
    colab = [c for c in skipped if "colab" in c.metadata.get("tags", [])]
    assert len(colab) == 1 and nb.cells.index(colab[0]) == 1, "the Colab setup cell (and only one) is skipped"
    assert len(skipped) <= 2, "keep what the tests cannot run to a minimum: one GPU- or LLM-only cell at most"
    nb.cells = [c for c in nb.cells if c not in skipped]
    before = _untracked()
    # In place, as a reader runs it: the kernel starts in notebooks/.
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "storykit: backend=" in text  # the runtime check said what it chose
    stderr = [o.get("text", "") for o in outputs if o.get("name") == "stderr"]
    assert len(stderr) <= STDERR_BUDGET.get(path.stem, 0), f"unexpected stderr in {path.name}: {stderr}"
    new = sorted(_untracked() - before)
    assert not new, f"{path.name} left files in the repository: {new} (write under runtime.out)"
    assert any((tmp_path / "storykit-out").iterdir()), "the notebook wrote nothing under runtime.out"
    if path.stem == "02_distilled_generation":  # the camera demo compares two moves and shows a real difference
        diff = float(re.search(r"zoom_in vs pan_left: the frames differ by ([\d.]+) grey levels", text)[1])
        assert diff > 1.0
    if path.stem == "01_planning":
        assert stderr and "LLM writer not used (no model folder at '/no/such/model')" in stderr[0]


def test_notebook_02_loads_one_lightning_pipeline():
    """Every LightningBackend loads its own pipeline: the step comparison and the story take the one
    already built, not a second and a third copy of the model in GPU memory (and two more loads)."""
    nb = json.loads((ROOT / "notebooks" / "02_distilled_generation.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert code.count('get_backend("lightning"') == 2  # the two branches of one `if`: weights found, or the tiny model
    assert "backend=backend," in code and 'backend="lightning"' not in code and "backend_kwargs" not in code
    assert 'story_backend = backend if runtime.backend == "lightning"' in code


def test_committed_notebooks_have_no_outputs():
    """What git holds (not the working tree, which JupyterLab may have saved outputs into)."""
    for path in NOTEBOOKS:
        rel = path.relative_to(ROOT).as_posix()
        blob = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True, text=True)
        if blob.returncode:  # a notebook added but not committed yet: nothing of it is in a commit
            continue
        for cell in json.loads(blob.stdout)["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, f"{rel} was committed with outputs"


def test_git_strips_notebook_outputs_where_nbstripout_is_installed():
    attributes = (ROOT / ".gitattributes").read_text()
    assert re.search(r"^\*\.ipynb\s+filter=nbstripout", attributes, re.M)
    pyproject = (ROOT / "pyproject.toml").read_text()
    dev = pyproject[pyproject.index("\ndev = ["):]
    assert "nbstripout" in dev[: dev.index("]")]


def test_the_llm_writer_fails_fast_offline_in_one_line(monkeypatch, tmp_path, capsys):
    """Notebook 01's LLM cell (download=True) without a network: one probe, one line, the template script."""
    import storykit
    import storykit.errors
    from storykit import hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens, refused at once
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    monkeypatch.setattr(hub, "_answers", {})
    tried = []  # loading the model starts with importing torch and transformers: it must never start
    monkeypatch.setattr(storykit.errors, "require", lambda *a: tried.append(a))
    script = storykit.plan("a harbour", "an old sailor", "mends a net", writer="llm",
                           model="Qwen/Qwen2.5-1.5B-Instruct", download=True)
    err = capsys.readouterr().err
    assert script.writer == "template" and not tried  # never handed to huggingface_hub's retries
    assert err.count("\n") == 1 and "cannot be reached" in err, err
