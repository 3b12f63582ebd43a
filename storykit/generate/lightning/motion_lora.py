"""Camera moves as AnimateDiff motion LoRAs: the planned camera reaches the model, not just the prompt.

AnimateDiff v2 ships one motion LoRA per camera move (Guo et al. 2023,
arXiv:2307.04725, §"MotionLoRA"); AnimateDiff-Lightning's model card and its
demo Space apply them on top of the distilled motion module at strength 0.7
("0.7-0.8 to avoid watermarks")::

    pipe.load_lora_weights("guoyww/animatediff-motion-lora-zoom-in", adapter_name="motion")
    pipe.set_adapters(["motion"], [0.7])

Here each move is loaded once under its own adapter name and later scenes only
switch with `set_adapters`; a static scene disables LoRA layers (a pipeline that
only ever sees static scenes never loads one). Files are the diffusers-format
repos' ``diffusion_pytorch_model.safetensors``: keys ``unet.<block>.motion_modules.
<i>.transformer_blocks.<j>.attn{1,2}.processor.to_{q,k,v,out}_lora.{down,up}.weight``
(diffusers' scripts/convert_animatediff_motion_lora_to_diffusers.py), which
diffusers' peft loader maps onto the UNet's temporal attention. The original
``v2_lora_*.ckpt`` files are pickles and are refused.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from pathlib import Path

from ...errors import InvalidInput, MissingWeights, require
from ...plan.script import CAMERA_MOVES
from .adapter_config import motion_adapter_layout

__all__ = [
    "canonical_name",
    "real_names",
    "CAMERA_LORAS",
    "DEFAULT_LORA_WEIGHT",
    "LORA_FILENAME",
    "lora_for_camera",
    "locate_motion_lora",
    "check_motion_lora_file",
    "MotionLoras",
]

LORA_FILENAME = "diffusion_pytorch_model.safetensors"
# Model card: motion LoRAs "at strength 0.7~0.8 to avoid watermark"; the demo Space uses 0.7.
DEFAULT_LORA_WEIGHT = 0.7
# Planned camera move -> diffusers-format motion LoRA repo (guoyww's own conversions of v2_lora_*.ckpt).
# "static" has no LoRA: the distilled motion module alone. AnimateDiff also has rolling LoRAs
# (rolling-clockwise/anticlockwise); the planner does not plan rolls, so they are not mapped.
CAMERA_LORAS = {
    "static": None,
    "pan_left": "guoyww/animatediff-motion-lora-pan-left",
    "pan_right": "guoyww/animatediff-motion-lora-pan-right",
    "zoom_in": "guoyww/animatediff-motion-lora-zoom-in",
    "zoom_out": "guoyww/animatediff-motion-lora-zoom-out",
    "tilt_up": "guoyww/animatediff-motion-lora-tilt-up",
    "tilt_down": "guoyww/animatediff-motion-lora-tilt-down",
}
assert set(CAMERA_LORAS) == set(CAMERA_MOVES), "every planned camera move needs a row here"
_PICKLES = (".bin", ".ckpt", ".pt", ".pth", ".pkl")
_WRAPPERS = re.compile(r"\.(module|base_layer)(?=\.|$)")


def canonical_name(name: str) -> str:
    """A UNet parameter/module name as the checkpoints spell it.

    FreeNoise split inference wraps blocks in SplitInferenceModule (adds ``.module``)
    and peft wraps LoRA targets (adds ``.base_layer``); files name neither.
    """
    return _WRAPPERS.sub("", name)


def real_names(model, *, params: bool) -> dict:
    """canonical name -> the model's own name, for its parameters/buffers or its modules."""
    names = model.state_dict().keys() if params else (n for n, _ in model.named_modules())
    return {canonical_name(n): n for n in names if ".lora_" not in n}


def lora_for_camera(camera: str, motion_loras=None) -> str | None:
    """The LoRA source (hub id, folder or file) for `camera`; None for "static".

    `motion_loras` (or $STORYKIT_MOTION_LORAS): None for the hub repos; a folder
    holding one sub-folder per repo name (what ``hf download REPO --local-dir
    DIR/<repo name>`` writes); or a dict camera -> hub id / folder / file.
    """
    if camera not in CAMERA_LORAS:
        raise InvalidInput(f"camera {camera!r} has no motion LoRA; choose one of: {', '.join(CAMERA_LORAS)}")
    repo = CAMERA_LORAS[camera]
    if repo is None:
        return None
    source = motion_loras if motion_loras is not None else os.environ.get("STORYKIT_MOTION_LORAS") or None
    if isinstance(source, dict):
        unknown = set(source) - set(CAMERA_LORAS)
        if unknown:
            raise InvalidInput(f"motion_loras has unknown camera {sorted(unknown)[0]!r}; choose from: {', '.join(CAMERA_LORAS)}")
        return str(source.get(camera, repo))
    if source:
        return str(Path(source).expanduser() / repo.split("/")[1])
    return repo


def locate_motion_lora(source: str) -> Path:
    """The .safetensors file for a LoRA source: a file, a folder holding one, or a hub repo id."""
    from .weights import _is_repo_id, _looks_like_path, download_file

    local = Path(source).expanduser()
    if local.is_dir():
        pickles = sorted(p.name for p in local.iterdir() if p.suffix in _PICKLES)
        file = local / LORA_FILENAME
        if not file.is_file():
            found = sorted(p.name for p in local.glob("*.safetensors"))
            if len(found) != 1:
                extra = f" (it holds pickles {pickles}: storykit loads safetensors only)" if pickles else ""
                raise MissingWeights(f"motion LoRA folder {source!r} has no {LORA_FILENAME}{extra}")
            file = local / found[0]
        return file
    if local.is_file():
        if local.suffix != ".safetensors":
            raise InvalidInput(
                f"{local.name} is not a .safetensors file; storykit loads motion LoRAs as safetensors only "
                "(the v2_lora_*.ckpt files are pickles: use the guoyww/animatediff-motion-lora-* repos)"
            )
        return local
    if _looks_like_path(source) or not _is_repo_id(source):
        raise MissingWeights(f"no motion LoRA file or folder at {source!r}")
    return download_file(source, LORA_FILENAME, what="motion LoRA")


# A converted key, what diffusers' scripts/convert_animatediff_motion_lora_to_diffusers.py writes:
#   unet.<block>.motion_modules.<i>.transformer_blocks.<j>.attn{1,2}.processor.to_{q,k,v,out}_lora.{down,up}.weight
# or the same layer in peft's spelling (unet.<...>.attn1.to_q.lora_A.weight), which diffusers also loads.
_ATTN = r"unet\.(?P<attn>(?:(?:down|up)_blocks\.\d+|mid_block)\.motion_modules\.\d+\.transformer_blocks\.\d+\.attn[12])"
_LORA_KEYS = (
    re.compile(_ATTN + r"\.processor\.to_(?P<proj>q|k|v|out)_lora\.(?P<half>down|up)\.weight"),
    re.compile(_ATTN + r"\.to_(?P<proj>q|k|v|out)(?:\.0)?\.lora_(?P<half>A|B)\.weight"),
)


def _lora_layer(key: str) -> tuple[str, bool] | None:
    """('down_blocks.0.motion_modules.0.transformer_blocks.0.attn1.to_out.0', is_down) for a LoRA key, else None."""
    for pattern in _LORA_KEYS:
        m = pattern.fullmatch(key)
        if m:
            proj = "out.0" if m["proj"] == "out" else m["proj"]
            return f"{m['attn']}.to_{proj}", m["half"] in ("down", "A")
    return None


def check_motion_lora_file(path, *, source: str | None = None, adapter_config: dict | None = None) -> None:
    """Reads a motion LoRA's safetensors header (names, shapes; no tensor data) and refuses what cannot load.

    Every key must be a motion-module LoRA key; with `adapter_config` (the MotionAdapter's
    arguments) each must also name a layer of that motion module, with down (rank x in)
    and up (out x rank) shapes that fit it. Runs before any scene renders.
    """
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    label = repr(source or path.name)
    try:
        with safe_open(str(path), framework="pt") as f:
            shapes = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    except (SafetensorError, OSError, ValueError) as e:
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:160]
        raise InvalidInput(f"motion LoRA {label} ({path.name}) is not a readable safetensors file ({reason}); download it again") from None
    bad = [k for k in shapes if _lora_layer(k) is None]
    if bad or not shapes:
        raise InvalidInput(
            f"{label} is not a diffusers-format AnimateDiff motion LoRA (e.g. key {(bad or ['<none>'])[0]!r}); "
            "use a guoyww/animatediff-motion-lora-* repo"
        )
    if adapter_config is None:
        return
    _, layers = motion_adapter_layout(adapter_config)  # 'down_blocks.0....attn1.to_q' -> (in, out)
    for key, shape in shapes.items():
        layer, down = _lora_layer(key)
        fits = layer in layers and len(shape) == 2 and (shape[1] == layers[layer][0] if down else shape[0] == layers[layer][1])
        if not fits:
            raise InvalidInput(f"motion LoRA {label} does not fit this motion module ({key}: {shape})")


class MotionLoras:
    """The motion LoRAs loaded into one pipeline: each loaded once, switched with set_adapters."""

    def __init__(self, motion_loras=None, *, adapter_config: dict | None = None):
        self.motion_loras = motion_loras
        self.adapter_config = adapter_config  # MotionAdapter(**adapter_config): what each file must fit
        self.loaded: dict[str, str] = {}  # adapter name (= camera) -> source
        self.active: tuple[str, float] | None = None

    def source(self, camera: str) -> str | None:
        return lora_for_camera(camera, self.motion_loras)

    def _load(self, pipe, camera: str, source: str) -> None:
        require("peft", "gen")  # diffusers' LoRA loading runs on peft
        path = locate_motion_lora(source)
        check_motion_lora_file(path, source=source, adapter_config=self.adapter_config)
        try:
            # Quiet two expected notices: peft's "a second adapter" and diffusers' "no text-encoder
            # keys" (motion LoRAs touch only the UNet's motion modules).
            log = logging.getLogger("diffusers.loaders.lora_base")
            level = log.level
            log.setLevel(logging.ERROR)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Already found a `peft_config`")
                try:
                    # The call diffusers documents and the Lightning demo Space makes. It finds the
                    # layers by name because windows.py leaves the motion modules unwrapped; the
                    # file is the .safetensors located above, so no pickle is ever looked for.
                    pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=camera)
                finally:
                    log.setLevel(level)
        except (ValueError, KeyError, RuntimeError) as e:
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
            raise InvalidInput(f"motion LoRA {source!r} does not fit this motion module ({reason})") from None
        self.loaded[camera] = source

    def apply(self, pipe, camera: str, weight: float) -> str | None:
        """Makes `camera`'s LoRA the only active adapter at `weight`; static disables LoRAs. Returns its source."""
        source = self.source(camera)
        if source is None:
            if self.loaded and self.active is not None:
                pipe.disable_lora()
            self.active = None
            return None
        if camera not in self.loaded:
            self._load(pipe, camera, source)
        if self.active != (camera, weight):
            pipe.enable_lora()
            pipe.set_adapters([camera], [weight])
            self.active = (camera, weight)
        return source
