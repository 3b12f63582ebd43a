"""Tiny random voice models in the real file layouts, for tests and offline notebooks.

* `build_tiny_kokoro(folder)`: ``kokoro-v1.0.onnx`` (an ONNX graph with Kokoro v1.0's inputs,
  ``tokens`` int64 [1, n], ``style`` float32 [1, 256], ``speed`` float32 [1], and its output, a
  24 kHz waveform as long as the phonemes) and ``voices-v1.0.bin`` (a NumPy ``.npz`` of
  [510, 1, 256] style tables), as in ``fastrtc/kokoro-onnx``. Needs the `onnx` package.
* `build_tiny_mms(folder)`: a random transformers ``VitsModel`` saved as ``config.json`` +
  ``model.safetensors`` with the character tokenizer files of ``facebook/mms-tts-*``
  (``vocab.json``, ``tokenizer_config.json``, ``special_tokens_map.json``).

They speak noise-like tones, not words: they test the loading and calling code, not the voice.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["build_tiny_kokoro", "build_tiny_mms"]


def build_tiny_kokoro(folder, voices=("af_heart", "jf_alpha", "ef_dora")) -> Path:
    """Writes kokoro-v1.0.onnx and voices-v1.0.bin into `folder`; returns it."""
    import onnx
    from onnx import TensorProto, helper

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    c = lambda name, value, kind=TensorProto.FLOAT: helper.make_node(  # noqa: E731
        "Constant", [], [name], value=helper.make_tensor(name, kind, [], [value]))
    nodes = [
        c("one_i", 1, TensorProto.INT64), c("per_token", 600.0), c("zero", 0.0), c("step", 1.0),
        c("omega", 2 * np.pi * 220 / 24000), c("floor", 0.2),
        helper.make_node("Shape", ["tokens"], ["shape"]),
        helper.make_node("Gather", ["shape", "one_i"], ["n"], axis=0),
        helper.make_node("Cast", ["n"], ["n_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["n_f", "per_token"], ["length0"]),
        helper.make_node("ReduceMean", ["speed"], ["speed_s"], keepdims=0),
        helper.make_node("Div", ["length0", "speed_s"], ["length"]),  # faster speech, fewer samples
        helper.make_node("Range", ["zero", "length", "step"], ["t"]),
        helper.make_node("Mul", ["t", "omega"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["tone"]),
        helper.make_node("Abs", ["style"], ["style_abs"]),
        helper.make_node("ReduceMean", ["style_abs"], ["style_mean"], keepdims=0),
        helper.make_node("Add", ["style_mean", "floor"], ["gain"]),
        helper.make_node("Mul", ["tone", "gain"], ["waveform"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny-kokoro",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, "n"]),
         helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 256]),
         helper.make_tensor_value_info("speed", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("waveform", TensorProto.FLOAT, ["samples"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="storykit-tiny")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(folder / "kokoro-v1.0.onnx"))
    rng = np.random.default_rng(0)
    tables = {v: (rng.standard_normal((510, 1, 256)) * 0.2).astype(np.float32) for v in voices}
    with open(folder / "voices-v1.0.bin", "wb") as f:  # np.savez adds ".npz" to a name; a file object keeps ours
        np.savez(f, **tables)
    return folder


# facebook/mms-tts-*: one character per token, the first doubling as the pad token ("k" in mms-tts-eng,
# "ا" in mms-tts-ara), "<unk>" last.
_MMS_CHARS = {
    "eng": list("k '-abcdefghijlmnopqrstuvwxyz") + ["<unk>"],
    "ara": list("ا بتثجحخدذرزسشصضطظعغفقكلمنهويةىءأإآؤئ") + ["<unk>"],
}


def build_tiny_mms(folder, language: str = "eng") -> Path:
    """Writes a tiny random VitsModel and its MMS tokenizer files into `folder`; returns it."""
    import torch
    from transformers import VitsConfig, VitsModel

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chars = _MMS_CHARS.get(language, _MMS_CHARS["eng"])
    vocab = {ch: i for i, ch in enumerate(chars)}
    config = VitsConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, ffn_dim=32, flow_size=16,
        spectrogram_bins=9, upsample_initial_channel=16, upsample_rates=[4, 4], upsample_kernel_sizes=[8, 8],
        resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3]], prior_encoder_num_flows=1,
        prior_encoder_num_wavenet_layers=1, posterior_encoder_num_wavenet_layers=1, duration_predictor_filter_channels=16,
        duration_predictor_num_flows=1, depth_separable_num_layers=1, sampling_rate=16000,
    )
    torch.manual_seed(0)
    VitsModel(config).save_pretrained(folder, safe_serialization=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "add_blank": True, "clean_up_tokenization_spaces": True, "is_uroman": False, "language": language,
        "normalize": True, "pad_token": chars[0], "phonemize": False, "tokenizer_class": "VitsTokenizer",
        "unk_token": "<unk>"}, ensure_ascii=False), encoding="utf-8")
    (folder / "special_tokens_map.json").write_text(json.dumps({"pad_token": chars[0], "unk_token": "<unk>"}, ensure_ascii=False), encoding="utf-8")
    return folder
