"""Render a script scene by scene, re-rendering only what changed.

>>> from storykit.generate.render import render_story                       # doctest: +SKIP
>>> clips = render_story(script)              # every scene, cached   # doctest: +SKIP
>>> script.edit(2, prompt="the fox finds the lantern under a bridge")  # doctest: +SKIP
>>> clips = render_story(script)              # renders scene 2 only  # doctest: +SKIP

Each finished scene goes into the clip cache (storykit.generate.cache) before the next
one starts, so an interrupted render (an error, Ctrl-C, a Colab disconnect)
resumes where it stopped. A backend with `cache_frames = False` (the animatic, which
draws a scene again in ~0.1 s) keeps only the clip's shape and metadata there: its
cached clips are `LazyClip`s, drawn again only if something reads their frames.

With `RenderConfig(handoff=True)` each scene starts from the previous one's last
frame (storykit.generate.continuity): its key then includes the predecessor's key,
so an edit re-renders that scene and every later one, nothing before it.
"""

from __future__ import annotations

from .backend import Backend, get_backend
from .config import RenderConfig
from .cache import ClipCache, open_cache
from .clips import Clip
from .continuity import handoff_fields
from ..errors import InvalidInput
from ..plan.script import Scene, Script

__all__ = ["render_scene", "render_story"]


def _render_one(scene: Scene, script: Script, backend: Backend, config: RenderConfig, cache: ClipCache | None,
                previous: Clip | None = None) -> Clip:
    key = None
    fields = None
    if cache is not None or config.handoff:
        fields = backend.cache_fields(scene, script, config)
        if previous is not None:  # the frames depend on the predecessor's frames, i.e. on its key
            fields["handoff"] = handoff_fields(previous.metadata["cache_key"], config.handoff_strength)
        key = ClipCache.key(fields)
    keeps_frames = getattr(backend, "cache_frames", True)
    if cache is not None:
        clip = cache.get(key, redraw=None if keeps_frames else _redraw(backend, scene, script, config))
        if clip is not None:
            # fps and position are playback, not pixels: the same frames serve an edited fps or order.
            # A clip drawn at a higher rate than its scene's (the animatic at the story's fps) keeps
            # covering the scene's duration: k times the frames at k times the rate.
            ratio = clip.num_frames / scene.num_frames if clip.metadata.get("drawn_fps") else 1
            clip.fps, clip.scene_index = (scene.fps * ratio if ratio != 1 else scene.fps), scene.index
            clip.metadata["cache_key"] = key
            return clip
    if previous is not None:
        clip = backend.render_scene(scene, script, config, handoff_from=previous)
        clip.metadata["handoff_from_scene"] = previous.scene_index
    else:
        clip = backend.render_scene(scene, script, config)
    clip.metadata.setdefault("backend", backend.name)
    clip.metadata["cached"] = False
    if key is not None:
        clip.metadata["cache_key"] = key
    if cache is not None:
        cache.put(key, clip, codec=None if keeps_frames else "redraw")
    return clip


def _redraw(backend: Backend, scene: Scene, script: Script, config: RenderConfig):
    """Draws a scene of a backend that keeps no frames (the animatic) again, as it was when its key was made."""
    import copy

    scene, script = copy.deepcopy(scene), copy.deepcopy(script)  # a later edit must not change these frames

    def draw():
        return backend.render_scene(scene, script, config).frames

    return draw


def _check_continuity(script: Script, backend: Backend, config: RenderConfig) -> RenderConfig:
    """Checks reference and handoff against the backend before anything renders; returns the config to use."""
    import dataclasses

    if config.reference is not None and not getattr(backend, "supports_reference", False):
        # The animatic draws the same figure in every scene from the script's words already.
        print(f"storykit: note: the {backend.name} backend ignores the character reference (only Lightning uses IP-Adapter)")
        config = dataclasses.replace(config, reference=None)
    if config.handoff and not getattr(backend, "supports_handoff", False):
        raise InvalidInput(
            f"handoff needs the Lightning backend (video-to-video from the previous scene's last frame); "
            f"the {backend.name} backend cannot start from a frame; drop handoff (--handoff)"
        )
    check = getattr(backend, "check_script", None)
    if check is not None:
        check(script, config)  # e.g. camera LoRAs and IP-Adapter weights present, enough steps for the handoff
    return config


def render_scene(scene: Scene | int, script: Script, backend="auto", config: RenderConfig | None = None, *, cache_dir=None) -> Clip:
    """Renders one scene (a Scene or its index), or returns it from the cache.

    `cache_dir`: None for the default cache ($STORYKIT_CACHE or
    ~/.cache/storykit/clips), a folder, or False to always render.
    """
    if not isinstance(script, Script):
        raise InvalidInput(f"script must be a Script, got {type(script).__name__}")
    if not isinstance(scene, Scene):
        scene = script.scene(scene)
    config = config or RenderConfig()
    if config.handoff and scene.index > 0 and scene in script.scenes:  # it needs its predecessors' frames
        return render_story(script, backend, config, cache_dir=cache_dir, scenes=[scene.index], progress=False)[0]
    backend = get_backend(backend)
    config = _check_continuity(script, backend, config)
    return _render_one(scene, script, backend, config, open_cache(cache_dir))


def render_story(
    script: Script,
    backend="auto",
    config: RenderConfig | None = None,
    *,
    cache_dir=None,
    scenes=None,
    progress: bool = True,
) -> list[Clip]:
    """Renders every scene (or the indices in `scenes`) in order and returns their Clips.

    Cached scenes come back at once with ``metadata["cached"] = True``; the rest
    are rendered and cached one by one, so a re-run after an edit or an
    interruption renders only what is missing.
    """
    from ..progress import tqdm

    from .frame_buffers import keep_frame_buffers

    if not isinstance(script, Script):
        raise InvalidInput(f"script must be a Script, got {type(script).__name__}")
    script.validate()
    keep_frame_buffers()
    if scenes is None:
        chosen = list(script.scenes)
    else:
        if isinstance(scenes, (int, str)):
            scenes = [scenes]
        chosen = sorted({script.scene(i).index: script.scene(i) for i in scenes}.values(), key=lambda s: s.index)
    if not chosen:
        raise InvalidInput("nothing to render: the script has no scenes (or `scenes` is empty)")
    backend = get_backend(backend)  # a name, or an instance passed through
    config = _check_continuity(script, backend, config or RenderConfig())
    cache = open_cache(cache_dir)
    wanted = {s.index for s in chosen}
    if config.handoff:  # every scene up to the last one asked for: each needs its predecessor's frames
        chosen = [s for s in script.scenes if s.index <= max(wanted)]
    clips, previous = [], None
    bar = tqdm(chosen, desc=f"scenes ({backend.name})", unit="scene", disable=not progress)
    for scene in bar:
        clip = _render_one(scene, script, backend, config, cache, previous if config.handoff else None)
        bar.set_postfix_str(f"scene {scene.index} {'cached' if clip.metadata.get('cached') else 'rendered'}")
        previous = clip
        if scene.index in wanted:
            clips.append(clip)
    return clips
