"""16-frame windows for scenes of any length: FreeNoise plus split inference (diffusers).

AnimateDiff's motion module was trained on 16-frame clips (Lightning was distilled from
AnimateDiff SD1.5 v2 at 16 frames); past that users see blur and splits. FreeNoise
(Qiu et al. 2023, arXiv 2310.15169) denoises overlapping 16-frame windows (stride 4) and
blends them; shorter scenes run as one window of their own length, the same frames as
plain AnimateDiff. Split inference bounds memory for long scenes.
"""

from __future__ import annotations

from .weights import CONTEXT_FRAMES, CONTEXT_STRIDE

__all__ = ["SPATIAL_SPLIT", "enable_windows"]

# Split inference runs resnets and resampling 16 frames at a time, which bounds their activations
# for long scenes. Its wraps of spatial attention and motion modules are undone (see enable_windows).
SPATIAL_SPLIT = 4096


def enable_windows(pipe) -> None:
    """FreeNoise windows and split inference on `pipe` (once, right after loading)."""
    pipe.enable_free_noise(context_length=CONTEXT_FRAMES, context_stride=CONTEXT_STRIDE)
    pipe.enable_free_noise_split_inference(spatial_split_size=SPATIAL_SPLIT, temporal_split_size=CONTEXT_FRAMES)
    blocks = [*pipe.unet.down_blocks, pipe.unet.mid_block, *pipe.unet.up_blocks]
    for block in blocks:
        # Spatial attention stays whole: with IP-Adapter its encoder_hidden_states is a (text, [image])
        # tuple that SplitInferenceModule cannot split, so 16-frame chunks of the frames met 24 frames
        # of image embeddings ("shape [24, -1, 2, 4] is invalid"). Its activations are the frames' own
        # (SDPA keeps attention memory linear), so the memory bound stays with the resnets.
        _unwrap(getattr(block, "attentions", None))
        # Motion modules stay whole too. Their spatial split chunks the B x H x W sequences of a
        # window; a 512x512 latent without CFG has 64 x 64 = 4096 of them, one chunk: no work. And the
        # wrap renames transformer_blocks.N to transformer_blocks.N.module, which the motion LoRA files
        # do not name, so diffusers' documented `pipe.load_lora_weights(...)` would find no layer
        # (motion_lora.py). FreeNoise already bounds them to 16-frame windows.
        for module in getattr(block, "motion_modules", None) or []:
            module.proj_in, module.proj_out = _inner(module.proj_in), _inner(module.proj_out)
            _unwrap(module.transformer_blocks)


def _inner(module):
    return module.module if type(module).__name__ == "SplitInferenceModule" else module


def _unwrap(modules) -> None:
    for i, module in enumerate(modules or []):
        modules[i] = _inner(module)
