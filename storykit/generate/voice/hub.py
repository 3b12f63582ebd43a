"""Finding a voice model's files: a local folder, the Hugging Face cache, or (when asked) a download.

Same rules as the Lightning weights: nothing is downloaded unless asked, the hub is
probed once with a short timeout, and a missing file is one line naming the
`hf download` command that fetches it.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import MissingWeights
from ..lightning.weights import hub_reachable

__all__ = ["find_files"]


def _maybe_cached(repo: str) -> bool:
    """Whether the Hugging Face cache has a folder for `repo` (HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)."""
    import os

    hub = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if not hub:
        home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache",
                                                         "huggingface")
        hub = os.path.join(home, "hub")
    return (Path(hub).expanduser() / f"models--{repo.replace('/', '--')}").is_dir()


def find_files(repo: str, filenames: list[str], *, folder=None, env: str, what: str, download: bool = False) -> list[Path]:
    """Paths of `filenames`: in `folder` (or $`env`), else the HF cache of `repo`, else downloaded if `download`."""
    import os

    command = f"`hf download {repo} {' '.join(filenames)} --local-dir {repo.split('/')[-1]}`"
    folder = folder or os.environ.get(env)
    if folder:
        paths = [Path(folder).expanduser() / f for f in filenames]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise MissingWeights(f"{what}: {', '.join(missing)} not in {str(folder)!r}; fetch them with {command}")
        return paths
    try_to_load_from_cache = None
    if _maybe_cached(repo):  # importing huggingface_hub costs ~0.5 s: only when the repo's folder is there
        try:
            from huggingface_hub import try_to_load_from_cache
        except ImportError:
            pass
    if try_to_load_from_cache is not None:
        found = [try_to_load_from_cache(repo, f) for f in filenames]
        if all(isinstance(p, str) for p in found):
            return [Path(p) for p in found]
    if not download:
        raise MissingWeights(f"{what} is not on this machine; fetch it with {command} and set {env} to that folder "
                             "(or allow the download)")
    ok, why = hub_reachable()
    if not ok:
        raise MissingWeights(f"{what} is not downloaded and {why}; fetch it with {command} and set {env} to that folder")
    from huggingface_hub import hf_hub_download

    try:
        return [Path(hf_hub_download(repo, f)) for f in filenames]
    except Exception as e:  # no such repo or file, proxy trouble: the model is not here
        reason = (str(e).strip().splitlines() or [""])[0][:160]
        raise MissingWeights(f"could not get {what} from {repo!r} ({type(e).__name__}: {reason}); fetch it with {command}") from None
