"""Points every Colab badge and install cell at the repository named in pyproject.toml.

The repository URL lives in one place, ``[project.urls] Repository`` in
pyproject.toml. Publishing storykit under another name (a fork, an
organisation)? Change that line, then run

    python tools/sync_colab.py          # rewrite notebooks/*.ipynb and README.md
    python tools/sync_colab.py --check  # exit 1 if anything is out of date (tests/test_colab.py)

Each notebook's first cell gets the badge, and its cell tagged ``colab`` the
install cell below. That cell installs only ``storykit[gen]``: Colab already has
torch (CUDA), ipywidgets and matplotlib, and pip keeps them since they satisfy
storykit's ranges; JupyterLab and ipykernel are never installed there (they
conflict with Colab's own, googlecolab/colabtools#2837). A reader can install
from elsewhere with the cell's form field or the STORYKIT_REPO environment variable.

Until storykit is published, Repository is https://github.com/YOUR_GITHUB_USER/storykit:
GitHub owner names allow only letters, digits and single hyphens, so no one can
ever register that owner (an address like github.com/storykit/... could be claimed
by a stranger, and every install cell would then install their code). While the
address is that placeholder the install cell stops with one line asking for a fork.
Publishing under a real owner? Add it to PUBLISHED_OWNERS in the same commit
(tests/test_colab.py refuses any other registrable owner).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BRANCH = "main"
# The unpublished default's owner: "_" is a character GitHub owner names can never contain.
PLACEHOLDER_OWNER = "YOUR_GITHUB_USER"
# Registrable owners the maintainers have published storykit under (none yet).
PUBLISHED_OWNERS: tuple[str, ...] = ()
# What GitHub accepts as a user or organisation name (1-39 characters).
GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")

INSTALL_CELL = '''# Colab only: install storykit[gen]. Colab's own torch, ipywidgets and matplotlib are kept as they are.
# Set the field (or the STORYKIT_REPO environment variable) to the GitHub repository to install from.
import os, sys
STORYKIT_REPO = "{url}"  # @param {{type:"string"}}
if "google.colab" in sys.modules:
    import subprocess
    repo = os.environ.get("STORYKIT_REPO") or STORYKIT_REPO
    if "/{placeholder}/" in repo:
        raise SystemExit("storykit has no published address yet: set STORYKIT_REPO above (or the STORYKIT_REPO environment variable) to your fork, e.g. https://github.com/you/storykit")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"storykit[gen] @ git+{{repo}}"], check=True)'''

_BADGE = re.compile(r"https://colab\.research\.google\.com/github/[^/\s)]+/[^/\s)]+/blob/[^/\s)]+/notebooks/([\w.-]+\.ipynb)")


def repository_url(root: Path = ROOT) -> str:
    """pyproject.toml's [project.urls] Repository, without a trailing slash or .git."""
    import tomllib

    urls = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"].get("urls", {})
    url = urls.get("Repository")
    if not url:
        raise SystemExit("pyproject.toml has no [project.urls] Repository")
    return url.rstrip("/").removesuffix(".git")


def repository_owner(url: str) -> str:
    """'YOUR_GITHUB_USER' for https://github.com/YOUR_GITHUB_USER/storykit."""
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", url)
    if not m:
        raise SystemExit(f"Repository {url!r} is not a https://github.com/OWNER/NAME URL (Colab opens GitHub notebooks)")
    return m[1]


def owner_is_safe(owner: str) -> bool:
    """True if no stranger can own `owner`: it is not a name GitHub would register, or it is ours."""
    return not GITHUB_OWNER.fullmatch(owner) or owner.lower() in {o.lower() for o in PUBLISHED_OWNERS}


def badge_url(url: str, notebook: str) -> str:
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", url)
    if not m:
        raise SystemExit(f"Repository {url!r} is not a https://github.com/OWNER/NAME URL (Colab opens GitHub notebooks)")
    return f"https://colab.research.google.com/github/{m[1]}/{m[2]}/blob/{BRANCH}/notebooks/{notebook}"


def _badges(text: str, url: str) -> str:
    return _BADGE.sub(lambda m: badge_url(url, m[1]), text)


def synced_notebook(path: Path, url: str) -> str:
    """The notebook's JSON text with its badge and colab-tagged install cell pointing at `url`."""
    import nbformat  # the dev extra; writes exactly the layout the notebooks are committed in

    nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "colab" in cell.metadata.get("tags", []):
            cell.source = INSTALL_CELL.format(url=url, placeholder=PLACEHOLDER_OWNER)
        else:
            cell.source = _badges(cell.source, url)
    return nbformat.writes(nb) + "\n"


def targets(root: Path = ROOT) -> dict[Path, str]:
    """path -> what it should contain."""
    url = repository_url(root)
    out = {p: synced_notebook(p, url) for p in sorted((root / "notebooks").glob("*.ipynb"))}
    readme = root / "README.md"
    out[readme] = _badges(readme.read_text(encoding="utf-8"), url)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are out of date (exit 1)")
    args = parser.parse_args(argv)
    stale = []
    for path, text in targets().items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    verb = "out of date" if args.check else "updated"
    for path in stale:
        print(f"{verb}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
