"""IP-Adapter and the scene handoff on the AnimateDiff-Lightning pipeline.

IP-Adapter (Ye et al. 2023, arXiv 2308.06721): hub repo ``h94/IP-Adapter``, the
SD1.5 adapter ``models/ip-adapter_sd15.safetensors`` (44.6 MB) and its CLIP
ViT-H/14 image encoder in ``models/image_encoder/`` (config.json +
model.safetensors, a `CLIPVisionModelWithProjection`). In plain diffusers::

    pipe.load_ip_adapter("h94/IP-Adapter", subfolder="models", weight_name="ip-adapter_sd15.safetensors")
    pipe.set_ip_adapter_scale(0.5)
    pipe(prompt, ip_adapter_image=reference, ...)

A local folder with the same layout (argument `ip_adapter=`, or
$STORYKIT_IP_ADAPTER) is used as is; a hub id is downloaded once into the
Hugging Face cache. Only safetensors are loaded: a `.bin` (a pickle, which can
run code when loaded) is refused.

The handoff (storykit.generate.continuity.start_from_frames) runs
`AnimateDiffVideoToVideoPipeline.from_pipe(pipe, vae=pipe.vae)`: the same modules,
no second copy of any model, and a draft decoder (AutoencoderTiny) passes too.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from ...errors import InvalidInput, MissingWeights, StorykitError
from ...hub import hf_cached
from ..cache import file_sha256
from ..reference_image import CharacterReference, check_ip_adapter_scale, load_reference

__all__ = [
    "IP_ADAPTER_REPO", "IP_ADAPTER_SUBFOLDER", "IP_ADAPTER_WEIGHT", "IMAGE_ENCODER_FOLDER",
    "IPAdapterWeights", "locate_ip_adapter", "reference_fields", "check_continuity", "conditioning",
]

IP_ADAPTER_REPO = "h94/IP-Adapter"
IP_ADAPTER_SUBFOLDER = "models"
IP_ADAPTER_WEIGHT = "ip-adapter_sd15.safetensors"  # the same weights as ip-adapter_sd15.bin, without pickle
IMAGE_ENCODER_FOLDER = "image_encoder"  # inside `models/`: CLIP ViT-H/14 (CLIPVisionModelWithProjection)
_ENCODER_FILES = ("config.json", "model.safetensors")
# Video-to-video attends over all of a scene's frames at once (16 is one FreeNoise window, 32 is
# the motion module's motion_max_seq_length, its positional-embedding table): past 32 it cannot run.
MAX_HANDOFF_FRAMES = 32


@dataclasses.dataclass(frozen=True)
class IPAdapterWeights:
    """A folder laid out like ``h94/IP-Adapter`` (``models/ip-adapter_sd15.safetensors``, ``models/image_encoder/``)."""

    root: Path
    source: str

    @property
    def weight(self) -> Path:
        return self.root / IP_ADAPTER_SUBFOLDER / IP_ADAPTER_WEIGHT

    @property
    def image_encoder(self) -> Path:
        return self.root / IP_ADAPTER_SUBFOLDER / IMAGE_ENCODER_FOLDER

    def identity(self) -> dict:
        """sha256 of the adapter and the encoder weights (remembered per machine: the encoder is 2.5 GB)."""
        return {
            "ip_adapter_sha256": file_sha256(self.weight),
            "image_encoder_sha256": file_sha256(self.image_encoder / "model.safetensors"),
        }


def _hint(source: str) -> str:
    return (
        f"download it with `hf download {IP_ADAPTER_REPO} {IP_ADAPTER_SUBFOLDER}/{IP_ADAPTER_WEIGHT} "
        f"--include '{IP_ADAPTER_SUBFOLDER}/{IMAGE_ENCODER_FOLDER}/*' --exclude '*.bin' --local-dir FOLDER` and pass "
        f"ip_adapter=FOLDER (or set STORYKIT_IP_ADAPTER); {source!r} has no usable copy"
    )


def _check_folder(root: Path, source: str) -> IPAdapterWeights:
    if root.name == IP_ADAPTER_SUBFOLDER and (root / IP_ADAPTER_WEIGHT).exists():
        root = root.parent  # they pointed at models/ itself
    models = root / IP_ADAPTER_SUBFOLDER
    weight = models / IP_ADAPTER_WEIGHT
    if not weight.is_file():
        pickles = sorted(p.name for p in models.glob("*.bin")) if models.is_dir() else []
        if pickles:
            raise InvalidInput(f"{models / pickles[0]} is a pickle checkpoint, which storykit never loads; use {IP_ADAPTER_WEIGHT}")
        raise MissingWeights(f"no {IP_ADAPTER_SUBFOLDER}/{IP_ADAPTER_WEIGHT} in {str(root)!r}; {_hint(source)}")
    encoder = models / IMAGE_ENCODER_FOLDER
    for name in _ENCODER_FILES:
        if not (encoder / name).is_file():
            if name == "model.safetensors" and (encoder / "pytorch_model.bin").is_file():
                raise InvalidInput(f"{encoder} holds only pytorch_model.bin, a pickle storykit never loads; add model.safetensors")
            raise MissingWeights(f"no {IP_ADAPTER_SUBFOLDER}/{IMAGE_ENCODER_FOLDER}/{name} in {str(root)!r}; {_hint(source)}")
    return IPAdapterWeights(root, source)


def locate_ip_adapter(source=None, *, download: bool = True) -> IPAdapterWeights:
    """Finds the IP-Adapter weights: a local folder (or its .safetensors file), or the hub repo."""
    from .weights import _is_repo_id, _looks_like_path

    source = str(source or os.environ.get("STORYKIT_IP_ADAPTER") or IP_ADAPTER_REPO)
    local = Path(source).expanduser()
    if local.is_file():
        if local.suffix != ".safetensors":
            raise InvalidInput(f"{local.name} is not a .safetensors file (a pickle?); storykit loads only {IP_ADAPTER_WEIGHT}")
        local = local.parent
    if local.is_dir():
        return _check_folder(local, source)
    if _looks_like_path(source) or not _is_repo_id(source):
        raise MissingWeights(f"no IP-Adapter folder at {source!r}; {_hint(source)}")
    files = [f"{IP_ADAPTER_SUBFOLDER}/{IP_ADAPTER_WEIGHT}"] + [
        f"{IP_ADAPTER_SUBFOLDER}/{IMAGE_ENCODER_FOLDER}/{n}" for n in _ENCODER_FILES
    ]
    found = [hf_cached(source, f) for f in files]
    if not all(found):
        if not download:
            raise MissingWeights(f"the IP-Adapter is not downloaded yet; {_hint(source)}")
        try:
            from huggingface_hub import hf_hub_download

            found = [hf_hub_download(source, f) for f in files]
        except Exception as e:  # offline, no such repo: the weights are not here
            raise MissingWeights(f"could not get the IP-Adapter from {source!r} ({type(e).__name__}); {_hint(source)}") from None
    # Hub snapshots keep the repo layout: <snapshot>/models/ip-adapter_sd15.safetensors.
    return _check_folder(Path(found[0]).parent.parent, source)


# -- what the cache key and the up-front checks need ---------------------------------------
def reference_fields(backend, config) -> dict:
    """Cache fields a reference adds ({} without one, so keys stay as they were)."""
    reference = getattr(config, "reference", None)
    if reference is None:
        return {}
    weights = locate_ip_adapter(getattr(backend, "ip_adapter", None))
    return {"ip_adapter": {"reference_sha256": reference.sha256, "scale": float(config.ip_adapter_scale), **weights.identity()}}


def check_continuity(backend, script, config) -> None:
    """Before any scene renders: IP-Adapter weights present; handoff possible at these settings."""
    if getattr(config, "reference", None) is not None:
        locate_ip_adapter(getattr(backend, "ip_adapter", None))
    if config.handoff:
        steps = config.num_inference_steps
        if int(steps * config.handoff_strength) < 1:
            raise InvalidInput(
                f"handoff_strength {config.handoff_strength:g} at {steps} step(s) leaves no denoising step "
                f"(diffusers runs int(steps * strength)); raise the strength or use 4 steps"
            )
        long = [s.index for s in script.scenes if s.num_frames > MAX_HANDOFF_FRAMES]
        if long:
            raise InvalidInput(
                f"handoff renders scenes of up to {MAX_HANDOFF_FRAMES} frames; scene {long[0]} has more "
                "(shorten it or drop handoff)"
            )


# -- the pipeline ---------------------------------------------------------------------------
def _attach(backend, pipe, weights: IPAdapterWeights) -> None:
    """Loads the IP-Adapter into `pipe` through diffusers' own loader (once per pipeline)."""
    if getattr(pipe, "_storykit_ip_adapter", None) == weights.root:
        return
    if getattr(pipe, "_storykit_ip_adapter", None) is not None:
        _detach(pipe)
    from .compat import quiet_cast_warning

    try:
        with quiet_cast_warning():  # load_ip_adapter casts the UNet with `.to(dtype)`: the same empty warning
            pipe.load_ip_adapter(
                str(weights.root), subfolder=IP_ADAPTER_SUBFOLDER, weight_name=IP_ADAPTER_WEIGHT,
                image_encoder_folder=IMAGE_ENCODER_FOLDER, local_files_only=True,
            )
    except StorykitError:
        raise
    except Exception as e:  # wrong sizes for this base (an SDXL adapter?), a damaged file
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:160]
        raise InvalidInput(f"could not load the IP-Adapter from {str(weights.root)!r} into this base model ({type(e).__name__}: {first})") from None
    if _offloaded(pipe):
        # Offload hooks exist only for modules present when they were installed: add the encoder's.
        pipe.enable_model_cpu_offload(device=backend.device)
    pipe._storykit_ip_adapter = weights.root


def _offloaded(pipe) -> bool:
    return any(hasattr(m, "_hf_hook") for m in (pipe.unet, pipe.text_encoder))


def _detach(pipe) -> None:
    """Removes the IP-Adapter: the UNet's processors go back to plain attention (frames as without one)."""
    if getattr(pipe, "_storykit_ip_adapter", None) is None:
        return
    pipe.unload_ip_adapter()
    pipe._storykit_ip_adapter = None


def conditioning(backend, pipe, kwargs: dict, *, ip_adapter_image=None, ip_adapter_scale: float = 0.5,
                 handoff_image=None, handoff_strength: float = 0.75):
    """The call to make and its keyword arguments: `pipe` as is, with IP-Adapter, and/or video-to-video.

    Returns (callable, kwargs, metadata). Without a reference and a handoff image
    this is `pipe` and `kwargs` unchanged (and any IP-Adapter loaded earlier is removed).
    """
    meta = {}
    if ip_adapter_image is None:
        _detach(pipe)
    else:
        reference: CharacterReference = load_reference(ip_adapter_image)
        scale = check_ip_adapter_scale(ip_adapter_scale)
        weights = locate_ip_adapter(getattr(backend, "ip_adapter", None))
        _attach(backend, pipe, weights)
        pipe.set_ip_adapter_scale(scale)
        kwargs = {**kwargs, "ip_adapter_image": reference.image}
        meta["reference"] = {"sha256": reference.sha256, "source": reference.source, "ip_adapter_scale": scale,
                             "ip_adapter": weights.source}
    if handoff_image is None:
        return pipe, kwargs, meta
    from ..continuity import start_from_frames

    frame = np.asarray(handoff_image)
    if frame.ndim != 3 or frame.shape[-1] != 3 or frame.dtype != np.uint8:
        raise InvalidInput(f"handoff_image must be an (H, W, 3) uint8 frame, got {frame.shape} {frame.dtype}")
    # The previous scene's last frame, held for the whole clip: the new scene starts from its layout.
    v2v, kwargs = start_from_frames(pipe, frame, kwargs, strength=handoff_strength)
    meta["handoff"] = {"strength": handoff_strength, "denoising_steps": int(kwargs["num_inference_steps"] * handoff_strength),
                       "pipeline": "AnimateDiffVideoToVideoPipeline"}
    return v2v, kwargs, meta
