"""Ray for StoryBench batches: join or start a runtime in bounded time, one worker per GPU.

`connect` never hangs and never lets a Ray exception through: an address that
refuses or does not answer fails within `timeout` seconds in one line; a local
runtime that cannot start gives back None and a note, and the batch runs in this
process instead. `fan_out` starts one `storybench_job.Worker` actor per GPU (per
CPU for the animatic), each loading its model once, and keeps at most two
stories per worker in flight, so finished files never pile up in the object store.

>>> from storykit.cluster import connect, fan_out      # doctest: +SKIP
>>> ray, started, note = connect("ray://head:10001")    # doctest: +SKIP
"""

from __future__ import annotations

import collections
import logging
import os
import re
import socket
import threading
import warnings

from .errors import InvalidInput, MissingDependency

__all__ = ["RAY_TIMEOUT_S", "connect", "fan_out", "release_workers"]

RAY_TIMEOUT_S = 30.0  # how long joining a cluster may take before we say so
_PER_WORKER = 2  # one story rendering, one waiting: the GPU never idles between stories
_ADDRESS = re.compile(r"(?:ray://)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())[:200]
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _import_ray():
    try:
        import ray
    except ImportError:
        raise MissingDependency(
            "--ray needs Ray: install it with `pip install 'storykit[scale]'` (add `-c constraints.txt` on a CPU machine)"
        ) from None
    return ray


def _probe(address: str, timeout: float) -> None:
    """One TCP connect to the address: a refused or unroutable port fails in seconds, not minutes."""
    m = _ADDRESS.fullmatch(address)
    if not m:
        raise InvalidInput(f"--ray {address!r}: give ray://HEAD:10001 (Ray Client) or HEAD:6379 (from a cluster node), "
                           "or --ray alone for a local runtime")
    host, port = m[1].strip("[]"), int(m[2])
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        raise InvalidInput(f"cannot reach the Ray cluster at {address} ({type(e).__name__}"
                           f"{': ' + e.strerror if getattr(e, 'strerror', None) else ''}); check the address and "
                           "that the head node is running (`ray status` there)") from None


def _init_with_deadline(ray, kwargs: dict, timeout: float | None) -> None:
    """ray.init(**kwargs) in a daemon thread: raises what it raised, or TimeoutError after `timeout` s."""
    if timeout is None:  # no deadline: in this thread (Ray sets its SIGTERM handler only from the main thread)
        ray.init(**kwargs)
        return
    box: dict = {}

    def run():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Ray Client warns before it raises: one line is ours to say
                ray.init(**kwargs)
        except BaseException as e:  # noqa: BLE001 - whatever Ray raises comes back as one line
            box["error"] = e

    # From a thread Ray warns that it cannot set its SIGTERM handler: true, and harmless for a driver that joins.
    log = logging.getLogger("ray._private.worker")
    level = log.level
    log.setLevel(logging.ERROR)
    thread = threading.Thread(target=run, name="storykit-ray-init", daemon=True)
    thread.start()
    thread.join(timeout)
    log.setLevel(level)
    if thread.is_alive():
        raise TimeoutError
    if "error" in box:
        raise box["error"]


def connect(ray_arg, *, timeout: float = RAY_TIMEOUT_S, options: dict | None = None):
    """(ray, started_here, note). `ray_arg`: True for a local runtime, or an address to join.

    An address that cannot be joined raises InvalidInput (one line) within `timeout` seconds.
    A local runtime that fails to start returns ``(None, False, note)``: run in one process.
    """
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        _import_ray()  # raises MissingDependency with the install command
    address = ray_arg if isinstance(ray_arg, str) else None
    if address is not None:
        address = address.strip()
        if address.startswith("ray://") and importlib.util.find_spec("grpc") is None:  # Ray Client's transport
            raise MissingDependency(f"--ray {address} uses Ray Client, which needs `pip install 'storykit[scale]'` "
                                    "(it installs ray[client])")
        if address != "auto":
            _probe(address, min(5.0, timeout))  # before importing Ray (1-2 s): a wrong address says so at once
    ray = _import_ray()
    if ray.is_initialized():  # a notebook's own runtime, or a test's: use it as it is
        return ray, False, ""
    kwargs = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False, **(options or {})}
    if address is not None:
        kwargs["address"] = address
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # Ray's C++ retries would print a line a second
    # A new local runtime turns Ray's token authentication on and says so on stderr ("Token authentication
    # is enabled for this Ray cluster..."): Ray's default, not news, and not one of storykit's lines.
    # Setting RAY_AUTH_MODE here instead would not do: this process's Ray reads it once, at import, and
    # its GCS would then refuse the driver ("Missing authorization header", measured).
    auth_log = logging.getLogger("ray._private.authentication.authentication_token_setup")
    auth_log.addFilter(_no_auth_default_notice)
    try:
        # A local start has Ray's own time limits (it can take 20-30 s on a busy machine); a remote one has ours.
        _init_with_deadline(ray, kwargs, timeout if address is not None else None)
    except TimeoutError:
        raise InvalidInput(f"the Ray cluster at {address} did not answer within {timeout:.0f} s; "
                           "check the address and the port (Ray Client listens on 10001)") from None
    except Exception as e:
        if address is not None:
            raise InvalidInput(f"could not join the Ray cluster at {address} ({_one_line(e)})") from None
        _shutdown_quietly(ray)
        return None, False, f"Ray did not start ({_one_line(e)}): rendering in this process instead"
    finally:
        auth_log.removeFilter(_no_auth_default_notice)
    return ray, True, ""


def _no_auth_default_notice(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Token authentication is enabled for this Ray cluster.")


def _shutdown_quietly(ray) -> None:
    try:
        ray.shutdown()
    except Exception:  # noqa: BLE001 - nothing left to save
        pass


def fan_out(ray, todo, make_job, on_result, *, backend: str, options: dict, gpus: int,
            base_model: str | None = None, max_in_flight: int | None = None, keep: bool = False) -> dict:
    """Renders `todo` (entry indices) on one actor per GPU (or CPU); calls `on_result` per story in this process.

    Returns ``{"workers", "model_loads", "warm"}``: model loads are those made in this call. A
    worker that dies fails its stories (each in one line) and is replaced; one that cannot load its
    model is left out. `keep`: leave the workers running for the next call with the same backend and
    settings on this runtime (a notebook's own Ray: the next task file loads no model again);
    `release_workers()` stops them, as does a call with other settings.
    """
    from .storybench_job import Worker

    key = repr((backend, sorted((options or {}).items()), gpus, base_model))
    resources = ray.cluster_resources()
    if gpus:
        n = int(resources.get("GPU", 0))
        if n < 1:  # actors would wait forever
            raise InvalidInput("the Ray cluster has no GPUs, and each Lightning worker needs one; "
                               "add GPU nodes, or use --backend animatic")
    else:
        n = max(1, int(resources.get("CPU", 1)))
    n = max(1, min(n, len(todo)))
    actors, infos = _reuse(ray, key, base_model)
    warm, errors = len(actors), []
    first = [info["model_loads"] for info in infos]  # each worker's model loads before this call
    loads = list(first)
    # max_concurrency=2: while one story renders, the last one is compressed (Worker holds a lock for the GPU)
    actor_class = ray.remote(num_cpus=1, num_gpus=gpus, max_restarts=0, max_concurrency=2)(Worker)

    def start(count: int) -> None:
        """`count` new workers, loading their models at the same time (not one after another)."""
        new = [actor_class.remote(backend, options) for _ in range(count)]
        try:
            infos = ray.get([a.warm_up.remote(base_model) for a in new])
        except BaseException:  # one died while loading, or Ctrl-C: none of them is left running
            for actor in new:
                _kill_quietly(ray, actor)
            raise
        for actor, info in zip(new, infos):
            if info["error"]:
                errors.append(info["error"])
                ray.kill(actor)
                continue
            actors.append(actor)
            loads.append(info["model_loads"])
            first.append(0)

    queue, pending = collections.deque(todo), {}
    busy = collections.Counter()
    try:
        if len(actors) < n:
            start(n - len(actors))
        if not actors:
            raise InvalidInput(f"no Ray worker could start: {errors[0]}")
        limit = max(1, min(max_in_flight or _PER_WORKER * len(actors), _PER_WORKER * len(actors)))
        while queue or pending:
            for a, actor in enumerate(actors):
                while queue and actor is not None and busy[a] < _PER_WORKER and len(pending) < limit:
                    i = queue.popleft()
                    pending[actor.render.remote(make_job(i))] = (i, a)
                    busy[a] += 1
            if not pending:
                break
            ready, _ = ray.wait(list(pending), num_returns=1)
            i, a = pending.pop(ready[0])
            busy[a] -= 1
            try:
                result = ray.get(ready[0])
                loads[a] = result.get("model_loads", loads[a])
            except Exception as e:  # noqa: BLE001 - the worker died (memory, a crash): this story fails
                result = {"index": i, "error": f"Ray worker failed: {_one_line(e)}"}
                if actors[a] is not None and _dead(ray, e):
                    actors[a] = None
                    before = len(actors)
                    start(1)  # a replacement, appended; it loads its model again (counted)
                    if len(actors) == before and not any(x is not None for x in actors):
                        raise InvalidInput(f"every Ray worker died; the last error: {result['error']}") from None
            on_result(result)
    except BaseException:
        keep = False  # a failed or interrupted batch (kept workers included) leaves nothing running
        raise
    finally:
        live = [x for x in actors if x is not None]
        if keep and live:
            _WARM[ray] = (key, live)
        else:
            for actor in live:
                _kill_quietly(ray, actor)
    return {"workers": len(actors), "model_loads": sum(loads) - sum(first), "warm": warm}


# The workers a `fan_out(keep=True)` left running, by runtime module: (settings key, actors).
_WARM: dict = {}


def _reuse(ray, key: str, base_model: str | None) -> tuple[list, list]:
    """The kept workers and their `warm_up` answers if they have these settings and all still answer;
    otherwise stops them and gives ([], [])."""
    kept = _WARM.pop(ray, None)
    if kept is None:
        return [], []
    if kept[0] == key:
        try:  # a runtime shut down and started again, a worker that died: start afresh
            infos = ray.get([a.warm_up.remote(base_model) for a in kept[1]])
            if not any(info["error"] for info in infos):
                return list(kept[1]), infos
        except Exception:  # noqa: BLE001 - any Ray failure here only means "not reusable"
            pass
    for actor in kept[1]:  # other settings hold the CPUs or GPUs the new workers need
        _kill_quietly(ray, actor)
    return [], []


def release_workers() -> int:
    """Stops the workers kept by `fan_out(keep=True)` (their GPU memory is freed); returns how many."""
    n = 0
    for ray, (_, actors) in list(_WARM.items()):
        for actor in actors:
            _kill_quietly(ray, actor)
            n += 1
    _WARM.clear()
    return n


def _kill_quietly(ray, actor) -> None:
    try:
        ray.kill(actor)
    except Exception:  # noqa: BLE001 - already gone with its runtime
        pass


def _dead(ray, e: BaseException) -> bool:
    errors = getattr(ray, "exceptions", None)
    dead = getattr(errors, "RayActorError", None)
    return dead is not None and isinstance(e, dead)
