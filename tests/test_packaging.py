"""Install paths agree, imports stay light, notebooks are committed clean."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ]", req, maxsplit=1)[0].lower()


def _constraints():
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert any(d.startswith("python") for d in conda) and "ffmpeg" in conda and "pip" in conda
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]
    listed = [r for r in pip if not r.startswith("-e")]
    # Same packages with the same specifiers, and constraints.txt applied: torch pinned to its version,
    # the other constrained packages with the constraint added to pyproject's specifier.
    constraints = {_name(c): c for c in _constraints()}
    assert constraints["torch"] == "torch==2.13.0"

    def constrained(req):
        name = _name(req)
        if name == "torch" or name not in constraints:
            return constraints.get(name, req)
        return req + "," + constraints[name][len(name):]

    assert sorted(listed) == sorted(constrained(r) for r in wanted)
    assert "-e ." in pip


def test_no_torch_pin_and_no_torchvision_in_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]
    torch = [r for r in reqs if _name(r) == "torch"]
    assert torch and all("==" not in r for r in torch)  # Colab's CUDA torch must never be replaced
    assert not [r for r in reqs if _name(r) == "torchvision"]  # breaks diffusers imports with torch 2.13 CPU
    assert "imageio-ffmpeg==0.7.0" in reqs  # 0.8.1's ffmpeg output is unreadable to mediapy.read_video


def test_readme_commands_and_ci_run_the_same_tests():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```(?:bash|sh)\n(.*?)```", readme, re.S).group(1)
    commands = [c for c in block.strip().splitlines() if c and not c.startswith("#")]
    assert len(commands) == 2, commands
    install_and_run, test = commands
    assert "-c constraints.txt" in install_and_run and "storykit render" in install_and_run
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines()
    assert "-c constraints.txt" in ci


def test_import_is_light():
    code = "import sys, storykit; storykit.plan; print(sorted(m for m in ('torch', 'diffusers', 'matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_clip_vocabulary_ships_with_the_package():
    import storykit

    assert (Path(storykit.__file__).parent / "plan" / "data" / "bpe_simple_vocab_16e6.txt.gz").stat().st_size > 1_000_000


def test_plan_and_info_stay_light():
    # `storykit plan` counts CLIP tokens with the tokenizers library, and `info` reads package
    # metadata: neither imports transformers, torch, mediapy or matplotlib (their start-up costs seconds).
    heavy = "('torch', 'diffusers', 'transformers', 'mediapy', 'matplotlib')"
    code = (
        "import contextlib, io, sys, storykit\n"
        "s = storykit.plan('a quiet harbour', 'an old sailor', 'mends a net')\n"
        "from storykit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(['info'])\n"
        f"print(sorted(m for m in {heavy} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
