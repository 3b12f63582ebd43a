"""How long the script writers take: the template writer and the LLM writer (tiny random model).

    python bench/bench_writer.py [--repeat 5]

Prints, for a 5-scene story:
  * template writer: the first plan in a fresh process (it builds CLIP's tokenizer)
    and a warm plan (best of `--repeat`);
  * LLM writer on a tiny random Qwen2ForCausalLM (storykit.testing.build_tiny_llm):
    the first call (imports torch and transformers, loads the model, generates)
    and a warm call (model cached). Its answer is garbage, so both end in the
    fallback to the template: this times the machinery, not a real model's
    generation, which depends on the model size and the device.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TRIPLE = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from storykit.plan import plan

    first = timed(lambda: plan(*TRIPLE))
    warm = min(timed(lambda: plan(*TRIPLE, seed=s)) for s in range(args.repeat))
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"template writer, 5 scenes: first {first:.3f} s (builds CLIP's tokenizer), warm {warm * 1000:.1f} ms")

    import io
    from contextlib import redirect_stderr

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        from storykit.testing import build_tiny_llm

        folder = build_tiny_llm(Path(tmp) / "tiny")
        built = time.perf_counter() - t
        with redirect_stderr(io.StringIO()):
            cold = timed(lambda: plan(*TRIPLE, writer="llm", model=str(folder)))
            hot = min(timed(lambda: plan(*TRIPLE, writer="llm", model=str(folder), seed=s)) for s in range(2))
            offline = timed(lambda: plan(*TRIPLE, writer="llm", model="Qwen/Qwen2.5-1.5B-Instruct"))
    print(f"LLM writer, tiny random Qwen2 (built in {built:.1f} s), 5 scenes, 1100 new tokens, falls back: "
          f"first {cold:.1f} s (imports + load + generate), warm {hot:.1f} s")
    print(f"LLM writer, hub id not on this machine: falls back in {offline * 1000:.0f} ms (the hub is not contacted)")


if __name__ == "__main__":
    main()
